"""Bring submissions into nbgrader's submitted/<student>/<lesson>/<lesson>.ipynb layout.

Accepts a folder laid out <student>/<lesson>.ipynb, or files named the way an LMS names downloads
(<student>_<anything>_<lesson>.ipynb), loose or inside a zip. Zips are unpacked and filenames matched
with nbgrader's own zip_collect plugins.
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from grader.course import Course
from grader.errors import GraderError

# student id, then anything, then the file name; the lesson is the known lesson name the file id ends with.
DEFAULT_FILENAME_REGEX = r"(?P<student_id>[A-Za-z0-9.-]+)_(?P<file_id>.+)\.ipynb$"
SAFE_STUDENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@dataclass
class CollectResult:
    collected: list[tuple[str, str]] = field(default_factory=list)  # (student, lesson)
    skipped: list[str] = field(default_factory=list)                # "file: reason"


def _unzip(archive: Path, into: Path) -> Path:
    from nbgrader.plugins.zipcollect import ExtractorPlugin

    if not zipfile.is_zipfile(archive):
        raise GraderError(f"{archive}: not a zip archive")
    staging = into / "archive"
    staging.mkdir()
    shutil.copy(archive, staging / archive.name)
    extracted = into / "extracted"
    extracted.mkdir()
    plugin = ExtractorPlugin()
    plugin.log.setLevel(logging.ERROR)
    plugin.extract(str(staging), str(extracted))
    return extracted


def _identify(path: Path, root: Path, lessons: list[str], matcher) -> tuple[str, str] | str:
    """(student, lesson) for a notebook, or the reason it cannot be placed."""
    relative = path.relative_to(root)
    if path.stem in lessons and len(relative.parts) >= 2:
        return relative.parts[-2], path.stem
    match = matcher._match(path.name)
    if not match:
        return "file name does not match <student>_..._<lesson>.ipynb"
    lesson = next((name for name in lessons if match["file_id"].endswith(name)), None)
    if lesson is None:
        return f"no known lesson in the name (known: {', '.join(lessons)})"
    return match["student_id"], lesson


def collect(course: Course, source: Path, filename_regex: str = DEFAULT_FILENAME_REGEX) -> CollectResult:
    from nbgrader.plugins.zipcollect import FileNameCollectorPlugin

    source = Path(source)
    if not source.exists():
        raise GraderError(f"{source}: no such file or folder")
    lessons = course.resolve_lessons()
    matcher = FileNameCollectorPlugin(named_regexp=filename_regex)
    matcher.log.setLevel(logging.CRITICAL)
    result = CollectResult()
    with tempfile.TemporaryDirectory(prefix="grader-collect-") as tmp:
        root = _unzip(source, Path(tmp)) if source.is_file() else source
        notebooks = sorted(p for p in root.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
        if not notebooks:
            raise GraderError(f"{source}: no .ipynb files found")
        chosen: dict[tuple[str, str], list[Path]] = {}
        for nb_path in notebooks:
            placed = _identify(nb_path, root, lessons, matcher)
            if isinstance(placed, str):
                result.skipped.append(f"{nb_path.relative_to(root)}: {placed}")
            elif not SAFE_STUDENT_ID.fullmatch(placed[0]):
                result.skipped.append(f"{nb_path.relative_to(root)}: unsafe student id {placed[0]!r}")
            else:
                chosen.setdefault(placed, []).append(nb_path)
        for (student, lesson), paths in sorted(chosen.items()):
            # Several attempts: LMS names carry a timestamp, so the name that sorts last is the newest.
            newest = max(paths, key=lambda p: p.name)
            for older in paths:
                if older is not newest:
                    result.skipped.append(f"{older.relative_to(root)}: an older attempt of {lesson} by {student} "
                                          f"(kept {newest.name})")
            target = course.submitted_notebook(student, lesson)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(newest, target)  # copied as bytes: an unreadable notebook is reported at grading
            result.collected.append((student, lesson))
    return result
