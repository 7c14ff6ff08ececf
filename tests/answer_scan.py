"""Does anything in the students' course_lib answer a graded function? Every callable of the bundled course_lib
is run, in this process, in place of each graded function against that function's hidden tests.

- The graded functions and their hidden tests come from solutions/: a function is graded when an answer cell
  defines it and test cells `test_<name>` / `test_<name>__*` grade it; its hidden tests are the part of those
  cells between `### BEGIN HIDDEN TESTS` and `### END HIDDEN TESTS`.
- A lesson's namespace is what its test cells see when grading the solution: the set-up cells before the first
  answer, then every answer cell (the solution). A test cell's visible part runs once with the solution, then
  its hidden part runs with the candidate bound to the graded name.
- A candidate is tried in every call form a trivial wrapper could give it, when its signature admits it: the
  call as the test makes it; arguments matched by name; all graded arguments by position; the required ones
  by position in any order (up to four); a required parameter the graded call has no value for given None;
  a dict argument given as its (name, value) pairs; None given as {}; the result, or its first element.
- Only to save time: where the hidden part's first call has plain data for arguments, a candidate whose
  result there is plain data other than the solution's is not run further (the hidden part would fail it).
- It answers the graded function when the hidden part runs to its end and called it at least once.
"""

from __future__ import annotations

import contextlib
import copy
import importlib
import io
import os
import re
import signal
import sys
import types
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

import matplotlib
import numpy as np

from call_forms import (CallForm, adapter, call_forms, distinct_at_first_call, has_none_default, is_plain,
                        plain_result, same, variants)
from grader.course.cellcode import to_python
from grader.course.folder import REPO_ROOT
from grader.course.notebooks import nbgrader_meta, read_notebook
from grader.course.samples import _strip_markers

HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
CALL_SECONDS = 3.0    # one call at the hidden part's first arguments
RUN_SECONDS = 60.0    # a whole hidden part (the capstone's trains networks): generous, only plausible candidates run


@dataclass(frozen=True)
class HiddenTest:
    lesson: str
    function: str
    cell: str      # the test cell's grade id
    visible: str   # the cell before its hidden part (defines the helpers the hidden part uses)
    hidden: str


@dataclass(frozen=True)
class Answer:
    candidate: str
    test: HiddenTest
    form: CallForm

    def __str__(self) -> str:
        return (f"{self.candidate} passes the hidden tests of {self.test.lesson}'s {self.test.function} "
                f"(cell {self.test.cell}) {self.form.describe()}")


class _Timeout(BaseException):
    pass


# --- the graded functions and their hidden tests ------------------------------------------------------------

def lessons() -> list[str]:
    return sorted(p.stem for p in (REPO_ROOT / "solutions").glob("*.ipynb"))


def _code_cells(lesson: str):
    nb = read_notebook(REPO_ROOT / "solutions" / f"{lesson}.ipynb")
    return [c for c in nb.cells if c.cell_type == "code"]


def graded_functions(lesson: str) -> list[str]:
    cells = _code_cells(lesson)
    ids = [nbgrader_meta(c).get("grade_id", "") for c in cells]
    return [g for c, g in zip(cells, ids) if nbgrader_meta(c).get("solution")
            and any(i == f"test_{g}" or i.startswith(f"test_{g}__") for i in ids)]


def hidden_tests(lesson: str) -> list[HiddenTest]:
    functions = graded_functions(lesson)
    tests = []
    for cell in _code_cells(lesson):
        grade_id = nbgrader_meta(cell).get("grade_id", "")
        source = cell.source
        owner = next((f for f in functions if grade_id == f"test_{f}" or grade_id.startswith(f"test_{f}__")), None)
        if owner is None or not nbgrader_meta(cell).get("grade") or HIDDEN_BEGIN not in source:
            continue
        visible, rest = source.split(HIDDEN_BEGIN, 1)
        tests.append(HiddenTest(lesson, owner, grade_id, visible, rest.split(HIDDEN_END, 1)[0]))
    return tests


def _run(source: str, namespace: dict) -> None:
    exec(compile(to_python(source), "<cell>", "exec"), namespace)


@contextlib.contextmanager
def quiet():
    """No output, no warnings, no figures left open, no display: a candidate may print, plot or warn."""
    matplotlib.use("Agg")
    previous = os.environ.get("COURSE_QUIET")
    os.environ["COURSE_QUIET"] = "1"
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()), \
                warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            yield
    finally:
        import matplotlib.pyplot as plt

        plt.close("all")
        if previous is None:
            os.environ.pop("COURSE_QUIET", None)
        else:
            os.environ["COURSE_QUIET"] = previous


def _close_figures() -> None:
    import matplotlib.pyplot as plt

    plt.close("all")


@lru_cache(maxsize=None)
def lesson_namespace(lesson: str) -> dict:
    """The names a test cell of `lesson` sees when the solution is graded (set-up, then every answer)."""
    cells = _code_cells(lesson)
    first_answer = next(i for i, c in enumerate(cells) if nbgrader_meta(c).get("solution"))
    namespace: dict = {"__name__": "__main__"}
    with quiet():
        for cell in cells[:first_answer]:
            if not cell.metadata.get("course", {}).get("skip_in_grading"):
                _run(cell.source, namespace)
        for cell in cells[first_answer:]:
            if nbgrader_meta(cell).get("solution"):
                _run(_strip_markers(cell.source), namespace)
    return namespace


# --- running -------------------------------------------------------------------------------------------------

def _alarm(signum, frame):
    raise _Timeout()


@contextlib.contextmanager
def _deadline(seconds: float):
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


class _Stage:
    """A test cell's namespace after its visible part ran with the solution, reset before every trial: the
    hidden part runs in this very dict (the visible part's helper functions look the graded name up in it),
    with fresh copies of the data the visible part made, so a candidate cannot spoil the next trial."""

    def __init__(self, lesson_ns: dict, test: HiddenTest):
        self.namespace = dict(lesson_ns)
        self.function = test.function
        self.solution = lesson_ns[test.function]
        with quiet():
            _run(test.visible, self.namespace)
        self.keys = set(self.namespace)
        self.pristine = {}
        for name, obj in self.namespace.items():
            if lesson_ns.get(name) is not obj and not isinstance(obj, (types.ModuleType, types.FunctionType, type)):
                try:
                    self.pristine[name] = copy.deepcopy(obj)
                except Exception:  # noqa: BLE001 - not copyable: shared, as the test's own object is
                    pass

    def run(self, code, stand_in) -> None:
        """The hidden part with `stand_in` bound to the graded name (the solution again afterwards)."""
        for name in [n for n in self.namespace if n not in self.keys]:
            del self.namespace[name]
        for name, obj in self.pristine.items():
            self.namespace[name] = copy.deepcopy(obj)
        self.namespace[self.function] = stand_in
        try:
            with _deadline(RUN_SECONDS):
                exec(code, self.namespace)
        finally:
            self.namespace[self.function] = self.solution


class _FirstCall(BaseException):
    """Raised by the recorder at the graded function's first call in a hidden part: its arguments are known."""


def _first_call(code, stage: _Stage) -> tuple | None:
    """The arguments of the hidden part's first call of the graded function, as the solution's run makes it."""
    seen: list = []

    def recorder(*args, **kwargs):
        seen.append(copy.deepcopy((args, kwargs)))
        raise _FirstCall()

    try:
        with quiet():
            stage.run(code, recorder)
    except (_FirstCall, Exception, _Timeout):  # noqa: BLE001 - only the arguments matter here
        pass
    return seen[0] if seen else None


def _stand_ins(candidate, graded, form: CallForm, first: tuple, hidden: str, memo: dict) -> list[CallForm]:
    """The form, or the form taking its result's first element, as far as either may stand in at the hidden
    part's first call. Neither may when the candidate raises where the solution returns; when the arguments
    are plain data and the result is not the solution's result there; or when the result lacks an attribute
    of the solution's that the hidden part reads. The hidden part would fail it: nothing is missed."""
    args, kwargs = copy.deepcopy(first)
    firsts = CallForm(form.order, form.by_name, form.as_called, form.pairs, True, form.empty)
    try:
        with _deadline(CALL_SECONDS):
            result = adapter(graded, candidate, form, [])(*args, **kwargs)
            options = [(form, result)]
            if isinstance(result, (tuple, list)) and len(result) > 0:
                options.append((firsts, result[0]))
            if not is_plain(first):
                return [f for f, _ in options]
            if "expected" not in memo:  # the solution's result there, once per hidden part
                expected_args, expected_kwargs = copy.deepcopy(first)
                memo["expected"] = graded(*expected_args, **expected_kwargs)
            expected = memo["expected"]
            try:
                theirs = plain_result(expected)
            except TypeError:  # an object: the hidden part reads attributes of it
                read = {a for a in dir(expected) if not a.startswith("_") and re.search(rf"\.{a}\b", hidden)}
                return [f for f, value in options if all(hasattr(value, a) for a in read)]
            kept = []
            for f, value in options:
                try:
                    if same(plain_result(value), theirs):
                        kept.append(f)
                except TypeError:
                    continue
            return kept
    except (Exception, _Timeout):  # noqa: BLE001 - it cannot stand in for the graded function
        return []


def scan(candidates: dict[str, Callable], tests: list[HiddenTest]) -> tuple[list[Answer], int]:
    """The (candidate, hidden test, call form) that pass, and how many hidden parts ran in full."""
    answers, trials = [], 0
    previous = signal.signal(signal.SIGALRM, _alarm)
    try:
        for test in tests:
            stage = _Stage(lesson_namespace(test.lesson), test)
            graded = stage.solution
            code = compile(to_python(test.hidden), f"<{test.cell} hidden>", "exec")
            first = _first_call(code, stage)
            memo: dict = {}
            given = [] if first is None else [*first[0], *first[1].values()]
            dicts = first is None or any(isinstance(v, dict) for v in given)
            nones = has_none_default(graded) or any(v is None for v in given)
            with quiet():
                for qualified, candidate in candidates.items():
                    for form in distinct_at_first_call(call_forms(graded, candidate), graded, first):
                        adapted = [f for v in variants(form, dicts, nones)
                                   for f in ([v, CallForm(v.order, v.by_name, v.as_called, v.pairs, True, v.empty)]
                                             if first is None else _stand_ins(candidate, graded, v, first,
                                                                              test.hidden, memo))]
                        found, runs = _try(code, stage, candidate, graded, adapted)
                        trials += runs
                        if found:
                            answers.append(Answer(qualified, test, found))
                            break  # one form is enough to name this candidate for this test
                    _close_figures()
    finally:
        signal.signal(signal.SIGALRM, previous)
    return answers, trials


def _try(code, stage: _Stage, candidate, graded, forms) -> tuple[CallForm | None, int]:
    """The first of `forms` with which the hidden part runs to its end calling the candidate; and the runs made."""
    runs = 0
    for form in forms:
        calls: list = []
        runs += 1
        try:
            stage.run(code, adapter(graded, candidate, form, calls))
        except (Exception, _Timeout):  # noqa: BLE001 - any failure: not an answer
            continue
        if calls:
            return form, runs
    return None, runs


# --- the bundle's course_lib -----------------------------------------------------------------------------------

def bundled_callables(bundle: Path) -> tuple[dict[str, Callable], list[str]]:
    """Every function and class defined at the top of a module of the course_lib in `bundle` (public and
    private), imported from there; and the modules that were read. A module that imports a reference the
    bundle does not hold (course_lib.debugging needs lesson 03's) is still read, with the repository's
    reference standing in: its source is in the students' hands either way; the stand-in is not scanned."""
    from course_lib.reference import MODULES

    for module in MODULES:  # the repository's references, ready to stand in
        importlib.import_module(f"course_lib.reference.{module}")
    package = bundle / "course_lib"
    saved = {name: mod for name, mod in sys.modules.items() if name == "course_lib" or name.startswith("course_lib.")}
    standins = {name: mod for name, mod in saved.items() if name.startswith("course_lib.reference.lesson")}
    for name in saved:
        del sys.modules[name]
    sys.path.insert(0, str(bundle))
    found: dict[str, Callable] = {}
    modules = []
    try:
        importlib.import_module("course_lib")
        importlib.import_module("course_lib.reference")
        for name, mod in standins.items():
            if not (package / "reference" / f"{name.rsplit('.', 1)[1]}.py").exists():
                sys.modules[name] = mod
        for path in sorted(package.rglob("*.py")):
            parts = path.relative_to(bundle).with_suffix("").parts
            module_name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            module = importlib.import_module(module_name)
            assert Path(module.__file__).resolve() == path.resolve(), f"{module_name} was not read from the bundle"
            modules.append(module_name)
            for attr, obj in vars(module).items():
                if callable(obj) and getattr(obj, "__module__", None) == module_name:
                    found[f"{module_name}.{attr}"] = obj
    finally:
        sys.path.remove(str(bundle))
        for name in [n for n in sys.modules if n == "course_lib" or n.startswith("course_lib.")]:
            del sys.modules[name]
        sys.modules.update(saved)
    return found, modules
