"""A submission read, rebuilt from the source and checked in the parent process, before any kernel sees
it: what a worker needs to run it, and what is already certain about it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from grader.boundary.plan import TestPlan
from grader.course.folder import Course
from grader.course.limits import Limits
from grader.course.notebooks import UnreadableNotebook, is_test_cell, nbgrader_meta, read_notebook
from grader.errors import GraderError
from grader.integrity.notes import notes_for, student_cells
from grader.integrity.rebuild import rebuild
from grader.integrity.references import refusals
from grader.pipeline import outcomes as st
from grader.pipeline.facts import LessonFacts
from grader.pipeline.outcomes import Ledger, Outcome


@dataclass(frozen=True)
class Finding:
    """Something certain about a submission that withholds its score for the instructor."""
    cell: str
    line: int
    what: str

    def describe(self) -> str:
        return f"{self.what}, in {self.cell}, line {self.line}" if self.line else f"{self.what} ({self.cell})"


@dataclass
class Prepared:
    """A submission read, rebuilt and checked in the parent process, ready for a worker to execute."""
    outcome: Outcome
    notebook: object | None = None   # the rebuilt notebook to execute (None: nothing to run)
    restored: list[str] = field(default_factory=list)   # what was put back from the source
    findings: list[Finding] = field(default_factory=list)
    plan: TestPlan | None = None
    regrade: object | None = None  # grader.pipeline.execute.Regrade when only some test cells run again


def sha_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _kept_outputs(course: Course, student: str, lesson: str, notebook: str, sha: str) -> dict | None:
    """The test cells' outputs of the last grading of this very file (None: there is none to build on)."""
    before = Ledger(course.course_dir).get(Outcome(student, lesson, "", notebook=notebook).key)
    path = course.autograded_notebook(student, lesson, notebook)
    if before is None or before.submission_sha != sha or before.score is None or not path.exists():
        return None
    try:
        graded = read_notebook(path)
    except GraderError:
        return None
    return {nbgrader_meta(c)["grade_id"]: c.get("outputs", []) for c in graded.cells
            if is_test_cell(c) and nbgrader_meta(c).get("grade_id")}


def prepare(course: Course, student: str, lesson: str, facts: LessonFacts, limits: Limits,
            notebook: str | None = None, regrade: set[str] | None = None) -> Prepared:
    notebook = notebook or lesson
    path = course.submitted_notebook(student, lesson, notebook)
    outcome = Outcome(student, lesson, st.OK, max_score=facts.max_score,
                      submission_sha=sha_of(path) if path.exists() else "", notebook=notebook)
    try:
        submitted = read_notebook(path)
        notebook, restored = rebuild(submitted, facts.source, facts.release, facts.released_before)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        findings = []
        if limits.static_check:
            outcome.notes = [n.describe() for n in
                             notes_for(submitted, facts.source, facts.release, limits.allowed_imports)]
            if not course.is_folder_course:
                cells = student_cells(submitted, facts.source, facts.release)
                findings = [Finding(r.cell, r.line, r.what) for r in refusals(cells, lesson, facts.plan.setup_imports)]
        if facts.in_kernel:
            outcome.notes.append("graded in the student's kernel, since they cannot run across the boundary: "
                                 + ", ".join(sorted(facts.in_kernel)))
    except UnreadableNotebook as exc:
        outcome.status, outcome.reason = st.UNREADABLE, exc.detail
        return Prepared(outcome)
    except (RecursionError, MemoryError):
        outcome.status, outcome.reason = st.UNREADABLE, "nested too deeply to be read (cells or metadata)"
        return Prepared(outcome)
    except Exception as exc:  # noqa: BLE001 - whatever one notebook does, the others are graded
        outcome.status, outcome.reason = st.GRADING_ERROR, f"could not be prepared: {type(exc).__name__}: {exc}"[:200]
        return Prepared(outcome)
    again = None
    if regrade:
        from grader.pipeline.execute import Regrade

        kept = _kept_outputs(course, student, lesson, outcome.notebook, outcome.submission_sha)
        again = Regrade(regrade, kept) if kept is not None else None  # nothing to build on: grade it whole
    return Prepared(outcome, notebook, restored, findings, facts.plan, again)
