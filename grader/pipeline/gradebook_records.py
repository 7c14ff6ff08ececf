"""What grading writes to and reads from nbgrader's gradebook for one submission: its scores, its
lateness, and its removal when it must not count. Hand grades outlive the removal when the answer they
were given to is unchanged (grader.pipeline.hand_grades_kept)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field

from grader.course.folder import Course
from grader.pipeline import hand_grades_kept
from grader.pipeline.late import penalty, settle_marker


def forget(course: Course, student: str, lesson: str) -> None:
    """Remove every trace of an earlier grading, so a failed regrade cannot leave a stale score. The hand
    grades are kept aside first (they come back with the next grading of an unchanged answer), and the
    feedback pages stay where they are: grader.reports.freshness marks them stale once the grades change."""
    withdraw_from_gradebook(course, student, lesson)  # reads the graded notebook, so before it goes
    shutil.rmtree(course.autograded_notebook(student, lesson).parent, ignore_errors=True)


@dataclass(frozen=True)
class Scores:
    score: float          # after the late penalty
    max_score: float
    cells: dict
    raw: float            # before it
    penalty: float
    seconds_late: float
    pending: list         # grade ids of answers to grade by hand (the formgrader): they count 0 until then
    notes: list = field(default_factory=list)  # for the instructor: hand grades that could not be carried over


def scores_of(course: Course, student: str, lesson: str, notebook: str) -> Scores:
    """The scores of a notebook nbgrader just graded, with the hand grades of its unchanged answers put back
    (and the late penalty taken again from the score they make)."""
    from nbgrader.api import Grade, Gradebook
    from sqlalchemy.orm import joinedload

    carried = hand_grades_kept.carry_over(course, student, lesson, notebook)
    with Gradebook(course.gradebook_url) as gb:
        nb = gb.find_submission_notebook(notebook, lesson, student)
        if carried.scores:  # nbgrader took the penalty from the score before the hand grades came back
            nb.late_submission_penalty = penalty(course.config().late, float(nb.score),
                                                 float(nb.assignment.total_seconds_late))
            gb.db.commit()
        # the grades with their cells in one query (nb.grades would load each grade's cell on its own)
        grades = gb.db.query(Grade).options(joinedload(Grade.cell)).filter(Grade.notebook_id == nb.id)
        grades = list(grades)
        cells = {g.name: [float(g.score), float(g.max_score)] for g in grades if g.max_score}
        pending = sorted(g.name for g in grades if g.needs_manual_grade)
        raw, lost = float(nb.score), float(nb.late_submission_penalty or 0.0)
        return Scores(raw - lost, float(nb.max_score), cells, raw, lost, float(nb.assignment.total_seconds_late),
                      pending, carried.notes)


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
    """Keep a withheld score out of the gradebook (and so out of the formgrader and nbgrader's exports); the
    hand grades it held are kept aside for the next grading."""
    from nbgrader.api import Gradebook, MissingEntry

    hand_grades_kept.keep(course, student, lesson)
    with Gradebook(course.gradebook_url) as gb:
        try:
            gb.remove_submission(lesson, student)
        except MissingEntry:
            pass
