"""What happened while one notebook was executed, as seen from the grader's side (never the kernel's).

The sandboxed executor and kernel manager write here; the autograder reads it to name a status. Each
thread that executes notebooks has its own current log: `start()` before a submission, `current()` while
it runs (a kernel manager keeps a reference for its watchdog thread).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass
class RunLog:
    current_cell: str = ""                                       # the cell being executed (grade id or "cell N")
    cell_timeouts: list[str] = field(default_factory=list)       # cells stopped by the per-cell limit
    budget_exhausted_at: str = ""                                # first cell cut by the whole-notebook limit
    output_cut: list[str] = field(default_factory=list)          # cells whose output passed the size limit
    memory_errors: list[str] = field(default_factory=list)       # cells that raised MemoryError
    killed_by_watchdog: bool = False                             # the sandbox was killed for time
    kernel_died_at: str = ""                                     # the cell during which the kernel stopped
    kernel_names: list[str] = field(default_factory=list)        # "test cell: name" read from the kernel, not graded
    executed: list[str] = field(default_factory=list)            # the cells run (a regrade runs some only)
    seconds: float = 0.0


_local = threading.local()


def start() -> RunLog:
    _local.log = RunLog()
    return _local.log


def current() -> RunLog:
    if not hasattr(_local, "log"):
        _local.log = RunLog()
    return _local.log
