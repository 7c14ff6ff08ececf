"""Totals that compare students fairly: every lesson whose due date has passed counts for everyone.

A lesson counts in a student's total once that student's due date (extension included) has passed: a
submission that never came is 0 out of the lesson's points, with the reason beside it, so skipping a
lesson can never raise a percentage. A lesson not yet due counts for no one (an early submission waits).
A lesson without a due date in course.toml counts once the class has been graded on it. Answers still
to grade by hand are pending: their points are in the maximum, not yet in the total, and say so.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from grader.course.config import CourseConfig
from grader.pipeline.outcomes import OK, Outcome
from grader.reports.standing import pending_points

SCORED, NOT_SCORED, NOT_SUBMITTED, NOT_DUE, NO_POINTS = "scored", "not scored", "not submitted", "not due", "no points"


@dataclass(frozen=True)
class LessonCover:
    """Whether a lesson counts in the totals, and why."""
    lesson: str
    due: dt.datetime | None
    points: float | None
    counted: bool
    why: str


@dataclass(frozen=True)
class LessonMark:
    """One student's lesson as the totals see it."""
    state: str                 # SCORED, NOT_SCORED, NOT_SUBMITTED, NOT_DUE or NO_POINTS
    score: float | None        # what counts (0 for a submission that never came); None: nothing to count
    max_score: float
    pending: float = 0.0       # points still to grade by hand (not in score yet)
    reason: str = ""


@dataclass
class StudentTotal:
    student: str
    marks: dict[str, LessonMark] = field(default_factory=dict)

    @property
    def counted(self) -> list[str]:
        return [lesson for lesson, m in self.marks.items() if m.state not in (NOT_DUE, NO_POINTS)]

    @property
    def total(self) -> float | None:
        """None when a counted lesson could not be scored: an LMS would read a partial sum as the grade."""
        marks = [self.marks[lesson] for lesson in self.counted]
        if any(m.score is None for m in marks):
            return None
        return round(sum(m.score for m in marks), 6)

    @property
    def max_total(self) -> float:
        return sum(self.marks[lesson].max_score for lesson in self.counted)

    @property
    def pending(self) -> float:
        return sum(self.marks[lesson].pending for lesson in self.counted)

    @property
    def percent(self) -> float | None:
        total = self.total
        return None if total is None or not self.max_total else 100.0 * total / self.max_total


def when(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def lesson_points(outcomes: list[Outcome], config: CourseConfig, known: dict[str, float]) -> dict[str, float]:
    """lesson -> its points: what its graded notebooks carry, else course.toml's points, else the gradebook's."""
    per_unit: dict[tuple[str, str], float] = {}
    for o in outcomes:
        per_unit[(o.lesson, o.unit)] = max(per_unit.get((o.lesson, o.unit), 0.0), o.max_score)
    points: dict[str, float] = dict(known)
    points.update(config.points)
    graded: dict[str, float] = defaultdict(float)
    for (lesson, _), most in per_unit.items():
        graded[lesson] += most
    points.update(graded)
    return points


def coverage(lessons: list[str], outcomes: list[Outcome], config: CourseConfig, points: dict[str, float],
             now: dt.datetime) -> list[LessonCover]:
    """Per lesson of the course: does it count in the totals (for students without an extension), and why."""
    graded = {o.lesson for o in outcomes}
    covers = []
    for lesson in lessons:
        due = config.due.get(lesson)
        if lesson not in points:
            covers.append(LessonCover(lesson, due, None, False, "its points are unknown (not released or graded yet)"))
        elif due is not None:
            passed = due <= now
            covers.append(LessonCover(lesson, due, points[lesson], passed, f"due {when(due)}, passed" if passed
                                      else f"due {when(due)}: not yet due, not counted"))
        elif lesson in graded:
            covers.append(LessonCover(lesson, None, points[lesson], True, "no due date; counted: the class was graded on it"))
        else:
            covers.append(LessonCover(lesson, None, points[lesson], False, "no due date and nothing graded: not counted"))
    return covers


def _mark(parts: list[Outcome], cover: LessonCover, due: dt.datetime | None, now: dt.datetime) -> LessonMark:
    most = sum(o.max_score for o in parts) if parts else (cover.points or 0.0)
    if cover.points is None and not parts:
        return LessonMark(NO_POINTS, None, 0.0, reason=cover.why)
    if due is not None and due > now or due is None and not cover.counted:
        why = f"not yet due (due {when(due)}): not counted" if due is not None else cover.why
        return LessonMark(NOT_DUE, None, most, reason=why)
    if not parts:
        return LessonMark(NOT_SUBMITTED, 0.0, most, reason="not submitted" + (f" (due {when(due)})" if due else "") + ": 0")
    pending = sum(pending_points(o) for o in parts)
    if any(o.score is None for o in parts):
        troubles = "; ".join(o.describe() for o in parts if o.score is None)
        return LessonMark(NOT_SCORED, None, most, pending, reason=f"not scored: {troubles}")
    reasons = [o.describe() for o in parts if o.status != OK]
    if pending:
        names = ", ".join(g for o in parts for g in o.pending)
        reasons.append(f"{pending:g} point(s) to grade by hand ({names}): pending, not counted yet")
    return LessonMark(SCORED, round(sum(o.score for o in parts), 6), most, pending, "; ".join(reasons))


def student_totals(students: list[str], lessons: list[str], outcomes: list[Outcome], config: CourseConfig,
                   covers: list[LessonCover], now: dt.datetime) -> list[StudentTotal]:
    """A StudentTotal per student, a LessonMark per lesson of the course."""
    by_student: dict[str, dict[str, list[Outcome]]] = defaultdict(lambda: defaultdict(list))
    for o in outcomes:
        by_student[o.student][o.lesson].append(o)
    cover_of = {c.lesson: c for c in covers}
    totals = []
    for student in students:
        row = StudentTotal(student)
        for lesson in lessons:
            due = config.due.get(lesson)
            if due is not None:
                extension = config.extension(student, lesson)
                due = due + extension if extension is not None else due
            row.marks[lesson] = _mark(by_student[student].get(lesson, []), cover_of[lesson], due, now)
        totals.append(row)
    return totals


def cover_line(covers: list[LessonCover]) -> str:
    """One sentence: which lessons the totals count, with their due dates, and which they do not yet."""
    def named(c: LessonCover) -> str:
        return f"{c.lesson} (due {when(c.due)})" if c.due else f"{c.lesson} (no due date)"

    counted = [named(c) for c in covers if c.counted]
    waiting = [named(c) for c in covers if not c.counted]
    text = "totals count " + (", ".join(counted) if counted else "no lesson yet")
    if waiting:
        text += "; not counted (not yet due, or nothing to count): " + ", ".join(waiting)
    return text + " (reports/coverage.csv)"
