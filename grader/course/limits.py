"""The limits a submission is graded under, set once per grading run (CLI flags map onto these)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    cell_timeout: int = 60                    # seconds per cell; the slowest solution cell takes a few
    notebook_timeout: int = 600               # seconds for the whole notebook
    memory_mb: int = 4096                     # address space of the kernel
    max_cell_output: int = 1_000_000          # bytes of output kept per cell
    sandbox: bool = True                      # run kernels in bubblewrap
    static_check: bool = True                 # notes for the instructor on what the code reaches for
    skip_ungraded: bool = False               # skip cells marked course.skip_in_grading
    allowed_imports: tuple[str, ...] = ()      # modules a course uses that get no note (integrity.notes)
    spare_kernels: bool = True                # boot a spare kernel for each worker's next notebook while one runs
    trusted_tests: bool = True                # run test cells in the grader's process (grader.boundary)
    max_cell_traffic_mb: int = 1024           # MiB the grader accepts from a kernel in one test cell
