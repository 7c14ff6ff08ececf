"""The static check, rule by rule: tampering vocabulary is flagged with its cell and line; honest code,
every lesson's solution and every bug-bank entry are not."""

from __future__ import annotations

import ast
import copy

import pytest

from grader.bug_bank import bugs_for
from grader.course import Course
from grader.notebooks import cells_by_id, nbgrader_meta, read_notebook
from grader.samples import _strip_markers, plant
from grader.static_check import _as_ipython_runs_it, check_submission, lesson_context, to_python
from minicourse import mini_notebook

COURSE = Course.at()


def _lesson(lesson: str):
    """(source, release, filled-in) straight from solutions/ and lessons/, no nbgrader needed."""
    source = read_notebook(COURSE.solutions_dir / f"{lesson}.ipynb")
    release = read_notebook(COURSE.lessons_dir / f"{lesson}.ipynb")
    filled = copy.deepcopy(release)
    answers = cells_by_id(source)
    for cell in filled.cells:
        if nbgrader_meta(cell).get("solution"):
            cell.source = _strip_markers(answers[nbgrader_meta(cell)["grade_id"]].source)
    return source, release, filled


@pytest.fixture(scope="module")
def mini():
    source = mini_notebook()
    release = copy.deepcopy(source)
    for cell in release.cells:
        meta = nbgrader_meta(cell)
        if meta.get("solution"):
            cell.source = 'def double(x):\n    """Twice x."""\n    raise NotImplementedError()'
        elif "BEGIN HIDDEN TESTS" in cell.source:
            cell.source = cell.source.split("### BEGIN HIDDEN TESTS")[0]
    filled = copy.deepcopy(release)
    next(c for c in filled.cells if nbgrader_meta(c).get("solution")).source = "def double(x):\n    return 2 * x"
    return source, release, filled


def findings(mini, code):
    source, release, filled = mini
    return [f.describe() for f in check_submission(plant(filled, "double", code), source, release)]


HONEST = {
    "loops_instead_of_vectorization": "def double(x):\n    out = np.array(x, dtype=float)\n    for i in range(out.size):\n"
                                      "        out.flat[i] = 2 * out.flat[i]\n    return out",
    "helper_functions": "def _twice(v):\n    return v + v\n\ndef double(x):\n    return _twice(x)",
    "prints_while_debugging": "def double(x):\n    print('x is', x, file=None)\n    return 2 * x",
    "class_with_operator_methods": (
        "class Value:\n    __slots__ = ('data', 'grad', '_prev', '_backward')\n"
        "    def __init__(self, data, children=()):\n        self.data, self.grad = data, 0.0\n"
        "        self._prev, self._backward = set(children), lambda: None\n"
        "    def __add__(self, other):\n        other = other if isinstance(other, Value) else Value(other)\n"
        "        out = Value(self.data + other.data, (self, other))\n"
        "        def _backward():\n            self.grad += out.grad\n            other.grad += out.grad\n"
        "        out._backward = _backward\n        return out\n"
        "    __radd__ = __add__\n"
        "    def __mul__(self, other):\n        return Value(self.data * other.data, (self, other))\n"
        "    def __rmul__(self, other):\n        return self.__mul__(other)\n"
        "    def __neg__(self):\n        return self * -1\n"
        "    def __repr__(self):\n        return f'{self.__class__.__name__}(data={self.data}, grad={self.grad})'"),
    "math_and_small_stdlib": "import math\nfrom collections import defaultdict\nfrom functools import reduce\n"
                             "def double(x):\n    return reduce(lambda a, b: a + b, [x, x])",
    "getattr_with_a_literal_name": "def double(x):\n    return 2 * getattr(x, 'real', x)",
    "numpy_testing_in_a_scratch_cell": "np.testing.assert_allclose(double(np.ones(2)), 2 * np.ones(2))",
    "format_with_a_spec": "def double(x):\n    label = '{:.3f}'.format(2.0)\n    return 2 * x",
    "names_like_the_hidden_tests_inside_functions": "def double(x):\n    N, W, out = 1, 2, x\n    return W * out * N",
    "matplotlib_plot": "import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.close()",
    "syntax_error_is_not_a_flag": "def double(x)\n    return 2 * x",
    "recursion": "def double(x, n=1):\n    return x + x if n == 0 else double(x, n - 1)",
}


@pytest.mark.parametrize("name", HONEST)
def test_honest_code_is_not_flagged(mini, name):
    assert findings(mini, HONEST[name]) == []


FLAGGED = {
    "np.allclose = lambda *a, **k: True": "changes np.allclose",
    "import os": "imports os",
    "from os import path": "imports from os",
    "from . import x": "imports from .",
    "import numpy.ctypeslib": "numpy.ctypeslib",
    "import matplotlib\nmatplotlib.subprocess.run(['ls'])": "reaches the module subprocess",
    "from matplotlib import os": "reaches the module os",
    "exec('x = 1')": "uses `exec`",
    "f = eval": "uses `eval`",
    "x = __builtins__": "uses `__builtins__`",
    "%timeit double(3)": "uses `get_ipython`",
    "!ls": "uses `get_ipython`",
    "y = double.__globals__": "reads the attribute `__globals__`",
    "y = (1).__class__.__subclasses__()": "reads the attribute `__class__`",
    "def f(g):\n    return g.gi_frame.f_back": "uses the attribute `gi_frame`",
    "s = 'f_back'": "names a frame attribute",
    "s = '__import__'": "names __import__",
    "def float(x):\n    return 1": None,  # rebinds a builtin only if a test reads it: checked below
    "np = None": "rebinds `np`, which the tests use",
    "class A(float):\n    pass": "inherits from float",
    "class A(metaclass=type):\n    pass": "sets metaclass=",
    "class A:\n    def __eq__(self, o):\n        return True": "defines __eq__",
    "class A:\n    __array_priority__ = 100": "defines `__array_priority__`",
    "T = type('T', (), {})": "type(name, bases, namespace)",
    "v = getattr(np, name)": "with a computed name",
    "v = getattr(np, '_core')": "with a computed name",
    "x = np._core": "private attribute np._core",
    "m = np": "passes the module `np` around",
    "from course_lib.checks import assert_close\nassert_close.x = 1": "changes assert_close.x",
    "import course_lib.checks as c\nc.assert_close = print": "changes c.assert_close",
    "f = np.linalg\nf.norm = abs": "changes f.norm",
    "type(np.zeros(1)).x = 1": "through type(...)",
    "np.seterr(all='ignore')": "numpy.seterr",
    "a = np.load('x.npy')": "numpy.load",
    "np.zeros(1).tofile('x')": "attribute `tofile`",
    "'{0.__class__}'.format(1)": "format string",
    "t = '{}'\nt.format(1)": "computed string",
    "from operator import attrgetter": "attrgetter",
    "raise SystemExit": "uses `SystemExit`",
    "def f():\n    global np\n    np = 1": "rebinds `np` (global)",
    "import base64": "imports base64",
}


@pytest.mark.parametrize("code", [c for c, want in FLAGGED.items() if want])
def test_tampering_vocabulary_is_flagged_with_cell_and_line(mini, code):
    found = findings(mini, code)
    assert any(FLAGGED[code] in f for f in found), found
    assert all(", in double, line " in f for f in found)


def test_line_numbers_point_at_the_offending_line(mini):
    source, release, filled = mini
    nb = plant(filled, "double", "x = 1\ny = 2\nimport os")
    (finding,) = check_submission(nb, source, release)
    answer = next(c for c in nb.cells if nbgrader_meta(c).get("solution")).source.splitlines()
    assert answer[finding.line - 1] == "import os"


def test_added_cells_are_checked_and_unchanged_release_cells_are_not(mini):
    import nbformat

    source, release, filled = mini
    nb = copy.deepcopy(filled)
    nb.cells.insert(2, nbformat.v4.new_code_cell("import os"))
    (finding,) = check_submission(nb, source, release)
    assert finding.cell == "cell 3" and "imports os" in finding.what
    assert check_submission(release, source, release) == []


def test_magics_are_read_as_the_python_they_run():
    assert "get_ipython()" in to_python("%time x = 1")
    assert "get_ipython()" in to_python("!echo hi")


# Cells where IPython's reading and plain Python's could part: prompts, indents, blank lines, magics.
_EDGE_CELLS = ["...", "... # later", "In [1]: x", ">>> x = 1", "   x = 1\n   y = x", "\n\n  \nx = 1\ny = (x\n%2)",
               "%matplotlib inline\nx = 1", "x = !ls", "x?", "%%time\nx = 1", "a = 1 % 2", "", "\n",
               "x = '''\n%y\n'''", "def f():\n    return 1\n\n\n", "\ufeffx = 1", "x = 1\x00"]


def _code_cells():
    for lesson in COURSE.lesson_names():
        source, release, filled = _lesson(lesson)
        for nb in (source, release, filled):
            yield from (c.source for c in nb.cells if c.cell_type == "code")
        yield from (bug.source for bug in bugs_for(lesson))
    yield from _EDGE_CELLS


def test_cells_parse_as_ipython_transforms_them():
    """The static check parses plain Python directly (grader.static_check._as_ipython_runs_it): on every cell
    of the course, its bug banks and some edge cases, the tree is the one IPython's transformer leads to,
    line numbers included, and a cell that fails one way fails the other."""
    compared = 0
    for source in _code_cells():
        try:
            expected = ast.dump(ast.parse(to_python(source)), include_attributes=True)
        except (SyntaxError, ValueError):
            with pytest.raises((SyntaxError, ValueError)):
                _as_ipython_runs_it(source)
            continue
        assert ast.dump(_as_ipython_runs_it(source), include_attributes=True) == expected, repr(source)
        compared += 1
    assert compared > 500


def test_reading_hidden_test_names_inside_a_function_is_flagged():
    source, release, filled = _lesson("01_search_strategies")
    code = "def softmax_loss_and_grad(W, X, y, reg):\n    return reference_softmax_loss(W, X, y, reg), W"
    found = check_submission(plant(filled, "softmax_loss_and_grad", code), source, release)
    assert any("reference_softmax_loss" in f.what and "hidden tests" in f.what for f in found)


@pytest.mark.parametrize("lesson", COURSE.lesson_names())
def test_no_solution_and_no_known_bug_is_flagged(lesson):
    source, release, filled = _lesson(lesson)
    assert [f.describe() for f in check_submission(filled, source, release)] == []
    assert check_submission(release, source, release) == []
    context = lesson_context(source, release)  # as autograde does: once per lesson, not once per bug
    for bug in bugs_for(lesson):
        found = check_submission(plant(filled, bug.function, bug.source), source, release, context=context)
        assert not found, f"{bug.function}/{bug.name}: {[f.describe() for f in found]}"


def test_a_course_can_allow_more_modules(mini):
    source, release, filled = mini
    nb = plant(filled, "double", "import fractions\nimport json\nx = json.dumps([1])")
    assert [f.what for f in check_submission(nb, source, release)] == ["imports json (not needed in this course)"]
    assert check_submission(nb, source, release, allowed_imports=("json",)) == []
