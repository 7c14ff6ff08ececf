"""A graded course built without grading: a gradebook written through nbgrader's API and a ledger of
outcomes, as autograde leaves them, with an answer in words per submission still to grade by hand.

Fast enough to test every report and every freshness rule many times; the slow end-to-end path is
tests/test_semester.py."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

from grader.course.folder import Course
from grader.pipeline.outcomes import Ledger, Outcome
from minicourse import mini_notebook

FIRST, SECOND, LATER = "00_first", "01_second", "02_later"
TEST, WORDS = "test_double", "q_why"     # an autograded test (2 points) and an answer in words (2 points)
DUE = {FIRST: dt.datetime(2026, 10, 5, 23, 59, tzinfo=dt.timezone.utc),
       SECOND: dt.datetime(2026, 10, 12, 23, 59, tzinfo=dt.timezone.utc),
       LATER: dt.datetime(2026, 12, 20, 23, 59, tzinfo=dt.timezone.utc)}
NOW = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.timezone.utc)  # FIRST and SECOND are due, LATER is not


@dataclass(frozen=True)
class Work:
    student: str
    lesson: str
    test_points: float         # what the autograded test gave (of 2)
    answered: bool = True      # an answer in words was written: it waits for the formgrader
    days_late: float = 0.0
    penalty_share: float = 0.0


def course_toml(extensions: str = "") -> str:
    lessons = "".join(f'[lessons."{lesson}"]\ndue = {due.isoformat()}\n' for lesson, due in DUE.items())
    return '[late]\npolicy = "per_day"\nper_day = 10\ncap = 50\n' + lessons + extensions


def make_course(root: Path, toml: str | None = None) -> Course:
    """A repository with three lessons (solutions/), a course folder with course.toml and an empty gradebook."""
    repo, course_dir = root / "repo", root / "course"
    (repo / "solutions").mkdir(parents=True)
    (repo / "lessons").mkdir()
    for lesson in DUE:
        nbformat.write(mini_notebook(), str(repo / "solutions" / f"{lesson}.ipynb"))
    course_dir.mkdir()
    (course_dir / "course.toml").write_text(course_toml() if toml is None else toml)
    course = Course.at(repo, course_dir)
    shutil.copyfile(_released_gradebook(), course_dir / "gradebook.db")
    return course


_TEMPLATE: list[Path] = []


def _released_gradebook() -> Path:
    """A gradebook with the three lessons released, made once per process and copied: nbgrader runs
    `alembic` in a subprocess for every new gradebook, seconds on a busy machine."""
    if not _TEMPLATE:
        path = Path(tempfile.mkdtemp(prefix="handgraded-")) / "gradebook.db"
        with Gradebook(f"sqlite:///{path}") as gb:
            for lesson, due in DUE.items():
                gb.add_assignment(lesson, duedate=due.replace(tzinfo=None))
                gb.add_notebook(lesson, lesson)
                gb.add_grade_cell(TEST, lesson, lesson, max_score=2.0, cell_type="code")
                gb.add_grade_cell(WORDS, lesson, lesson, max_score=2.0, cell_type="markdown")
        _TEMPLATE.append(path)
    return _TEMPLATE[0]


def collect_file(course: Course, student: str, lesson: str, text: str = "answer") -> None:
    """What collect leaves: the submitted file (replaced when the student hands in again)."""
    path = course.submitted_notebook(student, lesson)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'{{"cells": [], "metadata": {{}}, "nbformat": 4, "nbformat_minor": 5, "x": "{text}"}}')


def submit(course: Course, work: Work, text: str = "answer") -> Outcome:
    """What collect and autograde leave for one submission."""
    collect_file(course, work.student, work.lesson, text)
    return grade(course, work, text)


def grade(course: Course, work: Work, text: str = "answer") -> Outcome:
    """What autograde leaves: the gradebook's grades (the answer in words needs a hand grade when written)
    and the ledger's outcome."""
    when = DUE[work.lesson] + dt.timedelta(days=work.days_late)
    with Gradebook(course.gradebook_url) as gb:
        gb.update_or_create_student(work.student)
        gb.update_or_create_submission(work.lesson, work.student, timestamp=when.replace(tzinfo=None))
        test = gb.find_grade(TEST, work.lesson, work.lesson, work.student)
        test.auto_score, test.needs_manual_grade = work.test_points, False
        words = gb.find_grade(WORDS, work.lesson, work.lesson, work.student)
        words.auto_score, words.needs_manual_grade = (None, True) if work.answered else (0.0, False)
        gb.db.commit()
    path = course.submitted_notebook(work.student, work.lesson)
    sha = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else text
    raw = work.test_points
    penalty = round(raw * work.penalty_share, 6)
    outcome = Outcome(work.student, work.lesson, "ok", score=raw - penalty, max_score=4.0,
                      cells={TEST: [work.test_points, 2.0], WORDS: [0.0, 2.0]}, submission_sha=sha,
                      raw_score=raw, penalty=penalty, days_late=work.days_late,
                      pending=[WORDS] if work.answered else [])
    Ledger(course.course_dir).record(outcome)
    return outcome


def hand_grade(course: Course, student: str, lesson: str, score: float) -> None:
    """What the formgrader does when the instructor grades an answer in words (nbgrader's GradeHandler)."""
    with Gradebook(course.gradebook_url) as gb:
        grade = gb.find_grade(WORDS, lesson, lesson, student)
        grade.manual_score = score
        grade.needs_manual_grade = False
        gb.db.commit()


def regrade(course: Course, student: str, lesson: str, test_points: float) -> None:
    """What `grader regrade` leaves: a new verdict in the gradebook and the ledger, the submitted file as it
    was, the submission's feedback pages deleted (grader.pipeline.gradebook_records.forget)."""
    import shutil

    with Gradebook(course.gradebook_url) as gb:
        gb.find_grade(TEST, lesson, lesson, student).auto_score = test_points
        gb.db.commit()
    ledger = Ledger(course.course_dir)
    outcome = ledger.load()[f"{student}/{lesson}"]
    outcome.cells[TEST] = [test_points, 2.0]
    outcome.raw_score = outcome.score = test_points
    ledger.record(outcome)
    shutil.rmtree(course.feedback_html(student, lesson).parent, ignore_errors=True)
