"""nbgrader's Execute stage, run in the sandbox and watched from the grader's side.

Beside starting the kernel in the sandbox (grader.isolation.sandbox), it enforces what nbgrader does not:
- a whole-notebook time budget: each cell's time limit is the smaller of the per-cell limit and what is
  left of the budget, so a slow notebook loses only its last cells (the sandbox's watchdog is the backstop
  for a kernel that ignores interrupts);
- an output limit per cell: past it, printed output is dropped (errors are always kept), so 100 MB of
  prints cannot fill the grader's memory or the gradebook;
- a log of what happened (grader.isolation.runlog), from which the autograder names the status;
- with `start_spare`, the kernel of this thread's next notebook is started while this one runs
  (grader.isolation.spare_kernels), and a kernel started that way is taken when there is one;
- graded test cells never go to the kernel: they run here, in the grader's process, against the student's
  objects through the boundary (grader.boundary), and their outputs are the verdicts nbgrader scores;
- a kernel that dies leaves the cells after it unrun (each says so), and what ran before is still scored.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from jupyter_core.utils import run_sync
from nbclient.exceptions import DeadKernelError
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Bool, Float, Int, Unicode

from grader.boundary.plan import PLAN_KEY, TestPlan, plan_from_source
from grader.boundary.runner import KERNEL_GONE_NAME, TestNamespace, run_test_cell
from grader.boundary.session import KernelBoundary
from grader.course.notebooks import is_test_cell, nbgrader_meta
from grader.isolation import runlog, spare_kernels
from grader.isolation.sandbox import SandboxedKernelManager
from grader.patches.sliced_polling import SlicedPolling
from grader.pipeline import executed as executed_record

REUSE_KEY = "regrade"       # resources key: a Regrade (only some test cells run again)


class Regrade:
    """Run again only the test cells `again` and what they depend on (every cell before the last of them);
    every other test cell keeps the outputs of the last grading (`kept`: grade id -> outputs)."""

    def __init__(self, again, kept: dict):
        self.again, self.kept = set(again), dict(kept)

def replay_outputs(nb, executed) -> None:
    """Copy outputs cell by cell; the notebooks must be the same cells, or scoring would be wrong."""
    if [c.source for c in nb.cells] != [c.source for c in executed.cells]:
        raise RuntimeError("the executed notebook does not match the one nbgrader sanitized; grade it again")
    for cell, done in zip(nb.cells, executed.cells):
        if cell.cell_type == "code":
            cell.outputs = done.get("outputs", [])
            cell.execution_count = done.get("execution_count")


CUT_NOTE = "\n[output cut by the grader: this cell printed more than {limit} bytes]\n"
SKIP_KEY = "skip_in_grading"


def cell_label(cell, index: int) -> str:
    return nbgrader_meta(cell).get("grade_id") or f"cell {index + 1}"


def _size(msg: dict) -> int:
    content = msg.get("content", {})
    if "text" in content:
        return len(content["text"])
    return len(json.dumps(content.get("data", {}), default=str))


class SandboxedExecute(SlicedPolling, Execute):
    sandbox = Bool(True, help="run the kernel in the bubblewrap sandbox").tag(config=True)
    notebook_timeout = Float(600.0, help="seconds the whole notebook may run").tag(config=True)
    max_cell_output = Int(1_000_000, help="bytes of output kept per cell").tag(config=True)
    max_cell_traffic_mb = Int(1024, help="MiB the grader takes from the kernel during one test cell").tag(config=True)
    skip_ungraded = Bool(False, help="do not run cells marked course.skip_in_grading").tag(config=True)
    start_spare = Bool(False, help="start the next notebook's sandboxed kernel while this one runs").tag(config=True)
    trusted_tests = Bool(True, help="run graded test cells in the grader's process, not the kernel").tag(config=True)
    course_root = Unicode("", help="the course folder, where a worker's executed notebook waits to be scored "
                          "(grader.pipeline.executed)").tag(config=True)

    def __init__(self, **kw):
        super().__init__(**kw)
        if self.sandbox:
            self.kernel_manager_class = SandboxedKernelManager
            # The sandbox is thrown away with everything in it: a graceful shutdown would only wait (~0.6 s).
            self.shutdown_kernel = "immediate"
        self.timeout_func = self._cell_timeout
        self._started = time.monotonic()
        self._budget_limited: set[int] = set()
        self._bytes: dict[int, int] = {}
        self._sandbox_km = None
        self._spare_started = False
        self._boundary: KernelBoundary | None = None
        self._tests: TestNamespace | None = None
        self._plan: TestPlan | None = None
        self._dead_at = ""

    def preprocess(self, nb, resources=None, km=None):
        info = (resources or {}).get("nbgrader", {})
        executed = executed_record.take(self.course_root, info["student"], info["assignment"], info["notebook"]) \
            if self.course_root and {"student", "assignment", "notebook"} <= set(info) else None
        if executed is not None:
            replay_outputs(nb, executed)
            return nb, resources
        log = runlog.current()
        self._started = time.monotonic()
        self._spare_started = False
        self._plan = (resources or {}).get(PLAN_KEY) or plan_from_source(nb)
        self._regrade = (resources or {}).get(REUSE_KEY)
        self._until = max((i for i, c in enumerate(nb.cells) if nbgrader_meta(c).get("grade_id") in self._regrade.again),
                          default=-1) if self._regrade else None
        self._dead_at = ""
        try:
            return super().preprocess(nb, resources, km=km)
        finally:
            if self._boundary is not None:
                self._boundary.close()
            self._boundary = self._tests = None
            log.seconds = time.monotonic() - self._started
            # Whatever happened to the kernel, its scratch folder and watchdog go now.
            if isinstance(self._sandbox_km, SandboxedKernelManager):
                self._sandbox_km.release_sandbox()
            self._sandbox_km = None

    def create_kernel_manager(self):
        self._sandbox_km = super().create_kernel_manager()
        if self.sandbox:
            path = (self.resources or {}).get("metadata", {}).get("path")
            spare = spare_kernels.take(self._sandbox_km, self.extra_arguments, Path(path) if path else None)
            if spare is not None:
                self.km = self._sandbox_km = spare
        return self._sandbox_km

    def _start_spare(self) -> None:
        """Once this notebook's kernel is up: boot the next one beside it."""
        self._spare_started = True
        if not (self.sandbox and self.start_spare):
            return
        try:
            spare_kernels.start_spare(lambda: self.kernel_manager_class(kernel_name=self.kernel_name,
                                                                       config=self.config), self.extra_arguments)
        except Exception as exc:  # noqa: BLE001 - the next notebook then starts its kernel itself
            self.log.warning("could not start the next notebook's kernel ahead: %s", exc)

    def _cell_timeout(self, cell) -> float:
        remaining = self.notebook_timeout - (time.monotonic() - self._started)
        if remaining < self.timeout:
            self._budget_limited.add(id(cell))
            return max(remaining, 0.5)  # 0 would mean "no limit" to nbclient
        return self.timeout

    def preprocess_cell(self, cell, resources, index):
        if not self._spare_started:
            self._start_spare()
        if self.skip_ungraded and cell.cell_type == "code" and cell.metadata.get("course", {}).get(SKIP_KEY) \
                and not nbgrader_meta(cell).get("grade") and not nbgrader_meta(cell).get("solution"):
            return cell, resources
        if self._regrade is not None and not self._needed_again(cell, index):
            grade_id = nbgrader_meta(cell).get("grade_id")
            cell.outputs = [NotebookNode(o) for o in self._regrade.kept.get(grade_id, [])] if is_test_cell(cell) else []
            return cell, resources
        log = runlog.current()
        label = cell_label(cell, index)
        log.current_cell = label
        log.executed.append(label)
        if self._dead_at:
            cell.outputs = [NotebookNode(output_type="error", ename=KERNEL_GONE_NAME, evalue="",
                                         traceback=[f"not run: the kernel stopped in {self._dead_at}"])]
            return cell, resources
        if self._runs_here(cell):
            self._run_test_here(cell, label, log)
        else:
            try:
                cell, resources = super().preprocess_cell(cell, resources, index)
            except DeadKernelError:
                self._kernel_died(cell, label, log)
        for output in cell.get("outputs", []):
            if output.get("output_type") != "error":
                continue
            if output.get("ename") == "CellTimeoutError":
                if id(cell) in self._budget_limited:
                    log.budget_exhausted_at = log.budget_exhausted_at or label
                else:
                    log.cell_timeouts.append(label)
            elif output.get("ename") in ("MemoryError", "_ArrayMemoryError"):
                log.memory_errors.append(label)
        return cell, resources

    def _needed_again(self, cell, index: int) -> bool:
        """In a regrade: the test cells to run again, and the cells before the last of them they may depend on."""
        if index > self._until:
            return False
        return not is_test_cell(cell) or nbgrader_meta(cell).get("grade_id") in self._regrade.again

    def _runs_here(self, cell) -> bool:
        return (self.trusted_tests and is_test_cell(cell)
                and nbgrader_meta(cell).get("grade_id") not in self._plan.in_kernel)

    def _run_test_here(self, cell, label: str, log) -> None:
        """The test cell runs in this process; the kernel only answers for the student's objects."""
        if self._boundary is None:
            self._boundary = self._open_boundary()
            self._tests = TestNamespace(self._boundary, self._plan)
        deadline = time.monotonic() + self._cell_timeout(cell)
        outputs, record = run_test_cell(self._boundary, self._tests, cell.source, label, deadline,
                                        self.max_cell_output)
        cell.outputs = [NotebookNode(o) for o in outputs]
        cell.execution_count = None
        log.kernel_names.extend(f"{label}: {name}" for name in record.kernel_names)
        if record.kernel_gone:
            self._kernel_died(cell, label, log, already_reported=True)

    def _open_boundary(self) -> KernelBoundary:
        km = self.km
        workdir = getattr(km, "_workdir", None)
        folder = Path(workdir) / ".k" if workdir else Path(tempfile.mkdtemp(prefix="grader-boundary-"))
        return KernelBoundary(folder, self.kc, run_sync(km.interrupt_kernel), alive=run_sync(km.is_alive),
                              uid=getattr(km, "_uid", None) or None, max_traffic_mb=self.max_cell_traffic_mb)

    def _kernel_died(self, cell, label: str, log, already_reported: bool = False) -> None:
        self._dead_at = label
        log.kernel_died_at = log.kernel_died_at or label
        if not already_reported:
            cell.outputs = list(cell.get("outputs", [])) + [NotebookNode(
                output_type="error", ename=KERNEL_GONE_NAME, evalue="the kernel stopped while this cell ran",
                traceback=[f"the kernel stopped while {label} ran"])]

    def output(self, outs, msg, display_id, cell_index):
        if msg["msg_type"] == "error":
            return super().output(outs, msg, display_id, cell_index)
        used = self._bytes.get(cell_index, 0)
        size = _size(msg)
        if used + size <= self.max_cell_output:
            self._bytes[cell_index] = used + size
            return super().output(outs, msg, display_id, cell_index)
        if used <= self.max_cell_output:  # the first overflow: say so once, on the same stream
            self._bytes[cell_index] = self.max_cell_output + 1
            name = msg.get("content", {}).get("name", "stdout")
            note = NotebookNode(output_type="stream", name=name, text=CUT_NOTE.format(limit=self.max_cell_output))
            outs.append(note)
            runlog.current().output_cut.append(runlog.current().current_cell)
        return None
