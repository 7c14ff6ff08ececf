"""Reading a code cell as the kernel runs it (grader.course.cellcode): IPython syntax, and cells that cannot be read."""

from __future__ import annotations

import ast

import pytest
from lessons_on_disk import lesson_notebooks

from grader.bug_bank import bugs_for
from grader.course.cellcode import as_ipython_runs_it, bound_names, parse_cell, to_python
from grader.course.folder import Course

COURSE = Course.at()

# Cells where IPython's reading and plain Python's could part: prompts, indents, blank lines, magics.
_EDGE_CELLS = ["...", "... # later", "In [1]: x", ">>> x = 1", "   x = 1\n   y = x", "\n\n  \nx = 1\ny = (x\n%2)",
               "%matplotlib inline\nx = 1", "x = !ls", "x?", "%%time\nx = 1", "a = 1 % 2", "", "\n",
               "x = '''\n%y\n'''", "def f():\n    return 1\n\n\n", "\ufeffx = 1", "x = 1\x00"]


def _code_cells():
    for lesson in COURSE.lesson_names():
        for nb in lesson_notebooks(lesson):
            yield from (c.source for c in nb.cells if c.cell_type == "code")
        yield from (bug.source for bug in bugs_for(lesson))
    yield from _EDGE_CELLS


def test_cells_parse_as_ipython_transforms_them():
    """Plain Python is parsed directly (as_ipython_runs_it): on every cell of the course, its bug banks and
    some edge cases, the tree is the one IPython's transformer leads to, line numbers included, and a cell
    that fails one way fails the other."""
    compared = 0
    for source in _code_cells():
        try:
            expected = ast.dump(ast.parse(to_python(source)), include_attributes=True)
        except (SyntaxError, ValueError):
            with pytest.raises((SyntaxError, ValueError)):
                as_ipython_runs_it(source)
            continue
        assert ast.dump(as_ipython_runs_it(source), include_attributes=True) == expected, repr(source)
        compared += 1
    assert compared > 500


def test_magics_are_read_as_the_python_they_run():
    assert "get_ipython()" in to_python("%time x = 1")
    assert "get_ipython()" in to_python("!echo hi")


@pytest.mark.parametrize("source", ["x = " + "1 + " * 5000 + "1", "x = " + "[" * 5000 + "]" * 5000,
                                    "def f(x)\n    return x", "x = (1"])
def test_a_cell_that_cannot_be_read_gives_none_and_never_raises(source):
    assert parse_cell(source) is None


def test_bound_names_covers_every_way_of_binding():
    tree = ast.parse("import a.b\nfrom c import d as e\nx, [y] = 1, [2]\ndef f(p, *q, r=1, **s):\n    t = 1\n"
                     "class K:\n    pass\ntry:\n    pass\nexcept E as err:\n    del x\nfor i in []:\n    pass\n"
                     "with open(1) as w:\n    pass\n(z := 3)")
    assert bound_names(tree) == {"a", "e", "x", "y", "f", "p", "q", "r", "s", "t", "K", "err", "i", "w", "z"}
