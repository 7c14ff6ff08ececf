"""Where notebooks run: threads of this process, or the workers of a Dask distributed cluster, behind one
interface (Workers)."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass

from grader.errors import GraderError
from grader.isolation import spare_kernels
from grader.pipeline.jobs import Executed, execute, make_job, run_job


@dataclass
class Workers:
    """Where notebooks run: submit(course, prepared, limits, start_spare) -> future; completed(futures) yields
    them as they finish; resolve(future) -> Executed; slots: how many notebooks run at once."""
    submit: object
    completed: object
    resolve: object
    slots: int


@contextmanager
def open_workers(scheduler: str | None, workers: int | None):
    """Workers on this machine's threads, or on a Dask distributed cluster."""
    if not scheduler:
        slots = max(1, workers or default_workers())
        try:
            with ThreadPoolExecutor(max_workers=slots, thread_name_prefix="grade") as pool:
                yield Workers(lambda *job: pool.submit(execute, *job), as_completed, lambda future: future.result(),
                             slots)
        finally:
            spare_kernels.discard_all()  # kernels started ahead for work that did not come
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

    def submit(course, prepared, limits, start_spare=False):
        future = client.submit(run_job, make_job(course, prepared, limits, start_spare), pure=False)
        prepared_of[future.key] = prepared
        return future

    def resolve(future) -> Executed:
        r = future.result()
        return Executed(prepared_of[future.key], r.notebook, r.error, r.log)

    with client:
        # A worker's spare kernel that no task takes stops itself (grader.isolation.spare_kernels.IDLE_SECONDS).
        yield Workers(submit, lambda futures: dask_completed(list(futures)), resolve,
                     max(1, sum(client.nthreads().values())))


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)
