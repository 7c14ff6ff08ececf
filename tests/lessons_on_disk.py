"""The course's lessons as they are on disk: source, student copy, and the student copy filled in from the
source (no nbgrader needed)."""

from __future__ import annotations

import copy

from grader.course.folder import Course
from grader.course.notebooks import cells_by_id, nbgrader_meta, read_notebook
from grader.course.samples import _strip_markers

COURSE = Course.at()


def lesson_notebooks(lesson: str):
    """(source, release, filled-in) straight from solutions/ and lessons/."""
    source = read_notebook(COURSE.solutions_dir / f"{lesson}.ipynb")
    release = read_notebook(COURSE.lessons_dir / f"{lesson}.ipynb")
    filled = copy.deepcopy(release)
    answers = cells_by_id(source)
    for cell in filled.cells:
        if nbgrader_meta(cell).get("solution"):
            cell.source = _strip_markers(answers[nbgrader_meta(cell)["grade_id"]].source)
    return source, release, filled
