"""Bring submissions into nbgrader's submitted/<student>/<lesson>/<lesson>.ipynb layout.

Accepts a folder laid out <student>/<lesson>.ipynb (or nbgrader's <student>/<lesson>/<notebook>.ipynb), a
Canvas "Download Submissions" zip or folder (grader.delivery.canvas_names), or files named the way another
LMS names downloads (<student>_<anything>_<lesson>.ipynb) at the top of a folder or zip. Zips are unpacked
here; a member that climbs out of the archive or is a link is left out.

A file belongs to the student whose folder holds it, or whose name the LMS put first, and only at the
layout's own depth: nothing in one student's folder can be taken for another student's work. A Canvas
file belongs to the Canvas account its user id names; of several attempts at one lesson the latest is taken
(the highest re-upload number, then the highest submission id). Two files of one student and lesson that
cannot be ordered are an error for that student, and neither is taken. Every file not taken is listed, with
its reason, in the result and in collect_report.csv in the course folder.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path, PurePosixPath

from grader.course.folder import Course
from grader.course.lateness import judge_marker
from grader.course.students import MANIFEST, canvas_students
from grader.course.students import read_manifest as _read_manifest
from grader.delivery.canvas_names import CanvasName, lesson_and_upload, parse
from grader.delivery.exchange import SUBMISSION_FILES, copy_submission_files
from grader.errors import GraderError

# student id, then anything, then the file name; the lesson is the known lesson name the file id ends with.
DEFAULT_FILENAME_REGEX = r"(?P<student_id>[A-Za-z0-9.-]+)_(?P<file_id>.+)\.ipynb$"
SAFE_STUDENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
LATE_MARKER = "late-marker.txt"  # an LMS file marked late, with no time (grader.pipeline.late reads it)
LATE_RULE = "late-rule.txt"      # which rule gave such a file its time (grader.pipeline.late writes it)
MAX_UNZIPPED = 4 << 30  # bytes an archive may unpack to: an export of a large class is far below this
REPORT = "collect_report.csv"


class Why(Enum):
    """Why a file was not taken."""
    NOT_A_NOTEBOOK = "not a notebook"
    UNKNOWN_LESSON = "no known lesson in its name"
    UNNAMED = "its name says no student"
    MISPLACED = "not where the layout puts a student's file"
    LINK = "a link or not a regular file"
    UNSAFE_ID = "an unsafe student id"
    OLDER_ATTEMPT = "an earlier attempt"
    CONFLICT = "two files claim the same student and lesson"
    EXCHANGE = "not a submission in the exchange"


@dataclass(frozen=True)
class NotTaken:
    file: str
    why: Why
    detail: str = ""

    def line(self) -> str:
        return f"{self.file}: {self.why.value}" + (f" ({self.detail})" if self.detail else "")


@dataclass(frozen=True)
class Taken:
    file: str
    student: str
    lesson: str
    canvas_user: str = ""
    late_rule: str = ""  # for a file the LMS marked late: which rule decides what it loses


@dataclass
class CollectResult:
    taken: list[Taken] = field(default_factory=list)
    not_taken: list[NotTaken] = field(default_factory=list)
    report: Path | None = None

    @property
    def collected(self) -> list[tuple[str, str]]:
        return [(t.student, t.lesson) for t in self.taken]

    @property
    def skipped(self) -> list[str]:
        return [n.line() for n in self.not_taken if n.why is not Why.CONFLICT]

    @property
    def conflicts(self) -> list[str]:
        return [n.line() for n in self.not_taken if n.why is Why.CONFLICT]


@dataclass(frozen=True)
class _Candidate:
    path: Path
    student: str
    lesson: str
    canvas: CanvasName | None = None
    upload: int = 0  # Canvas's re-upload number


def _unzip(archive: Path, into: Path) -> Path:
    """Unpack an LMS export; member names that climb out of it or are absolute are refused, as are links."""
    if not zipfile.is_zipfile(archive):
        raise GraderError(f"{archive}: not a zip archive")
    extracted = into / "extracted"
    extracted.mkdir()
    with zipfile.ZipFile(archive) as zf:
        members = [m for m in zf.infolist() if not m.is_dir()]
        if sum(m.file_size for m in members) > MAX_UNZIPPED:
            raise GraderError(f"{archive}: unpacks to more than {MAX_UNZIPPED >> 30} GiB; not an LMS export")
        for member in members:
            parts = PurePosixPath(member.filename.replace("\\", "/")).parts
            if not parts or parts[0] == "/" or ".." in parts or (member.external_attr >> 16) & 0o170000 == 0o120000:
                continue
            target = extracted.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(member) as src, target.open("wb") as dst:
                shutil.copyfileobj(src, dst)
    return extracted


def _identify(path: Path, root: Path, lessons: list[str], matcher) -> _Candidate | NotTaken:
    """Whose file it is and for which lesson, or why it cannot be placed."""
    rel = path.relative_to(root)
    parts = rel.parts
    if len(parts) == 2 and path.stem in lessons:
        return _Candidate(path, parts[0], path.stem)                      # <student>/<lesson>.ipynb
    if len(parts) == 3 and parts[1] in lessons:
        return _Candidate(path, parts[0], parts[1])                       # nbgrader's <student>/<lesson>/<nb>
    canvas = parse(path.name)
    placed = lesson_and_upload(canvas.original.rsplit(".", 1)[0], lessons) if canvas else None
    if canvas and placed:
        if len(parts) != 1:
            return NotTaken(str(rel), Why.MISPLACED, "a Canvas file inside a folder belongs to nobody")
        return _Candidate(path, "", placed[0], canvas, placed[1])         # the student: from the user id, below
    match = matcher.match(path.name)
    if not match:
        return NotTaken(str(rel), Why.UNNAMED, "expected <student>_..._<lesson>.ipynb")
    lesson = max((name for name in lessons if match["file_id"].endswith(name)), key=len, default=None)
    if lesson is None:
        return NotTaken(str(rel), Why.UNKNOWN_LESSON, f"known: {', '.join(lessons)}")
    if len(parts) == 1 or (len(parts) == 2 and parts[0] == match["student_id"]):
        return _Candidate(path, match["student_id"], lesson)
    return NotTaken(str(rel), Why.MISPLACED, f"named for {match['student_id']!r} inside {parts[0]!r}/")


def _matcher(filename_regex: str):
    try:
        matcher = re.compile(filename_regex)
    except re.error as exc:
        raise GraderError(f"--regex {filename_regex!r} is not a regular expression: {exc}") from None
    if not {"student_id", "file_id"} <= set(matcher.groupindex):
        raise GraderError("--regex needs the named groups (?P<student_id>...) and (?P<file_id>...)")
    return matcher


def check_source(source: Path, filename_regex: str = DEFAULT_FILENAME_REGEX) -> None:
    """The mistakes of the command itself, found before anything is read or written."""
    source = Path(source)
    if not source.exists():
        raise GraderError(f"{source}: no such file or folder")
    if source.is_file() and not zipfile.is_zipfile(source):
        raise GraderError(f"{source}: not a zip archive")
    _matcher(filename_regex)


def _canvas_student_ids(candidates: list[_Candidate], course: Course) -> dict[str, str]:
    """Canvas user id -> student id: the one it was collected as before; else its login name, or
    `<login>-<user id>` when another Canvas account (here or collected before) has that login name."""
    known = canvas_students(course.course_dir)
    logins: dict[str, set[str]] = {}
    for uid, student in known.items():
        logins.setdefault(student.login, set()).add(uid)
    for c in candidates:
        logins.setdefault(c.canvas.login, set()).add(c.canvas.user_id)
    ids = {}
    for c in candidates:
        uid, login = c.canvas.user_id, c.canvas.login
        if uid in known:
            ids[uid] = known[uid].student
        else:
            taken_by_other = any(k.student == login for u, k in known.items() if u != uid)
            ids[uid] = login if len(logins[login]) == 1 and not taken_by_other else f"{login}-{uid}"
    return ids


def _files(root: Path) -> list[Path]:
    found = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        # nbgrader's own files beside a notebook in its layout travel with it
        if len(rel.parts) == 3 and path.name in SUBMISSION_FILES or path.is_dir() and not path.is_symlink():
            continue
        found.append(path)
    return found


def _choose(course: Course, root: Path, lessons: list[str], matcher, result: CollectResult) -> list[_Candidate]:
    """One file per student and lesson; every other file into result.not_taken with its reason."""
    candidates = []
    for path in _files(root):
        rel = str(path.relative_to(root))
        if path.is_symlink() or not path.is_file():
            result.not_taken.append(NotTaken(rel, Why.LINK))
        elif path.suffix != ".ipynb":
            result.not_taken.append(NotTaken(rel, Why.NOT_A_NOTEBOOK))
        elif ".ipynb_checkpoints" in path.relative_to(root).parts:
            result.not_taken.append(NotTaken(rel, Why.NOT_A_NOTEBOOK, "a Jupyter checkpoint copy"))
        else:
            placed = _identify(path, root, lessons, matcher)
            (result.not_taken if isinstance(placed, NotTaken) else candidates).append(placed)
    ids = _canvas_student_ids([c for c in candidates if c.canvas], course)
    groups: dict[tuple[str, str], list[_Candidate]] = {}
    for c in candidates:
        student = ids[c.canvas.user_id] if c.canvas else c.student
        if not SAFE_STUDENT_ID.fullmatch(student):
            result.not_taken.append(NotTaken(str(c.path.relative_to(root)), Why.UNSAFE_ID, repr(student)))
            continue
        groups.setdefault((student, c.lesson), []).append(_Candidate(c.path, student, c.lesson, c.canvas, c.upload))
    chosen = []
    for (student, lesson), group in sorted(groups.items()):
        canvas = sorted((c for c in group if c.canvas), key=lambda c: (c.upload, c.canvas.submission_id))
        for older in canvas[:-1]:
            result.not_taken.append(NotTaken(str(older.path.relative_to(root)), Why.OLDER_ATTEMPT,
                                             f"{canvas[-1].path.name} is later"))
        group = [c for c in group if not c.canvas] + canvas[-1:]
        if len(group) > 1:
            for c in group:
                result.not_taken.append(NotTaken(str(c.path.relative_to(root)), Why.CONFLICT,
                                                 f"{student}/{lesson}: {len(group)} files, none was taken; keep one "
                                                 "and collect again"))
            continue
        chosen.append(group[0])
    return chosen


def collect(course: Course, source: Path, filename_regex: str = DEFAULT_FILENAME_REGEX,
            earlier: list[NotTaken] = ()) -> CollectResult:
    """Take the submissions in `source`; `earlier`: files a step before this one did not take (listed too)."""
    source = Path(source)
    check_source(source, filename_regex)
    lessons = course.resolve_lessons()
    matcher = _matcher(filename_regex)
    result = CollectResult(not_taken=list(earlier))
    with tempfile.TemporaryDirectory(prefix="grader-collect-") as tmp:
        root = _unzip(source, Path(tmp)) if source.is_file() else source
        chosen = _choose(course, root, lessons, matcher, result)
        if not chosen and not any(n.why is not Why.NOT_A_NOTEBOOK for n in result.not_taken):
            raise GraderError(f"{source}: no .ipynb files found")
        config = _config_with(course, chosen)  # a mistake in course.toml stops collect before it writes
        manifest = read_manifest(course)
        for c in chosen:
            target = course.submitted_notebook(c.student, c.lesson)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(c.path, target)  # copied as bytes: an unreadable notebook is reported at grading
            manifest[f"{c.student}/{c.lesson}"] = _arrival(c, root, target.parent)
            rule = judge_marker(config, c.student, c.lesson).rule if c.canvas and c.canvas.late else ""
            result.taken.append(Taken(str(c.path.relative_to(root)), c.student, c.lesson,
                                      c.canvas.user_id if c.canvas else "", rule))
    write_manifest(course, manifest)
    result.report = write_report(course, result)
    return result


def _config_with(course: Course, chosen: list[_Candidate]):
    """course.toml, checked against the students known so far and those of this download."""
    from grader.course.config import load
    from grader.course.students import CanvasStudent, KnownStudents

    known = KnownStudents.of(course.course_dir)
    canvas = {c.canvas.user_id: CanvasStudent(c.student, c.canvas.login) for c in chosen if c.canvas}
    known = KnownStudents(known.folders | {c.student for c in chosen}, {**known.canvas, **canvas})
    return load(course.course_dir, course.lesson_names(), known)


def _arrival(c: _Candidate, root: Path, folder: Path) -> dict:
    """What the file says about how it came: its LMS name and prefix (for feedback uploads), the Canvas
    account, an LMS late marker (grader.pipeline.late), and nbgrader's timestamp.txt and
    submission_secret.txt when delivered beside it."""
    for name in (*SUBMISSION_FILES, LATE_MARKER, LATE_RULE):
        (folder / name).unlink(missing_ok=True)  # a new submission: nothing of the last one's stays
    if len(c.path.relative_to(root).parts) == 3:  # nbgrader's layout: its time and secret beside the notebook
        copy_submission_files(c.path.parent, folder)
    info = {"file": c.path.name, "prefix": "", "canvas_id": None, "canvas_login": None, "late_marker": False}
    if c.canvas:
        info.update(prefix=c.canvas.prefix, canvas_id=c.canvas.user_id, canvas_login=c.canvas.login,
                    late_marker=c.canvas.late, upload=c.upload, submission_id=c.canvas.submission_id)
        if c.canvas.late:
            (folder / LATE_MARKER).write_text("the LMS marked this submission late\n", encoding="utf-8")
    return info


def write_report(course: Course, result: CollectResult) -> Path:
    """collect_report.csv in the course folder: every file of the last collect, taken or not, and why."""
    path = course.course_dir / REPORT
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["file", "taken", "student_id", "lesson", "canvas_user_id", "reason", "late_rule"])
        for t in sorted(result.taken, key=lambda t: t.file):
            out.writerow([t.file, "yes", t.student, t.lesson, t.canvas_user, "", t.late_rule])
        for n in sorted(result.not_taken, key=lambda n: n.file):
            out.writerow([n.file, "no", "", "", "", n.why.value + (f": {n.detail}" if n.detail else ""), ""])
    os.replace(tmp, path)
    return path


def read_manifest(course: Course) -> dict:
    return _read_manifest(course.course_dir)


def write_manifest(course: Course, manifest: dict) -> None:
    path = course.course_dir / MANIFEST
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)
