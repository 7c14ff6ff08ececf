"""Who the students are, as far as the course folder knows, and what a student id in course.toml means.

A student's id is the name of their folder in submitted/ (the id every report shows). For a Canvas download
that is the login name Canvas puts first in the file names, or `<login>-<user id>` when two Canvas accounts
share a login name (namesakes): the Canvas user id, not the login name, says who a file belongs to. In
course.toml a student may be named by that id, by their Canvas user id, or by their SIS login in the Canvas
roster ([lms] canvas_roster); a login name two collected students share names nobody and is refused.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST = Path(".grader") / "collected.json"  # "<student>/<lesson>" -> how that submission arrived


def read_manifest(course_dir: Path) -> dict:
    path = Path(course_dir) / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except ValueError:
        return {}


@dataclass(frozen=True)
class CanvasStudent:
    student: str  # the student's id in this course folder
    login: str    # the name Canvas put first in the download's file names


def canvas_students(course_dir: Path) -> dict[str, CanvasStudent]:
    """Canvas user id -> the student collected for it (grader collect keeps one id per Canvas account)."""
    found = {}
    for key, info in sorted(read_manifest(course_dir).items()):
        if isinstance(info, dict) and info.get("canvas_id"):
            found.setdefault(str(info["canvas_id"]), CanvasStudent(key.split("/")[0], info.get("canvas_login") or ""))
    return found


def submitted_students(course_dir: Path) -> frozenset[str]:
    submitted = Path(course_dir) / "submitted"
    return frozenset(p.name for p in submitted.iterdir() if p.is_dir()) if submitted.is_dir() else frozenset()


def roster_ids(path: Path) -> dict[str, str]:
    """A Canvas gradebook export's students: SIS Login ID -> Canvas ID, and each ID to itself."""
    ids = {}
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                canvas_id = (row.get("ID") or "").strip()
                if not canvas_id.isdigit():
                    continue  # the "Points Possible" row, or a row that is not a student
                ids[canvas_id] = canvas_id
                login = (row.get("SIS Login ID") or "").strip()
                if login:
                    ids[login] = canvas_id
    except (OSError, UnicodeDecodeError, csv.Error):
        return {}
    return ids


@dataclass(frozen=True)
class KnownStudents:
    """Everyone the course folder knows of: submitted/, Canvas accounts collected, the roster, course.toml's list."""
    folders: frozenset[str] = frozenset()
    canvas: dict[str, CanvasStudent] = field(default_factory=dict)
    roster: dict[str, str] = field(default_factory=dict)   # name or ID -> Canvas ID (the Canvas roster)
    listed: frozenset[str] = frozenset()                   # course.toml [students] ids

    @classmethod
    def of(cls, course_dir: Path) -> "KnownStudents":
        return cls(submitted_students(course_dir), canvas_students(course_dir))

    def canvas_id_of(self, student: str) -> str | None:
        """The Canvas user id behind a student id, when one is known."""
        for user_id, known in self.canvas.items():
            if known.student == student:
                return user_id
        return self.roster.get(student)

    def keys_for(self, name: str) -> tuple[str, ...] | str:
        """What a name in course.toml stands for: the keys a lookup by student id will find it under, or,
        when it names nobody or two people, why (a sentence)."""
        if name in self.folders or name in {c.student for c in self.canvas.values()}:
            canvas_id = self.canvas_id_of(name)
            return (name, f"canvas:{canvas_id}") if canvas_id else (name,)
        if name in self.roster:
            return (name, f"canvas:{self.roster[name]}")
        if name.isdigit() and name in self.canvas:
            return (name, f"canvas:{name}")
        namesakes = sorted(uid for uid, c in self.canvas.items() if c.login == name)
        if len(namesakes) == 1:
            return (name, f"canvas:{namesakes[0]}")
        if namesakes:
            ids = ", ".join(self.canvas[uid].student for uid in namesakes)
            return (f"{len(namesakes)} Canvas students share the login name {name!r} ({ids}): name one by "
                    "their student id or Canvas user id")
        if name in self.listed:
            return (name, f"canvas:{name}") if name.isdigit() else (name,)
        return (f"no student {name!r}: not in submitted/, not a Canvas user id or login name collected, "
                "not in the Canvas roster ([lms] canvas_roster) nor in [students] ids")
