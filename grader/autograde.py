"""Grade submissions with nbgrader and say, beside each score, what happened."""

from __future__ import annotations

import shutil
from dataclasses import dataclass

from grader import outcomes as st
from grader import runlog
from grader.course import DEFAULT_CELL_TIMEOUT, Course
from grader.errors import GraderError
from grader.nbgrader_setup import make_api
from grader.notebooks import UnreadableNotebook, cells_by_id, grade_ids, nbgrader_meta, read_notebook
from grader.outcomes import Ledger, Outcome
from grader.limits import Limits
from grader.release import prepare_assignments
from grader.sandbox import require_bwrap
from grader.static_check import Finding, check_submission
from grader.structure import rebuild


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


def _withdraw_from_gradebook(course: Course, student: str, lesson: str) -> None:
    """Keep a withheld score out of the gradebook (and so out of the formgrader and nbgrader's exports)."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(course.gradebook_url) as gb:
        try:
            gb.remove_submission(lesson, student)
        except MissingEntry:
            pass


def _useful_line(text: str) -> str:
    """The most informative line of nbgrader's log: an exception, not its 'see the traceback above'."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    lines = [line for line in lines if "see the" not in line.lower() and not line.startswith("[")] or lines
    errors = [line for line in lines if "Error" in line or "Exception" in line]
    return (errors or lines or ["no detail from nbgrader"])[-1][:200]


@dataclass(frozen=True)
class LessonFacts:
    """What grading needs from a lesson, read once per run: its source, its release, its graded cells."""
    source: object
    release: object
    grade_ids: list[str]
    max_score: float


def lesson_facts(course: Course, lesson: str) -> LessonFacts:
    source = read_notebook(course.source_notebook(lesson))
    ids = grade_ids(source)
    cells = cells_by_id(source)
    return LessonFacts(source, read_notebook(course.release_notebook(lesson)), ids,
                       float(sum(nbgrader_meta(cells[g]).get("points", 0) for g in ids)))


def _failed_run(log: runlog.RunLog, text: str, limits: Limits) -> tuple[str, str]:
    """Status and reason when nbgrader could not finish the notebook: say what actually stopped it."""
    if log.killed_by_watchdog:
        return st.TIMED_OUT, (f"the notebook ran past its {limits.notebook_timeout} s limit and ignored the "
                              f"interrupt (last cell: {log.current_cell or 'unknown'}); the sandbox was stopped")
    if log.memory_errors:
        return st.OUT_OF_MEMORY, f"{log.memory_errors[0]} ran out of memory (limit {limits.memory_mb} MiB), then the kernel died"
    if "DeadKernelError" in text or "kernel died" in text.lower() or "Kernel died" in text:
        where = f" while running {log.current_cell}" if log.current_cell else ""
        return st.KERNEL_DIED, (f"the kernel stopped{where} (it exited, crashed, or hit the "
                                f"{limits.memory_mb} MiB memory limit); nothing was scored")
    return st.GRADING_ERROR, _useful_line(text)


def _status_after_run(log: runlog.RunLog, notes: list[str], limits: Limits) -> tuple[str, str]:
    """The one status of a notebook that ran to the end, the most serious cause first."""
    if log.memory_errors:
        return st.OUT_OF_MEMORY, (f"{', '.join(log.memory_errors)} ran out of memory (limit {limits.memory_mb} MiB);"
                                  " later cells were still graded")
    if log.budget_exhausted_at:
        return st.TIMED_OUT, (f"the notebook used up its {limits.notebook_timeout} s limit at "
                              f"{log.budget_exhausted_at}; cells from there on scored nothing")
    if log.cell_timeouts:
        return st.TIMED_OUT, (f"{', '.join(log.cell_timeouts)} ran longer than {limits.cell_timeout} s; "
                              "later cells were still graded")
    if log.output_cut:
        return st.OUTPUT_TOO_LARGE, (f"{', '.join(dict.fromkeys(log.output_cut))} printed more than "
                                     f"{limits.max_cell_output:,} bytes; the rest was dropped, the score counts")
    if notes:
        return st.CELLS_RESTORED, "put back from the source: " + "; ".join(notes)
    return st.OK, ""


def grade_submission(api, course: Course, student: str, lesson: str, facts: LessonFacts,
                     limits: Limits) -> Outcome:
    outcome = Outcome(student, lesson, st.OK, max_score=facts.max_score)
    forget(course, student, lesson)
    try:
        submitted = read_notebook(course.submitted_notebook(student, lesson))
    except UnreadableNotebook as exc:
        outcome.status, outcome.reason = st.UNREADABLE, exc.detail
        return outcome
    _, notes = rebuild(submitted, facts.source, facts.release)
    findings = check_submission(submitted, facts.source, facts.release) if limits.static_check else []

    log = runlog.start()
    result = api.autograde(lesson, student)
    if not result["success"]:
        forget(course, student, lesson)
        outcome.status, outcome.reason = _failed_run(log, (result.get("error") or "") + "\n" + (result.get("log") or ""), limits)
    else:
        outcome.score, outcome.max_score, outcome.cells = _scores(course, student, lesson)
        outcome.status, outcome.reason = _status_after_run(log, notes, limits)
        out_of_range = [g for g, (got, most) in outcome.cells.items() if not 0 <= got <= most]
        if out_of_range or not 0 <= outcome.score <= facts.max_score:
            findings.append(Finding("gradebook", 0, f"scores out of range for {', '.join(out_of_range) or 'the total'}"))
    if findings:
        # Graded in the sandbox all the same; the instructor sees what the tests gave and decides.
        outcome.withheld_score, outcome.score, outcome.cells = outcome.score, None, {}
        outcome.status = st.TAMPER
        outcome.reason = "; ".join(f.describe() for f in findings[:3]) + (f" (+{len(findings) - 3} more)" if len(findings) > 3 else "")
        _withdraw_from_gradebook(course, student, lesson)
    return outcome


def autograde(course: Course, lessons=None, students=None,
              cell_timeout: int = DEFAULT_CELL_TIMEOUT, limits: Limits | None = None) -> list[Outcome]:
    """Grade every submission of the given lessons (all by default); record each outcome in the ledger."""
    from course_lib.progress import progress

    limits = limits or Limits(cell_timeout=cell_timeout)
    if limits.sandbox:
        require_bwrap()
    lessons = course.resolve_lessons(lessons)
    pairs = submissions(course, lessons, students)
    prepare_assignments(course, lessons)
    api = make_api(course, limits=limits)  # one nbgrader start-up for the whole class
    facts = {lesson: lesson_facts(course, lesson) for lesson in lessons}
    ledger = Ledger(course.course_dir)
    results, failures = [], 0
    bar = progress(pairs, desc="autograde", unit="notebook")
    for student, lesson in bar:
        outcome = grade_submission(api, course, student, lesson, facts[lesson], limits)
        ledger.record(outcome)
        results.append(outcome)
        failures += outcome.status != st.OK
        bar.set_postfix(not_ok=failures)
    return results
