"""A sandboxed kernel's scratch folder: its only writable place, holding copies of the files shipped beside
the notebook, a private home and a clean environment."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from grader.isolation.bwrap import course_lib_dir
from grader.isolation.submission_files import IMPORTABLE, read_regular, shipped

def kernel_env(workdir: Path) -> dict[str, str]:
    """A clean environment: nothing of the grader's, one thread per numeric library, a private home."""
    keep = ("PATH", "LANG", "LC_ALL", "TZ")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env["NBGRADER_EXECUTION"] = "autograde"  # a sandboxed kernel is always grading: no live widgets, no bars
    env.update(HOME=str(workdir), IPYTHONDIR=str(workdir / ".ipython"), MPLCONFIGDIR=str(workdir / ".matplotlib"),
               JUPYTER_RUNTIME_DIR=str(workdir / ".jupyter"), PYTHONDONTWRITEBYTECODE="1", PYTHONHASHSEED="0",
               PYTHONSAFEPATH="1",
               # The folder holding the course_lib the sandbox mounts (course_lib alone is visible in it there):
               # the kernel imports the very course_lib the grader mounted, however the package was installed.
               PYTHONPATH=os.pathsep.join([str(workdir / MODULES_DIR), str(course_lib_dir().parent)]),
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
    (none yet for a spare kernel, which gets them when it is taken: grader.isolation.spare_kernels)."""
    workdir = Path(tempfile.mkdtemp(prefix="grader-sbx-"))
    cache = matplotlib_cache()
    if cache:
        shutil.copytree(cache, workdir / ".matplotlib", dirs_exist_ok=True)
    (workdir / ".k").mkdir()
    _chown_tree(workdir, uid)
    copy_submission_files(source, workdir, uid)
    return workdir
