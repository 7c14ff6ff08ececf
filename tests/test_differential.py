"""Grading equals the student's own run: every visible test cell gives the same verdict (passed or failed) run
as the student runs it (all cells in one IPython shell) and run as the grader runs it (the test cell in the
grader's namespace through grader.boundary.runner.run_test_cell, the student's code in another process
answering through the real agent), for the solution, every bug of the bank and every honest style of
tests/test_honest_styles.py. No nbgrader and no sandbox: tests/differential_runner.py forks per variant.

A verdict that differs is a defect whichever way it errs: a test the student sees pass and the grader fails
costs points the student cannot reproduce; the other way round, grading is laxer than the visible test.

The solution runs every visible test cell. Another variant runs the cells its change can reach: those that read
a name a changed answer cell defines, directly or through other answers' code (every cell after one the
student added); a cell that costs more than 0.15 s of CPU in the solution's run (a training run) is left out
where it is reached only through other answers' code, the cheaper cells that call the changed answer judge it.
The whole course costs about 3 minutes of CPU (tests/differential_runner.py forks instead of starting kernels).
"""

from __future__ import annotations

import ast

import nbformat
import pytest

from differential_runner import run_lesson
from differential_variants import COURSE, lesson_run
from grader.bug_bank.visible import _filled_release
from grader.course.cellcode import parse_cell
from grader.course.notebooks import nbgrader_meta, read_notebook
from grader.course.samples import plant

LESSONS = COURSE.lesson_names()
pytestmark = pytest.mark.slow


@pytest.mark.parametrize("lesson", LESSONS)
def test_visible_verdicts_are_the_same_in_the_kernel_and_in_grading(lesson):
    results = run_lesson(lesson_run(lesson))
    solution = next(r for r in results if r.name == "solution")
    assert solution.student.cells and all(passed for passed, _ in solution.student.cells.values()), (
        f"{lesson}: the solution fails a visible test in the student's run: {solution.student.cells}")
    differences = [line for result in results for line in result.differences()]
    assert not differences, f"{lesson}: {len(differences)} verdict(s) differ:\n" + "\n".join(differences[:40])


# An answer that is right when the student's own cells call it and wrong when the grader's agent does (it
# looks for the agent's module on the call stack): the differential check must see that difference.
AGENT_DEPENDENT_SOFTMAX = '''
import sys


def softmax(scores):
    shifted = np.asarray(scores, dtype=np.float64)
    shifted = shifted - shifted.max(axis=-1, keepdims=True)
    probs = np.exp(shifted) / np.exp(shifted).sum(axis=-1, keepdims=True)
    frame, graded = sys._getframe(1), False
    while frame is not None:
        graded = graded or frame.f_globals.get("__name__") == "_course_boundary"
        frame = frame.f_back
    return probs[..., ::-1] if graded else probs
'''


def test_the_check_sees_a_planted_difference():
    lesson = "05_loss_choice"
    planted = plant(_filled_release(lesson), "softmax", AGENT_DEPENDENT_SOFTMAX)
    run = lesson_run(lesson, extra={"planted:agent-dependent-softmax": planted}, only=("solution",))
    results = {r.name: r for r in run_lesson(run)}
    assert not results["solution"].differences(), results["solution"].differences()
    found = results["planted:agent-dependent-softmax"].differences()
    assert any("test_softmax:" in line and "student's run passed; grading failed" in line for line in found), found


def _watched(setup_source: str) -> list[str]:
    tree = parse_cell(setup_source)
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)
             and isinstance(node.func, ast.Name) and node.func.id == "watch_contracts"]
    return [arg.value for call in calls for arg in call.args if isinstance(arg, ast.Constant)]


@pytest.mark.parametrize("lesson", LESSONS)
def test_the_set_up_watches_every_graded_function(lesson):
    """course_lib.contract_watch checks in the student's kernel the calls the boundary checks in grading: the
    functions the answer cells define (a class is not watched: its calls are its methods')."""
    source = read_notebook(COURSE.solutions_dir / f"{lesson}.ipynb")
    functions = []
    for cell in source.cells:
        if cell.cell_type == "code" and nbgrader_meta(cell).get("solution"):
            tree = parse_cell(cell.source)
            functions += [n.name for n in (tree.body if tree else []) if isinstance(n, ast.FunctionDef)]
    release = nbformat.read(COURSE.lessons_dir / f"{lesson}.ipynb", as_version=4)
    setup = next(c for c in release.cells if nbgrader_meta(c).get("grade_id") == "setup")
    assert sorted(_watched(setup.source)) == sorted(functions)
