"""Notes for the instructor (grader.integrity.notes): what reaches for the interpreter, the grader or the
process gets a note with its cell and line; honest styles, every solution and every known bug get none."""

from __future__ import annotations

import copy

import nbformat
import pytest
from lessons_on_disk import lesson_notebooks
from minicourse import mini_notebook

from grader.bug_bank import bugs_for
from grader.course.folder import Course
from grader.course.notebooks import nbgrader_meta
from grader.course.samples import plant
from grader.integrity.notes import notes_for


@pytest.fixture(scope="module")
def mini():
    source = mini_notebook()
    release = copy.deepcopy(source)
    for cell in release.cells:
        if nbgrader_meta(cell).get("solution"):
            cell.source = 'def double(x):\n    """Twice x."""\n    raise NotImplementedError()'
        elif "BEGIN HIDDEN TESTS" in cell.source:
            cell.source = cell.source.split("### BEGIN HIDDEN TESTS")[0]
    filled = copy.deepcopy(release)
    next(c for c in filled.cells if nbgrader_meta(c).get("solution")).source = "def double(x):\n    return 2 * x"
    return source, release, filled


def notes(mini, code, **kw):
    source, release, filled = mini
    return [n.describe() for n in notes_for(plant(filled, "double", code), source, release, **kw)]


HONEST = {
    "setattr_on_own_object": "class C:\n    pass\nc = C()\nsetattr(c, 'lr', 0.1)\ndef double(x):\n    return 2 * x",
    "computed_getattr": "def double(x):\n    name = 'real'\n    return 2 * getattr(x, name, x)",
    "locals_in_a_print": "def double(x):\n    y = 2 * x\n    print(locals())\n    return y",
    "namedtuple_subclass": "from typing import NamedTuple\nclass P(NamedTuple):\n    a: float\ndef double(x):\n    return 2 * x",
    "exception_subclass": "class ShapeError(ValueError):\n    pass\ndef double(x):\n    return 2 * x",
    "future_annotations": "from __future__ import annotations\ndef double(x: float) -> float:\n    return 2 * x",
    "warnings": "import warnings\nwarnings.filterwarnings('ignore')\ndef double(x):\n    return 2 * x",
    "seterr": "import numpy as np\nnp.seterr(all='ignore')\ndef double(x):\n    return 2 * x",
    "np_stack_and_os_path": "import os\nimport numpy as np\np = os.path.join('a', 'b')\ndef double(x):\n    return np.stack([x, x]).sum(0)",
    "dunder_methods": "class V:\n    def __init__(self, v):\n        self.v = v\n    def __eq__(self, o):\n        return self.v == o.v\n"
                      "    def __hash__(self):\n        return hash(self.v)\ndef double(x):\n    return 2 * x",
    "sys_and_time": "import sys, time\nt = time.perf_counter()\nbig = sys.float_info.max\ndef double(x):\n    return 2 * x",
    "syntax_error": "def double(x)\n    return 2 * x",
    "magics": "%timeit -n 1 double(3)\n%matplotlib inline\ndef double(x):\n    return 2 * x",
    "platform_system_and_gc": "import gc, platform\ngc.collect()\nprint(platform.system())\ndef double(x):\n    return 2 * x",
    "ipython_display": "from IPython.display import display\ndef double(x):\n    return 2 * x",
    "own_name_Out": "Out = 3\nprint(Out)\ndef double(x):\n    return 2 * x",
    "introspection": "class A:\n    pass\nclass B(A):\n    pass\nprint(A.__subclasses__(), B.__mro__)\ndef double(x):\n    return 2 * x",
    "pickle_and_importlib": "import pickle, importlib, inspect\nimportlib.reload(pickle)\ndef double(x):\n    return 2 * x",
}


@pytest.mark.parametrize("name", HONEST)
def test_honest_code_gets_no_note(mini, name):
    assert notes(mini, HONEST[name]) == []


NOTED = {
    "import subprocess": "imports subprocess",
    "from ctypes import CDLL": "imports from ctypes",
    "import builtins": "imports builtins",
    "f = double.__globals__": "reads `.__globals__`",
    "import sys\nf = sys._getframe(1).f_locals": "reads `._getframe`",
    "x = In[-1]": "uses `In`",
    "ip = get_ipython()": "uses `get_ipython`",
    "import os\nos.system('true')": "calls os.system",
    "import os as o\no.fork()": "calls os.fork",
    "m = __import__('sys').modules['_course_boundary']": "names the grader's agent",
}


@pytest.mark.parametrize("code", NOTED)
def test_reaching_code_gets_a_note_with_its_cell_and_line(mini, code):
    found = notes(mini, code)
    assert any(NOTED[code] in n for n in found), found
    assert all(", in double, line " in n for n in found)


def test_a_note_points_at_its_line_and_a_course_can_allow_a_module(mini):
    source, release, filled = mini
    nb = plant(filled, "double", "x = 1\ny = 2\nimport socket")
    (note,) = notes_for(nb, source, release)
    answer = next(c for c in nb.cells if nbgrader_meta(c).get("solution")).source.splitlines()
    assert answer[note.line - 1] == "import socket"
    assert notes_for(nb, source, release, allowed_imports=("socket",)) == []


def test_added_cells_are_read_and_unchanged_release_cells_are_not(mini):
    source, release, filled = mini
    nb = copy.deepcopy(filled)
    nb.cells.insert(2, nbformat.v4.new_code_cell("import subprocess"))
    (note,) = notes_for(nb, source, release)
    assert note.cell == "cell 3" and "imports subprocess" in note.what
    assert notes_for(release, source, release) == []


def test_a_cell_too_deep_to_read_gets_a_note_not_an_error(mini):
    assert notes(mini, "x = " + "(" * 3000 + "1" + ")" * 3000) == ["a cell too large or deeply nested to read, in double, line 0"]


@pytest.mark.parametrize("lesson", Course.at().lesson_names())
def test_no_solution_and_no_known_bug_gets_a_note(lesson):
    source, release, filled = lesson_notebooks(lesson)
    assert notes_for(filled, source, release) == [] and notes_for(release, source, release) == []
    for bug in bugs_for(lesson):
        found = notes_for(plant(filled, bug.function, bug.source), source, release)
        assert not found, f"{bug.function}/{bug.name}: {[n.describe() for n in found]}"


@pytest.mark.parametrize("lesson", Course.at().lesson_names())
def test_no_solution_and_no_known_bug_is_refused_as_taken_from_the_course(lesson):
    from grader.boundary.plan import plan_from_source
    from grader.integrity.notes import student_cells
    from grader.integrity.references import refusals

    source, release, filled = lesson_notebooks(lesson)
    imports = plan_from_source(source).setup_imports
    assert refusals(student_cells(filled, source, release), lesson, imports) == []
    for bug in bugs_for(lesson):
        nb = plant(filled, bug.function, bug.source)
        assert refusals(student_cells(nb, source, release), lesson, imports) == [], f"{bug.function}/{bug.name}"
