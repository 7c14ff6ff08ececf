"""Build student submissions from the solutions: filled in, blank, with planted bugs, hanging, corrupted.

Used by the demo's sample class and by the tests' bug bank. A filled-in submission is the released
notebook with each answer cell holding the solution's code, exactly what a student would hand in.
"""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat

from grader.course.folder import Course
from grader.course.notebooks import cells_by_id, nbgrader_meta, read_notebook
from grader.errors import GraderError

HANG_SOURCE = "\n\nimport time\ntime.sleep(10_000)  # a student's loop that never ends\n"


def _strip_markers(source: str) -> str:
    keep = [line for line in source.split("\n") if "BEGIN SOLUTION" not in line and "END SOLUTION" not in line]
    return "\n".join(keep)


def blank(course: Course, lesson: str) -> nbformat.NotebookNode:
    """The released notebook as a student receives it."""
    return read_notebook(course.release_notebook(lesson))


def filled_in(course: Course, lesson: str) -> nbformat.NotebookNode:
    """The released notebook with every answer cell completed from the solution."""
    nb = blank(course, lesson)
    solutions = cells_by_id(read_notebook(course.source_notebook(lesson)))
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if meta.get("solution"):
            cell.source = _strip_markers(solutions[meta["grade_id"]].source)
    return nb


def _defining_cell(nb, function: str):
    for cell in nb.cells:
        if nbgrader_meta(cell).get("solution") and (f"def {function}(" in cell.source
                                                   or f"class {function}" in cell.source):
            return cell
    raise GraderError(f"no answer cell defines {function}")


def plant(nb, function: str, source: str) -> nbformat.NotebookNode:
    """A copy of nb whose definition of `function` is shadowed by `source` (appended to its cell)."""
    nb = copy.deepcopy(nb)
    cell = _defining_cell(nb, function)
    cell.source = cell.source.rstrip() + "\n\n\n" + source.strip() + "\n"
    return nb


def hanging(nb) -> nbformat.NotebookNode:
    """A copy of nb whose first answer cell never finishes."""
    nb = copy.deepcopy(nb)
    first = next(c for c in nb.cells if nbgrader_meta(c).get("solution") and c.cell_type == "code")
    first.source = first.source.rstrip() + HANG_SOURCE
    return nb


def without_first_test(nb) -> nbformat.NotebookNode:
    """A copy of nb from which the student deleted the first test cell."""
    nb = copy.deepcopy(nb)
    first = next(i for i, c in enumerate(nb.cells) if nbgrader_meta(c).get("grade") and c.cell_type == "code")
    del nb.cells[first]
    return nb


def write(nb, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def write_corrupted(nb, path: Path) -> Path:
    """A notebook cut off half way, as a failed upload leaves it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = nbformat.writes(nb)
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    return path
