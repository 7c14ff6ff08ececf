"""The grades as they stand now: the ledger's outcomes with the formgrader's hand grades applied.

The ledger holds what autograding gave. Answers in words are left to the instructor: nbgrader marks their
grades `needs_manual_grade` and they count 0 until someone grades them in the formgrader, which writes a
`manual_score` into the gradebook and never touches the ledger. Every report reads the outcomes through
`current_outcomes`, so an answer still to grade shows as pending (never as a 0) and a hand grade reaches
every report as soon as it is in the gradebook. A late penalty is a share of the score, so it is taken
again from the new score, with the submission's own lateness.

The gradebook is only read here (SQLAlchemy on nbgrader's tables), never written.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from grader.course.folder import Course
from grader.pipeline import outcomes as st
from grader.pipeline.outcomes import Ledger, Outcome


@dataclass(frozen=True)
class HandGrade:
    """One grade of the gradebook that a person gives or gave: its score when given, or still pending."""
    score: float | None     # manual score plus extra credit; None: not graded by hand yet
    pending: bool           # nbgrader's needs_manual_grade
    seconds_late: float     # of the submission it belongs to (extension included)


def _gradebook_exists(course: Course) -> bool:
    return bool(course.db_url) or (course.course_dir / "gradebook.db").exists()


def hand_grades(course: Course) -> dict[tuple[str, str, str], dict[str, HandGrade]]:
    """(student, lesson, notebook) -> grade id -> its hand grade, for every grade a person gave or must give."""
    if not _gradebook_exists(course):
        return {}
    from nbgrader.api import Assignment, BaseCell, Grade, Notebook, SubmittedAssignment, SubmittedNotebook
    from sqlalchemy import inspect, or_
    from sqlalchemy.orm import Session

    from grader.patches.gradebook_engine import engine_for

    engine = engine_for(course.gradebook_url)
    if "grade" not in inspect(engine).get_table_names():
        return {}
    found: dict[tuple[str, str, str], dict[str, HandGrade]] = {}
    with Session(engine) as session:
        rows = (session.query(SubmittedAssignment.student_id, Assignment.name, Notebook.name, BaseCell.name,
                              Grade.manual_score, Grade.extra_credit, Grade.needs_manual_grade,
                              SubmittedAssignment.timestamp, SubmittedAssignment.extension, Assignment.duedate)
                .select_from(Grade)
                .join(SubmittedNotebook, Grade.notebook_id == SubmittedNotebook.id)
                .join(Notebook, SubmittedNotebook.notebook_id == Notebook.id)
                .join(SubmittedAssignment, SubmittedNotebook.assignment_id == SubmittedAssignment.id)
                .join(Assignment, SubmittedAssignment.assignment_id == Assignment.id)
                .join(BaseCell, Grade.cell_id == BaseCell.id)
                .filter(or_(Grade.manual_score.isnot(None), Grade.needs_manual_grade.is_(True))))
        for student, lesson, notebook, grade_id, manual, extra, needs, stamp, extension, due in rows:
            score = None if manual is None else float(manual) + float(extra or 0.0)
            late = 0.0
            if stamp is not None and due is not None:
                late = max(0.0, (stamp - (due + extension if extension is not None else due)).total_seconds())
            found.setdefault((student, lesson, notebook), {})[grade_id] = HandGrade(score, bool(needs), late)
    return found


def with_hand_grades(course: Course, outcome: Outcome, grades: dict[str, HandGrade]) -> Outcome:
    """The outcome with the gradebook's hand grades in its cells, score and penalty; pending what is still to grade."""
    if outcome.score is None or outcome.status not in st.SCORED_STATUSES:
        return outcome  # withheld or not scored: it is not in the gradebook's hands
    cells = {g: list(v) for g, v in outcome.cells.items()}
    pending, delta, late = [], 0.0, None
    for grade_id, (got, most) in outcome.cells.items():
        hand = grades.get(grade_id)
        if hand is None:
            continue
        late = hand.seconds_late
        if hand.score is not None:  # given by a person (kept even if a later autograde re-opened it)
            delta += hand.score - got
            cells[grade_id] = [hand.score, most]
        else:  # still to grade: it counts nothing yet, whatever the run left in it
            delta -= got
            cells[grade_id] = [0.0, most]
            pending.append(grade_id)
    pending = sorted(pending)
    if not delta and pending == sorted(outcome.pending) and cells == outcome.cells:
        return outcome
    from grader.pipeline.late import penalty  # (nbgrader's plugin module: imported only when needed)

    raw = (outcome.raw_score if outcome.raw_score is not None else outcome.score + outcome.penalty) + delta
    lost = penalty(course.config().late, raw, late) if late else 0.0
    if outcome.raw_score:  # the penalty as autograding took it, scaled: the same share of the new score
        lost = round(outcome.penalty * raw / outcome.raw_score, 6)
    return dataclasses.replace(outcome, cells=cells, pending=pending, raw_score=round(raw, 6), penalty=lost,
                               score=round(raw - lost, 6))


def current_outcomes(course: Course) -> list[Outcome]:
    """Every outcome of the ledger as it stands with the gradebook's hand grades, sorted by student and unit."""
    outcomes = Ledger(course.course_dir).load().values()
    grades = hand_grades(course)
    current = [with_hand_grades(course, o, grades.get((o.student, o.lesson, o.notebook or o.lesson), {}))
               for o in outcomes]
    return sorted(current, key=lambda o: (o.student, o.unit))


def pending_points(outcome: Outcome) -> float:
    """Points of answers still to grade by hand (not counted in the score yet)."""
    return sum(outcome.cells.get(g, [0.0, 0.0])[1] for g in outcome.pending)


def assignment_points(course: Course) -> dict[str, float]:
    """lesson -> the points its released notebooks carry, as the gradebook knows them (after release)."""
    if not _gradebook_exists(course):
        return {}
    from nbgrader.api import Assignment
    from sqlalchemy import inspect
    from sqlalchemy.orm import Session

    from grader.patches.gradebook_engine import engine_for

    engine = engine_for(course.gradebook_url)
    if "assignment" not in inspect(engine).get_table_names():
        return {}
    with Session(engine) as session:
        return {name: float(points or 0.0) for name, points in session.query(Assignment.name, Assignment.max_score)}
