"""A one-exercise course built on the fly: fast enough to test every grader path many times."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

LESSON = "00_mini"


def _meta(grade_id, *, solution=False, grade=False, locked=True, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def mini_notebook() -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        new_markdown_cell("# Mini lesson\nWrite `double`.", metadata=_meta("intro")),
        new_code_cell("import numpy as np", metadata=_meta("setup")),
        new_code_cell('def double(x):\n    """Twice x."""\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION',
                      metadata=_meta("double", solution=True, locked=False)),
        new_code_cell("from course_lib.checks import assert_close\nassert_close('double(3)', double(3), 6)\n"
                      "### BEGIN HIDDEN TESTS\ndef reference_double(v):\n    return v + v  # the hidden oracle\n\n\n"
                      "assert_close('double(-2.5) [hidden]', double(-2.5), reference_double(-2.5))\n"
                      "### END HIDDEN TESTS",
                      metadata=_meta("test_double", grade=True, points=2)),
        new_code_cell("assert double(np.arange(3)).tolist() == [0, 2, 4], 'double must work on arrays'",
                      metadata=_meta("test_double__arrays", grade=True, points=1)),
    ]
    return nb


def make_repo(root: Path) -> Path:
    """A course repository with solutions/00_mini.ipynb and an empty lessons/."""
    (root / "solutions").mkdir(parents=True)
    (root / "lessons").mkdir()
    nbformat.write(mini_notebook(), str(root / "solutions" / f"{LESSON}.ipynb"))
    return root
