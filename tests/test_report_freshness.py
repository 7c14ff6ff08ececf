"""Every derived file is current or marked stale: after a regrade, a resumed autograde, a late collect and a
hand grade, the reports, the feedback pages and Canvas's feedback zip are regenerated, or a STALE.txt beside
them names what changed and the command that refreshes them; no report is older than the rows it shows.

Built without grading (tests/handgraded_course.py); each event is what its command leaves in the course
folder, followed by what the command then does about derived files (grader.reports.freshness)."""

from __future__ import annotations

import csv

import pytest

from grader.cli import main
from grader.reports import freshness
from grader.reports.freshness import MARKER, PAGE, REPORT, ZIP
from grader.reports.grades import make_reports
from handgraded_course import FIRST, NOW, Work, collect_file, grade, hand_grade, make_course, regrade, submit

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")]  # nbgrader's own add_submission


def _write_page(course, student: str, text: str = "feedback") -> None:
    page = course.feedback_html(student, FIRST)
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(text)


def _zip(course):
    return course.course_dir / "feedback_packages" / "canvas" / f"{FIRST}.zip"


@pytest.fixture
def derived(tmp_path):
    """ada (an answer in words to grade) and ben graded; the reports, a feedback page each, and the lesson's
    Canvas zip made from that."""
    course = make_course(tmp_path)
    submit(course, Work("ada", FIRST, 2.0))
    submit(course, Work("ben", FIRST, 2.0, answered=False))
    make_reports(course, now=NOW)
    for student in ("ada", "ben"):  # as `grader feedback --package canvas` writes them
        _write_page(course, student)
    _zip(course).parent.mkdir(parents=True)
    _zip(course).write_bytes(b"PK")
    assert freshness.sweep(course, NOW) == "", "all current to begin with"
    return course


def _regrade(course):  # `grader regrade`: ben's test fails now; his page was deleted; then its after_grading
    regrade(course, "ben", FIRST, 0.0)
    return freshness.after_grading(course, NOW)


def _resume(course):  # `grader autograde --resume`: cy, whose grading was interrupted, is graded now
    collect_file(course, "cy", FIRST)
    grade(course, Work("cy", FIRST, 1.0, answered=False))
    return freshness.after_grading(course, NOW)


def _late_collect(course):  # `grader collect` of ada's second attempt, after the reports were made
    collect_file(course, "ada", FIRST, text="second attempt")
    line = freshness.sweep(course, NOW)
    return [line] if line else []


def _hand_grade(course):  # the formgrader writes a manual score; the next grader command sweeps
    hand_grade(course, "ada", FIRST, 1.5)
    line = freshness.sweep(course, NOW)
    return [line] if line else []


EVENTS = {"regrade": _regrade, "resume": _resume, "late collect": _late_collect, "hand grade": _hand_grade}
# What each event leaves each derived file: regenerated, stale (with the command that refreshes it), or
# untouched because it shows no row that changed.
REPORTS = {"regrade": "regenerated", "resume": "regenerated", "late collect": "stale", "hand grade": "stale"}
PAGES = {"regrade": ("ben", "stale"), "resume": ("ada", "current"), "late collect": ("ada", "stale"),
         "hand grade": ("ada", "stale")}


def _stale(course, kind):
    stale, _ = freshness.check(course, NOW)
    return [s for s in stale if s.kind == kind]


@pytest.mark.parametrize("event", list(EVENTS))
def test_reports_are_regenerated_or_marked_stale(derived, event):
    course = derived
    before = (course.reports_dir / "grades.csv").read_text()
    lines = EVENTS[event](course)
    marker = course.reports_dir / MARKER
    if REPORTS[event] == "regenerated":
        assert (course.reports_dir / "grades.csv").read_text() != before and not marker.exists()
        assert not _stale(course, REPORT) and any("reports regenerated" in line for line in lines)
    else:
        assert (course.reports_dir / "grades.csv").read_text() == before
        text = marker.read_text()
        assert "`grader report`" in text and "reports/totals.csv" in text and "reports/grade_histogram.png" in text
        if event == "late collect":
            assert "`grader autograde 00_first`" in text and "collected, not graded yet (ada/00_first)" in text
        assert len(_stale(course, REPORT)) == 8
        assert main(["--repo", str(course.repo), "--course-dir", str(course.course_dir), "report"]) == 0
        assert not marker.exists() or event == "late collect", "a report cannot show a submission not graded yet"


@pytest.mark.parametrize("event", list(EVENTS))
def test_feedback_pages_are_marked_stale_when_their_row_changed(derived, event):
    course = derived
    lines = EVENTS[event](course)
    student, expected = PAGES[event]
    stale_pages = {s.path for s in _stale(course, PAGE)}
    marker = course.course_dir / "feedback" / MARKER
    if expected == "current":
        assert not stale_pages and not marker.exists()
        return
    assert stale_pages == {course.feedback_html(student, FIRST)}
    assert f"feedback/{student}/{FIRST}/{FIRST}.html" in marker.read_text()
    assert f"`grader feedback {FIRST}`" in marker.read_text()
    warning = [line for line in lines if line.startswith("stale:")]
    assert len(warning) == 1 and "feedback page" in warning[0]
    _write_page(course, student, "made again")  # `grader feedback` writes the page anew
    freshness.sweep(course, NOW)
    if event == "late collect":  # the new attempt needs grading before any page of it is current
        assert "`grader autograde 00_first`" in marker.read_text()
    else:
        assert not _stale(course, PAGE) and not marker.exists()


@pytest.mark.parametrize("event", list(EVENTS))
def test_the_canvas_zip_is_marked_stale_after_every_event(derived, event):
    course = derived
    EVENTS[event](course)
    (found,) = _stale(course, ZIP)
    marker = _zip(course).parent / MARKER
    assert f"`grader feedback {FIRST} --package canvas`" in marker.read_text()
    assert found.path == _zip(course)
    _zip(course).write_bytes(b"PK made again")
    freshness.record(course, [_zip(course)], NOW)  # what the feedback command records beside what it wrote
    if event != "late collect":
        freshness.sweep(course, NOW)
        assert not _stale(course, ZIP) and not marker.exists()


def test_the_regrade_names_the_deleted_pages_and_the_command(derived):
    course = derived
    lines = _regrade(course)
    (page,) = _stale(course, PAGE)
    assert page.missing and page.path == course.feedback_html("ben", FIRST)
    (warning,) = [line for line in lines if line.startswith("stale:")]
    assert f"`grader feedback {FIRST} --package canvas`" in warning and "deleted" in warning


def test_no_report_is_older_than_the_gradebook_rows_it_shows(derived):
    course = derived
    reports = sorted(p for p in course.reports_dir.iterdir() if p.name != MARKER)
    for event in (_hand_grade, _regrade, _resume):
        event(course)
        make_reports(course, now=NOW)  # what `grader report` does
        rows = freshness.current_rows(course, NOW)
        state = freshness._load(course)
        for path in reports:
            made = state["made"][str(path.relative_to(course.course_dir))]
            assert made["rows"] == rows, f"{path.name} shows rows older than the gradebook's"
        assert not _stale(course, REPORT)
    grades = {(r["student_id"], r["lesson"]): r for r in csv.DictReader((course.reports_dir / "grades.csv").open())}
    assert grades[("ada", FIRST)]["score"] == "3.5" and grades[("ada", FIRST)]["pending_points"] == ""
    assert grades[("ben", FIRST)]["score"] == "0.0" and grades[("cy", FIRST)]["score"] == "1.0"
    hand_grade(course, "ben", FIRST, 2.0)  # and the check can fail: a hand grade after the last report
    assert len(_stale(course, REPORT)) == len(reports)
