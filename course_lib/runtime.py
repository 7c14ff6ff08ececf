"""Where is this code running? Notebooks behave differently under the autograder and in tests."""

import os


def is_autograding() -> bool:
    """True under `nbgrader autograde` / `validate` (nbgrader sets NBGRADER_EXECUTION)."""
    return bool(os.environ.get("NBGRADER_EXECUTION"))


def is_quiet() -> bool:
    """No progress bars or live widgets: under the autograder, or when COURSE_QUIET is set (tests, scripts)."""
    return is_autograding() or bool(os.environ.get("COURSE_QUIET"))
