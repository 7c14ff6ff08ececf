"""Grade submissions with nbgrader and say, beside each score, what happened."""

from __future__ import annotations

import shutil

from grader import outcomes as st
from grader.course import DEFAULT_CELL_TIMEOUT, Course
from grader.errors import GraderError
from grader.nbgrader_setup import make_api
from grader.notebooks import UnreadableNotebook, cells_by_id, grade_ids, nbgrader_meta, read_notebook
from grader.outcomes import Ledger, Outcome
from grader.release import prepare_assignments

TIMEOUT_ENAME = "CellTimeoutError"  # what nbgrader's Execute writes into a cell that ran too long


def submissions(course: Course, lessons, students=None) -> list[tuple[str, str]]:
    """(student, lesson) pairs that have a submitted notebook, refusing unknown student names."""
    known = course.students()
    if students:
        unknown = [s for s in students if s not in known]
        if unknown:
            raise GraderError(f"no submissions from {', '.join(map(repr, unknown))} in {course.course_dir / 'submitted'}")
    chosen = students or known
    pairs = [(s, lesson) for lesson in lessons for s in chosen if course.submitted_notebook(s, lesson).exists()]
    if not pairs:
        raise GraderError(f"nothing to grade in {course.course_dir / 'submitted'}: run `grader collect` first")
    return pairs


def forget(course: Course, student: str, lesson: str) -> None:
    """Remove every trace of an earlier grading, so a failed regrade cannot leave a stale score."""
    from nbgrader.api import Gradebook, MissingEntry

    for path in (course.autograded_notebook(student, lesson), course.feedback_html(student, lesson)):
        shutil.rmtree(path.parent, ignore_errors=True)
    with Gradebook(course.gradebook_url) as gb:
        try:
            gb.remove_submission(lesson, student)
        except MissingEntry:
            pass


def _scores(course: Course, student: str, lesson: str) -> tuple[float, float, dict]:
    from nbgrader.api import Gradebook

    with Gradebook(course.gradebook_url) as gb:
        nb = gb.find_submission_notebook(lesson, lesson, student)
        cells = {g.name: [float(g.score), float(g.max_score)] for g in nb.grades if g.max_score}
        return float(nb.score), float(nb.max_score), cells


def _failure(text: str) -> tuple[str, str]:
    """Status and one-line reason for an autograde run that nbgrader reported as failed."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    last = lines[-1][:200] if lines else "no detail from nbgrader"
    if "DeadKernelError" in text or "kernel died" in text.lower():
        return st.KERNEL_DIED, "the kernel stopped while running the notebook (crash, exit() or memory)"
    if TIMEOUT_ENAME in text or "TimeoutError" in text:
        return st.TIMED_OUT, last
    return st.GRADING_ERROR, last


def lesson_facts(course: Course, lesson: str) -> tuple[list[str], float]:
    """The graded cell ids of a lesson's source and its total points, read once per lesson."""
    source = read_notebook(course.source_notebook(lesson))
    ids = grade_ids(source)
    cells = cells_by_id(source)
    return ids, float(sum(nbgrader_meta(cells[g]).get("points", 0) for g in ids))


def grade_submission(api, course: Course, student: str, lesson: str, facts: tuple[list[str], float],
                     cell_timeout: int) -> Outcome:
    source_ids, max_score = facts
    outcome = Outcome(student, lesson, st.OK, max_score=max_score)
    forget(course, student, lesson)
    try:
        submitted = read_notebook(course.submitted_notebook(student, lesson))
    except UnreadableNotebook as exc:
        outcome.status, outcome.reason = st.UNREADABLE, exc.detail
        return outcome
    missing = [g for g in source_ids if g not in cells_by_id(submitted)]

    result = api.autograde(lesson, student)
    if not result["success"]:
        forget(course, student, lesson)
        outcome.status, outcome.reason = _failure((result.get("error") or "") + "\n" + (result.get("log") or ""))
        return outcome

    graded = read_notebook(course.autograded_notebook(student, lesson))
    timed_out = [nbgrader_meta(c).get("grade_id") or f"cell {i + 1}" for i, c in enumerate(graded.cells)
                 if any(o.get("ename") == TIMEOUT_ENAME for o in c.get("outputs", []))]
    outcome.score, outcome.max_score, outcome.cells = _scores(course, student, lesson)
    if timed_out:
        outcome.status = st.TIMED_OUT
        outcome.reason = f"{', '.join(timed_out)} ran longer than {cell_timeout} s; later cells were still graded"
    elif missing:
        outcome.status, outcome.reason = st.CELLS_RESTORED, f"put back from the source: {', '.join(missing)}"
    return outcome


def autograde(course: Course, lessons=None, students=None,
              cell_timeout: int = DEFAULT_CELL_TIMEOUT) -> list[Outcome]:
    """Grade every submission of the given lessons (all by default); record each outcome in the ledger."""
    from course_lib.progress import progress

    lessons = course.resolve_lessons(lessons)
    pairs = submissions(course, lessons, students)
    prepare_assignments(course, lessons)
    api = make_api(course, cell_timeout)  # one nbgrader start-up for the whole class
    facts = {lesson: lesson_facts(course, lesson) for lesson in lessons}
    ledger = Ledger(course.course_dir)
    results, failures = [], 0
    bar = progress(pairs, desc="autograde", unit="notebook")
    for student, lesson in bar:
        outcome = grade_submission(api, course, student, lesson, facts[lesson], cell_timeout)
        ledger.record(outcome)
        results.append(outcome)
        failures += outcome.status != st.OK
        bar.set_postfix(not_ok=failures)
    return results
