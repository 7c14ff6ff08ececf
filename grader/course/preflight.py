"""The checks every command makes before it starts anything: names of lessons, students and test cells, and
the course folder itself. They read only small files (JSON and TOML, no nbgrader, no nbformat), so a mistake
is one line within a second, and nothing is created before it.
"""

from __future__ import annotations

import json
from pathlib import Path

from grader.course.folder import Course
from grader.errors import GraderError


def existing_folder(course: Course) -> None:
    """A command that reads what earlier commands wrote needs the course folder to be there."""
    course.require_folder("nothing was collected or graded there; check --course-dir, or run `grader collect` first")


def known_students(course: Course, students) -> None:
    """Every student asked for has a submission in the course folder."""
    if not students:
        return
    known = course.students()
    unknown = [s for s in students if s not in known]
    if unknown:
        hint = f"; known: {', '.join(known[:8])}{' ...' if len(known) > 8 else ''}" if known else ""
        raise GraderError(f"no submissions from {', '.join(map(repr, unknown))} in {course.course_dir / 'submitted'}"
                          + hint)


def _source_files(course: Course, lesson: str) -> list[Path]:
    if course.is_folder_course:
        return sorted((course.course_dir / "source" / lesson).glob("*.ipynb"))
    return [course.solutions_dir / f"{lesson}.ipynb"]


def grade_ids(course: Course, lesson: str) -> tuple[list[str], list[str]]:
    """(every grade id, the test cells' grade ids) of a lesson's source, read as plain JSON."""
    every, tests = [], []
    for path in _source_files(course, lesson):
        try:
            cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError, AttributeError) as exc:
            raise GraderError(f"{path}: unreadable notebook ({exc})") from None
        for cell in cells:
            meta = (cell.get("metadata") or {}).get("nbgrader") or {} if isinstance(cell, dict) else {}
            if meta.get("grade_id"):
                every.append(meta["grade_id"])
                if meta.get("grade") and cell.get("cell_type") == "code":
                    tests.append(meta["grade_id"])
    return every, tests


def known_tests(course: Course, lesson: str, tests) -> None:
    """Every test cell named for a regrade is a cell of the lesson's source."""
    every, test_cells = grade_ids(course, lesson)
    unknown = sorted(set(tests) - set(every))
    if unknown:
        raise GraderError(f"no test cell {', '.join(map(repr, unknown))} in {lesson}; its test cells: "
                          f"{', '.join(test_cells) or 'none'}")


def positive(**values) -> None:
    """Flags that count something (seconds, bytes, workers) are at least 1 when given."""
    for name, value in values.items():
        if value is not None and value < 1:
            raise GraderError(f"--{name.replace('_', '-')} must be at least 1, got {value}")
