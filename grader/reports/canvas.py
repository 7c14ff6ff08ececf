"""Grades and feedback in the shapes Canvas takes them.

Gradebook import (Canvas: Grades > Import): a CSV whose first five columns are Student, ID, SIS User ID,
SIS Login ID, Section, then one column per assignment. A column named like an existing assignment
("Lesson 01 (12345)", as Canvas exports it) fills that assignment; any other name creates a new one, so
nothing but assignments follows the five. A second row that starts with "Points Possible" gives each
assignment's maximum. An empty cell leaves a grade unset: a submission that was not scored (withheld for
review, unreadable, failed) is exported empty, never 0; so is a lesson whose answers in words are still to
grade by hand, unless the instructor asks for its autograded part (`grader report --with-pending`): a partial
score must not read as final (grader.reports.grades says which lessons were held back).

Students are matched to Canvas's own rows through its gradebook export (course.toml [lms] canvas_roster):
by the user id in the names of Canvas's submission download (grader.delivery.collect keeps it), else by SIS Login
ID or the student's name as the download spells it. Without a roster the five columns carry what is known.

Feedback (Canvas: Assignment > Re-Upload Submissions): a zip of files named as in Canvas's download, the
<name>_<user id>_<attachment id>_ prefix first, each attached to that student's submission as a comment.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
POINTS_ROW = "    Points Possible"
_ASSIGNMENT_ID = re.compile(r"^(?P<name>.*?)\s*\((?P<id>\d+)\)\s*$")


def read_roster(path: Path) -> tuple[list[dict], dict[str, str]]:
    """(student rows, lesson -> the column header Canvas uses for it) from a Canvas gradebook export."""
    with Path(path).open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        missing = [c for c in IDENTITY if c not in (reader.fieldnames or [])]
        if missing:
            from grader.errors import GraderError

            raise GraderError(f"{path}: not a Canvas gradebook export (no {', '.join(missing)} column)")
        headers = [h for h in reader.fieldnames if h not in IDENTITY]
        rows = [r for r in reader if not (r.get("Student") or "").strip().startswith("Points Possible")
                and (r.get("Student") or "").strip() and (r.get("Student") or "").strip() != "Test Student"]
    columns = {}
    for header in headers:
        match = _ASSIGNMENT_ID.match(header)
        columns[(match["name"] if match else header).strip()] = header
    return rows, columns


def _match(student: str, canvas_id: str | None, rows: list[dict]) -> dict | None:
    for row in rows:
        if canvas_id and row.get("ID", "").strip() == canvas_id:
            return row
    slug = re.sub(r"[^a-z0-9]", "", student.lower())
    for row in rows:
        if row.get("SIS Login ID", "").strip().lower() == student.lower():
            return row
        if re.sub(r"[^a-z0-9]", "", row.get("Student", "").lower()) == slug and slug:
            return row
    return None


def _number(value) -> str:
    """A score as Canvas reads it: up to four decimals, no exponent, empty when there is none."""
    return "" if value is None else f"{round(float(value), 4):.4f}".rstrip("0").rstrip(".")


def gradebook_csv(scores: dict[str, dict[str, float | None]], max_points: dict[str, float], canvas_ids: dict,
                  roster: tuple[list[dict], dict[str, str]] | None = None) -> tuple[str, list[str]]:
    """(CSV text, students not found in the roster). scores: student -> lesson -> score (None: unset)."""
    rows, columns = roster if roster else ([], {})
    lessons = sorted(max_points)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(IDENTITY + [columns.get(lesson, lesson) for lesson in lessons])
    writer.writerow([POINTS_ROW, "", "", "", ""] + [_number(max_points[lesson]) for lesson in lessons])
    unmatched = []
    for student in sorted(scores):
        row = _match(student, canvas_ids.get(student), rows) if rows else None
        if roster and row is None:
            unmatched.append(student)
            continue
        identity = [row.get(c, "") for c in IDENTITY] if row else [student, canvas_ids.get(student) or "", "", student, ""]
        writer.writerow(identity + [_number(scores[student].get(lesson)) for lesson in lessons])
    return out.getvalue(), unmatched


def feedback_zip(target: Path, pages: list[tuple[str, str, Path]], manifest: dict) -> list[str]:
    """Write Canvas's re-upload zip for one lesson: (student, lesson, html page) each under its download
    prefix. Returns the students it could not name (collected without a Canvas prefix)."""
    without = []
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for student, lesson, page in pages:
            prefix = (manifest.get(f"{student}/{lesson}") or {}).get("prefix")
            if not prefix:
                without.append(student)
                continue
            zf.write(page, f"{prefix}{lesson}_feedback.html")
    return without
