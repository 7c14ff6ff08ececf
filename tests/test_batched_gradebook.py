"""The grader's batched OverwriteCells and SaveAutoGrades leave the notebook and the gradebook exactly as
nbgrader's own do, on honest and tampered notebooks; Gradebooks opened inside grading_run() skip the
table check and are otherwise nbgrader's."""

from __future__ import annotations

import copy

import pytest
from minicourse import LESSON, make_repo
from nbformat.v4 import new_code_cell, new_markdown_cell, new_output
from nbgrader.api import Course as CourseRow
from nbgrader.api import Gradebook
from nbgrader.preprocessors import OverwriteCells, SaveAutoGrades
from sqlalchemy import event

from grader.course import samples
from grader.course.folder import Course
from grader.course.notebooks import nbgrader_meta
from grader.delivery.release import prepare_assignments
from grader.patches import gradebook_engine
from grader.patches.batched_gradebook import BatchedOverwriteCells, BatchedSaveAutoGrades

pytestmark = pytest.mark.slow  # runs nbgrader's release and autograde preprocessors


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("batched")
    course = Course.at(make_repo(root / "repo"), root / "course")
    prepare_assignments(course, [LESSON])
    return course


def _cell(nb, grade_id):
    return next(c for c in nb.cells if nbgrader_meta(c).get("grade_id") == grade_id)


def _failed(nb, grade_id):
    _cell(nb, grade_id).outputs = [new_output("error", ename="AssertionError", evalue="wrong", traceback=[])]
    return nb


def _variants(course):
    right = samples.filled_in(course, LESSON)
    blank = samples.blank(course, LESSON)
    points = copy.deepcopy(right)
    nbgrader_meta(_cell(points, "test_double"))["points"] = 50  # a student who gives themself more points
    locked = copy.deepcopy(right)
    _cell(locked, "setup").source = "import numpy as np\nnp.allclose = lambda *a, **k: True"
    retyped = copy.deepcopy(right)
    test = _cell(retyped, "test_double__arrays")
    retyped.cells[retyped.cells.index(test)] = new_markdown_cell(test.source, metadata=copy.deepcopy(test.metadata))
    ungraded = copy.deepcopy(right)  # nbgrader gives up on this one: both versions must raise the same
    nbgrader_meta(_cell(ungraded, "test_double__arrays"))["grade"] = False
    unknown = copy.deepcopy(right)
    unknown.cells.append(new_code_cell("x = 1", metadata={"nbgrader": {
        "grade": True, "grade_id": "not_in_the_gradebook", "locked": False, "points": 1, "schema_version": 3,
        "solution": False, "task": False}}))
    return {"right": right, "failing": _failed(copy.deepcopy(right), "test_double"), "blank": blank,
            "deleted test": samples.without_first_test(right), "points": points, "locked changed": locked,
            "retyped": retyped, "ungraded": ungraded, "unknown cell": unknown}


def _gradebook_state(url, student):
    with Gradebook(url) as gb:
        nb = gb.find_submission_notebook(LESSON, LESSON, student)
        grades = sorted((g.name, g.auto_score, g.manual_score, g.needs_manual_grade) for g in nb.grades)
        comments = sorted((c.name, c.auto_comment) for c in nb.comments)
        return grades, comments, float(nb.score)


def _score(course, nb, student, overwrite, save):
    """One pass of each preprocessor, as nbgrader's autograde runs them, on a fresh submission."""
    url = course.gradebook_url
    with Gradebook(url) as gb:
        gb.update_or_create_student(student)
        gb.update_or_create_submission(LESSON, student)
    resources = {"nbgrader": {"notebook": LESSON, "assignment": LESSON, "student": student, "db_url": url}}
    try:
        nb, _ = overwrite(add_missing_cells=True).preprocess(copy.deepcopy(nb), copy.deepcopy(resources))
        nb, _ = save().preprocess(nb, copy.deepcopy(resources))
    except Exception as exc:  # noqa: BLE001 - compared between the two versions
        nb = f"{type(exc).__name__}: {exc}"
    return nb, _gradebook_state(url, student)


def test_batched_preprocessors_score_as_nbgrader_does(course):
    for name, nb in _variants(course).items():
        theirs = _score(course, nb, f"n-{name}".replace(" ", "-"), OverwriteCells, SaveAutoGrades)
        ours = _score(course, nb, f"b-{name}".replace(" ", "-"), BatchedOverwriteCells, BatchedSaveAutoGrades)
        assert ours[0] == theirs[0], f"{name}: the notebooks differ"
        assert ours[1] == theirs[1], f"{name}: the gradebooks differ"
    # the cases are not vacuous: they score differently, and the tampered points are put back
    results = {name: _score(course, nb, f"x-{name}".replace(" ", "-"), BatchedOverwriteCells,
                            BatchedSaveAutoGrades) for name, nb in _variants(course).items()}
    assert results["right"][1][2] == 3.0 and results["failing"][1][2] == 1.0
    assert nbgrader_meta(_cell(results["points"][0], "test_double"))["points"] == 2.0
    assert "np.allclose" not in _cell(results["locked changed"][0], "setup").source
    assert _cell(results["retyped"][0], "test_double__arrays").cell_type == "code"
    assert results["ungraded"][0].startswith("RuntimeError: Inconsistent checksums")


def _statements(url, action) -> int:
    engine = gradebook_engine.engine_for(url)
    seen = []
    listener = lambda *args: seen.append(1)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(seen)


def test_gradebooks_inside_grading_run_skip_only_the_table_and_repeated_course_checks(course):
    gradebook_engine.install()
    url = course.gradebook_url
    outside = Gradebook(url)
    with gradebook_engine.grading_run(url):
        inside = Gradebook(url)
        assert sorted(vars(inside)) == sorted(vars(outside))
        assert inside.engine is outside.engine and inside.course_id == outside.course_id
        assert [s.id for s in inside.students] == [s.id for s in outside.students]
        first_of_a_course = _statements(url, lambda: Gradebook(url, course_id="another").close())
        again = _statements(url, lambda: Gradebook(url, course_id="another").close())
    slow = _statements(url, lambda: Gradebook(url).close())
    outside.close()
    inside.close()
    assert 0 < first_of_a_course < slow / 3, (first_of_a_course, slow)
    assert again == 0, "a course the run has made sure of is not looked up again"
    with Gradebook(url) as after:  # the course a Gradebook inside the run added is there, and checked again
        assert "another" in {c.id for c in after.db.query(CourseRow)}
        assert _statements(url, lambda: Gradebook(url, course_id="another").close()) > 0
