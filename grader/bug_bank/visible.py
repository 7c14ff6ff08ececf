"""Run a lesson's VISIBLE tests (what a student runs before handing in) against its bug bank, in this
process: each bug planted in the filled-in student notebook, the lesson's set-up run once, then for each
bug its answer cells and its function's test cells. Fast enough to try every bug of the course."""

from __future__ import annotations

import contextlib
import copy
import io
import os

import matplotlib

from grader.bug_bank import Bug, bugs_for, grading_cells
from grader.course.cellcode import to_python
from grader.course.folder import Course
from grader.course.notebooks import cells_by_id, is_test_cell, nbgrader_meta, read_notebook
from grader.course.samples import _strip_markers

COURSE = Course.at()
SKIP = "skip_in_grading"


def _filled_release(lesson: str):
    release = read_notebook(COURSE.lessons_dir / f"{lesson}.ipynb")
    answers = cells_by_id(read_notebook(COURSE.solutions_dir / f"{lesson}.ipynb"))
    nb = copy.deepcopy(release)
    for cell in nb.cells:
        if nbgrader_meta(cell).get("solution") and cell.cell_type == "code":
            cell.source = _strip_markers(answers[nbgrader_meta(cell)["grade_id"]].source)
    return nb


def _run(source: str, namespace: dict) -> None:
    exec(compile(to_python(source), "<cell>", "exec"), namespace)


def visible_results(lesson: str, bugs: list[Bug] | None = None) -> dict[str, str | None]:
    """bug name ('function.name') -> the message of the first failing visible test of its function, or
    None when the visible tests pass it (the bug escapes them)."""
    matplotlib.use("Agg")
    os.environ.setdefault("COURSE_QUIET", "1")
    nb = _filled_release(lesson)
    code = [c for c in nb.cells if c.cell_type == "code"]
    first_answer = next(i for i, c in enumerate(code) if nbgrader_meta(c).get("solution"))
    base: dict = {"__name__": "__main__"}
    with contextlib.redirect_stdout(io.StringIO()):
        for cell in code[:first_answer]:
            if not cell.metadata.get("course", {}).get(SKIP):
                _run(cell.source, base)
    results = {}
    for bug in bugs if bugs is not None else bugs_for(lesson):
        tests = set(grading_cells(bug.function, [nbgrader_meta(c).get("grade_id") for c in code]))
        namespace = dict(base)
        message = None
        with contextlib.redirect_stdout(io.StringIO()):
            for cell in code[first_answer:]:
                grade_id = nbgrader_meta(cell).get("grade_id")
                if cell.metadata.get("course", {}).get(SKIP) or (is_test_cell(cell) and grade_id not in tests):
                    continue
                source = cell.source
                if grade_id == bug.function or (nbgrader_meta(cell).get("solution") and f"def {bug.function}(" in source) \
                        or (nbgrader_meta(cell).get("solution") and f"class {bug.function}" in source):
                    source = source.rstrip() + "\n\n\n" + bug.source.strip() + "\n"
                try:
                    _run(source, namespace)
                except Exception as exc:  # noqa: BLE001 - a failing visible test is what we look for
                    if is_test_cell(cell):
                        message = f"{type(exc).__name__}: {exc}"
                        break
        results[f"{bug.function}.{bug.name}"] = message
    return results
