"""A small class with an answer in words, graded by the grader itself, for the hand-grading path.

The mini course of tests/minicourse.py with a question answered in words (an nbgrader manually graded
markdown cell) appended; one student, ada, hands in the finished lesson before its due date (which has
passed), so the reports count the lesson and no late penalty blurs the numbers. Also: the reports read as
typed rows, and a bounded wait for the formgrader's hand grade to reach nbgrader's gradebook.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat.v4 import new_markdown_cell

TESTS = Path(__file__).resolve().parent.parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

import minicourse  # noqa: E402

LESSON = minicourse.LESSON
STUDENT = "ada"
WORDS_ID = "q_why_linear"
WORDS_POINTS = 2
DUE = dt.datetime(2026, 1, 10, 23, 59, tzinfo=dt.timezone.utc)   # passed: the lesson counts in the totals
HANDED_IN = DUE - dt.timedelta(days=1)                              # on time: no penalty
ANSWER = "Because doubling is linear: its slope is 2 everywhere."


def _words_cell():
    meta = {"nbgrader": {"grade": True, "grade_id": WORDS_ID, "locked": False, "schema_version": 3,
                         "solution": True, "task": False, "points": WORDS_POINTS}}
    return new_markdown_cell("Why is the gradient of `double` the same at every input? Answer in words.\n\n"
                             "### BEGIN SOLUTION\nIt is linear.\n### END SOLUTION", metadata=meta)


def graded_course(root: Path):
    """The course released, ada's finished lesson collected and autograded; (course, her outcome)."""
    from grader import api
    from grader.course import samples
    from grader.course.folder import Course
    from grader.course.notebooks import nbgrader_meta
    from grader.pipeline.late import TIMESTAMP, timestamp_text

    repo = minicourse.make_repo(root / "repo")
    source = repo / "solutions" / f"{LESSON}.ipynb"
    nb = nbformat.read(str(source), as_version=4)
    nb.cells.append(_words_cell())
    nbformat.write(nb, str(source))
    course_dir = root / "course"
    course_dir.mkdir()
    (course_dir / "course.toml").write_text(f'[lessons."{LESSON}"]\ndue = {DUE.isoformat()}\n')
    course = Course.at(repo, course_dir)
    api.release(course)
    answer = samples.filled_in(course, LESSON)
    for cell in answer.cells:
        if nbgrader_meta(cell).get("grade_id") == WORDS_ID:
            cell.source = ANSWER
    submitted = samples.write(answer, course.submitted_notebook(STUDENT, LESSON))
    (submitted.parent / TIMESTAMP).write_text(timestamp_text(HANDED_IN) + "\n", encoding="utf-8")
    (outcome,) = api.autograde(course, students=[STUDENT], limits=api.limits_for(course, cell_timeout=120))
    return course, outcome


def submission_id(course) -> str:
    from nbgrader.api import Gradebook

    with Gradebook(course.gradebook_url) as gradebook:
        return gradebook.find_submission_notebook(LESSON, LESSON, STUDENT).id


def words_grade(course) -> tuple[float | None, bool]:
    """(manual score, needs manual grade) of ada's answer in words, as nbgrader's gradebook holds them now."""
    from nbgrader.api import Gradebook

    with Gradebook(course.gradebook_url) as gradebook:
        grade = gradebook.find_grade(WORDS_ID, LESSON, LESSON, STUDENT)
        return grade.manual_score, bool(grade.needs_manual_grade)


def wait_for_hand_grade(course, score: float, timeout_s: float = 180.0) -> tuple[float | None, bool]:
    """Poll the gradebook until the formgrader's save of `score` is in it (bounded); what it holds at the end."""
    deadline = time.monotonic() + timeout_s
    held = words_grade(course)
    while not (held[0] is not None and abs(held[0] - score) < 1e-9 and not held[1]):
        if time.monotonic() > deadline:
            break
        time.sleep(0.5)
        held = words_grade(course)
    return held


@dataclass(frozen=True)
class Standing:
    """One student's lesson as every report shows it."""
    score: float
    max_score: float
    pending_points: float         # grades.csv
    to_grade_by_hand: str         # grades.csv
    words_pending: int            # exercises.csv: submissions whose answer in words waits
    words_mean: str               # exercises.csv: mean points of the answer in words ('' when none graded)
    total: float                  # totals.csv
    total_pending: float          # totals.csv
    canvas: str                   # canvas_import.csv: the lesson's cell ('' when left out)


def _number(text: str) -> float:
    return float(text) if text.strip() else 0.0


def _rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def read_standing(course) -> Standing:
    reports = course.reports_dir
    grades = next(r for r in _rows(reports / "grades.csv") if (r["student_id"], r["lesson"]) == (STUDENT, LESSON))
    words = next(r for r in _rows(reports / "exercises.csv") if (r["lesson"], r["exercise"]) == (LESSON, WORDS_ID))
    totals = next(r for r in _rows(reports / "totals.csv") if r["student_id"] == STUDENT)
    # Canvas's import: five identity columns, a "Points Possible" row, then one row per student.
    canvas = list(csv.reader(io.StringIO((reports / "canvas_import.csv").read_text(encoding="utf-8"))))
    column = next(i for i, name in enumerate(canvas[0]) if name.startswith(LESSON))
    row = next(r for r in canvas[2:] if STUDENT in r[:5])
    return Standing(score=float(grades["score"]), max_score=float(grades["max_score"]),
                    pending_points=_number(grades["pending_points"]), to_grade_by_hand=grades["to_grade_by_hand"],
                    words_pending=int(_number(words["pending"])), words_mean=words["mean_points"],
                    total=float(totals["total"]), total_pending=_number(totals["pending_points"]),
                    canvas=row[column])
