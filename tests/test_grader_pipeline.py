"""The instructor pipeline on a one-exercise course: statuses, no stale scores, honest feedback, reports."""

import csv

import pytest
from minicourse import LESSON, make_repo

from grader.course import samples
from grader.course.folder import Course
from grader.course.limits import Limits
from grader.demo import SAMPLE_STUDENTS, run_demo
from grader.pipeline import outcomes as st
from grader.pipeline.autograde import autograde
from grader.pipeline.outcomes import Ledger
from grader.reports.feedback import generate_feedback
from grader.reports.grades import exercise_rows, format_exercise_table, write_reports
from grader.reports.table import format_table

pytestmark = pytest.mark.slow
CELL_TIMEOUT = 5
# Right answer, but a warning on stderr while the tests run: plain nbgrader would score that cell 0.
WARNS = "def double(x):\n    np.log(np.zeros(1))  # RuntimeWarning: divide by zero\n    return 2 * x"


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """`grader demo` on the mini course (its six sample students), then three more: one whose kernel dies,
    one whose right answer warns, and one who passes the visible tests but not the hidden ones."""
    root = tmp_path_factory.mktemp("pipeline")
    repo = make_repo(root / "repo")
    run_demo(repo, root / "course", cell_timeout=CELL_TIMEOUT)
    course = Course.at(repo, root / "course")
    correct = samples.filled_in(course, LESSON)
    samples.write(samples.plant(correct, "double", "import os\nos._exit(1)"),
                  course.submitted_notebook("kim", LESSON))
    samples.write(samples.plant(correct, "double", "def double(x):\n    return 2 * x + (x < 0)"),
                  course.submitted_notebook("lou", LESSON))
    samples.write(samples.plant(correct, "double", WARNS), course.submitted_notebook("max", LESSON))
    autograde(course, students=["lou", "max"], limits=Limits(cell_timeout=CELL_TIMEOUT))
    autograde(course, students=["kim"], limits=Limits(cell_timeout=CELL_TIMEOUT))  # kim's kernel dies while it defines double
    return course, {o.student: o for o in Ledger(course.course_dir).load().values()}


def test_every_student_has_a_score_and_a_status(graded):
    _, r = graded
    assert (r["ada"].status, r["ada"].score, r["ada"].max_score) == (st.OK, 3.0, 3.0)
    assert (r["cy"].status, r["cy"].score) == (st.OK, 0.0)
    assert r["dee"].status == st.TIMED_OUT and f"{CELL_TIMEOUT} s" in r["dee"].reason
    assert (r["eve"].status, r["eve"].score) == (st.UNREADABLE, None) and "JSON" in r["eve"].reason
    assert (r["fay"].status, r["fay"].score) == (st.CELLS_RESTORED, 3.0) and "test_double" in r["fay"].reason
    assert (r["kim"].status, r["kim"].score) == (st.KERNEL_DIED, 0.0) and "double" in r["kim"].reason
    # gus patched numpy and the displayhook in his kernel; the tests ran in the grader's: 0, counted, with a note.
    assert (r["gus"].status, r["gus"].score, r["gus"].withheld_score) == (st.OK, 0.0, None)
    assert any("displayhook" in n for n in r["gus"].notes)
    assert (r["max"].status, r["max"].score) == (st.OK, 3.0)
    assert r["lou"].status == st.OK and r["lou"].cells == {"test_double": [0.0, 2.0], "test_double__arrays": [1.0, 1.0]}


def test_outcomes_are_in_the_ledger(graded):
    course, r = graded
    assert set(Ledger(course.course_dir).load()) == {f"{s}/{LESSON}" for s in r}


def test_table_shows_failures_as_statuses(graded):
    _, r = graded
    table = format_table(list(r.values()))
    assert "eve" in table and "— / 3" in table and "unreadable notebook" in table
    assert "kernel died" in table and "timed out" in table


def test_demo_wrote_feedback_and_reports(graded):
    course, _ = graded
    assert len(list((course.course_dir / "feedback").glob("*/*/*.html"))) == len(SAMPLE_STUDENTS)
    assert (course.reports_dir / "grade_histogram.png").exists()


def test_demo_refuses_a_folder_it_did_not_make(tmp_path):
    from grader.errors import GraderError

    precious = tmp_path / "real-course"
    precious.mkdir()
    (precious / "gradebook.db").write_text("the instructor's grades")
    with pytest.raises(GraderError, match="not made by `grader demo`"):
        run_demo(make_repo(tmp_path / "repo"), precious)
    assert (precious / "gradebook.db").read_text() == "the instructor's grades"


def test_feedback_hides_hidden_tests_but_says_what_differed(graded):
    course, _ = graded
    pages = generate_feedback(course)
    assert len(pages) == len(SAMPLE_STUDENTS) + 3  # kim, lou and max
    lou = course.feedback_html("lou", LESSON).read_text()
    assert "test_double failed" in lou and "got -4, expected -5" in lou
    assert "Hidden tests ran here" in lou
    assert "Cell In[" not in lou and "----&gt;" not in lou  # lou failed in a test cell: no frames quoted
    for page in pages:
        text = page.read_text()
        assert "[hidden]', double(-2.5)" not in text and "BEGIN HIDDEN TESTS" not in text
    eve = course.feedback_html("eve", LESSON).read_text()
    assert "could not be graded" in eve and "unreadable notebook" in eve


def test_reports(graded):
    course, _ = graded
    paths = write_reports(course)
    rows = list(csv.DictReader(paths["grades.csv"].open()))
    assert {row["student_id"]: row["status"] for row in rows}["eve"] == st.UNREADABLE
    assert {row["student_id"]: row["score"] for row in rows}["eve"] == ""
    lms = {row["student_id"]: row for row in csv.DictReader(paths["totals.csv"].open())}
    assert lms["ada"]["percent"] == "100.0" and lms["ada"]["needs_attention"] == ""
    assert "kernel died" in lms["kim"]["needs_attention"]
    exercises = {row["exercise"]: row for row in csv.DictReader(paths["exercises.csv"].open())}
    assert set(exercises) == {"test_double", "test_double__arrays"}
    assert paths["grade_histogram.png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = format_exercise_table(exercise_rows(list(Ledger(course.course_dir).load().values())))
    assert table.splitlines()[0].split() == ["lesson", "exercise", "mean", "/", "max", "full", "marks"]
    assert f"{LESSON}  test_double " in table
    assert "of 11" in table  # 12 students; eve's notebook was unreadable


def test_failed_regrade_leaves_no_stale_score(graded, tmp_path):
    course, r = graded
    assert r["ada"].score == 3.0
    path = course.submitted_notebook("ada", LESSON)
    good = path.read_bytes()
    try:
        path.write_text('{"cells": [')
        (again,) = autograde(course, students=["ada"], limits=Limits(cell_timeout=CELL_TIMEOUT))
        assert (again.status, again.score) == (st.UNREADABLE, None)
        assert not course.autograded_notebook("ada", LESSON).exists()
        from nbgrader.api import Gradebook, MissingEntry

        with Gradebook(course.gradebook_url) as gb, pytest.raises(MissingEntry):
            gb.find_submission(LESSON, "ada")
    finally:
        path.write_bytes(good)
    (restored,) = autograde(course, students=["ada"], limits=Limits(cell_timeout=CELL_TIMEOUT))
    assert (restored.status, restored.score) == (st.OK, 3.0)


def test_regrade_is_repeatable(graded):
    course, r = graded
    (again,) = autograde(course, students=["lou"], limits=Limits(cell_timeout=CELL_TIMEOUT))
    assert (again.status, again.score, again.cells) == (r["lou"].status, r["lou"].score, r["lou"].cells)


def test_plain_nbgrader_in_the_course_folder_sees_the_grader_configuration(graded):
    """The formgrader and `nbgrader` commands run in course/ must grade as `grader` does."""
    import subprocess
    import sys

    course, _ = graded
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(course.course_dir)).load_config()
    assert config.CourseDirectory.root == str(course.course_dir)
    assert config.IgnorePattern.enabled is True and config.OverwriteCells.add_missing_cells is True
    assert config.Execute.timeout == Limits().cell_timeout  # the course default, not one run's override
    listed = subprocess.run([sys.executable, "-m", "nbgrader", "db", "assignment", "list"], cwd=course.course_dir,
                            capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0 and LESSON in listed.stdout, listed.stderr[-500:]
