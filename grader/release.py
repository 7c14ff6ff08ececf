"""solutions/ -> lessons/: nbgrader's generate_assignment strips solutions and hidden tests."""

from __future__ import annotations

import tempfile
from pathlib import Path

from grader.course import Course
from grader.errors import GraderError
from grader.nbgrader_setup import make_api
from grader.notebooks import read_notebook, write_notebook


def prepare_assignments(course: Course, lessons) -> None:
    """Copy the lessons' sources into the course folder and register them in the gradebook."""
    course.sync_sources(lessons)
    api = make_api(course)
    for lesson in lessons:
        for notebook in course.notebooks(lesson):
            read_notebook(course.source_notebook(lesson, notebook))  # a clear error for a broken source
        result = api.generate_assignment(lesson)
        if not result["success"]:
            detail = (result.get("error") or result.get("log") or "").strip().splitlines()
            raise GraderError(f"generate_assignment failed for {lesson}: {detail[-1] if detail else 'no detail'}")


def release(course: Course, lessons=None) -> list[Path]:
    """Regenerate the student notebooks in lessons/ from solutions/; return the files written."""
    lessons = course.resolve_lessons(lessons)
    prepare_assignments(course, lessons)
    if course.is_folder_course:  # nbgrader's release/ is the student copy; there is no lessons/ folder
        return sorted(p for lesson in lessons for p in (course.course_dir / "release" / lesson).rglob("*") if p.is_file())
    course.lessons_dir.mkdir(exist_ok=True)
    written = []
    for lesson in lessons:
        target = course.lessons_dir / f"{lesson}.ipynb"
        write_notebook(read_notebook(course.release_notebook(lesson)), target)
        written.append(target)
    return written


def stale_lessons(course: Course) -> list[str]:
    """Lessons whose committed student notebook differs from a fresh release (or is missing)."""
    lessons = course.resolve_lessons()
    with tempfile.TemporaryDirectory(prefix="grader-release-") as tmp:
        scratch = Course(course.repo, Path(tmp))
        prepare_assignments(scratch, lessons)
        stale = []
        for lesson in lessons:
            committed = course.lessons_dir / f"{lesson}.ipynb"
            fresh = read_notebook(scratch.release_notebook(lesson))
            if not committed.exists() or _comparable(read_notebook(committed)) != _comparable(fresh):
                stale.append(lesson)
    return stale


def _comparable(nb) -> list:
    return [(c.cell_type, c.source, c.get("metadata", {}).get("nbgrader")) for c in nb.cells]
