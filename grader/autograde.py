"""Grade submissions with nbgrader and say, beside each score, what happened."""

from __future__ import annotations

import copy
import dataclasses
import functools
import hashlib
import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from grader import outcomes as st
from grader import gradebook_engine, runlog, warm_kernels
from grader.course import DEFAULT_CELL_TIMEOUT, Course
from grader.errors import GraderError
from grader.nbgrader_setup import make_api, nbgrader_config
from grader.notebooks import UnreadableNotebook, cells_by_id, grade_ids, is_test_cell, nbgrader_meta, read_notebook
from grader.outcomes import Ledger, Outcome
from grader.limits import Limits
from grader.release import prepare_assignments, released_before
from grader.sandbox import matplotlib_cache, require_bwrap
from grader.boundary.calibrate import cells_for_the_kernel
from grader.boundary.plan import TestPlan, plan_from_source
from grader.integrity.notes import notes_for, student_cells
from grader.late import settle_marker
from grader.integrity.references import refusals
from grader.submission_files import files_beside
from grader.structure import rebuild


def submissions(course: Course, lessons, students=None) -> list[tuple[str, str]]:
    """(student, lesson) pairs that have a submitted notebook, refusing unknown student names."""
    known = course.students()
    if students:
        unknown = [s for s in students if s not in known]
        if unknown:
            raise GraderError(f"no submissions from {', '.join(map(repr, unknown))} in {course.course_dir / 'submitted'}")
    chosen = students or known
    pairs = [(s, lesson) for lesson in lessons for s in chosen
             if any(course.submitted_notebook(s, lesson, nb).exists() for nb in course.notebooks(lesson))]
    if not pairs:
        raise GraderError(f"nothing to grade in {course.course_dir / 'submitted'}: run `grader collect` first")
    return pairs


def forget(course: Course, student: str, lesson: str) -> None:
    """Remove every trace of an earlier grading, so a failed regrade cannot leave a stale score."""
    for path in (course.autograded_notebook(student, lesson), course.feedback_html(student, lesson)):
        shutil.rmtree(path.parent, ignore_errors=True)
    _withdraw_from_gradebook(course, student, lesson)


@dataclass(frozen=True)
class Scores:
    score: float          # after the late penalty
    max_score: float
    cells: dict
    raw: float            # before it
    penalty: float
    seconds_late: float
    pending: list         # grade ids of answers to grade by hand (the formgrader): they count 0 until then


def _scores(course: Course, student: str, lesson: str, notebook: str) -> Scores:
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


def _dates_for(course: Course, student: str, lesson: str) -> None:
    """What nbgrader needs to judge lateness: the student's extension in the gradebook, and a time for a
    submission the LMS marked late without one (grader.late)."""
    from nbgrader.api import Gradebook

    config = course.config()
    settle_marker(course.submitted_notebook(student, lesson).parent, config, student, lesson)
    extension = config.extension(student, lesson)
    if extension is not None:
        with Gradebook(course.gradebook_url) as gb:
            gb.update_or_create_student(student)
            gb.update_or_create_submission(lesson, student, extension=extension)


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
    in_kernel: frozenset = frozenset()  # test cells graded in the kernel (a foreign course's: calibrate)
    released_before: dict = field(default_factory=dict)  # grade id -> earlier releases' sources

    @functools.cached_property
    def plan(self) -> TestPlan:
        """What the trusted side needs to run this lesson's test cells (grader.boundary.plan)."""
        return plan_from_source(self.source, self.in_kernel)


def _calibrated(course: Course, lesson: str, notebook: str, facts: LessonFacts, limits: Limits) -> LessonFacts:
    """A foreign course's facts with the test cells its own solution can only pass in the kernel."""
    def run(in_kernel):
        nb = copy.deepcopy(facts.source)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        files = files_beside(course.source_notebook(lesson, notebook).parent, course.release_notebook(lesson).parent)
        job = Job("(solution)", lesson, nb, files, "", str(course.course_dir), course.gradebook_url, limits,
                  plan=plan_from_source(facts.source, in_kernel))
        result = run_job(job)
        return None if result.error else result.notebook

    found = cells_for_the_kernel(course.course_dir / ".grader" / "calibration", f"{lesson}--{notebook}",
                                 facts.source, run)
    return dataclasses.replace(facts, in_kernel=found) if found else facts



def lesson_facts(course: Course, lesson: str, notebook: str | None = None) -> LessonFacts:
    source = read_notebook(course.source_notebook(lesson, notebook))
    ids = grade_ids(source)
    cells = cells_by_id(source)
    return LessonFacts(source, read_notebook(course.release_notebook(lesson, notebook)), ids,
                       float(sum(nbgrader_meta(cells[g]).get("points", 0) for g in ids)),
                       released_before=released_before(course, lesson, notebook))


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


@dataclass(frozen=True)
class Finding:
    """Something certain about a submission that withholds its score for the instructor."""
    cell: str
    line: int
    what: str

    def describe(self) -> str:
        return f"{self.what}, in {self.cell}, line {self.line}" if self.line else f"{self.what} ({self.cell})"


@dataclass
class Prepared:
    """A submission read, rebuilt and checked in the parent process, ready for a worker to execute."""
    outcome: Outcome
    notebook: object | None = None   # the rebuilt notebook to execute (None: nothing to run)
    restored: list[str] = field(default_factory=list)   # what was put back from the source
    findings: list[Finding] = field(default_factory=list)
    plan: TestPlan | None = None
    regrade: object | None = None  # grader.execute.Regrade when only some test cells run again


@dataclass
class Executed:
    prepared: Prepared
    notebook: object | None = None
    error: str = ""
    log: runlog.RunLog = field(default_factory=runlog.RunLog)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _kept_outputs(course: Course, student: str, lesson: str, notebook: str, sha: str) -> dict | None:
    """The test cells' outputs of the last grading of this very file (None: there is none to build on)."""
    before = Ledger(course.course_dir).load().get(Outcome(student, lesson, "", notebook=notebook).key)
    path = course.autograded_notebook(student, lesson, notebook)
    if before is None or before.submission_sha != sha or before.score is None or not path.exists():
        return None
    try:
        graded = read_notebook(path)
    except GraderError:
        return None
    return {nbgrader_meta(c)["grade_id"]: c.get("outputs", []) for c in graded.cells
            if is_test_cell(c) and nbgrader_meta(c).get("grade_id")}


def prepare(course: Course, student: str, lesson: str, facts: LessonFacts, limits: Limits,
            notebook: str | None = None, regrade: set[str] | None = None) -> Prepared:
    notebook = notebook or lesson
    path = course.submitted_notebook(student, lesson, notebook)
    outcome = Outcome(student, lesson, st.OK, max_score=facts.max_score,
                      submission_sha=_sha(path) if path.exists() else "", notebook=notebook)
    try:
        submitted = read_notebook(path)
        notebook, restored = rebuild(submitted, facts.source, facts.release, facts.released_before)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        findings = []
        if limits.static_check:
            outcome.notes = [n.describe() for n in
                             notes_for(submitted, facts.source, facts.release, limits.allowed_imports)]
            if not course.is_folder_course:
                cells = student_cells(submitted, facts.source, facts.release)
                findings = [Finding(r.cell, r.line, r.what) for r in refusals(cells, lesson, facts.plan.setup_imports)]
        if facts.in_kernel:
            outcome.notes.append("graded in the student's kernel, since they cannot run across the boundary: "
                                 + ", ".join(sorted(facts.in_kernel)))
    except UnreadableNotebook as exc:
        outcome.status, outcome.reason = st.UNREADABLE, exc.detail
        return Prepared(outcome)
    except (RecursionError, MemoryError):
        outcome.status, outcome.reason = st.UNREADABLE, "nested too deeply to be read (cells or metadata)"
        return Prepared(outcome)
    except Exception as exc:  # noqa: BLE001 - whatever one notebook does, the others are graded
        outcome.status, outcome.reason = st.GRADING_ERROR, f"could not be prepared: {type(exc).__name__}: {exc}"[:200]
        return Prepared(outcome)
    again = None
    if regrade:
        from grader.execute import Regrade

        kept = _kept_outputs(course, student, lesson, outcome.notebook, outcome.submission_sha)
        again = Regrade(regrade, kept) if kept is not None else None  # nothing to build on: grade it whole
    return Prepared(outcome, notebook, restored, findings, facts.plan, again)


def _job_files(course: Course, student: str, lesson: str) -> dict[str, bytes]:
    """The files the notebook sees beside it: what the release ships (grader.submission_files)."""
    return files_beside(course.submitted_notebook(student, lesson).parent, course.release_notebook(lesson).parent)


@dataclass
class Job:
    """Everything a worker needs to execute one submission; plain data, so it can travel to a cluster."""
    student: str
    lesson: str
    notebook: object
    files: dict[str, bytes]
    repo: str
    course_dir: str
    db_url: str
    limits: Limits
    warm_next: bool = False  # more work is coming to this worker: start its next kernel while this one runs
    plan: TestPlan | None = None  # how the test cells run in the trusted process (None: read from the notebook)
    regrade: object | None = None  # grader.execute.Regrade: only some test cells run again


@dataclass
class JobResult:
    notebook: object | None
    error: str
    log: runlog.RunLog


def run_job(job: Job) -> JobResult:
    """Execute one submission in a sandboxed kernel, in any thread or worker; nothing touches the gradebook."""
    from grader.execute import PLAN_KEY, REUSE_KEY, SandboxedExecute

    log = runlog.start()
    config = nbgrader_config(Course(Path(job.repo) if job.repo else None, Path(job.course_dir), job.db_url),
                             limits=job.limits)
    config.SandboxedExecute.warm_next = job.warm_next
    if job.repo and job.limits.sandbox:  # this course's lessons: the kernel gets no answer of this lesson
        from grader.reference_view import for_grading

        config.SandboxedKernelManager.course_lib_dir = str(for_grading(job.lesson))
    nb = copy.deepcopy(job.notebook)
    staged = Path(tempfile.mkdtemp(prefix="grader-stage-"))
    try:
        for rel, data in job.files.items():
            (staged / rel).parent.mkdir(parents=True, exist_ok=True)
            (staged / rel).write_bytes(data)
        resources = {"metadata": {"path": str(staged)}}
        if job.plan is not None:
            resources[PLAN_KEY] = job.plan
        if job.regrade is not None:
            resources[REUSE_KEY] = job.regrade
        SandboxedExecute(config=config).preprocess(nb, resources)
        return JobResult(nb, "", log)
    except Exception as exc:  # noqa: BLE001 - any failure of the run becomes this submission's status
        return JobResult(None, f"{type(exc).__name__}: {exc}", log)
    finally:
        shutil.rmtree(staged, ignore_errors=True)


def execute(course: Course, prepared: Prepared, limits: Limits, warm_next: bool = False) -> Executed:
    """Run a prepared submission here (a thread of this process)."""
    result = run_job(make_job(course, prepared, limits, warm_next))
    return Executed(prepared, result.notebook, result.error, result.log)


def make_job(course: Course, prepared: Prepared, limits: Limits, warm_next: bool = False) -> Job:
    o = prepared.outcome
    return Job(o.student, o.lesson, prepared.notebook, _job_files(course, o.student, o.lesson),
               str(course.repo) if course.repo else "", str(course.course_dir), course.gradebook_url, limits,
               warm_next, prepared.plan, prepared.regrade)


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
        from grader.execute import withdraw_replays

        o = group[0].prepared.outcome
        withdraw_replays(o.student, o.lesson)
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
    from grader.execute import offer_replay

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
        offer_replay((student, lesson, e.prepared.outcome.notebook), e.notebook)
    _dates_for(course, student, lesson)
    result = api.autograde(lesson, student)
    if not result["success"]:
        forget(course, student, lesson)
        reason = _useful_line((result.get("error") or "") + "\n" + (result.get("log") or ""))
        for o in outcomes:
            o.status, o.reason = st.GRADING_ERROR, reason
        return outcomes
    for e in group:
        o, fact = e.prepared.outcome, facts[(lesson, e.prepared.outcome.notebook)]
        scores = _scores(course, student, lesson, o.notebook)
        o.score, o.max_score, o.cells = scores.score, scores.max_score, scores.cells
        o.raw_score, o.penalty, o.days_late = scores.raw, scores.penalty, round(scores.seconds_late / 86400, 3)
        o.pending = scores.pending
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
    _withdraw_from_gradebook(course, o.student, o.lesson)


@dataclass
class Engine:
    """Where notebooks run: submit(course, prepared, limits, warm_next) -> future; completed(futures) yields
    them as they finish; resolve(future) -> Executed; slots: how many notebooks run at once."""
    submit: object
    completed: object
    resolve: object
    slots: int


@contextmanager
def executor(scheduler: str | None, workers: int | None):
    """An Engine on this machine's threads, or on a Dask distributed cluster."""
    if not scheduler:
        slots = max(1, workers or default_workers())
        try:
            with ThreadPoolExecutor(max_workers=slots, thread_name_prefix="grade") as pool:
                yield Engine(lambda *job: pool.submit(execute, *job), as_completed, lambda future: future.result(),
                             slots)
        finally:
            warm_kernels.discard_all()  # kernels started ahead for work that did not come
        return
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:
        raise GraderError("--scheduler needs Dask: pip install 'nn-training-course[cluster]'") from None
    try:
        client = Client(scheduler, timeout=30)
    except OSError as exc:
        raise GraderError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    prepared_of = {}

    def submit(course, prepared, limits, warm_next=False):
        future = client.submit(run_job, make_job(course, prepared, limits, warm_next), pure=False)
        prepared_of[future.key] = prepared
        return future

    def resolve(future) -> Executed:
        r = future.result()
        return Executed(prepared_of[future.key], r.notebook, r.error, r.log)

    with client:
        # A worker's spare kernel that no task takes stops itself (grader.warm_kernels.IDLE_SECONDS).
        yield Engine(submit, lambda futures: dask_completed(list(futures)), resolve,
                     max(1, sum(client.nthreads().values())))


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)


def _already_graded(ledger: Ledger, course: Course, pairs) -> set[tuple[str, str]]:
    """Submissions the ledger has a final outcome for, from the very file still in submitted/."""
    done = ledger.load()
    keep = set()
    for student, lesson in pairs:
        ok = True
        for nb in course.notebooks(lesson):
            path = course.submitted_notebook(student, lesson, nb)
            o = done.get(Outcome(student, lesson, "", notebook=nb).key)
            ok &= bool(o) and o.status != st.GRADING_ERROR and o.submission_sha == (_sha(path) if path.exists() else "")
        if ok:
            keep.add((student, lesson))
    return keep


def autograde(course: Course, lessons=None, students=None, cell_timeout: int = DEFAULT_CELL_TIMEOUT,
              limits: Limits | None = None, workers: int | None = None, resume: bool = False,
              scheduler: str | None = None, regrade: list[str] | None = None) -> list[Outcome]:
    """Grade every submission of the given lessons (all by default); record each outcome in the ledger.

    `workers` kernels run at once (threads waiting on sandboxed kernels); the parent alone scores them
    through nbgrader and writes the gradebook and the ledger, one submission at a time, as they finish.
    With `resume`, submissions already graded from the same file are kept, not graded again. With a Dask
    `scheduler` address, the notebooks are executed by the cluster's workers (each in its sandbox) instead.
    With `regrade` (test cells' grade ids, after fixing those tests in the source), only those test cells
    and the cells before them run again; the other test cells keep their last verdicts (a submission that
    changed since, or was not scored, is graded whole).
    """
    from course_lib.progress import progress

    limits = limits or Limits(cell_timeout=cell_timeout)
    if limits.sandbox:
        require_bwrap()
        matplotlib_cache()  # before any thread: see its note
    lessons = course.resolve_lessons(lessons)
    pairs = submissions(course, lessons, students)
    prepare_assignments(course, lessons)
    api = make_api(course, limits=limits)  # one nbgrader start-up for the whole class
    facts = {(lesson, nb): lesson_facts(course, lesson, nb) for lesson in lessons for nb in course.notebooks(lesson)}
    again = set(regrade or ())
    unknown = again - {g for fact in facts.values() for g in fact.grade_ids}
    if unknown:
        raise GraderError(f"no test cell {', '.join(sorted(unknown))} in {', '.join(lessons)}")
    if course.is_folder_course and limits.trusted_tests:
        facts = {key: _calibrated(course, *key, fact, limits) for key, fact in facts.items()}
    ledger = Ledger(course.course_dir)
    kept = _already_graded(ledger, course, pairs) if resume else set()
    results = {pair: [o for o in ledger.load().values() if (o.student, o.lesson) == pair] for pair in kept}
    todo = [pair for pair in pairs if pair not in kept]
    bar = progress(total=len(todo), desc="autograde", unit="submission")
    failures = 0

    def record(pair, outcomes):
        nonlocal failures
        for outcome in outcomes:
            ledger.record(outcome)
        results[pair] = outcomes
        failures += any(o.status != st.OK for o in outcomes)
        bar.set_postfix(not_ok=failures)
        bar.update()

    # Notebooks still to be submitted after the current one (at most: some may turn out unreadable).
    to_come = sum(len(course.notebooks(lesson)) for _, lesson in todo)
    with executor(scheduler, workers) as engine, gradebook_engine.grading_run(course.gradebook_url):
        running, groups = {}, {}
        for student, lesson in todo:
            prepared = [prepare(course, student, lesson, facts[(lesson, nb)], limits, nb, again)
                        for nb in course.notebooks(lesson)]
            groups[(student, lesson)] = ([Executed(p) for p in prepared if p.notebook is None], len(prepared))
            for p in prepared:
                to_come -= 1
                if p.notebook is not None:
                    # Every slot's last notebook starts no kernel ahead: nothing would take it.
                    ahead = limits.start_ahead and to_come >= engine.slots
                    running[engine.submit(course, p, limits, ahead)] = (student, lesson)
            if all(p.notebook is None for p in prepared):
                record((student, lesson), finish(api, course, groups[(student, lesson)][0], facts, limits))
        try:
            for future in engine.completed(running):
                pair = running[future]
                done, size = groups[pair]
                done.append(engine.resolve(future))
                if len(done) == size:
                    done.sort(key=lambda e: e.prepared.outcome.notebook)
                    record(pair, finish(api, course, done, facts, limits))
        except BaseException:
            for future in running:
                future.cancel()
            raise
    bar.close()
    return [o for pair in pairs for o in results[pair]]
