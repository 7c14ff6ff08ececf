"""What the course costs to run, in one run: each solution notebook executed bare (nbclient, as a
student's kernel would: a kernel started, every cell run), the whole course's total (goal <= 90 s on 2
cores), each lesson's widget redraw latency with the figure drawn (the draw callback of its widgets with
their default values, median of 7; the compute alone is bench.widget_compute's), and grading overhead:
`grader autograde` of the same notebooks, one after another (its one start-up for the class, sandboxes,
static check, scoring), against bare execution (goal <= 1.15x), each the best of two runs; grading starts
each next kernel while a notebook runs, and the figure with every kernel started on demand is printed
beside, as is the cells' time alone.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import nbformat

from grader.course import samples
from grader.course.folder import Course, ensure_tools_on_path
from grader.course.limits import Limits
from grader.delivery.release import prepare_assignments
from grader.patches.sliced_polling import SlicedNotebookClient
from grader.pipeline.autograde import autograde
from grader.pipeline.stages import KERNEL_ARGS

TIMING_CELL = """
import json as _json, statistics as _st, time as _time
import matplotlib.pyplot as _plt
from course_lib import widgets as _widgets
_latency = []
for _draw, _values in _widgets.BUILT:
    _times = []
    for _ in range(7):
        _t = _time.perf_counter(); _draw(**_values); _plt.close("all"); _times.append(_time.perf_counter() - _t)
    _latency.append(_st.median(_times))
print("LATENCY" + _json.dumps(_latency))
"""


# What a grading kernel gets (grader.isolation.scratch.kernel_env): figures are not rendered, numeric libraries use
# one thread. Bare execution under the same settings is the like-for-like baseline of the grading overhead.
GRADER_KERNEL = {"MPLBACKEND": "agg", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@contextmanager
def _environ(values: dict):
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _bare(nb, cwd: Path) -> tuple[float, float, list[float]]:
    """(seconds with the kernel's start, seconds of the cells alone, widget redraw latencies)."""
    nb = nbformat.from_dict(nb)
    start_cells = len(nb.cells)
    nb.cells.append(nbformat.v4.new_code_cell(TIMING_CELL))
    client = SlicedNotebookClient(nb, timeout=600, kernel_name="python3",
                                  resources={"metadata": {"path": str(cwd)}}, extra_arguments=KERNEL_ARGS)
    started = time.perf_counter()
    with client.setup_kernel():
        start = time.perf_counter()
        for index in range(start_cells):
            client.execute_cell(nb.cells[index], index)
        done = time.perf_counter()
        client.execute_cell(nb.cells[-1], start_cells)
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("output_type") == "stream")
    latency = json.loads(text.split("LATENCY", 1)[1].splitlines()[0]) if "LATENCY" in text else []
    return done - started, done - start, latency


def main() -> None:
    ensure_tools_on_path()
    os.environ["COURSE_QUIET"] = "1"
    repo = Course.at()
    rows, total, cells_only, like_grading = [], 0.0, 0.0, 0.0
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        course = Course(repo.repo, Path(tmp) / "course")
        lessons = course.resolve_lessons()
        prepare_assignments(course, lessons)
        for lesson in lessons:
            nb = samples.filled_in(course, lesson)
            samples.write(nb, course.submitted_notebook("bench", lesson))
            bare, cells, latency = _bare(nb, Path(tmp))
            with _environ(GRADER_KERNEL):  # best of 2, as for grading below: this machine's timings wander
                like_grading += min(_bare(nb, Path(tmp))[0] for _ in range(2))
            total += bare
            cells_only += cells
            rows.append((lesson, bare, cells, latency))
        # One class, one start-up: the same notebooks graded one after another (a single worker), with each
        # next kernel started while a notebook runs (the default), then with every kernel started on demand.
        best = {True: float("inf"), False: float("inf")}  # spare_kernels -> seconds
        for _ in range(2):
            for ahead in best:
                start = time.perf_counter()
                outcomes = autograde(course, lessons, ["bench"], workers=1,
                                     limits=Limits(cell_timeout=300, spare_kernels=ahead))
                best[ahead] = min(best[ahead], time.perf_counter() - start)
        graded, cold = best[True], best[False]
    status = {o.lesson: o.describe() for o in outcomes}
    print(f"{'lesson':<28}{'bare s':>8}{'cells s':>9}{'widget redraw ms':>18}  graded status")
    for lesson, bare, cells, latency in rows:
        widget = ", ".join(f"{1e3 * x:.0f}" for x in latency) or "-"
        print(f"{lesson:<28}{bare:>8.2f}{cells:>9.2f}{widget:>18}  {status[lesson]}")
    all_latency = [x for row in rows for x in row[3]]
    print(f"whole course, bare nbclient execution (a kernel started per notebook): {total:.1f} s for {len(rows)} "
          f"lesson(s) (goal <= 90 s on 2 cores); the cells alone: {cells_only:.1f} s")
    print(f"grading the same {len(rows)} notebooks (sandbox, static check, nbgrader start-up and scoring): "
          f"{graded:.1f} s, {graded / like_grading:.2f}x bare execution with the grader's kernel settings "
          f"({like_grading:.1f} s; goal <= 1.15x), {graded / total:.2f}x the student's run")
    print(f"  the same with every kernel started on demand (--no-start-ahead): {cold:.1f} s, "
          f"{cold / like_grading:.2f}x bare execution")
    if all_latency:
        print(f"widget redraw, figure drawn included: median {1e3 * statistics.median(all_latency):.0f} ms, worst "
              f"{1e3 * max(all_latency):.0f} ms over {len(all_latency)} widget(s) (the compute alone: bench widgets)")
