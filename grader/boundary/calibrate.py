"""Which test cells of a foreign nbgrader course cannot run across the boundary: found once per source.

This course's tests are written to work both ways (in the student's kernel and in the grader's process).
A test cell of another course may need what cannot cross: kernel state read in place, an object compared
with ==. Such a cell is found by running the course's own source notebook (its solutions) with every test
cell in the trusted process: a test the solution fails there, and passes in the kernel, is graded in the
kernel for every student, and the report names it. The answer is kept per source, so a class pays once.

Deciding from the instructor's solution, never from a submission, is what keeps this safe: no student can
make a cell fall back to the kernel.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from grader.course.notebooks import is_test_cell, nbgrader_meta


def _key(source_nb) -> str:
    return hashlib.sha256(json.dumps(source_nb, sort_keys=True, default=str).encode()).hexdigest()


def _failing(executed) -> set[str]:
    return {nbgrader_meta(c).get("grade_id") for c in executed.cells
            if is_test_cell(c) and any(o.get("output_type") == "error" for o in c.get("outputs", []))}


def cells_for_the_kernel(cache_dir: Path, name: str, source_nb, run) -> frozenset[str]:
    """Grade ids of the test cells to run in the kernel. `run(in_kernel)` executes the source notebook with
    those cells in the kernel and returns it executed (or None when it could not run at all)."""
    cache = Path(cache_dir) / f"{name}.json"
    key = _key(source_nb)
    try:
        saved = json.loads(cache.read_text(encoding="utf-8"))
        if saved.get("source") == key:
            return frozenset(saved["in_kernel"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    trusted = run(frozenset())
    if trusted is None:
        return frozenset()  # the solution does not run at all: nothing to learn, grade everything here
    failing = frozenset(_failing(trusted))
    if failing:
        in_kernel = run(failing)
        # Only cells the solution passes in the kernel: a test that fails both ways stays in the grader.
        failing = failing - _failing(in_kernel) if in_kernel is not None else frozenset()
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps({"source": key, "in_kernel": sorted(failing)}), encoding="utf-8")
    return frozenset(failing)
