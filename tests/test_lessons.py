"""Every lesson: the solution runs, the student copy is fresh and stripped, and grading is honest.

Honest grading means: the solution gets full marks, the blank release zero, and every known-wrong
implementation in the bug bank loses the points of the function it breaks.
"""

from __future__ import annotations

import copy

import nbformat
import pytest

from grader import outcomes as st
from grader import samples
from grader.autograde import autograde
from grader.bug_bank import Bug, bugs_for, test_cell_ids
from grader.course import Course
from grader.notebooks import grade_ids, nbgrader_meta, read_notebook
from grader.release import prepare_assignments, stale_lessons
from nbrun import execute, stderr_of

COURSE = Course.at()
LESSONS = COURSE.lesson_names()
CELL_TIMEOUT = 120
pytestmark = pytest.mark.slow


def graded_functions(lesson: str) -> list[str]:
    """Answer cells named after a function that has a test cell of its own."""
    nb = read_notebook(COURSE.solutions_dir / f"{lesson}.ipynb")
    ids = grade_ids(nb)
    return [nbgrader_meta(c)["grade_id"] for c in nb.cells
            if nbgrader_meta(c).get("solution") and test_cell_ids(nbgrader_meta(c)["grade_id"], ids)]


def bug_student(bug: Bug) -> str:
    return f"{bug.function}.{bug.name}"


_graded: dict[str, dict] = {}


def graded(lesson: str, tmp_path_factory) -> dict:
    """Grade the solution, the blank release and one submission per bug, once per lesson."""
    if lesson not in _graded:
        course = Course(COURSE.repo, tmp_path_factory.mktemp(f"grade-{lesson}"))
        prepare_assignments(course, [lesson])
        correct = samples.filled_in(course, lesson)
        samples.write(correct, course.submitted_notebook("solution", lesson))
        samples.write(samples.blank(course, lesson), course.submitted_notebook("blank", lesson))
        for bug in bugs_for(lesson):
            samples.write(samples.plant(correct, bug.function, bug.source),
                          course.submitted_notebook(bug_student(bug), lesson))
        _graded[lesson] = {o.student: o for o in autograde(course, [lesson], cell_timeout=CELL_TIMEOUT)}
    return _graded[lesson]


@pytest.mark.parametrize("lesson", LESSONS)
def test_solution_notebook_runs_top_to_bottom(lesson, tmp_path, monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.delenv("COURSE_QUIET", raising=False)
    nb = execute(read_notebook(COURSE.solutions_dir / f"{lesson}.ipynb"), tmp_path)
    assert not stderr_of(nb), "solution notebook wrote to stderr (a warning?)"


def test_lessons_folder_is_a_fresh_release():
    assert stale_lessons(COURSE) == [], "lessons/ is stale: run `make release`"


@pytest.mark.parametrize("lesson", LESSONS)
def test_notebooks_are_committed_without_outputs(lesson):
    for folder in (COURSE.solutions_dir, COURSE.lessons_dir):
        nb = read_notebook(folder / f"{lesson}.ipynb")
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert not cell.outputs and cell.execution_count is None, f"{folder.name}/{lesson} has outputs"


@pytest.mark.parametrize("lesson", LESSONS)
def test_student_notebook_has_no_solution_and_no_hidden_tests(lesson):
    source = read_notebook(COURSE.solutions_dir / f"{lesson}.ipynb")
    student = read_notebook(COURSE.lessons_dir / f"{lesson}.ipynb")
    text = nbformat.writes(student)
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
    for cell in source.cells:
        for marker, end in (("BEGIN SOLUTION", "END SOLUTION"), ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS")):
            if marker in cell.source:
                body = cell.source.split(marker, 1)[1].split(end, 1)[0]
                secret = [line.strip() for line in body.splitlines() if len(line.strip()) > 25]
                leaked = [line for line in secret if line in text]
                assert not leaked, f"{lesson}: student notebook contains {leaked[:2]}"


@pytest.mark.parametrize("lesson", LESSONS)
def test_student_notebook_runs_up_to_its_first_exercise(lesson, tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_QUIET", "1")
    nb = read_notebook(COURSE.lessons_dir / f"{lesson}.ipynb")
    first = next(i for i, c in enumerate(nb.cells) if nbgrader_meta(c).get("solution"))
    assert first > 0
    head = copy.deepcopy(nb)
    head.cells = nb.cells[:first]
    execute(head, tmp_path)


@pytest.mark.parametrize("lesson", LESSONS)
def test_solution_gets_full_marks_and_blank_gets_zero(lesson, tmp_path_factory):
    results = graded(lesson, tmp_path_factory)
    solution, blank = results["solution"], results["blank"]
    assert solution.status == st.OK and solution.max_score > 0
    assert solution.score == solution.max_score, {k: v for k, v in solution.cells.items() if v[0] < v[1]}
    assert blank.status == st.OK and blank.score == 0.0


@pytest.mark.parametrize("lesson", LESSONS)
def test_bug_bank_covers_every_graded_function(lesson):
    functions = graded_functions(lesson)
    assert functions, f"{lesson} has no graded function"
    counts = {f: sum(b.function == f for b in bugs_for(lesson)) for f in functions}
    assert all(n >= 3 for n in counts.values()), f"fewer than 3 known-wrong versions: {counts}"
    assert not {b.function for b in bugs_for(lesson)} - set(functions), "bug for an ungraded function"


@pytest.mark.parametrize("lesson, bug", [(lesson, bug) for lesson in LESSONS for bug in bugs_for(lesson)],
                         ids=lambda v: v.name if isinstance(v, Bug) else v)
def test_each_known_bug_loses_its_functions_points(lesson, bug, tmp_path_factory):
    outcome = graded(lesson, tmp_path_factory)[bug_student(bug)]
    assert outcome.status == st.OK, outcome.describe()
    cells = test_cell_ids(bug.function, outcome.cells)
    lost = sum(outcome.cells[c][1] - outcome.cells[c][0] for c in cells)
    assert cells and lost > 0, f"{bug.function}/{bug.name} kept all its points: {[outcome.cells[c] for c in cells]}"
