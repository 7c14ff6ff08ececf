"""nbgrader's removal of a hidden-test region from one cell, for the feedback's own stage.

nbgrader's ClearHiddenTests strips `### BEGIN HIDDEN TESTS` regions only as part of its whole pass; the
feedback stage (grader.reports.feedback.HideHiddenTests) also needs to know whether a cell had one, to
say so in the page and shorten that cell's tracebacks. nbgrader answers that only through a private method.
"""

from __future__ import annotations

from grader.patches.guard import Touch


def remove_hidden_region(preprocessor, cell) -> bool:
    """Strip the hidden-test region of `cell` in place, as `preprocessor` (a ClearHiddenTests) is set up to;
    whether there was one."""
    return preprocessor._remove_hidden_test_region(cell)


TOUCHES = [
    Touch("grader.patches.hidden_tests",
          "nbgrader.preprocessors.clearhiddentests:ClearHiddenTests._remove_hidden_test_region",
          "nbgrader", "0.9.6", "a5a394d5d7e3e9c9",
          "strips the region from the cell in place and returns whether it found one"),
]
