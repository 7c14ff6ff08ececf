"""What grading costs on top of running a notebook, and how long the whole course takes to execute.

For each lesson, in one run: bare nbclient execution of the filled-in student notebook, then
`grader autograde` of the same notebook as one submission (nbgrader start-up included). Prints seconds
and the ratio autograde / bare (goal <= 1.15 once start-up is shared across a class).
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from grader import samples
from grader.autograde import autograde
from grader.course import Course, ensure_tools_on_path
from grader.nbgrader_setup import KERNEL_ARGS
from grader.release import prepare_assignments


def _bare_seconds(nb, cwd: Path) -> float:
    from nbclient import NotebookClient

    start = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(cwd)}},
                   extra_arguments=KERNEL_ARGS
                   ).execute()
    return time.perf_counter() - start


def main() -> None:
    ensure_tools_on_path()
    os.environ["COURSE_QUIET"] = "1"
    repo = Course.at()
    rows, total_bare = [], 0.0
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        course = Course(repo.repo, Path(tmp) / "course")
        lessons = course.resolve_lessons()
        prepare_assignments(course, lessons)
        for lesson in lessons:
            nb = samples.filled_in(course, lesson)
            samples.write(nb, course.submitted_notebook("bench", lesson))
            bare = _bare_seconds(nb, Path(tmp))
            start = time.perf_counter()
            (outcome,) = autograde(course, [lesson], ["bench"])
            graded = time.perf_counter() - start
            total_bare += bare
            rows.append((lesson, bare, graded, outcome.describe()))
    print(f"{'lesson':<28}{'bare nbclient s':>16}{'autograde s':>13}{'ratio':>8}  status")
    for lesson, bare, graded, status in rows:
        print(f"{lesson:<28}{bare:>16.2f}{graded:>13.2f}{graded / bare:>8.2f}  {status}")
    print(f"whole course, bare execution: {total_bare:.1f} s for {len(rows)} lesson(s) (goal <= 90 s for all eight)")
