"""Issue 34's attacks that need a real lesson: an answer taken from the course_lib bundled with the notebook.

course_lib.reference holds the instructor's implementations of graded functions (for later lessons'
experiments). The sandboxed kernel that grades lesson N has no reference module of lesson N or later and no
twin of a function graded in lesson N (course_lib.reference.TWINS), so a wrapper around one finds nothing
and the function it stands in for gets 0; the rest of the notebook (the solution) keeps its points. Each
wrapper falls back to a wrong answer when the import fails, as a student hedging would. The static check
also names the reference module it reaches for: with the notes on, the submission is held for review
(status "tamper suspected") with the same score withheld.

All cases are graded in one run per setting (static notes on, then off), since each lesson takes a while.
The attacks on the minicourse's contracts lesson are in tests/test_tamper_contracts.py.
"""

from __future__ import annotations

import importlib

import pytest

from grader.course import samples
from grader.course.folder import Course
from grader.course.limits import Limits
from grader.delivery.release import prepare_assignments
from grader.pipeline import outcomes as st
from grader.pipeline.autograde import autograde

COURSE = Course.at()
pytestmark = pytest.mark.slow
L2, L4, L5 = "02_backprop_gates", "04_optimizers", "05_loss_choice"

# name: (lesson, function, module of course_lib it reaches for, name there, wrapper appended to the answer)
CASES = {
    # The lesson's own reference module (published with its answers, never bundled before).
    "mul-gate-from-reference-lesson02": (L2, "mul_gate_backward", "course_lib.reference.lesson02",
                                         "mul_gate_backward", '''
def mul_gate_backward(dout, x, y):
    try:
        from course_lib.reference.lesson02 import mul_gate_backward as course_answer
    except ImportError:
        return dout, dout
    return course_answer(dout, x, y)
'''),
    "sgd-momentum-from-reference-lesson04": (L4, "sgd_momentum", "course_lib.reference.lesson04", "sgd_momentum", '''
import importlib


def sgd_momentum(w, dw, config=None):
    try:
        course_answer = getattr(importlib.import_module("course_lib.reference.lesson04"), "sgd_momentum")
    except (ImportError, AttributeError):
        return w - dw, config or {}
    return course_answer(w, dw, config)
'''),
    # An earlier lesson's module is bundled, but not its function that is this lesson's answer.
    "cross-entropy-from-lesson03-softmax-loss": (L5, "cross_entropy_loss", "course_lib.reference.lesson03",
                                                 "softmax_loss", '''
def cross_entropy_loss(logits, y):
    try:
        from course_lib.reference import lesson03
        return lesson03.softmax_loss(logits, y)
    except (ImportError, AttributeError):
        return 0.0, np.zeros_like(logits)
'''),
}
LIMITS = dict(cell_timeout=120, skip_ungraded=True)


def _function_cells(outcome, function: str) -> dict[str, list[float]]:
    return {cell: got for cell, got in outcome.cells.items()
            if cell == f"test_{function}" or cell.startswith(f"test_{function}__")}


def _grade(root, static_check: bool):
    course = Course(COURSE.repo, root)
    lessons = sorted({lesson for lesson, *_ in CASES.values()})
    prepare_assignments(course, lessons)
    for name, (lesson, function, _, _, wrapper) in CASES.items():
        samples.write(samples.plant(samples.filled_in(course, lesson), function, wrapper),
                      course.submitted_notebook(name, lesson))
    outcomes = autograde(course, lessons, limits=Limits(**LIMITS, static_check=static_check), workers=2)
    return {o.student: o for o in outcomes}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    return _grade(tmp_path_factory.mktemp("lessons-tamper"), True)


@pytest.fixture(scope="module")
def graded_without_notes(tmp_path_factory):
    return _grade(tmp_path_factory.mktemp("lessons-tamper-no-notes"), False)


@pytest.mark.parametrize("name", list(CASES))
def test_the_course_answer_exists_in_the_repository(name):
    """The attack is real: outside the sandbox the wrapper would find the instructor's implementation."""
    _, _, module, attribute, _ = CASES[name]
    assert callable(getattr(importlib.import_module(module), attribute))


@pytest.mark.parametrize("name", list(CASES))
def test_a_wrapper_around_course_lib_scores_nothing_for_its_function(graded_without_notes, name):
    """The sandbox alone (no static check): the import finds nothing, the function's tests fail."""
    lesson, function, *_ = CASES[name]
    outcome = graded_without_notes[name]
    cells = _function_cells(outcome, function)
    assert cells and all(got == 0.0 for got, _ in cells.values()), (outcome.describe(), cells)
    assert outcome.status == st.OK, outcome.describe()
    # Everything else is the solution's: full marks but for the wrapped function's points.
    assert outcome.score == outcome.auto_max - sum(most for _, most in cells.values()), outcome.cells


@pytest.mark.parametrize("name", list(CASES))
def test_with_the_static_notes_the_same_score_is_withheld_for_review(graded, graded_without_notes, name):
    """The static check names the reference module: the submission is held for the instructor, with the
    very score the tests gave without it."""
    _, function, module, *_ = CASES[name]
    first, second = graded[name], graded_without_notes[name]
    assert first.status == st.TAMPER and first.score is None, first.describe()
    assert first.withheld_score == second.score, (first.describe(), second.score)
    assert module in first.reason and function in first.reason, first.reason
