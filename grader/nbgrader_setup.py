"""The nbgrader configuration of the course, in one place, and the API object built from it."""

from __future__ import annotations

import contextlib
import logging
import warnings

from traitlets.config import Config

from grader.course import COURSE_ID, DEFAULT_CELL_TIMEOUT, Course, ensure_tools_on_path
from grader.late import nbgrader_settings
from grader.limits import Limits

# nbgrader's default for Python kernels, plus a quiet kernel log (ipykernel 7 warns on every start).
# The kernel does not import from its working folder (a student's numpy.py there would shadow numpy).
KERNEL_ARGS = ["--HistoryManager.hist_file=:memory:", "--IPKernelApp.log_level=ERROR",
               "--InteractiveShellApp.ignore_cwd=True"]
# Python warnings go to stderr, and nbgrader scores any stderr in a test cell as 0: drop them.
WARNING_PATTERN = r"\w*Warning: "


# nbgrader's own stages, with the grader's around them: the submission is rebuilt from the source before
# anything else, and executed in the sandbox; two of nbgrader's stages ask the gradebook per notebook, not
# per cell (grader.batched_gradebook), and its metadata check compiles its schema once.
SANITIZE = ["grader.structure.RebuildFromSource", "nbgrader.preprocessors.ClearOutput",
            "nbgrader.preprocessors.DeduplicateIds", "nbgrader.preprocessors.OverwriteKernelspec",
            "grader.batched_gradebook.BatchedOverwriteCells", "grader.metadata_check.CompiledCheckCellMetadata"]
AUTOGRADE = ["grader.execute.SandboxedExecute", "nbgrader.preprocessors.IgnorePattern",
             "nbconvert.preprocessors.ClearMetadataPreprocessor", "nbgrader.preprocessors.LimitOutput",
             "grader.batched_gradebook.BatchedSaveAutoGrades", "nbgrader.preprocessors.AssignLatePenalties",
             "grader.metadata_check.CompiledCheckCellMetadata"]


def nbgrader_config(course: Course, cell_timeout: int = DEFAULT_CELL_TIMEOUT, limits: Limits | None = None) -> Config:
    limits = limits or Limits(cell_timeout=cell_timeout)
    cell_timeout = limits.cell_timeout
    c = Config()
    c.CourseDirectory.root = str(course.course_dir)
    c.CourseDirectory.course_id = COURSE_ID
    c.CourseDirectory.db_url = course.gradebook_url
    c.Execute.timeout = cell_timeout
    c.Execute.interrupt_on_timeout = True
    c.Execute.extra_arguments = KERNEL_ARGS
    c.OverwriteCells.add_missing_cells = True  # a deleted test cell is put back and still graded
    c.IgnorePattern.enabled = True
    c.IgnorePattern.pattern = WARNING_PATTERN
    # nbconvert validates the whole notebook after every stage (13 of them, about 3 ms each per notebook in the
    # one scoring thread); validated once at the end instead, an invalid notebook still fails its grading.
    c.Exporter.optimistic_validation = True
    c.Autograde.exporter_class = "grader.owned_exporter.OwnedNotebookExporter"  # no copies of a notebook it read
    c.Autograde.sanitize_preprocessors = SANITIZE
    c.Autograde.autograde_preprocessors = AUTOGRADE
    c.RebuildFromSource.course_root = str(course.course_dir)
    c.SandboxedExecute.sandbox = limits.sandbox
    c.SandboxedExecute.notebook_timeout = float(limits.notebook_timeout)
    c.SandboxedExecute.max_cell_output = limits.max_cell_output
    c.SandboxedExecute.skip_ungraded = limits.skip_ungraded
    c.SandboxedExecute.trusted_tests = limits.trusted_tests
    c.SandboxedKernelManager.memory_mb = limits.memory_mb
    c.SandboxedKernelManager.notebook_timeout = float(limits.notebook_timeout)
    c.SandboxedKernelManager.hide = [str(course.course_dir)] + ([str(course.repo)] if course.repo else [])
    c.AssignLatePenalties.plugin_class = "grader.late.CoursePenalty"
    c.CoursePenalty.update(nbgrader_settings(course.config().late))
    c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
    c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
    c.GenerateFeedback.preprocessors = [
        "grader.feedback.HideHiddenTests",
        "nbgrader.preprocessors.GetGrades",
        "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    ]
    return c


CONFIG_FILE_TEMPLATE = """\
# Written by `grader`: the course's nbgrader settings, so that `nbgrader ...` commands and the formgrader
# run in this folder grade as `grader autograde` does (with its default cell time limit).
from grader.course import Course
from grader.nbgrader_setup import nbgrader_config

c.merge(nbgrader_config(Course.at({repo!r}, {course_dir!r}, {db_url!r})))
"""


CONFIG_MARKER = "# Written by `grader`"


def foreign_config(course: Course) -> bool:
    """Whether the course folder holds an nbgrader_config.py of the instructor's own (never overwritten)."""
    path = course.course_dir / "nbgrader_config.py"
    return path.exists() and not path.read_text(encoding="utf-8", errors="replace").startswith(CONFIG_MARKER)


def write_config_file(course: Course) -> bool:
    """The course's configuration as a file, so nbgrader's own commands grade as `grader` does; a per-run
    --cell-timeout is not persisted. An instructor's own nbgrader_config.py is left exactly as it is (False)."""
    if foreign_config(course):
        return False
    text = CONFIG_FILE_TEMPLATE.format(repo=str(course.repo) if course.repo else None, course_dir=str(course.course_dir),
                                       db_url=course.db_url)
    path = course.course_dir / "nbgrader_config.py"
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return True


def make_api(course: Course, cell_timeout: int = DEFAULT_CELL_TIMEOUT, limits: Limits | None = None,
             exchange_root=None, exchange_course_id: str | None = None):
    """An NbGraderAPI on the course folder (created if needed), quiet unless something fails."""
    ensure_tools_on_path()
    from sqlalchemy.exc import SAWarning

    # nbgrader's gradebook triggers SQLAlchemy autoflush warnings that say nothing to an instructor.
    warnings.filterwarnings("ignore", category=SAWarning)
    # nbgrader puts deleted test cells back without the cell ids that newer nbformat expects.
    warnings.filterwarnings("ignore", message="Cell is missing an id field")
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    from grader import gradebook_engine

    gradebook_engine.install()  # nbgrader would build a new engine (and compile every query anew) per lookup
    course.course_dir.mkdir(parents=True, exist_ok=True)
    write_config_file(course)
    config = nbgrader_config(course, cell_timeout, limits)
    if exchange_root is not None:
        config.Exchange.root = str(exchange_root)
        config.CourseDirectory.course_id = exchange_course_id or COURSE_ID
        config.ExchangeReleaseAssignment.force = True  # a lesson released again (a fixed test) replaces the old
    coursedir = CourseDirectory(config=config)
    with _quiet_missing_exchange(exchange_root is None):
        api = NbGraderAPI(coursedir=coursedir, config=config)
    api.log.setLevel(logging.ERROR)
    return api


@contextlib.contextmanager
def _quiet_missing_exchange(quiet: bool):
    """NbGraderAPI looks for nbgrader's default exchange when it starts and logs a critical line to stderr
    when there is none; a course without an exchange is not an error for any command that does not use it."""
    def keep(record: logging.LogRecord) -> bool:
        return not (quiet and str(record.msg).startswith("Unwritable directory"))

    logger = logging.getLogger("traitlets")
    logger.addFilter(keep)
    try:
        yield
    finally:
        logger.removeFilter(keep)
