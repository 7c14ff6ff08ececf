"""What grading one submission produced: a score AND a health status, kept in a ledger beside the gradebook.

nbgrader alone records a failed run as a silent 0 or keeps the score of an earlier run; the ledger says
what happened, and a failure replaces whatever was there before.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from grader.pipeline.record_log import RecordLog, upgrade

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


# The ledger's record, version by version: SCHEMA_VERSION is what this grader writes, and _UPGRADES[n] turns
# the fields of a version-n record into version n + 1 (a renamed field is renamed here, never left unreadable).
# Version 0 is an entry of outcomes.json, the whole-file ledger of earlier graders: the same fields.
SCHEMA_VERSION = 1
_UPGRADES: dict[int, Callable[[dict], dict]] = {0: lambda fields: fields}


def _key_of(fields: dict) -> str:
    return Outcome(**fields).key


class Ledger:
    """outcomes.jsonl in the course folder: one line appended per graded notebook (grader.pipeline.record_log).

    A course folder graded by an earlier grader has outcomes.json instead; its first load moves it over.
    """

    def __init__(self, course_dir: Path):
        self.path = Path(course_dir) / "outcomes.jsonl"
        self.old_path = Path(course_dir) / "outcomes.json"
        self._log = RecordLog(self.path, SCHEMA_VERSION, _UPGRADES, _key_of)

    def load(self) -> dict[str, Outcome]:
        self._migrate()
        return {key: Outcome(**fields) for key, fields in sorted(self._log.records().items())}

    def get(self, key: str) -> Outcome | None:
        """One outcome by its key (Outcome.key), without building the others."""
        self._migrate()
        fields = self._log.get(key)
        return None if fields is None else Outcome(**fields)

    def record(self, outcome: Outcome) -> None:
        self.record_all([outcome])

    def record_all(self, outcomes: list[Outcome]) -> None:
        """Several outcomes (an assignment's notebooks) in one write."""
        self._migrate()
        self._log.extend([asdict(o) for o in outcomes])

    def _migrate(self) -> None:
        """outcomes.json (schema version 0) rewritten as the log, then removed: the log wins from then on."""
        if self.path.exists() or not self.old_path.exists():
            return
        raw = json.loads(self.old_path.read_text(encoding="utf-8"))
        self._log.replace_all([upgrade(fields, 0, SCHEMA_VERSION, _UPGRADES) for fields in raw.values()])
        self.old_path.unlink()
