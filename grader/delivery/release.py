"""solutions/ -> the course folder's release/ (nbgrader's generate_assignment strips solutions and hidden
tests); and, as its own step, release/ -> the repository's lessons/ (regenerate_lessons)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tempfile
from pathlib import Path

from grader.course.folder import Course
from grader.course.nbgrader_api import make_api
from grader.course.notebooks import read_notebook, write_notebook
from grader.errors import GraderError


def prepare_assignments(course: Course, lessons) -> None:
    """Copy the lessons' sources into the course folder and register them in the gradebook.

    A lesson whose source, release and gradebook entry are already those of its current source is left as
    it is: nbgrader's generate_assignment costs about a second per lesson, on every autograde run.
    """
    course.sync_sources(lessons)
    api = None
    for lesson in lessons:
        for notebook in course.notebooks(lesson):
            read_notebook(course.source_notebook(lesson, notebook))  # a clear error for a broken source
        stamp = _fingerprint(course, lesson)
        if _up_to_date(course, lesson, stamp):
            continue
        api = api or make_api(course)
        result = api.generate_assignment(lesson)
        if not result["success"]:
            detail = (result.get("error") or result.get("log") or "").strip().splitlines()
            raise GraderError(f"generate_assignment failed for {lesson}: {detail[-1] if detail else 'no detail'}")
        _stamp_file(course, lesson).parent.mkdir(parents=True, exist_ok=True)
        _stamp_file(course, lesson).write_text(stamp)
        _remember_release(course, lesson)
    _set_due_dates(course, lessons)


def _history_file(course: Course, lesson: str, notebook: str) -> Path:
    return course.course_dir / ".grader" / "released" / lesson / f"{notebook}.json"


def _remember_release(course: Course, lesson: str) -> None:
    """Keep every version of the locked cells students were given: a copy of an earlier release is theirs
    as given, not an edit, when a test is fixed later (grader.integrity.rebuild.rebuild)."""
    for notebook in course.notebooks(lesson):
        history = released_before(course, lesson, notebook)
        for cell in read_notebook(course.release_notebook(lesson, notebook)).cells:
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if grade_id and cell.source not in history.setdefault(grade_id, []):
                history[grade_id].append(cell.source)
        path = _history_file(course, lesson, notebook)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(history), encoding="utf-8")


def released_before(course: Course, lesson: str, notebook: str | None = None) -> dict[str, list[str]]:
    """grade id -> every source a release of this lesson ever gave that cell."""
    path = _history_file(course, lesson, notebook or lesson)
    try:
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except ValueError:
        return {}


def _set_due_dates(course: Course, lessons) -> None:
    """The course.toml due dates into nbgrader's gradebook (where nbgrader's late penalties read them), and
    its points checked against the lessons' own."""
    from nbgrader.api import Gradebook

    config = course.config()
    dated = [lesson for lesson in lessons if lesson in config.due]
    with Gradebook(course.gradebook_url) as gb:
        for lesson in lessons:
            if lesson in config.points and abs(gb.find_assignment(lesson).max_score - config.points[lesson]) > 1e-9:
                raise GraderError(f"course.toml: lessons.{lesson}.points: {config.points[lesson]:g}, but the lesson's "
                                  f"graded cells carry {gb.find_assignment(lesson).max_score:g} points")
    if dated:
        with Gradebook(course.gradebook_url) as gb:
            for lesson in dated:
                due = config.due[lesson].astimezone(dt.timezone.utc).replace(tzinfo=None)
                if gb.find_assignment(lesson).duedate != due:
                    gb.update_or_create_assignment(lesson, duedate=due)


def _stamp_file(course: Course, lesson: str) -> Path:
    return course.course_dir / ".grader" / "generated" / f"{lesson}.sha256"


def _fingerprint(course: Course, lesson: str) -> str:
    """The lesson's source files, the gradebook they went to and the nbgrader that generated them."""
    import nbgrader

    digest = hashlib.sha256(f"{nbgrader.__version__}\n{course.gradebook_url}\n".encode())
    source = course.course_dir / "source" / lesson
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        digest.update(f"{path.relative_to(source)}\n".encode() + path.read_bytes())
    return digest.hexdigest()


def _up_to_date(course: Course, lesson: str, stamp: str) -> bool:
    from nbgrader.api import Gradebook, MissingEntry

    stamp_file = _stamp_file(course, lesson)
    if not stamp_file.exists() or stamp_file.read_text() != stamp:
        return False
    if not all(course.release_notebook(lesson, nb).exists() for nb in course.notebooks(lesson)):
        return False
    try:
        with Gradebook(course.gradebook_url) as gb:
            assignment = gb.find_assignment(lesson)
            return {n.name for n in assignment.notebooks} == set(course.notebooks(lesson))
    except MissingEntry:
        return False


def release(course: Course, lessons=None) -> list[Path]:
    """The lessons' student copies in the course folder's release/ (nbgrader's generate_assignment); return
    the files written. The repository is only read: regenerate_lessons() is the step that writes lessons/."""
    lessons = course.resolve_lessons(lessons)
    prepare_assignments(course, lessons)
    return sorted(p for lesson in lessons for p in (course.course_dir / "release" / lesson).rglob("*") if p.is_file())


def regenerate_lessons(course: Course, lessons=None) -> list[Path]:
    """The repository's lessons/ (the student notebooks committed with the course) from a fresh release."""
    if course.is_folder_course:
        raise GraderError("a course folder of its own has no lessons/ to regenerate: its student copies are "
                          f"{course.course_dir / 'release'}")
    lessons = course.resolve_lessons(lessons)
    prepare_assignments(course, lessons)
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
