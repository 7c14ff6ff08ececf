"""A run turned into a verdict: nbgrader scores the executed notebooks of one student's assignment in the
parent process, and the run log names the status beside the score; a certain finding withholds it."""

from __future__ import annotations

from grader.course.folder import Course
from grader.course.limits import Limits
from grader.isolation import runlog
from grader.pipeline import executed as executed_record
from grader.pipeline import outcomes as st
from grader.pipeline.gradebook_records import dates_for, forget, scores_of, withdraw_from_gradebook
from grader.pipeline.jobs import Executed
from grader.pipeline.outcomes import Outcome
from grader.pipeline.prepare import Finding


def _useful_line(text: str) -> str:
    """The most informative line of nbgrader's log: an exception, not its 'see the traceback above'."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    lines = [line for line in lines if "see the" not in line.lower() and not line.startswith("[")] or lines
    errors = [line for line in lines if "Error" in line or "Exception" in line]
    return (errors or lines or ["no detail from nbgrader"])[-1][:200]


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


def _status_after_run(log: runlog.RunLog, restored: list[str], limits: Limits) -> tuple[str, str]:
    """The one status of a notebook that ran to the end, the most serious cause first."""
    if log.memory_errors:
        return st.OUT_OF_MEMORY, (f"{', '.join(log.memory_errors)} ran out of memory (limit {limits.memory_mb} MiB);"
                                  " later cells were still graded")
    if log.budget_exhausted_at:
        return st.TIMED_OUT, (f"the notebook used up its {limits.notebook_timeout} s limit at "
                              f"{log.budget_exhausted_at}; cells from there on scored nothing")
    if log.kernel_died_at:
        return st.KERNEL_DIED, (f"the kernel stopped while running {log.kernel_died_at} (it exited, crashed, or hit "
                                f"the {limits.memory_mb} MiB memory limit); the cells after it scored nothing")
    if log.cell_timeouts:
        return st.TIMED_OUT, (f"{', '.join(log.cell_timeouts)} ran longer than {limits.cell_timeout} s; "
                              "later cells were still graded")
    if log.output_cut:
        return st.OUTPUT_TOO_LARGE, (f"{', '.join(dict.fromkeys(log.output_cut))} printed more than "
                                     f"{limits.max_cell_output:,} bytes; the rest was dropped, the score counts")
    if restored:
        return st.CELLS_RESTORED, "put back from the source: " + "; ".join(restored)
    return st.OK, ""


def _withhold(outcome: Outcome, findings: list[Finding], then: str = "") -> None:
    outcome.withheld_score, outcome.score, outcome.cells = outcome.score, None, {}
    outcome.status = st.TAMPER
    outcome.reason = "; ".join(f.describe() for f in findings[:3]) + (
        f" (+{len(findings) - 3} more)" if len(findings) > 3 else "") + (f"; then the run ended: {then}" if then else "")


def finish(api, course: Course, group: list[Executed], facts: dict, limits: Limits) -> list[Outcome]:
    """Score one student's assignment (all its notebooks) through nbgrader, in the parent process only;
    whatever goes wrong, it is this submission's status and no score of it is left behind."""
    try:
        return _finish(api, course, group, facts, limits)
    except Exception as exc:  # noqa: BLE001 - one submission never stops the class
        o = group[0].prepared.outcome
        executed_record.withdraw(course.course_dir, o.student, o.lesson)
        try:
            forget(course, o.student, o.lesson)
        except Exception:  # noqa: BLE001 - the status below still says nothing was scored
            pass
        for e in group:
            out = e.prepared.outcome
            out.score, out.cells = None, {}
            out.status, out.reason = st.GRADING_ERROR, f"could not be scored: {type(exc).__name__}: {exc}"[:200]
        return [e.prepared.outcome for e in group]


def _finish(api, course: Course, group: list[Executed], facts: dict, limits: Limits) -> list[Outcome]:
    outcomes = [e.prepared.outcome for e in group]
    student, lesson = outcomes[0].student, outcomes[0].lesson
    forget(course, student, lesson)
    broken = [e for e in group if e.error or e.prepared.notebook is None]
    if broken:
        # nbgrader scores an assignment as a whole: one notebook that cannot run leaves the others unscored.
        for e in group:
            if e.error:
                e.prepared.outcome.status, e.prepared.outcome.reason = _failed_run(e.log, e.error, limits)
            elif e.prepared.notebook is not None:
                e.prepared.outcome.status = st.GRADING_ERROR
                e.prepared.outcome.reason = f"not scored: {broken[0].prepared.outcome.unit} in the same assignment failed"
        _withhold_flagged(course, group)
        return outcomes
    for e in group:
        executed_record.offer(course.course_dir, student, lesson, e.prepared.outcome.notebook, e.notebook)
    dates_for(course, student, lesson)
    result = api.autograde(lesson, student)
    if not result["success"]:
        forget(course, student, lesson)
        reason = _useful_line((result.get("error") or "") + "\n" + (result.get("log") or ""))
        for o in outcomes:
            o.status, o.reason = st.GRADING_ERROR, reason
        return outcomes
    for e in group:
        o, fact = e.prepared.outcome, facts[(lesson, e.prepared.outcome.notebook)]
        scores = scores_of(course, student, lesson, o.notebook)
        o.score, o.max_score, o.cells = scores.score, scores.max_score, scores.cells
        o.raw_score, o.penalty, o.days_late = scores.raw, scores.penalty, round(scores.seconds_late / 86400, 3)
        o.pending = scores.pending
        o.notes += scores.notes  # hand grades that could not be carried over to this grading
        o.status, o.reason = _status_after_run(e.log, e.prepared.restored, limits)
        o.notes += [f"{read}: read from the student's kernel, not the grader's" for read in dict.fromkeys(e.log.kernel_names)]
        out_of_range = [g for g, (got, most) in o.cells.items() if not 0 <= got <= most]
        if out_of_range or not 0 <= o.score <= fact.max_score:
            e.prepared.findings.append(Finding("gradebook", 0, "scores out of range for "
                                               + (", ".join(out_of_range) or "the total")))
    _withhold_flagged(course, group)
    return outcomes


def _withhold_flagged(course: Course, group: list[Executed]) -> None:
    """A flagged submission says so whatever its run did: code that kills its own kernel is still suspect."""
    flagged = [e for e in group if e.prepared.findings]
    if not flagged:
        return
    for e in group:
        run = e.prepared.outcome
        ran_badly = run.status not in (st.OK, st.CELLS_RESTORED)
        _withhold(run, e.prepared.findings or [
            Finding(flagged[0].prepared.outcome.unit, 0, "withheld with the rest of the assignment")],
            then=f"{run.status}: {run.reason}" if ran_badly else "")
    o = group[0].prepared.outcome
    withdraw_from_gradebook(course, o.student, o.lesson)
