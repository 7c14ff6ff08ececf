"""What grading one submission produced: a score AND a health status, kept in a ledger beside the gradebook.

nbgrader alone records a failed run as a silent 0 or keeps the score of an earlier run; the ledger says
what happened, and a failure replaces whatever was there before.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

OK = "ok"
CELLS_RESTORED = "cells restored"
TIMED_OUT = "timed out"
OUT_OF_MEMORY = "out of memory"
OUTPUT_TOO_LARGE = "output too large"
KERNEL_DIED = "kernel died"
UNREADABLE = "unreadable notebook"
TAMPER = "tamper suspected"
GRADING_ERROR = "grading error"

# Statuses after which the score is still the notebook's honest result (cells that ran were scored).
SCORED_STATUSES = {OK, CELLS_RESTORED, TIMED_OUT, OUT_OF_MEMORY, OUTPUT_TOO_LARGE, KERNEL_DIED}


@dataclass
class Outcome:
    student: str
    lesson: str
    status: str
    reason: str = ""
    score: float | None = None  # None: no score could be computed
    max_score: float = 0.0
    cells: dict[str, list[float]] = field(default_factory=dict)  # grade_id -> [score, max]
    withheld_score: float | None = None  # tamper suspected: what the tests gave, kept for the instructor only
    submission_sha: str = ""             # the file that was graded (a resumed run keeps what is unchanged)
    notebook: str = ""                   # for an assignment of several notebooks; empty: named like the lesson
    notes: list[str] = field(default_factory=list)  # for the instructor, beside a counted score (integrity.notes)
    raw_score: float | None = None       # before the late penalty (grader.pipeline.late); score is after it
    penalty: float = 0.0
    days_late: float = 0.0               # past the student's due date (extension included)
    pending: list[str] = field(default_factory=list)  # answers to grade by hand in the formgrader (0 until then)

    @property
    def auto_max(self) -> float:
        """The points the autograder gives out: all but the answers graded by hand."""
        return self.max_score - sum(self.cells.get(g, [0.0, 0.0])[1] for g in self.pending)

    @property
    def unit(self) -> str:
        """What was graded: the lesson, or assignment/notebook when an assignment has several notebooks."""
        return self.lesson if self.notebook in ("", self.lesson) else f"{self.lesson}/{self.notebook}"

    @property
    def key(self) -> str:
        return f"{self.student}/{self.unit}"

    def describe(self) -> str:
        text = self.status + (f": {self.reason}" if self.reason else "")
        if self.withheld_score is not None:
            text += f" (the tests gave {self.withheld_score:g} / {self.max_score:g}; withheld for review)"
        return text


class Ledger:
    """outcomes.json in the course folder, rewritten atomically after every submission."""

    def __init__(self, course_dir: Path):
        self.path = Path(course_dir) / "outcomes.json"

    def load(self) -> dict[str, Outcome]:
        if not self.path.exists():
            return {}
        raw = json.loads(self.path.read_text(encoding="utf-8"))
        return {key: Outcome(**value) for key, value in raw.items()}

    def record(self, outcome: Outcome) -> None:
        outcomes = self.load()
        outcomes[outcome.key] = outcome
        tmp = self.path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps({k: asdict(v) for k, v in sorted(outcomes.items())}, indent=1), encoding="utf-8")
        os.replace(tmp, self.path)
