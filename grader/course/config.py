"""The course configuration file, `course.toml` in the course folder: read by every command, overridden by
its flags.

    [limits]                      # as the autograde flags (--cell-timeout ...)
    cell_timeout = 60
    notebook_timeout = 600
    memory_mb = 4096
    max_output = 1000000
    workers = 2
    skip_ungraded = false
    allowed_imports = ["pandas"]  # modules that get no instructor note

    [late]                        # what a late submission loses (grader.pipeline.late)
    policy = "per_day"            # "none", "per_day" (a share per day, up to a cap) or "cutoff" (zero after it)
    per_day = 10                  # percent of the score per started day late
    cap = 50                      # percent: the most a late submission loses (per_day)
    cutoff_days = 7               # days after the due date past which it scores zero (both policies)
    grace_minutes = 10            # minutes late that do not count
    marker_days = 1               # how late an LMS "late" marker counts when it gives no time
    timezone = "UTC"              # of due dates written without an offset

    [lessons."01_search_strategies"]
    due = 2026-10-01T23:59:00+02:00
    points = 14                   # optional: checked against the lesson's points

    [extensions.ada]              # per student: lesson -> new due date, or a number of days
    "01_search_strategies" = 2    # the student: their id, Canvas user id or roster login (grader.course.students)

    [students]                    # optional: the class, when no Canvas roster names it yet
    ids = ["ada", "ben"]

    [lms]
    canvas_roster = "canvas_gradebook.csv"   # Canvas's gradebook export, for the IDs of its import file

    [exchange]                    # nbgrader's exchange on a JupyterHub (release --exchange, collect --exchange,
    root = "/srv/nbgrader/exchange"  # feedback --release)
    course_id = "nn-training"     # the course id the students' nbgrader uses (default nn-training)

A mistake in the file stops the command with one line naming the key (GraderError).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

from grader.course.students import KnownStudents, roster_ids
from grader.errors import GraderError

FILE_NAME = "course.toml"
_COURSE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
LIMIT_KEYS = {"cell_timeout": int, "notebook_timeout": int, "memory_mb": int, "max_output": int, "workers": int,
              "max_cell_traffic_mb": int,
              "skip_ungraded": bool, "allowed_imports": list}
LATE_POLICIES = ("none", "per_day", "cutoff")
LATE_KEYS = {"policy": str, "per_day": (int, float), "cap": (int, float), "cutoff_days": (int, float),
             "grace_minutes": (int, float), "marker_days": (int, float), "timezone": str}


@dataclass(frozen=True)
class LatePolicy:
    policy: str = "none"
    per_day: float = 10.0
    cap: float = 100.0
    cutoff_days: float | None = None
    grace_minutes: float = 0.0
    marker_days: float = 1.0
    timezone: str = "UTC"


@dataclass(frozen=True)
class CourseConfig:
    path: Path | None = None
    limits: dict = field(default_factory=dict)
    late: LatePolicy = LatePolicy()
    due: dict[str, dt.datetime] = field(default_factory=dict)        # lesson -> due date (aware)
    points: dict[str, float] = field(default_factory=dict)           # lesson -> points it should have
    # (student key, lesson): a student key is a student id, or "canvas:<user id>" (grader.course.students)
    extensions: dict[tuple[str, str], dt.timedelta | dt.datetime] = field(default_factory=dict)
    canvas_roster: Path | None = None
    exchange_root: Path | None = None
    exchange_course_id: str | None = None
    canvas_ids: dict[str, str] = field(default_factory=dict)  # student id -> Canvas user id, where known

    def extension(self, student: str, lesson: str) -> dt.timedelta | None:
        """How much later `student`'s due date of `lesson` is (None: no extension)."""
        given = self.extensions.get((student, lesson))
        if given is None and student in self.canvas_ids:
            given = self.extensions.get((f"canvas:{self.canvas_ids[student]}", lesson))
        if given is None or lesson not in self.due:
            return None
        return given if isinstance(given, dt.timedelta) else given - self.due[lesson]


def _fail(path: Path, key: str, why: str):
    raise GraderError(f"{path.name}: {key}: {why}")


def _typed(path, key, value, kind):
    if kind is int and isinstance(value, bool) or not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        _fail(path, key, f"expected {names}, got {value!r}")
    return value


def _date(path: Path, key: str, value, zone: str) -> dt.datetime:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(23, 59, 59))
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            _fail(path, key, f"not a date and time: {value!r} (write e.g. 2026-10-01T23:59:00+02:00)")
    if not isinstance(value, dt.datetime):
        _fail(path, key, f"expected a date and time, got {value!r}")
    if value.tzinfo is None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            value = value.replace(tzinfo=ZoneInfo(zone))
        except ZoneInfoNotFoundError:
            _fail(path, "late.timezone", f"unknown time zone {zone!r}")
    return value


PERCENT_KEYS = ("per_day", "cap")  # a share of the score: 0 to 100


def load(course_dir: Path, lessons: list[str] | None = None, known: KnownStudents | None = None) -> CourseConfig:
    """The course folder's course.toml (an empty configuration when there is none). With `known`, every
    student it names must be one of them (or of its Canvas roster or [students] list)."""
    path = Path(course_dir) / FILE_NAME
    if not path.exists():
        return CourseConfig()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise GraderError(f"{path.name}: not valid TOML: {exc}") from None
    sections = {"limits", "late", "lessons", "extensions", "lms", "exchange", "students"}
    for key in raw:
        if key not in sections:
            _fail(path, key, f"unknown section (known: {', '.join(sorted(sections))})")
    limits = {}
    for key, value in _table(path, raw, "limits").items():
        if key not in LIMIT_KEYS:
            _fail(path, f"limits.{key}", f"unknown key (known: {', '.join(LIMIT_KEYS)})")
        limits[key] = _typed(path, f"limits.{key}", value, LIMIT_KEYS[key])
        if LIMIT_KEYS[key] is int and value < 1:
            _fail(path, f"limits.{key}", f"must be at least 1, got {value}")
    if "allowed_imports" in limits and not all(isinstance(m, str) for m in limits["allowed_imports"]):
        _fail(path, "limits.allowed_imports", "expected a list of module names")
    late_raw = _table(path, raw, "late")
    for key, value in late_raw.items():
        if key not in LATE_KEYS:
            _fail(path, f"late.{key}", f"unknown key (known: {', '.join(LATE_KEYS)})")
        _typed(path, f"late.{key}", value, LATE_KEYS[key])
        if key != "policy" and key != "timezone" and value < 0:
            _fail(path, f"late.{key}", f"must not be negative, got {value}")
        if key in PERCENT_KEYS and value > 100:
            _fail(path, f"late.{key}", f"a percent of the score, at most 100, got {value}")
    if late_raw.get("policy", "none") not in LATE_POLICIES:
        _fail(path, "late.policy", f"must be one of {', '.join(LATE_POLICIES)}, got {late_raw['policy']!r}")
    if late_raw.get("policy") == "cutoff" and "cutoff_days" not in late_raw:
        _fail(path, "late.cutoff_days", "the cutoff policy needs it")
    late = LatePolicy(**{k: (float(v) if isinstance(v, int) and k not in ("policy", "timezone") else v)
                         for k, v in late_raw.items()})
    due, points = {}, {}
    for lesson, table in _table(path, raw, "lessons").items():
        if lessons is not None and lesson not in lessons:
            _fail(path, f"lessons.{lesson}", f"unknown lesson (known: {', '.join(lessons)})")
        if not isinstance(table, dict):
            _fail(path, f"lessons.{lesson}", "expected a table with due (and points)")
        for key, value in table.items():
            if key == "due":
                due[lesson] = _date(path, f"lessons.{lesson}.due", value, late.timezone)
            elif key == "points":
                points[lesson] = float(_typed(path, f"lessons.{lesson}.points", value, (int, float)))
            else:
                _fail(path, f"lessons.{lesson}.{key}", "unknown key (known: due, points)")
    extensions = {}
    for student, table in _table(path, raw, "extensions").items():
        if not isinstance(table, dict):
            _fail(path, f"extensions.{student}", "expected a table lesson = days or date")
        for lesson, value in table.items():
            key = f"extensions.{student}.{lesson}"
            if lessons is not None and lesson not in lessons:
                _fail(path, key, f"unknown lesson (known: {', '.join(lessons)})")
            if lesson not in due:
                _fail(path, key, "the lesson has no due date (lessons.<lesson>.due)")
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                if value < 0:
                    _fail(path, key, f"days of extension must not be negative, got {value}")
                extensions[(student, lesson)] = dt.timedelta(days=value)
            else:
                extensions[(student, lesson)] = _date(path, key, value, late.timezone)
                if extensions[(student, lesson)] < due[lesson]:
                    _fail(path, key, f"a new due date before the lesson's own ({due[lesson].isoformat()})")
    lms = _table(path, raw, "lms")
    for key in lms:
        if key != "canvas_roster":
            _fail(path, f"lms.{key}", "unknown key (known: canvas_roster)")
    roster = None
    if "canvas_roster" in lms:
        roster = Path(course_dir) / _typed(path, "lms.canvas_roster", lms["canvas_roster"], str)
        if not roster.exists():
            _fail(path, "lms.canvas_roster", f"no such file: {roster}")
    exchange = _table(path, raw, "exchange")
    for key in exchange:
        if key not in ("root", "course_id"):
            _fail(path, f"exchange.{key}", "unknown key (known: root, course_id)")
    root = Path(_typed(path, "exchange.root", exchange["root"], str)) if "root" in exchange else None
    course_id = _typed(path, "exchange.course_id", exchange["course_id"], str) if "course_id" in exchange else None
    if course_id is not None and not _COURSE_ID.fullmatch(course_id):
        _fail(path, "exchange.course_id", f"letters, digits, '.', '_' and '-' only, got {course_id!r}")
    canvas_ids, listed = {}, frozenset(_listed_students(path, raw, roster))
    if known is not None:
        known = KnownStudents(known.folders, known.canvas, roster_ids(roster) if roster else {}, listed)
        extensions = _resolved(path, extensions, known)
        canvas_ids = {s: uid for s in known.folders | {c.student for c in known.canvas.values()}
                      if (uid := known.canvas_id_of(s))}
    return CourseConfig(path, limits, late, due, points, extensions, roster, root, course_id, canvas_ids)


def _listed_students(path: Path, raw: dict, roster: Path | None) -> list[str]:
    """[students] ids: the class as course.toml lists it, each in the Canvas roster when there is one."""
    table = _table(path, raw, "students")
    for key in table:
        if key != "ids":
            _fail(path, f"students.{key}", "unknown key (known: ids)")
    ids = table.get("ids", [])
    if not isinstance(ids, list) or not all(isinstance(i, (str, int)) and not isinstance(i, bool) for i in ids):
        _fail(path, "students.ids", "expected a list of student ids")
    ids = [str(i) for i in ids]
    in_roster = roster_ids(roster) if roster else None
    for name in ids:
        if in_roster is not None and name not in in_roster:
            _fail(path, "students.ids", f"{name!r} is not in the Canvas roster {roster.name} (neither an ID nor "
                                        "an SIS Login ID)")
    return ids


def _resolved(path: Path, extensions: dict, known: KnownStudents) -> dict:
    """Each extension under every key a student id lookup can find it by; a name that matches nobody (or two
    namesakes) is a mistake of the file."""
    resolved = {}
    for (name, lesson), value in extensions.items():
        keys = known.keys_for(name)
        if isinstance(keys, str):
            _fail(path, f"extensions.{name}", keys)
        for key in keys:
            resolved[(key, lesson)] = value
    return resolved


def _table(path: Path, raw: dict, name: str) -> dict:
    value = raw.get(name, {})
    if not isinstance(value, dict):
        _fail(path, name, "expected a table")
    return value
