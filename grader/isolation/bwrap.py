"""The bubblewrap command line a sandboxed kernel starts with: what it sees, as whom, under which limits.

The file system is read-only; the home folder, /tmp, the course folder and the course repository are
replaced by empty folders, and only what the kernel needs to import (Python, the venv, course_lib) is mounted
back, read-only. No network (a new network namespace), a new PID namespace, and limits on memory (address
space), processes and file size; the kernel runs as a random unprivileged uid of its own.
"""

from __future__ import annotations

import os
import secrets
import shlex
import shutil
import sys
import sysconfig
from pathlib import Path

from grader.errors import GraderError

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


def course_lib_dir() -> Path:
    import course_lib

    return Path(course_lib.__file__).resolve().parent


def exposed_paths() -> list[Path]:
    """What the kernel needs to read: the interpreter, its libraries, the venv, course_lib."""
    paths = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), course_lib_dir()}
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
