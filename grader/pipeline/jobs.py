"""One submission's run in a sandboxed kernel as plain data: a Job in, a JobResult out, in any thread or on
any Dask worker; nothing here touches the gradebook."""

from __future__ import annotations

import copy
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from grader.boundary.plan import TestPlan
from grader.course.folder import Course
from grader.course.limits import Limits
from grader.isolation import runlog
from grader.isolation.submission_files import files_beside
from grader.pipeline.stages import grading_config

if TYPE_CHECKING:
    from grader.pipeline.prepare import Prepared


@dataclass
class Executed:
    prepared: Prepared
    notebook: object | None = None
    error: str = ""
    log: runlog.RunLog = field(default_factory=runlog.RunLog)


def _job_files(course: Course, student: str, lesson: str) -> dict[str, bytes]:
    """The files the notebook sees beside it: what the release ships (grader.isolation.submission_files)."""
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
    start_spare: bool = False  # more work is coming to this worker: start its next kernel while this one runs
    plan: TestPlan | None = None  # how the test cells run in the trusted process (None: read from the notebook)
    regrade: object | None = None  # grader.pipeline.execute.Regrade: only some test cells run again


@dataclass
class JobResult:
    notebook: object | None
    error: str
    log: runlog.RunLog


def run_job(job: Job) -> JobResult:
    """Execute one submission in a sandboxed kernel, in any thread or worker; nothing touches the gradebook."""
    from grader.boundary.plan import PLAN_KEY
    from grader.pipeline.execute import REUSE_KEY, SandboxedExecute

    log = runlog.start()
    config = grading_config(Course(Path(job.repo) if job.repo else None, Path(job.course_dir), job.db_url),
                            job.limits)
    config.SandboxedExecute.start_spare = job.start_spare
    if job.repo and job.limits.sandbox:  # this course's lessons: the kernel gets no answer of this lesson
        from grader.delivery.reference_view import for_grading

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


def execute(course: Course, prepared: Prepared, limits: Limits, start_spare: bool = False) -> Executed:
    """Run a prepared submission here (a thread of this process)."""
    result = run_job(make_job(course, prepared, limits, start_spare))
    return Executed(prepared, result.notebook, result.error, result.log)


def make_job(course: Course, prepared: Prepared, limits: Limits, start_spare: bool = False) -> Job:
    o = prepared.outcome
    return Job(o.student, o.lesson, prepared.notebook, _job_files(course, o.student, o.lesson),
               str(course.repo) if course.repo else "", str(course.course_dir), course.gradebook_url, limits,
               start_spare, prepared.plan, prepared.regrade)
