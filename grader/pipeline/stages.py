"""The grading pipeline as nbgrader runs it: every stage, nbgrader's and the grader's, in one list per
pass, and the configuration that puts them there.

nbgrader's autograde makes two passes over a submitted notebook. Sanitize: the grader rebuilds it from
the source first (RebuildFromSource, below), then nbgrader clears outputs and overwrites locked cells.
Autograde: the grader's execute stage runs it in the sandbox, with the tests in this process
(grader.pipeline.execute), or, when a worker already ran it, copies that run's outputs
(grader.pipeline.executed); then nbgrader's stages score it and apply the late policy
(grader.pipeline.late). Two of nbgrader's stages and its exporter are replaced by faster ones with the
same verdicts (grader.patches).
"""

from __future__ import annotations

from pathlib import Path

from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode
from traitlets.config import Config

from grader.boundary.plan import PLAN_KEY, plan_from_source
from grader.course.folder import Course
from grader.course.limits import Limits
from grader.course.nbgrader_api import course_config
from grader.course.notebooks import read_notebook
from grader.integrity.rebuild import rebuild
from grader.pipeline.late import nbgrader_settings

# nbgrader's default for Python kernels, plus a quiet kernel log (ipykernel 7 warns on every start).
# The kernel does not import from its working folder (a student's numpy.py there would shadow numpy).
KERNEL_ARGS = ["--HistoryManager.hist_file=:memory:", "--IPKernelApp.log_level=ERROR",
               "--InteractiveShellApp.ignore_cwd=True"]
# Python warnings go to stderr, and nbgrader scores any stderr in a test cell as 0: drop them.
WARNING_PATTERN = r"\w*Warning: "

SANITIZE = ["grader.pipeline.stages.RebuildFromSource", "nbgrader.preprocessors.ClearOutput",
            "nbgrader.preprocessors.DeduplicateIds", "nbgrader.preprocessors.OverwriteKernelspec",
            "grader.patches.batched_gradebook.BatchedOverwriteCells",
            "grader.patches.metadata_check.CompiledCheckCellMetadata"]
AUTOGRADE = ["grader.pipeline.execute.SandboxedExecute", "nbgrader.preprocessors.IgnorePattern",
             "nbconvert.preprocessors.ClearMetadataPreprocessor", "nbgrader.preprocessors.LimitOutput",
             "grader.patches.batched_gradebook.BatchedSaveAutoGrades", "nbgrader.preprocessors.AssignLatePenalties",
             "grader.patches.metadata_check.CompiledCheckCellMetadata"]
FEEDBACK = ["grader.reports.feedback.HideHiddenTests", "nbgrader.preprocessors.GetGrades",
            "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor"]


class RebuildFromSource(NbGraderPreprocessor):  # enabled by default, unlike nbconvert's
    """Sanitize stage: grade the notebook rebuilt from the source (grader.integrity.rebuild), not the one
    as handed in, and give the execute stage the lesson's test plan."""

    course_root = Unicode("", help="the nbgrader course folder (holds source/ and release/)").tag(config=True)

    def preprocess(self, nb, resources):
        info = resources.get("nbgrader", {})
        root = Path(self.course_root or ".")
        source = root / "source" / info["assignment"] / f"{info['notebook']}.ipynb"
        release = root / "release" / info["assignment"] / f"{info['notebook']}.ipynb"
        source_nb = read_notebook(source)
        rebuilt, _ = rebuild(nb, source_nb, read_notebook(release) if release.exists() else None)
        resources[PLAN_KEY] = plan_from_source(source_nb)
        return rebuilt, resources


def grading_config(course: Course, limits: Limits | None = None) -> Config:
    """The course's nbgrader configuration for grading under `limits` (default: Limits())."""
    limits = limits or Limits()
    c = course_config(course)
    c.Execute.timeout = limits.cell_timeout
    c.Execute.interrupt_on_timeout = True
    c.Execute.extra_arguments = KERNEL_ARGS
    c.OverwriteCells.add_missing_cells = True  # a deleted test cell is put back and still graded
    c.IgnorePattern.enabled = True
    c.IgnorePattern.pattern = WARNING_PATTERN
    # nbconvert validates the whole notebook after every stage (13 of them, about 3 ms each per notebook in the
    # one scoring thread); validated once at the end instead, an invalid notebook still fails its grading.
    c.Exporter.optimistic_validation = True
    c.Autograde.exporter_class = "grader.patches.owned_exporter.OwnedNotebookExporter"
    c.Autograde.sanitize_preprocessors = SANITIZE
    c.Autograde.autograde_preprocessors = AUTOGRADE
    c.RebuildFromSource.course_root = str(course.course_dir)
    c.SandboxedExecute.course_root = str(course.course_dir)
    c.SandboxedExecute.sandbox = limits.sandbox
    c.SandboxedExecute.notebook_timeout = float(limits.notebook_timeout)
    c.SandboxedExecute.max_cell_output = limits.max_cell_output
    c.SandboxedExecute.max_cell_traffic_mb = limits.max_cell_traffic_mb
    c.SandboxedExecute.skip_ungraded = limits.skip_ungraded
    c.SandboxedExecute.trusted_tests = limits.trusted_tests
    c.SandboxedKernelManager.memory_mb = limits.memory_mb
    c.SandboxedKernelManager.notebook_timeout = float(limits.notebook_timeout)
    c.SandboxedKernelManager.hide = [str(course.course_dir)] + ([str(course.repo)] if course.repo else [])
    c.AssignLatePenalties.plugin_class = "grader.pipeline.late.CoursePenalty"
    c.CoursePenalty.update(nbgrader_settings(course.config().late))
    c.GenerateFeedback.preprocessors = FEEDBACK
    return c


CONFIG_FILE_TEMPLATE = """\
# Written by `grader`: the course's nbgrader settings, so that `nbgrader ...` commands and the formgrader
# run in this folder grade as `grader autograde` does (with its default limits).
from grader.course.folder import Course
from grader.pipeline.stages import grading_config

c.merge(grading_config(Course.at({repo!r}, {course_dir!r}, {db_url!r})))

# Submissions render cleaned; feedback uses the grader's page; the formgrader's pages get a CSP.
from grader.patches.formgrader_csp import install as install_formgrader_policy
from grader.reports.feedback import feedback_page_config

c.merge(feedback_page_config())
install_formgrader_policy()
"""
CONFIG_MARKER = "# Written by `grader`"


def foreign_config(course: Course) -> bool:
    """Whether the course folder holds an nbgrader_config.py of the instructor's own (never overwritten)."""
    path = course.course_dir / "nbgrader_config.py"
    return path.exists() and not path.read_text(encoding="utf-8", errors="replace").startswith(CONFIG_MARKER)


def write_config_file(course: Course) -> bool:
    """The course's grading configuration as a file, so nbgrader's own commands grade as `grader` does; a
    per-run limit is not persisted. An instructor's own nbgrader_config.py is left as it is (False)."""
    if foreign_config(course):
        return False
    text = CONFIG_FILE_TEMPLATE.format(repo=str(course.repo) if course.repo else None, course_dir=str(course.course_dir),
                                       db_url=course.db_url)
    path = course.course_dir / "nbgrader_config.py"
    course.course_dir.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return True
