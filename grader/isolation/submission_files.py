"""The files that travel with a notebook into its sandbox, read without ever following a link.

nbgrader's exchange delivers a student's whole folder, and the grader runs as root: a symlink there could
point at the instructor's solutions, and a `numpy.py` could shadow numpy. So a file goes with a submission
only if the lesson's release ships a file of that name. The student's copy is taken for data (they may have
changed it, as the lesson allows), the release's own copy for importable code. Every file is opened with
O_NOFOLLOW after checking that no folder on its way is a link, and only regular files are read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path, PurePath

IMPORTABLE = (".py", ".pyc", ".pyd", ".so", ".pth")
MAX_FILE = 256 << 20   # bytes: the sandbox's own file-size limit
SKIPPED_NAMES = ("timestamp.txt",)


def read_regular(folder: Path, rel: PurePath) -> bytes | None:
    """The bytes of folder/rel when it is a regular file reached through real folders only; else None."""
    current = Path(folder)
    try:
        if not stat.S_ISDIR(os.lstat(current).st_mode):
            return None
        for part in rel.parts[:-1]:
            current = current / part
            if not stat.S_ISDIR(os.lstat(current).st_mode):
                return None
        fd = os.open(current / rel.parts[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE:
            return None
        with os.fdopen(fd, "rb", closefd=False) as f:
            return f.read(MAX_FILE + 1)[:MAX_FILE]
    finally:
        os.close(fd)


def shipped(folder: Path) -> list[PurePath]:
    """Relative paths of the regular files a release folder ships beside its notebooks (links not followed)."""
    out = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not os.path.islink(os.path.join(root, d)))
        for name in sorted(files):
            path = Path(root) / name
            if name.startswith(".") or name.endswith(".ipynb") or name in SKIPPED_NAMES or path.is_symlink():
                continue
            out.append(PurePath(path.relative_to(folder)))
    return out


def files_beside(submission: Path, release: Path) -> dict[str, bytes]:
    """What the notebook sees beside it: each file the release ships, the student's copy where allowed."""
    files = {}
    for rel in shipped(release):
        mine = None if rel.suffix in IMPORTABLE else read_regular(submission, rel)
        data = mine if mine is not None else read_regular(release, rel)
        if data is not None:
            files[str(rel)] = data
    return files
