"""Autograding throughput: `grader autograde --workers 2` against plain sequential nbgrader, in one run.

The class: five students per lesson (the solution, the blank release, two bug-bank submissions and the
solution with a debugging print), for every lesson that exists. Plain nbgrader grades it with its default
configuration (no sandbox, no static check, one notebook after another); the grader grades the same files
with 2 workers, then with 2 workers and the cells marked `skip_in_grading` skipped, then (skipping) on a local
Dask cluster of 1 and of 2 worker processes with kernels started on demand (the scaling), and of 2 with
kernels started ahead (the default). Prints seconds, the ratios (goals: >= 1.8x, >= 3x with skipping,
Dask 2 vs 1 worker >= 1.6x) and whether every score agrees with plain nbgrader's.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from grader.bug_bank import bugs_for
from grader.course import samples
from grader.course.folder import Course, ensure_tools_on_path
from grader.course.limits import Limits
from grader.delivery.release import prepare_assignments
from grader.pipeline.autograde import autograde

WORKERS = 2


def _class(course: Course, lessons: list[str]) -> list[tuple[str, str]]:
    pairs = []
    for lesson in lessons:
        right = samples.filled_in(course, lesson)
        bugs = bugs_for(lesson)
        notebooks = {"ada": right, "bo": samples.blank(course, lesson),
                     "cy": samples.plant(right, bugs[0].function, bugs[0].source) if bugs else right,
                     "di": samples.plant(right, bugs[-1].function, bugs[-1].source) if bugs else right,
                     "ed": right}
        for student, nb in notebooks.items():
            samples.write(nb, course.submitted_notebook(student, lesson))
            pairs.append((student, lesson))
    return pairs


def _plain_nbgrader(course_dir: Path, pairs) -> tuple[float, dict]:
    """nbgrader as it comes: its own Execute, no sandbox, sequential, one API start-up."""
    from nbgrader.api import Gradebook
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    c = Config()
    c.CourseDirectory.root = str(course_dir)
    c.CourseDirectory.db_url = f"sqlite:///{course_dir / 'gradebook.db'}"
    c.Execute.timeout = 120
    c.Execute.extra_arguments = ["--HistoryManager.hist_file=:memory:", "--IPKernelApp.log_level=ERROR"]
    api = NbGraderAPI(coursedir=CourseDirectory(config=c), config=c)
    start = time.perf_counter()
    for student, lesson in pairs:
        api.autograde(lesson, student)
    seconds = time.perf_counter() - start
    scores = {}
    with Gradebook(c.CourseDirectory.db_url) as gb:
        for student, lesson in pairs:
            scores[(student, lesson)] = float(gb.find_submission_notebook(lesson, lesson, student).score)
    return seconds, scores


def _grader(course: Course, lessons, skip: bool) -> tuple[float, dict]:
    start = time.perf_counter()
    outcomes = autograde(course, lessons, limits=Limits(cell_timeout=120, skip_ungraded=skip), workers=WORKERS)
    return time.perf_counter() - start, {(o.student, o.lesson): o.score for o in outcomes}


def _dask(course: Course, lessons, n_workers: int, spare_kernels: bool) -> float:
    """The same class through a local Dask cluster of n single-threaded worker processes."""
    import dask
    from distributed import LocalCluster

    # Workers as the README starts them for grading: without Dask's statistical profiler, which samples
    # every worker thread 100 times a second (here: threads waiting on a kernel) and costs CPU the kernels need.
    with dask.config.set({"distributed.worker.profile.enabled": False}), LocalCluster(
            n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None,
            host="127.0.0.1") as cluster:
        start = time.perf_counter()
        autograde(course, lessons, limits=Limits(cell_timeout=120, skip_ungraded=True, spare_kernels=spare_kernels),
                  scheduler=cluster.scheduler_address)
        return time.perf_counter() - start


def main() -> None:
    ensure_tools_on_path()
    os.environ["COURSE_QUIET"] = "1"
    repo = Course.at()
    lessons = repo.resolve_lessons()
    with tempfile.TemporaryDirectory(prefix="bench-throughput-") as tmp:
        base = Course(repo.repo, Path(tmp) / "grader")
        prepare_assignments(base, lessons)
        pairs = _class(base, lessons)
        plain_dir = Path(tmp) / "plain"
        shutil.copytree(base.course_dir, plain_dir, ignore=shutil.ignore_patterns("gradebook.db", "nbgrader_config.py"))
        prepare_assignments(Course(repo.repo, plain_dir), lessons)  # its own gradebook
        (plain_dir / "nbgrader_config.py").unlink(missing_ok=True)
        plain_s, plain_scores = _plain_nbgrader(plain_dir, pairs)
        ours_s, ours = _grader(base, lessons, skip=False)
        skip_s, skipped = _grader(base, lessons, skip=True)
        # Scaling with the number of workers is measured with kernels started on demand: a worker that boots
        # its next kernel ahead already keeps a second core busy, so on 2 cores one worker is not one core.
        dask1_s = _dask(base, lessons, 1, spare_kernels=False)
        dask2_s = _dask(base, lessons, 2, spare_kernels=False)
        dask2_ahead_s = _dask(base, lessons, 2, spare_kernels=True)
    agree = sum(ours[p] == plain_scores[p] for p in pairs)
    agree_skip = sum(skipped[p] == ours[p] for p in pairs)
    print(f"throughput on {len(pairs)} submissions ({len(lessons)} lesson(s) x 5 students), {os.cpu_count()} cores")
    print(f"  plain nbgrader, sequential        {plain_s:8.1f} s   1.00x")
    print(f"  grader --workers {WORKERS}              {ours_s:8.1f} s   {plain_s / ours_s:.2f}x  (goal >= 1.8x)")
    print(f"  grader --workers {WORKERS} --skip-ungraded {skip_s:8.1f} s   {plain_s / skip_s:.2f}x  (goal >= 3x)")
    print(f"  Dask, 1 worker process            {dask1_s:8.1f} s   (kernels started on demand)")
    print(f"  Dask, 2 worker processes          {dask2_s:8.1f} s   {dask1_s / dask2_s:.2f}x of 1 worker  (goal >= 1.6x)")
    print(f"  Dask, 2 workers, kernels ahead    {dask2_ahead_s:8.1f} s   {plain_s / dask2_ahead_s:.2f}x plain nbgrader "
          "(the default)")
    print(f"  scores equal to plain nbgrader's: {agree} of {len(pairs)}; with skipping equal to without: "
          f"{agree_skip} of {len(pairs)}")
