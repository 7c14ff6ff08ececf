"""Feedback for students: their notebook with scores, never the hidden tests or their tracebacks.

nbgrader's generate_feedback renders the autograded notebook, which holds the hidden tests (autograde
put them back to run them) and tracebacks quoting their lines. HideHiddenTests runs first in its
pipeline: it cuts the hidden region and turns each error in a test cell into the test's name, what
differed and the hint from the check's message.

The page is the grader's own template (grader/reports/templates/course_feedback): a summary naming each
test, messages wrapped in full, math as MathML, a few kilobytes of style and no script; student outputs and
markdown are cleaned first (grader.reports.safe_render).
"""

from __future__ import annotations

import html
from pathlib import Path

from nbgrader import utils
from nbconvert.preprocessors import Preprocessor
from nbgrader.preprocessors import ClearHiddenTests
from traitlets import Bool
from traitlets.config import Config

from grader.course.folder import Course
from grader.course.nbgrader_api import make_api
from grader.delivery.exchange import copy_submission_files
from grader.errors import GraderError
from grader.patches.hidden_tests import remove_hidden_region
from grader.integrity.rebuild import MODEL_ANSWER
from grader.pipeline import outcomes as st
from grader.pipeline.outcomes import Ledger
from grader.pipeline.stages import grading_config
from grader.reports.safe_render import rendering_config

HIDDEN_NOTE = "# Hidden tests ran here; their code is not shown."
PENDING = "feedback_pending"  # cell metadata (read by the template): an answer to grade by hand, no grade yet


class HideHiddenTests(ClearHiddenTests):
    enforce_metadata = False  # also strip regions that a student pasted into other cells

    def preprocess(self, nb, resources):
        # The model answers the formgrader shows beside answers graded by hand are not the student's to see.
        nb.cells = [c for c in nb.cells if MODEL_ANSWER not in c.get("metadata", {}).get("course", {})]
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, cell_index):
        had_hidden = remove_hidden_region(self, cell)
        if had_hidden:
            cell.source = cell.source.rstrip() + "\n" + HIDDEN_NOTE
        is_test = utils.is_grade(cell) and not utils.is_solution(cell)  # an answer's traceback is the student's own
        if cell.cell_type == "code" and (had_hidden or is_test):
            test_name = cell.metadata.get("nbgrader", {}).get("grade_id", f"cell {cell_index + 1}")
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    message = f"{output.get('ename', 'Error')}: {output.get('evalue', '')}".rstrip(": ")
                    output["traceback"] = [f"{test_name} failed. {message}"]
        return cell, resources


TEMPLATES = Path(__file__).resolve().parent / "templates"


def feedback_page_config() -> Config:
    """The feedback exporter's settings: the grader's page template and the cleaning of student markup.
    Scoped to GenerateFeedback, so merging it into the course's config leaves the formgrader's pages alone."""
    c = rendering_config()
    c.GenerateFeedback.HTMLExporter.template_name = "course_feedback"
    c.GenerateFeedback.HTMLExporter.extra_template_basedirs = [str(TEMPLATES)]
    c.GenerateFeedback.HTMLExporter.preprocessors = ["grader.reports.safe_render.SanitizeSubmission",
                                                     "grader.reports.feedback.MarkPending"]
    c.GenerateFeedback.HTMLExporter.filters = {
        "markdown2html": "grader.reports.safe_render.markdown2html",
        "clean_student_html": "grader.reports.sanitize.clean_html",
        "code_html": "grader.reports.highlight.code_html",
    }
    return c


class MarkPending(Preprocessor):
    """Mark each answer still waiting for a grade by hand, so its page says pending rather than 0."""

    enabled = Bool(True, help="on unless turned off by name").tag(config=True)

    def preprocess(self, nb, resources):
        from nbgrader.api import Gradebook, MissingEntry

        info = resources.get("nbgrader", {})
        with Gradebook(info["db_url"]) as gradebook:
            for cell in nb.cells:
                if not utils.is_grade(cell):
                    continue
                grade_id = cell.metadata["nbgrader"]["grade_id"]
                try:
                    grade = gradebook.find_grade(grade_id, info["notebook"], info["assignment"], info["student"])
                except MissingEntry:
                    continue
                cell.metadata[PENDING] = bool(grade.needs_manual_grade)
        return nb, resources


def _status_page(outcome) -> str:
    return (f"<html><head><meta charset='utf-8'><title>{html.escape(outcome.lesson)}</title></head><body>"
            f"<h1>{html.escape(outcome.lesson)}</h1><p>Your submission could not be graded: "
            f"<b>{html.escape(outcome.status)}</b>.</p><p>{html.escape(outcome.reason)}</p>"
            "<p>Fix the problem and submit again; nothing from this attempt was scored.</p></body></html>")


def generate_feedback(course: Course, lessons=None, students=None) -> list[Path]:
    """One HTML page per graded submission (scored or not); returns their paths."""
    lessons = course.resolve_lessons(lessons)
    chosen = [o for o in Ledger(course.course_dir).load().values()
              if o.lesson in lessons and (not students or o.student in students)]
    if not chosen:
        raise GraderError("no graded submissions to give feedback on: run `grader autograde` first")
    config = grading_config(course)
    config.merge(feedback_page_config())
    api = make_api(course, config)
    pages = []
    by_submission = {}
    for outcome in sorted(chosen, key=lambda o: o.key):
        by_submission.setdefault((outcome.student, outcome.lesson), []).append(outcome)
    for (student, lesson), outcomes in by_submission.items():
        if all(o.status in st.SCORED_STATUSES and o.score is not None for o in outcomes):
            result = api.generate_feedback(lesson, student)  # every notebook of the assignment at once
            targets = [course.feedback_html(student, lesson, o.notebook or lesson) for o in outcomes]
            if not result["success"] or not all(t.exists() for t in targets):
                raise GraderError(f"feedback failed for {student}/{lesson}: "
                                  f"{(result.get('error') or 'no HTML written').strip().splitlines()[-1]}")
            pages += targets
            copy_submission_files(course.submitted_notebook(student, lesson).parent, targets[0].parent)
            continue
        for outcome in outcomes:
            target = course.feedback_html(student, lesson, outcome.notebook or lesson)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(_status_page(outcome), encoding="utf-8")
            pages.append(target)
        copy_submission_files(course.submitted_notebook(student, lesson).parent,
                              course.feedback_html(student, lesson).parent)
    return pages


def package_feedback(course: Course, pages: list[Path]) -> list[Path]:
    """Canvas re-upload zips, one per lesson, under feedback/canvas/ (grader.reports.canvas.feedback_zip)."""
    from grader.delivery.collect import read_manifest
    from grader.reports.canvas import feedback_zip

    manifest = read_manifest(course)
    by_lesson: dict[str, list] = {}
    for page in pages:
        student, lesson = page.relative_to(course.course_dir / "feedback").parts[:2]
        by_lesson.setdefault(lesson, []).append((student, lesson, page))
    target_dir = course.course_dir / "feedback_packages" / "canvas"
    target_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for lesson, items in sorted(by_lesson.items()):
        target = target_dir / f"{lesson}.zip"
        without = feedback_zip(target, items, manifest)
        if without:
            import sys

            print(f"grader: {lesson}: collected without Canvas names, not in the zip: {', '.join(without)}",
                  file=sys.stderr)
        written.append(target)
    return written


def release_feedback(course: Course, lessons=None, students=None) -> tuple[int, list[str]]:
    """nbgrader's own feedback release into the exchange of a JupyterHub (grader.delivery.exchange): the number of
    pages released, and the submissions that did not come through the exchange (no secret to name them)."""
    from grader.delivery.exchange import release_feedback_to_exchange

    lessons = course.resolve_lessons(lessons)
    chosen = sorted({(o.student, o.lesson) for o in Ledger(course.course_dir).load().values()
                     if o.lesson in lessons and (not students or o.student in students)
                     and course.feedback_html(o.student, o.lesson, o.notebook or o.lesson).exists()})
    return release_feedback_to_exchange(course, chosen)
