"""Answers in words not yet graded by hand are pending everywhere, never 0; a hand grade reaches every report;
totals count every lesson that is due, a missing submission as 0 with its reason, and say what they cover.

Built without grading (tests/handgraded_course.py): a gradebook written through nbgrader's API, a ledger."""

from __future__ import annotations

import csv
import io

import pytest

from grader.cli import main
from grader.reports.grades import exercise_rows, make_reports
from grader.reports.standing import current_outcomes
from grader.reports.table import format_table
from handgraded_course import FIRST, LATER, NOW, SECOND, TEST, WORDS, Work, course_toml, hand_grade, make_course, submit

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")]  # nbgrader's own add_submission


def _rows(path, key=("student_id", "lesson")):
    return {tuple(r[k] for k in key) if isinstance(key, tuple) else r[key]: r for r in csv.DictReader(path.open())}


def _canvas(course) -> dict[str, dict[str, str]]:
    rows = list(csv.reader(io.StringIO((course.reports_dir / "canvas_import.csv").read_text())))
    header = rows[0]
    return {r[0]: dict(zip(header[5:], r[5:])) for r in rows[2:]}


@pytest.fixture
def course(tmp_path):
    course = make_course(tmp_path)
    submit(course, Work("ada", FIRST, 2.0))                       # 2 autograded, 2 in words to grade
    submit(course, Work("ada", SECOND, 2.0, days_late=1.5, penalty_share=0.2))
    submit(course, Work("ben", FIRST, 1.0, answered=False))       # wrote no answer: a real 0, nothing pending
    return course


def test_pending_answers_are_not_zeros_in_grades_exercises_and_totals(course):
    paths = make_reports(course, now=NOW).paths
    grades = _rows(paths["grades.csv"])
    assert grades[("ada", FIRST)]["pending_points"] == "2.0" and grades[("ada", FIRST)]["to_grade_by_hand"] == WORDS
    assert grades[("ben", FIRST)]["pending_points"] == "" and grades[("ben", FIRST)]["score"] == "1.0"
    exercises = _rows(paths["exercises.csv"], ("lesson", "exercise"))
    words = exercises[(FIRST, WORDS)]
    assert (words["submissions"], words["pending"], words["mean_points"]) == ("1", "1", "0.0"), "only ben's blank counts"
    assert (exercises[(SECOND, WORDS)]["submissions"], exercises[(SECOND, WORDS)]["mean_points"]) == ("0", "")
    totals = _rows(paths["totals.csv"], "student_id")
    assert totals["ada"]["pending_points"] == "4.0" and "to grade by hand" in totals["ada"]["needs_attention"]


def test_canvas_leaves_out_a_lesson_with_pending_answers_unless_asked_and_says_which(course, capsys):
    run = make_reports(course, now=NOW)
    assert _canvas(course)["ada"] == {FIRST: "", SECOND: ""} and _canvas(course)["ben"][FIRST] == "1"
    held = [n for n in run.notes if n.startswith("canvas_import.csv")]
    assert len(held) == 1 and "left out" in held[0] and f"ada {FIRST}" in held[0] and "--with-pending" in held[0]
    run = make_reports(course, now=NOW, with_pending=True)
    assert _canvas(course)["ada"] == {FIRST: "2", SECOND: "1.6"}
    assert any(n.startswith("canvas_import.csv") and "sent" in n for n in run.notes)
    base = ["--repo", str(course.repo), "--course-dir", str(course.course_dir), "report"]
    capsys.readouterr()
    assert main(base) == 0
    err = capsys.readouterr().err
    assert sum("canvas_import.csv" in line and "left out" in line for line in err.splitlines()) == 1
    assert main(base + ["--with-pending"]) == 0 and _canvas(course)["ada"][SECOND] == "1.6"


def test_a_hand_grade_reaches_every_report_and_the_late_penalty_follows(course):
    make_reports(course, now=NOW)
    hand_grade(course, "ada", SECOND, 1.5)
    hand_grade(course, "ada", FIRST, 2.0)
    paths = make_reports(course, now=NOW).paths
    grades = _rows(paths["grades.csv"])
    second = grades[("ada", SECOND)]  # 1.5 days late: 20% of the new raw score 3.5
    assert (second["raw_score"], second["late_penalty"], second["score"], second["pending_points"]) == ("3.5", "0.7", "2.8", "")
    assert _canvas(course)["ada"] == {FIRST: "4", SECOND: "2.8"}
    assert _rows(paths["totals.csv"], "student_id")["ada"]["total"] == "6.8"
    exercises = _rows(paths["exercises.csv"], ("lesson", "exercise"))
    assert (exercises[(FIRST, WORDS)]["mean_points"], exercises[(FIRST, WORDS)]["pending"]) == ("1.0", "0")


def test_the_table_shows_pending_beside_the_score(course):
    table = format_table(current_outcomes(course))
    ada = next(line for line in table.splitlines() if line.startswith("ada"))
    assert "2 / 4 (2 pending)" in ada
    assert "to grade by hand" in table
    rows = {(r["lesson"], r["exercise"]): r for r in exercise_rows(current_outcomes(course))}
    assert rows[(FIRST, TEST)]["pending"] == 0


def test_skipping_a_lesson_never_raises_the_percentage(tmp_path):
    course = make_course(tmp_path)
    for lesson in (FIRST, SECOND):
        submit(course, Work("doer", lesson, 1.0, answered=False))   # 1 of 4 in each lesson
    submit(course, Work("skipper", FIRST, 1.0, answered=False))     # the same in FIRST, SECOND never came
    submit(course, Work("early", LATER, 2.0, answered=False))       # handed in a lesson that is not due yet
    totals = _rows(make_reports(course, now=NOW).paths["totals.csv"], "student_id")
    assert float(totals["skipper"]["percent"]) < float(totals["doer"]["percent"])
    assert (totals["skipper"]["total"], totals["skipper"]["max_total"]) == ("1.0", "8.0")
    assert f"{SECOND}: not submitted" in totals["skipper"]["needs_attention"]
    assert totals["early"]["counted"] == f"{FIRST} {SECOND}" and totals["early"]["max_total"] == "8.0"
    assert totals["early"]["total"] == "0.0", "not due lessons are not counted, even when handed in early"
    cover = _rows(course.reports_dir / "coverage.csv", "lesson")
    assert (cover[FIRST]["counted"], cover[LATER]["counted"]) == ("yes", "no") and "not yet due" in cover[LATER]["why"]


def test_an_extension_still_running_keeps_a_lesson_out_of_that_students_total(tmp_path):
    course = make_course(tmp_path, course_toml(f'[extensions.skipper]\n"{SECOND}" = 30\n'))
    submit(course, Work("doer", FIRST, 1.0, answered=False))
    submit(course, Work("doer", SECOND, 1.0, answered=False))
    submit(course, Work("skipper", FIRST, 1.0, answered=False))
    run = make_reports(course, now=NOW)
    totals = _rows(run.paths["totals.csv"], "student_id")
    assert totals["skipper"]["counted"] == FIRST and totals["skipper"]["max_total"] == "4.0"
    assert totals["doer"]["max_total"] == "8.0"
    cover = next(n for n in run.notes if n.startswith("totals count"))
    assert FIRST in cover and "2026-10-05" in cover and LATER in cover.split("not counted")[1]
