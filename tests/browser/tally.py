"""What the browser suite exercised, counted as it goes and printed at the end of the session."""

from __future__ import annotations

import json
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts" / "browser"
SUMMARY_FILE = ARTIFACTS / "summary.json"

counts = {"lessons opened": 0, "widgets moved": 0, "Validate runs": 0, "formgrader submissions checked": 0}
notes: list[str] = []  # one line per lesson: timings, the slider moved


def add(what: str, n: int = 1) -> None:
    counts[what] += n


def note(line: str) -> None:
    notes.append(line)


def headline() -> str:
    return "browser suite exercised: " + ", ".join(f"{n} {what}" for what, n in counts.items())


def save() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    SUMMARY_FILE.write_text(json.dumps({"counts": counts, "notes": notes}, indent=1) + "\n")
    return SUMMARY_FILE
