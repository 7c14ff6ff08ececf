"""Grading every lesson is honest: the solution gets full marks, the blank release zero, and every
known-wrong implementation in the bug bank loses the points of the function it breaks.
"""

from __future__ import annotations

import pytest

from grader.bug_bank import Bug, bugs_for, grading_cells
from grader.course import samples
from grader.course.folder import Course
from grader.course.limits import Limits
from grader.course.notebooks import grade_ids, nbgrader_meta, read_notebook
from grader.delivery.release import prepare_assignments
from grader.pipeline import outcomes as st
from grader.pipeline.autograde import autograde

COURSE = Course.at()
LESSONS = COURSE.lesson_names()
CELL_TIMEOUT = 120
pytestmark = pytest.mark.slow


def graded_functions(lesson: str) -> list[str]:
    """Answer cells named after a function that has test cells of its own."""
    nb = read_notebook(COURSE.solutions_dir / f"{lesson}.ipynb")
    ids = grade_ids(nb)
    return [nbgrader_meta(c)["grade_id"] for c in nb.cells
            if nbgrader_meta(c).get("solution") and grading_cells(nbgrader_meta(c)["grade_id"], ids)]


def bug_student(bug: Bug) -> str:
    return f"{bug.function}.{bug.name}"


# Per process. Under `make test` a lesson's tests all go to one worker (tests/conftest.py splits this file by
# lesson, its first test parameter), so each lesson's bank is graded once in a run and the workers share them.
_graded: dict[str, dict] = {}
_courses: dict[str, Course] = {}


def graded(lesson: str, tmp_path_factory) -> dict:
    """Grade once per lesson: the solution, the blank release and one submission per bug, with the cells
    the lesson marks as not needed for grading skipped (test_skip_in_grading.py proves that changes no
    score), two at a time."""
    if lesson not in _graded:
        course = Course(COURSE.repo, tmp_path_factory.mktemp(f"grade-{lesson}"))
        prepare_assignments(course, [lesson])
        correct = samples.filled_in(course, lesson)
        samples.write(correct, course.submitted_notebook("solution", lesson))
        samples.write(samples.blank(course, lesson), course.submitted_notebook("blank", lesson))
        for bug in bugs_for(lesson):
            samples.write(samples.plant(correct, bug.function, bug.source),
                          course.submitted_notebook(bug_student(bug), lesson))
        limits = Limits(cell_timeout=CELL_TIMEOUT, skip_ungraded=True)
        _graded[lesson] = {o.student: o for o in autograde(course, [lesson], limits=limits, workers=2)}
        _courses[lesson] = course
    return _graded[lesson]


def _lost(outcome) -> dict:
    return {k: v for k, v in outcome.cells.items() if v[0] < v[1] and k not in outcome.pending}


@pytest.mark.parametrize("lesson", LESSONS)
def test_solution_gets_full_marks_and_blank_gets_zero(lesson, tmp_path_factory):
    results = graded(lesson, tmp_path_factory)
    for name in ("solution",):
        outcome = results[name]
        assert outcome.status == st.OK and outcome.max_score > 0, outcome.describe()
        assert outcome.score == outcome.auto_max, f"{name} lost points: {_lost(outcome)}"
        assert outcome.notes == [], "a test read something from the kernel that is not the student's answer"
    blank = results["blank"]
    assert blank.status == st.OK and blank.score == 0.0, _lost(blank)


@pytest.mark.parametrize("lesson", LESSONS)
def test_bug_bank_covers_every_graded_function(lesson):
    functions = graded_functions(lesson)
    assert functions, f"{lesson} has no graded function"
    counts = {f: sum(b.function == f for b in bugs_for(lesson)) for f in functions}
    assert all(n >= 5 for n in counts.values()), f"fewer than 5 known-wrong versions: {counts}"
    assert not {b.function for b in bugs_for(lesson)} - set(functions), "bug for an ungraded function"


@pytest.mark.parametrize("lesson, bug", [(lesson, bug) for lesson in LESSONS for bug in bugs_for(lesson)],
                         ids=lambda v: v.name if isinstance(v, Bug) else v)
def test_each_known_bug_loses_its_functions_points(lesson, bug, tmp_path_factory):
    outcome = graded(lesson, tmp_path_factory)[bug_student(bug)]
    assert outcome.status == st.OK, outcome.describe()
    cells = grading_cells(bug.function, outcome.cells)
    lost = sum(outcome.cells[c][1] - outcome.cells[c][0] for c in cells)
    assert cells and lost > 0, f"{bug.function}/{bug.name} kept all its points: {[outcome.cells[c] for c in cells]}"


@pytest.mark.parametrize("lesson, bug", [(lesson, bug) for lesson in LESSONS for bug in bugs_for(lesson)],
                         ids=lambda v: v.name if isinstance(v, Bug) else v)
def test_each_known_bug_gets_its_recorded_hint_or_none_from_the_hidden_tests(lesson, bug, tmp_path_factory):
    """What the graded run tells the student (it is what the feedback shows): the cause the bank records
    for this bug, or no guess at all."""
    from test_visible_catch import messages_match_hint

    graded(lesson, tmp_path_factory)
    nb = read_notebook(_courses[lesson].autograded_notebook(bug_student(bug), lesson))
    messages = [f"{o.get('ename')}: {o.get('evalue')}" for c in nb.cells
                if nbgrader_meta(c).get("grade_id") in grading_cells(bug.function, grade_ids(nb))
                for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert messages, f"{bug.function}/{bug.name}: no failing test cell"
    assert messages_match_hint(messages, bug.hint), (
        f"{bug.function}/{bug.name}: recorded hint {bug.hint!r}, hidden messages: {messages}")
