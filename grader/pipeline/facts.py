"""What grading needs from a lesson, read once per run: its source, its release, its graded cells, and
which of its tests can only run in the kernel (a foreign course's, found by running its own solution)."""

from __future__ import annotations

import copy
import dataclasses
import functools
from dataclasses import dataclass, field

from grader.boundary.calibrate import cells_for_the_kernel
from grader.boundary.plan import TestPlan, plan_from_source
from grader.course.folder import Course
from grader.course.limits import Limits
from grader.course.notebooks import cells_by_id, grade_ids, nbgrader_meta, read_notebook
from grader.delivery.release import released_before
from grader.isolation.submission_files import files_beside
from grader.pipeline.jobs import Job, run_job


@dataclass(frozen=True)
class LessonFacts:
    """What grading needs from a lesson, read once per run: its source, its release, its graded cells."""
    source: object
    release: object
    grade_ids: list[str]
    max_score: float
    in_kernel: frozenset = frozenset()  # test cells graded in the kernel (a foreign course's: calibrate)
    released_before: dict = field(default_factory=dict)  # grade id -> earlier releases' sources

    @functools.cached_property
    def plan(self) -> TestPlan:
        """What the trusted side needs to run this lesson's test cells (grader.boundary.plan)."""
        return plan_from_source(self.source, self.in_kernel)


def calibrated(course: Course, lesson: str, notebook: str, facts: LessonFacts, limits: Limits) -> LessonFacts:
    """A foreign course's facts with the test cells its own solution can only pass in the kernel."""
    def run(in_kernel):
        nb = copy.deepcopy(facts.source)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        files = files_beside(course.source_notebook(lesson, notebook).parent, course.release_notebook(lesson).parent)
        job = Job("(solution)", lesson, nb, files, "", str(course.course_dir), course.gradebook_url, limits,
                  plan=plan_from_source(facts.source, in_kernel))
        result = run_job(job)
        return None if result.error else result.notebook

    found = cells_for_the_kernel(course.course_dir / ".grader" / "calibration", f"{lesson}--{notebook}",
                                 facts.source, run)
    return dataclasses.replace(facts, in_kernel=found) if found else facts



def lesson_facts(course: Course, lesson: str, notebook: str | None = None) -> LessonFacts:
    source = read_notebook(course.source_notebook(lesson, notebook))
    ids = grade_ids(source)
    cells = cells_by_id(source)
    return LessonFacts(source, read_notebook(course.release_notebook(lesson, notebook)), ids,
                       float(sum(nbgrader_meta(cells[g]).get("points", 0) for g in ids)),
                       released_before=released_before(course, lesson, notebook))
