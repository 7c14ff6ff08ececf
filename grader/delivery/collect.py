"""Bring submissions into nbgrader's submitted/<student>/<lesson>/<lesson>.ipynb layout.

Accepts a folder laid out <student>/<lesson>.ipynb (or nbgrader's <student>/<lesson>/<notebook>.ipynb),
or files named the way an LMS names downloads (<student>_<anything>_<lesson>.ipynb) at the top of a
folder or zip. Zips are unpacked here; a member that climbs out of the archive or is a link is left out.

A file belongs to the student whose folder holds it, or whose name the LMS put first, and only at the
layout's own depth: nothing in one student's folder can be taken for another student's work. Two files
that claim the same student and lesson are an error for that student, reported, and neither is taken.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from grader.course.folder import Course
from grader.delivery.exchange import SUBMISSION_FILES, copy_submission_files
from grader.errors import GraderError

# student id, then anything, then the file name; the lesson is the known lesson name the file id ends with.
DEFAULT_FILENAME_REGEX = r"(?P<student_id>[A-Za-z0-9.-]+)_(?P<file_id>.+)\.ipynb$"
SAFE_STUDENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@dataclass
class CollectResult:
    collected: list[tuple[str, str]] = field(default_factory=list)  # (student, lesson)
    skipped: list[str] = field(default_factory=list)                # "file: reason"
    conflicts: list[str] = field(default_factory=list)              # "student/lesson: files" (none taken)


LATE_MARKER = "late-marker.txt"  # an LMS file marked late, with no time (grader.pipeline.late reads it)
MAX_UNZIPPED = 4 << 30  # bytes an archive may unpack to: an export of a large class is far below this


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


def _identify(path: Path, root: Path, lessons: list[str], matcher) -> tuple[str, str] | str:
    """(student, lesson) for a notebook, or the reason it cannot be placed."""
    parts = path.relative_to(root).parts
    if len(parts) == 2 and path.stem in lessons:
        return parts[0], path.stem                      # <student>/<lesson>.ipynb
    if len(parts) == 3 and parts[1] in lessons:
        return parts[0], parts[1]                       # <student>/<lesson>/<notebook>.ipynb (nbgrader's)
    match = matcher.match(path.name)
    match = match.groupdict() if match else None
    if not match:
        return "file name does not match <student>_..._<lesson>.ipynb"
    lesson = next((name for name in lessons if match["file_id"].endswith(name)), None)
    if lesson is None:
        return f"no known lesson in the name (known: {', '.join(lessons)})"
    if len(parts) == 1 or (len(parts) == 2 and parts[0] == match["student_id"]):
        return match["student_id"], lesson
    return (f"not at the layout's depth: a file named for {match['student_id']!r} inside {parts[0]!r}/ "
            "belongs to nobody")


def _matcher(filename_regex: str):
    try:
        matcher = re.compile(filename_regex)
    except re.error as exc:
        raise GraderError(f"--regex {filename_regex!r} is not a regular expression: {exc}") from None
    if not {"student_id", "file_id"} <= set(matcher.groupindex):
        raise GraderError("--regex needs the named groups (?P<student_id>...) and (?P<file_id>...)")
    return matcher


def collect(course: Course, source: Path, filename_regex: str = DEFAULT_FILENAME_REGEX) -> CollectResult:
    source = Path(source)
    if not source.exists():
        raise GraderError(f"{source}: no such file or folder")
    lessons = course.resolve_lessons()
    matcher = _matcher(filename_regex)
    result = CollectResult()
    with tempfile.TemporaryDirectory(prefix="grader-collect-") as tmp:
        root = _unzip(source, Path(tmp)) if source.is_file() else source
        notebooks = sorted(p for p in root.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
        for link in [p for p in notebooks if p.is_symlink() or not p.is_file()]:
            result.skipped.append(f"{link.relative_to(root)}: a link or not a regular file")
            notebooks.remove(link)
        if not notebooks:
            raise GraderError(f"{source}: no .ipynb files found")
        chosen: dict[tuple[str, str], list[Path]] = {}
        manifest = read_manifest(course)
        for nb_path in notebooks:
            placed = _identify(nb_path, root, lessons, matcher)
            if isinstance(placed, str):
                result.skipped.append(f"{nb_path.relative_to(root)}: {placed}")
            elif not SAFE_STUDENT_ID.fullmatch(placed[0]):
                result.skipped.append(f"{nb_path.relative_to(root)}: unsafe student id {placed[0]!r}")
            else:
                chosen.setdefault(placed, []).append(nb_path)
        for (student, lesson), paths in sorted(chosen.items()):
            if len(paths) > 1:
                names = ", ".join(str(p.relative_to(root)) for p in paths)
                result.conflicts.append(f"{student}/{lesson}: {len(paths)} files claim it ({names}); none was "
                                        "taken, keep one and collect again")
                continue
            target = course.submitted_notebook(student, lesson)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(paths[0], target)  # copied as bytes: an unreadable notebook is reported at grading
            manifest[f"{student}/{lesson}"] = _arrival(paths[0], root, lesson, target.parent)
            result.collected.append((student, lesson))
    write_manifest(course, manifest)
    return result


MANIFEST = Path(".grader") / "collected.json"
# Canvas's bulk download: <name>[_LATE]_<user id>_<attachment id>_<the student's file name>.
_CANVAS = re.compile(r"^(?P<name>[^_]+)_(?P<late>late_)?(?P<user>\d+)_(?P<attachment>\d+)_", re.IGNORECASE)


def _arrival(path: Path, root: Path, lesson: str, folder: Path) -> dict:
    """What the file says about how it came: its LMS name and prefix (for feedback uploads), an LMS late
    marker (grader.pipeline.late), and nbgrader's timestamp.txt and submission_secret.txt when delivered beside it."""
    for name in (*SUBMISSION_FILES, LATE_MARKER):
        (folder / name).unlink(missing_ok=True)  # a new submission: nothing of the last one's stays
    if len(path.relative_to(root).parts) == 3:  # nbgrader's layout: its time and secret beside the notebook
        copy_submission_files(path.parent, folder)
    canvas = _CANVAS.match(path.name)
    info = {"file": path.name, "prefix": "", "canvas_id": None, "late_marker": False}
    if canvas:
        info.update(prefix=path.name[:canvas.end()], canvas_id=canvas["user"], late_marker=bool(canvas["late"]))
        if canvas["late"]:
            (folder / LATE_MARKER).write_text("the LMS marked this submission late\n", encoding="utf-8")
    return info


def read_manifest(course: Course) -> dict:
    path = course.course_dir / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except ValueError:
        return {}


def write_manifest(course: Course, manifest: dict) -> None:
    path = course.course_dir / MANIFEST
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)
