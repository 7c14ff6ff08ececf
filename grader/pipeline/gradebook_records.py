"""What grading writes to and reads from nbgrader's gradebook for one submission: its scores, its
lateness, and its removal when it must not count."""

from __future__ import annotations

import shutil
from dataclasses import dataclass

from grader.course.folder import Course
from grader.pipeline.late import settle_marker


def forget(course: Course, student: str, lesson: str) -> None:
    """Remove every trace of an earlier grading, so a failed regrade cannot leave a stale score."""
    for path in (course.autograded_notebook(student, lesson), course.feedback_html(student, lesson)):
        shutil.rmtree(path.parent, ignore_errors=True)
    withdraw_from_gradebook(course, student, lesson)


@dataclass(frozen=True)
class Scores:
    score: float          # after the late penalty
    max_score: float
    cells: dict
    raw: float            # before it
    penalty: float
    seconds_late: float
    pending: list         # grade ids of answers to grade by hand (the formgrader): they count 0 until then


def scores_of(course: Course, student: str, lesson: str, notebook: str) -> Scores:
    from nbgrader.api import Grade, Gradebook
    from sqlalchemy.orm import joinedload

    with Gradebook(course.gradebook_url) as gb:
        nb = gb.find_submission_notebook(notebook, lesson, student)
        # the grades with their cells in one query (nb.grades would load each grade's cell on its own)
        grades = gb.db.query(Grade).options(joinedload(Grade.cell)).filter(Grade.notebook_id == nb.id)
        grades = list(grades)
        cells = {g.name: [float(g.score), float(g.max_score)] for g in grades if g.max_score}
        pending = sorted(g.name for g in grades if g.needs_manual_grade)
        raw, penalty = float(nb.score), float(nb.late_submission_penalty or 0.0)
        return Scores(raw - penalty, float(nb.max_score), cells, raw, penalty, float(nb.assignment.total_seconds_late),
                      pending)


def dates_for(course: Course, student: str, lesson: str) -> None:
    """What nbgrader needs to judge lateness: the student's extension in the gradebook, and a time for a
    submission the LMS marked late without one (grader.pipeline.late)."""
    from nbgrader.api import Gradebook

    config = course.config()
    settle_marker(course.submitted_notebook(student, lesson).parent, config, student, lesson)
    extension = config.extension(student, lesson)
    if extension is not None:
        with Gradebook(course.gradebook_url) as gb:
            gb.update_or_create_student(student)
            gb.update_or_create_submission(lesson, student, extension=extension)


def withdraw_from_gradebook(course: Course, student: str, lesson: str) -> None:
    """Keep a withheld score out of the gradebook (and so out of the formgrader and nbgrader's exports)."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(course.gradebook_url) as gb:
        try:
            gb.remove_submission(lesson, student)
        except MissingEntry:
            pass
