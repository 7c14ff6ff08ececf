"""Notebooks a worker executed, waiting in the course folder for nbgrader's scoring pass.

A grading worker (a thread, or a Dask worker elsewhere) runs a submission; the parent then scores it
through nbgrader's own autograde, whose execute stage (grader.pipeline.execute) takes this record and
copies its outputs instead of running a kernel again. One file per submitted notebook, under
<course>/.grader/executed/, taken (read and removed) by the stage, withdrawn when scoring fails: the
state is in the course folder, where both sides can see it, not in a process.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat

FOLDER = Path(".grader") / "executed"


def _path(course_dir: Path | str, student: str, lesson: str, notebook: str) -> Path:
    return Path(course_dir) / FOLDER / student / lesson / f"{notebook}.json"


def offer(course_dir: Path | str, student: str, lesson: str, notebook: str, executed) -> None:
    path = _path(course_dir, student, lesson, notebook)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(executed), encoding="utf-8")


def take(course_dir: Path | str, student: str, lesson: str, notebook: str):
    """The executed notebook offered for this submission (removed), or None."""
    path = _path(course_dir, student, lesson, notebook)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    path.unlink()
    return nbformat.from_dict(json.loads(text))


def withdraw(course_dir: Path | str, student: str, lesson: str) -> None:
    """Drop what was offered for a submission whose scoring failed: nothing stale is replayed later."""
    shutil.rmtree(Path(course_dir) / FOLDER / student / lesson, ignore_errors=True)
