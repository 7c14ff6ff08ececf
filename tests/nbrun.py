"""Run a notebook in a fresh kernel, as a student would (widgets live, no autograder)."""

from __future__ import annotations

from pathlib import Path

import nbformat

from grader.patches.sliced_polling import SlicedNotebookClient
from grader.pipeline.stages import KERNEL_ARGS


def execute(nb: nbformat.NotebookNode, cwd: Path, timeout: int = 300) -> nbformat.NotebookNode:
    """Execute in place; a failing cell raises nbclient's CellExecutionError naming the cell."""
    SlicedNotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(cwd)}},
                         extra_arguments=KERNEL_ARGS).execute()
    return nb


def stderr_of(nb) -> list[str]:
    return [o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
            if o.get("output_type") == "stream" and o.get("name") == "stderr"]
