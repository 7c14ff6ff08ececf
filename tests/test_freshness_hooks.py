"""The commands that change what derived files show keep the freshness record: `collect` marks the reports
made before a late submission stale at once (and says so), `feedback` records its pages and zips as made from
the grades as they are now, and says what is still stale. The same through grader.api.

Built without grading (tests/handgraded_course.py); the feedback pages are stand-ins (grader.reports.feedback
is tested on its own), written where `grader feedback` writes them."""

from __future__ import annotations

import nbformat
import pytest

from grader import api
from grader.cli import main
from grader.reports import feedback as feedback_module
from grader.reports import freshness
from grader.reports.grades import make_reports
from handgraded_course import FIRST, Work, hand_grade, make_course, submit
from minicourse import mini_notebook

pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")  # nbgrader's own add_submission


@pytest.fixture
def course(tmp_path):
    course = make_course(tmp_path)
    submit(course, Work("ada", FIRST, 2.0))
    make_reports(course)
    assert freshness.sweep(course) == "", "the reports are current to begin with"
    return course


def _download(tmp_path, student: str):
    """A folder of <student>/<lesson>.ipynb, as a collect source."""
    path = tmp_path / "download" / student / f"{FIRST}.ipynb"
    path.parent.mkdir(parents=True)
    nbformat.write(mini_notebook(), str(path))
    return path.parent.parent


def test_a_late_collect_marks_the_reports_stale_and_says_so(course, tmp_path, capsys):
    assert main(["--repo", str(course.repo), "--course-dir", str(course.course_dir), "collect",
                 str(_download(tmp_path, "ben"))]) == 0
    err = capsys.readouterr().err
    assert "stale:" in err and "report" in err and "grader autograde" in err
    marker = (course.reports_dir / freshness.MARKER).read_text()
    assert f"ben/{FIRST}" in marker and freshness.NOT_GRADED in marker


def test_collect_through_the_api_marks_them_too(course, tmp_path):
    result = api.collect(course, _download(tmp_path, "cy"))
    assert result.collected == [("cy", FIRST)]
    assert (course.reports_dir / freshness.MARKER).exists()


def _stand_in_pages(monkeypatch):
    def pages(course, lessons=None, students=None):
        made = []
        for student in course.students():
            page = course.feedback_html(student, FIRST)
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(f"<html>{student}</html>")
            made.append(page)
        return made

    monkeypatch.setattr(feedback_module, "generate_feedback", pages)


def test_feedback_records_its_pages_and_names_what_is_still_stale(course, monkeypatch, capsys):
    _stand_in_pages(monkeypatch)
    hand_grade(course, "ada", FIRST, 2.0)  # after the reports were made: they are stale now, the pages will not be
    assert main(["--repo", str(course.repo), "--course-dir", str(course.course_dir), "feedback"]) == 0
    err = capsys.readouterr().err
    assert "stale: " in err and " reports" in err and "graded by hand" in err and "grader report" in err
    assert "feedback page" not in err
    assert not (course.course_dir / "feedback" / freshness.MARKER).exists()
    made = api.feedback(course)
    assert made["stale"].startswith("stale: ") and "feedback page" not in made["stale"]
    make_reports(course)
    assert api.feedback(course)["stale"] == ""
    assert not (course.reports_dir / freshness.MARKER).exists()
