"""The notebooks a student has: the released lessons, and the same lessons finished (answers from solutions/)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def lesson_names() -> list[str]:
    """Every lesson in lessons/ now (lessons still being written appear as soon as they are released)."""
    return sorted(p.stem for p in (REPO / "lessons").glob("*.ipynb"))


def has_solution(lesson: str) -> bool:
    return (REPO / "solutions" / f"{lesson}.ipynb").exists()


def answer_cells(lesson: str) -> list[str]:
    """Grade ids of the lesson's answer cells, in order (each is named after its function)."""
    nb = json.loads((REPO / "lessons" / f"{lesson}.ipynb").read_text())
    return [c["metadata"]["nbgrader"]["grade_id"] for c in nb["cells"]
            if c["metadata"].get("nbgrader", {}).get("solution")]


def fill_in(lesson: str, scratch: Path, target: Path) -> Path:
    """The released lesson with every answer cell completed from the solution, as grader.course.samples builds it."""
    from grader.course import samples
    from grader.course.folder import Course

    course = Course(REPO, scratch)
    for src, dst in ((REPO / "lessons" / f"{lesson}.ipynb", course.release_notebook(lesson)),
                     (REPO / "solutions" / f"{lesson}.ipynb", course.source_notebook(lesson))):
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
    return samples.write(samples.filled_in(course, lesson), target)
