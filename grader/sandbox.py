"""Run each submission's kernel in a sandbox: its own scratch folder, nothing of the course visible.

The kernel is started through bubblewrap (bwrap) as an unprivileged user of its own, with resource limits:
- the file system is read-only; the home folder, /tmp, the course folder and the course repository are
  replaced by empty folders, and only what the kernel needs to import (Python, the venv, course_lib) is
  mounted back, read-only;
- the kernel's working folder is a fresh temporary copy of the submission's files, the only writable place;
- no network (a new network namespace), a new PID namespace (a fork bomb or a stray process dies with the
  kernel), and limits on memory (address space), processes and file size;
- the grader talks to the kernel over ZeroMQ's ipc transport (unix sockets in the scratch folder), since a
  kernel without network cannot reach the grader's TCP ports.
A watchdog kills the whole sandbox once the notebook has run past its total time limit plus a grace period.
"""

from __future__ import annotations

import os
import secrets
import shlex
import shutil
import signal
import sys
import sysconfig
import tempfile
import threading
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Bool, Float, Int, List, Unicode

from grader import runlog
from grader.kernel_ready import quick_readiness
from grader.errors import GraderError
from grader.submission_files import IMPORTABLE, read_regular, shipped

# Each kernel runs as its own unprivileged uid, picked at random from a range no account uses: the process
# limit counts per uid, so one student's fork bomb cannot starve the kernels graded beside it.
UID_BASE, UID_SPAN = 1_000_000, 1_000_000_000


def fresh_uid() -> int:
    return UID_BASE + secrets.randbelow(UID_SPAN)
INSTALL_HINT = ("bubblewrap (bwrap) is needed to grade in a sandbox: `apt-get install bubblewrap` "
                "(Debian/Ubuntu), or pass --no-sandbox to grade without one on a machine you trust")


def bwrap_path() -> str | None:
    return shutil.which("bwrap")


def require_bwrap() -> str:
    path = bwrap_path()
    if not path:
        raise GraderError(INSTALL_HINT)
    return path


def _course_lib_dir() -> Path:
    import course_lib

    return Path(course_lib.__file__).resolve().parent


def exposed_paths() -> list[Path]:
    """What the kernel needs to read: the interpreter, its libraries, the venv, course_lib."""
    paths = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), _course_lib_dir()}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        value = sysconfig.get_paths().get(key)
        if value:
            paths.add(Path(value).resolve())
    paths.add(Path(sys.executable).resolve().parent)
    return sorted(p for p in paths if p.exists())


def hidden_paths(extra: list[str]) -> list[Path]:
    """Folders replaced by empty ones: homes, temporary folders, and the course's own folders."""
    candidates = [Path.home(), Path("/root"), Path("/home"), Path("/tmp"), Path("/var/tmp"), Path("/work"),
                  Path("/mnt"), Path("/srv"), Path("/media"), *map(Path, extra)]
    seen, out = set(), []
    for p in candidates:
        p = p.resolve() if p.exists() else p
        if p.exists() and p.is_dir() and p != Path("/") and p not in seen:
            seen.add(p)
            out.append(p)
    return out


def bwrap_command(bwrap: str, workdir: Path, inner: list[str], *, hide: list[Path], expose: list[Path],
                  memory_mb: int, max_processes: int, max_file_mb: int, uid: int, network: bool = False,
                  replace: dict[Path, Path] | None = None) -> list[str]:
    """The full command line: bwrap (mounts, namespaces) -> prlimit (limits) -> setpriv (drop root) -> inner.
    `replace` maps an exposed path to the folder mounted there instead (a course_lib without some answers)."""
    cmd = [bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/dev/shm"]
    for path in hide:
        cmd += ["--tmpfs", str(path)]
    made = set()
    for path in expose:
        # Mount points bwrap creates itself are private (0700); open the way for the kernel's user.
        for parent in reversed(path.parents):
            if parent not in made and any(parent.is_relative_to(h) and parent != h for h in hide):
                cmd += ["--perms", "0755", "--dir", str(parent)]
                made.add(parent)
        cmd += ["--ro-bind", str((replace or {}).get(path, path)), str(path)]
    cmd += ["--bind", str(workdir), str(workdir), "--chdir", str(workdir),
            "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try", "--die-with-parent"]
    if not network:
        cmd.append("--unshare-net")
    limits = ["prlimit", f"--as={memory_mb * 1024 * 1024}", f"--nproc={max_processes}",
              f"--fsize={max_file_mb * 1024 * 1024}", "--core=0", "--"]
    if os.geteuid() == 0:
        drop = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--no-new-privs", "--"]
    else:  # already unprivileged: nothing to drop
        drop = []
    # In a new PID namespace the kernel's parent is init, which ipykernel takes for a dead parent (handle 1: no poll);
    # --die-with-parent already ties the kernel's life to the grader's.
    return cmd + ["--"] + limits + drop + inner + ["--IPKernelApp.parent_handle=1"]


def through_args_file(cmd: list[str], args_file: Path, start_file: Path) -> list[str]:
    """The same command, with bwrap's options read from a file (bwrap --args) and the kernel's command line
    from a script in the scratch folder, so that the sandbox's /proc/1/cmdline shows none of the host's
    paths it hides (the course folder, the repository)."""
    split = cmd.index("--")
    args_file.write_bytes(b"".join(a.encode() + b"\0" for a in cmd[1:split + 1]))
    os.chmod(args_file, 0o600)
    start_file.write_text("exec " + shlex.join(cmd[split + 1:]) + "\n", encoding="utf-8")
    os.chmod(start_file, 0o755)
    return ["/bin/sh", "-c", 'exec "$0" --args 3 /bin/sh "$2" 3<"$1"', cmd[0], str(args_file), str(start_file)]


def kernel_env(workdir: Path) -> dict[str, str]:
    """A clean environment: nothing of the grader's, one thread per numeric library, a private home."""
    keep = ("PATH", "LANG", "LC_ALL", "TZ")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env["NBGRADER_EXECUTION"] = "autograde"  # a sandboxed kernel is always grading: no live widgets, no bars
    env.update(HOME=str(workdir), IPYTHONDIR=str(workdir / ".ipython"), MPLCONFIGDIR=str(workdir / ".matplotlib"),
               JUPYTER_RUNTIME_DIR=str(workdir / ".jupyter"), PYTHONDONTWRITEBYTECODE="1", PYTHONHASHSEED="0",
               PYTHONSAFEPATH="1", PYTHONPATH=str(workdir / MODULES_DIR),
               OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", MPLBACKEND="agg")
    env.setdefault("LANG", "C.UTF-8")
    return env


def matplotlib_cache() -> Path | None:
    """The grader's matplotlib font cache, copied into each sandbox so no kernel rebuilds it (seconds).

    Call it once before grading threads start: importing matplotlib parses its settings with `ast`, and in
    CPython 3.11/3.12 two threads parsing at once can fail with "AST constructor recursion depth mismatch"
    (CPython issue 106905), which the static check, parsing in the main thread, once did here."""
    try:
        import matplotlib

        cache = Path(matplotlib.get_cachedir())
        return cache if any(cache.glob("fontlist-*.json")) else None
    except Exception:  # noqa: BLE001 - a missing cache only costs time
        return None


def _chown_tree(top: Path, uid: int) -> None:
    """Give a file, or a folder and all in it, to the kernel's user (only root can, and only root needs to)."""
    if os.geteuid() != 0 or not top.exists():
        return
    os.chown(top, uid, uid)
    for root, dirs, files in os.walk(top):
        for name in dirs + files:
            os.chown(os.path.join(root, name), uid, uid)


MODULES_DIR = ".course_modules"  # importable files shipped with a lesson: the kernel's only extra import path


def copy_submission_files(source: Path | None, workdir: Path, uid: int) -> None:
    """Copy the files beside the notebook into the scratch folder, for the kernel's user: regular files only,
    links never followed; importable code also goes to MODULES_DIR, the one folder the kernel imports from
    besides the installed packages (its working folder is not on its path)."""
    if not (source and source.is_dir()):
        return
    for rel in shipped(source):
        data = read_regular(source, rel)
        if data is None:
            continue
        targets = [workdir / rel] + ([workdir / MODULES_DIR / rel] if rel.suffix in IMPORTABLE else [])
        for target in targets:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    _chown_tree(workdir, uid)


def make_workdir(source: Path | None, uid: int) -> Path:
    """A fresh scratch folder owned by the kernel's user, holding copies of the submission's other files
    (none yet for a spare kernel, which gets them when it is taken: grader.warm_kernels)."""
    workdir = Path(tempfile.mkdtemp(prefix="grader-sbx-"))
    cache = matplotlib_cache()
    if cache:
        shutil.copytree(cache, workdir / ".matplotlib", dirs_exist_ok=True)
    (workdir / ".k").mkdir()
    _chown_tree(workdir, uid)
    copy_submission_files(source, workdir, uid)
    return workdir


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager that starts the kernel inside the sandbox described above."""

    memory_mb = Int(4096, help="address-space limit of the kernel, in MiB").tag(config=True)
    max_processes = Int(512, help="process and thread limit of the kernel's user").tag(config=True)
    max_file_mb = Int(256, help="largest file the kernel may write, in MiB").tag(config=True)
    notebook_timeout = Float(600.0, help="seconds the whole notebook may run; the watchdog adds a grace "
                             "period before killing the sandbox").tag(config=True)
    watchdog_grace = Float(20.0, help="seconds past notebook_timeout before the sandbox is killed").tag(config=True)
    hide = List(Unicode(), help="more folders to hide from the kernel (the course folder and repo)").tag(config=True)
    course_lib_dir = Unicode("", help="a course_lib folder mounted in place of the real one (without the "
                             "answers of the lesson being graded: grader.reference_view)").tag(config=True)
    network = Bool(False, help="allow network access (never for grading)").tag(config=True)

    # A spare is started before its submission is known (grader.warm_kernels): its watchdog waits for adopt().
    spare = Bool(False, help="started ahead, for a submission not chosen yet")

    _workdir: Path | None = None
    _watchdog: threading.Timer | None = None
    _log: runlog.RunLog | None = None
    _uid: int = 0
    _args_file: Path | None = None
    early_client = None  # a spare's client, connected while the kernel booted (grader.warm_kernels)

    async def _async_pre_start_kernel(self, **kw):
        bwrap = require_bwrap()
        self._log = runlog.current()  # the watchdog runs in a thread of its own
        self._uid = uid = fresh_uid()
        self._workdir = make_workdir(Path(kw["cwd"]) if kw.get("cwd") else None, uid)
        self.transport = "ipc"
        self.ip = str(self._workdir / ".k" / "ipc")
        self.connection_file = str(self._workdir / ".k" / "kernel.json")
        kw["cwd"] = str(self._workdir)
        kw["env"] = kernel_env(self._workdir)
        kernel_cmd, kw = await super()._async_pre_start_kernel(**kw)
        if os.geteuid() == 0:
            os.chown(self.connection_file, uid, uid)
        kernel_cmd = bwrap_command(bwrap, self._workdir, kernel_cmd, hide=hidden_paths(list(self.hide)),
                                   expose=exposed_paths(), memory_mb=self.memory_mb,
                                   max_processes=self.max_processes, max_file_mb=self.max_file_mb,
                                   uid=uid, network=self.network,
                                   replace={_course_lib_dir(): Path(self.course_lib_dir)} if self.course_lib_dir else None)
        self._args_file = self._workdir.with_name(self._workdir.name + ".bwrap-args")  # outside the sandbox
        return through_args_file(kernel_cmd, self._args_file, self._workdir / ".k" / "start"), kw

    async def _async_post_start_kernel(self, **kw):
        await super()._async_post_start_kernel(**kw)
        if not self.spare:
            self._start_watchdog()

    def _start_watchdog(self) -> None:
        self._watchdog = threading.Timer(self.notebook_timeout + self.watchdog_grace, self._kill_for_time)
        self._watchdog.daemon = True
        self._watchdog.start()

    def client(self, **kwargs):
        early, self.early_client = self.early_client, None
        return early if early is not None else quick_readiness(super().client(**kwargs))

    def _close_early_client(self) -> None:
        early, self.early_client = self.early_client, None
        if early is not None:
            early.stop_channels()

    def adopt(self, source: Path | None) -> None:
        """Make a spare this submission's kernel: its files beside it, this thread's run log, the clock started."""
        copy_submission_files(source, self._workdir, self._uid)
        self._log = runlog.current()
        self.spare = False
        self._start_watchdog()

    def process_alive(self) -> bool:
        process = getattr(self.provisioner, "process", None)
        return process is not None and process.poll() is None

    def kill_now(self) -> None:
        """Stop the whole sandbox at once and delete it, from any thread (a spare nobody took)."""
        self._kill_sandbox()
        process = getattr(self.provisioner, "process", None)
        try:
            if process is not None:
                process.wait(timeout=5)  # reap bwrap: nobody else waits for a spare
        except Exception:  # noqa: BLE001 - the kill was sent; a slow reap changes nothing here
            pass
        self._close_early_client()
        self.release_sandbox()

    async def _async_interrupt_kernel(self) -> None:
        # A SIGINT to the process group would also stop bwrap itself (and so the kernel); ask the kernel
        # to interrupt itself instead, over its control channel.
        if self.has_kernel:
            msg = self.session.msg("interrupt_request", content={})
            self._connect_control_socket()
            self.session.send(self._control_socket, msg)

    interrupt_kernel = _async_interrupt_kernel  # AsyncKernelManager binds the base class's coroutine

    def _kill_for_time(self) -> None:
        (self._log or runlog.current()).killed_by_watchdog = True
        self._kill_sandbox()

    def _kill_sandbox(self) -> None:
        pgid = getattr(self.provisioner, "pgid", None)
        try:
            if pgid:
                os.killpg(pgid, signal.SIGKILL)
        except OSError:
            pass

    def _remove_args_file(self) -> None:
        if self._args_file is not None:
            self._args_file.unlink(missing_ok=True)
            self._args_file = None

    def release_sandbox(self) -> None:
        """Stop the watchdog and delete the scratch folder (also when the kernel died on its own)."""
        self._remove_args_file()
        if self._watchdog:
            self._watchdog.cancel()
        if self._workdir:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            self.release_sandbox()

    cleanup_resources = _async_cleanup_resources
