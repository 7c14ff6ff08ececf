"""nbgrader's API object on the course folder, with the settings every nbgrader command of the course
shares (paths, gradebook, course id, the stubs of a release). What a grading run adds to them is
grader.pipeline.stages."""

from __future__ import annotations

import contextlib
import logging
import warnings

from traitlets.config import Config

from grader.course.folder import COURSE_ID, Course, ensure_tools_on_path


def course_config(course: Course) -> Config:
    """Where nbgrader finds the course, and how a release replaces answers."""
    c = Config()
    c.CourseDirectory.root = str(course.course_dir)
    c.CourseDirectory.course_id = COURSE_ID
    c.CourseDirectory.db_url = course.gradebook_url
    c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
    c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
    return c


def make_api(course: Course, config: Config | None = None, exchange_root=None, exchange_course_id: str | None = None):
    """An NbGraderAPI on the course folder (created if needed) with `config` (default: course_config),
    quiet unless something fails. It puts the gradebook patch in place (grader.patches.gradebook_engine):
    nbgrader would otherwise build a new database engine, and compile every query anew, per lookup."""
    ensure_tools_on_path()
    from sqlalchemy.exc import SAWarning

    # nbgrader's gradebook triggers SQLAlchemy autoflush warnings that say nothing to an instructor.
    warnings.filterwarnings("ignore", category=SAWarning)
    # nbgrader puts deleted test cells back without the cell ids that newer nbformat expects.
    warnings.filterwarnings("ignore", message="Cell is missing an id field")
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    from grader.patches import gradebook_engine

    gradebook_engine.install()
    course.course_dir.mkdir(parents=True, exist_ok=True)
    config = Config(config) if config is not None else course_config(course)
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
