"""A grading run: which submissions, prepared here, executed by workers, scored as each finishes, recorded.

The stages, one module each: lesson facts (grader.pipeline.facts), prepare (rebuild and check,
grader.pipeline.prepare), execute (a Job on a worker, grader.pipeline.jobs and grader.pipeline.workers),
score (nbgrader in this process, grader.pipeline.scoring), record (the ledger, grader.pipeline.outcomes).
"""

from __future__ import annotations

from grader.course.folder import Course
from grader.course.limits import Limits
from grader.course.nbgrader_api import make_api
from grader.delivery.release import prepare_assignments
from grader.errors import GraderError
from grader.isolation.bwrap import require_bwrap
from grader.isolation.scratch import matplotlib_cache
from grader.patches import gradebook_engine
from grader.patches.guard import warn_if_changed
from grader.pipeline import outcomes as st
from grader.pipeline.facts import calibrated, lesson_facts
from grader.pipeline.jobs import Executed
from grader.pipeline.outcomes import Ledger, Outcome
from grader.pipeline.prepare import prepare, sha_of
from grader.pipeline.scoring import finish
from grader.pipeline.stages import grading_config, write_config_file
from grader.pipeline.workers import open_workers


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


def _already_graded(done: dict[str, Outcome], course: Course, pairs) -> set[tuple[str, str]]:
    """Submissions the ledger has a final outcome for, from the very file still in submitted/."""
    keep = set()
    for student, lesson in pairs:
        ok = True
        for nb in course.notebooks(lesson):
            path = course.submitted_notebook(student, lesson, nb)
            o = done.get(Outcome(student, lesson, "", notebook=nb).key)
            ok &= bool(o) and o.status != st.GRADING_ERROR and o.submission_sha == (sha_of(path) if path.exists() else "")
        if ok:
            keep.add((student, lesson))
    return keep


def autograde(course: Course, lessons=None, students=None, limits: Limits | None = None, workers: int | None = None, resume: bool = False,
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

    limits = limits or Limits()
    warn_if_changed()
    if limits.sandbox:
        require_bwrap()
        matplotlib_cache()  # before any thread: see its note
    lessons = course.resolve_lessons(lessons)
    pairs = submissions(course, lessons, students)
    prepare_assignments(course, lessons)
    write_config_file(course)  # nbgrader's own commands and the formgrader in this folder grade the same way
    api = make_api(course, grading_config(course, limits))  # one nbgrader start-up for the whole class
    facts = {(lesson, nb): lesson_facts(course, lesson, nb) for lesson in lessons for nb in course.notebooks(lesson)}
    again = set(regrade or ())
    unknown = again - {g for fact in facts.values() for g in fact.grade_ids}
    if unknown:
        raise GraderError(f"no test cell {', '.join(sorted(unknown))} in {', '.join(lessons)}")
    if course.is_folder_course and limits.trusted_tests:
        facts = {key: calibrated(course, *key, fact, limits) for key, fact in facts.items()}
    ledger = Ledger(course.course_dir)
    kept, results = set(), {}
    if resume:  # the ledger read once for the run, not once per submission kept
        done = ledger.load()
        kept = _already_graded(done, course, pairs)
        for o in done.values():
            if (o.student, o.lesson) in kept:
                results.setdefault((o.student, o.lesson), []).append(o)
    todo = [pair for pair in pairs if pair not in kept]
    bar = progress(total=len(todo), desc="regrade" if regrade else "autograde", unit="submission")
    failures = 0

    def record(pair, outcomes):
        nonlocal failures
        ledger.record_all(outcomes)  # one line appended per notebook, whatever the ledger holds
        results[pair] = outcomes
        failures += any(o.status != st.OK for o in outcomes)
        bar.set_postfix(not_ok=failures)
        bar.update()

    # Notebooks still to be submitted after the current one (at most: some may turn out unreadable).
    to_come = sum(len(course.notebooks(lesson)) for _, lesson in todo)
    with open_workers(scheduler, workers) as pool, gradebook_engine.grading_run(course.gradebook_url):
        running, groups = {}, {}
        for student, lesson in todo:
            prepared = [prepare(course, student, lesson, facts[(lesson, nb)], limits, nb, again)
                        for nb in course.notebooks(lesson)]
            groups[(student, lesson)] = ([Executed(p) for p in prepared if p.notebook is None], len(prepared))
            for p in prepared:
                to_come -= 1
                if p.notebook is not None:
                    # Every slot's last notebook starts no kernel ahead: nothing would take it.
                    ahead = limits.spare_kernels and to_come >= pool.slots
                    running[pool.submit(course, p, limits, ahead)] = (student, lesson)
            if all(p.notebook is None for p in prepared):
                record((student, lesson), finish(api, course, groups[(student, lesson)][0], facts, limits))
        try:
            for future in pool.completed(running):
                pair = running[future]
                done, size = groups[pair]
                done.append(pool.resolve(future))
                if len(done) == size:
                    done.sort(key=lambda e: e.prepared.outcome.notebook)
                    record(pair, finish(api, course, done, facts, limits))
        except BaseException:
            for future in running:
                future.cancel()
            raise
    bar.close()
    return [o for pair in pairs for o in results[pair]]
