"""No answer in course_lib: nothing a graded class receives passes a graded function's hidden tests.

The course_lib scanned is the one `grader bundle` gives a class that has no answers published
(grader.delivery.reference_view.for_students with nothing published): every function and class at the top of
its modules, public and private, is run in place of every graded function of every lesson against that
function's hidden tests, in every call form a trivial wrapper could give it (tests/answer_scan.py says which).
The scanner must also find a planted twin, including the ones issue 34 found in course_lib before it was changed.
"""

from __future__ import annotations

import textwrap
import types

import pytest

import answer_scan
from answer_scan import bundled_callables, graded_functions, hidden_tests, lessons, scan
from call_forms import CallForm, call_forms
from grader.course.folder import REPO_ROOT
from grader.course.notebooks import nbgrader_meta, read_notebook
from grader.delivery.reference_view import for_students


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    target = tmp_path_factory.mktemp("bundle")
    for_students(target, [])
    return target


@pytest.fixture(scope="module")
def candidates(bundle):
    found, modules = bundled_callables(bundle)
    return found, modules


def _tests_of(lesson: str, function: str):
    return [t for t in hidden_tests(lesson) if t.function == function]


def test_every_graded_function_with_hidden_tests_is_scanned():
    scanned = {(lesson, t.function) for lesson in lessons() for t in hidden_tests(lesson)}
    graded = {(lesson, f) for lesson in lessons() for f in graded_functions(lesson)}
    assert scanned == graded and ("09_capstone", "train_network") in scanned
    for lesson in lessons():  # every test cell with a hidden part, and only those
        nb = read_notebook(REPO_ROOT / "solutions" / f"{lesson}.ipynb")
        with_hidden = {nbgrader_meta(c)["grade_id"] for c in nb.cells
                       if nbgrader_meta(c).get("grade") and answer_scan.HIDDEN_BEGIN in c.source
                       and not nbgrader_meta(c)["grade_id"].startswith(("mcq_", "test_mc_"))}
        assert {t.cell for t in hidden_tests(lesson)} == with_hidden


def test_the_bundle_holds_no_reference_and_every_module_is_read(bundle, candidates):
    found, modules = candidates
    assert sorted(p.name for p in (bundle / "course_lib" / "reference").glob("*.py")) == ["__init__.py"]
    expected = {".".join(p.relative_to(bundle).with_suffix("").parts).removesuffix(".__init__")
                for p in (bundle / "course_lib").rglob("*.py")}
    assert set(modules) == expected
    assert "course_lib.training.train" in found and "course_lib.debugging.detect_anomaly" in found
    assert not any(name.startswith("course_lib.reference.lesson0") for name in found)  # no stand-in scanned


@pytest.mark.slow  # every callable against every hidden part, in this process: about a minute on an idle machine
def test_no_callable_of_the_bundled_course_lib_passes_a_graded_functions_hidden_tests(candidates):
    found, _ = candidates
    tests = [t for lesson in lessons() for t in hidden_tests(lesson)]
    answers, runs = scan(found, tests)
    assert runs > 0
    assert answers == [], "course_lib answers graded functions:\n" + "\n".join(map(str, answers))


# --- the scanner finds twins --------------------------------------------------------------------------------

def _planted(source: str, name: str = "planted") -> dict:
    """Callables of a module made from `source`, named as the scanner names course_lib's."""
    module = types.ModuleType(f"course_lib.{name}")
    exec(textwrap.dedent(source), module.__dict__)
    return {f"course_lib.{name}.{attr}": obj for attr, obj in vars(module).items()
            if callable(obj) and getattr(obj, "__module__", None) == module.__name__}


# course_lib's private helpers before issue 34, as they were: each is a graded function behind a trivial wrapper.
OLD_TWINS = '''
import numpy as np

def _gradient_step(w, dw, config):
    return w - config.setdefault("learning_rate", 1e-2) * dw, config

def _first_bad(named):
    for name, value in named:
        arr = np.asarray(value, dtype=np.float64)
        if not np.all(np.isfinite(arr)):
            return name, ("NaN" if np.any(np.isnan(arr)) else "inf")
    return None

def _numeric(f, x, h, indices):
    out = np.full(x.shape, np.nan)
    for idx in indices if indices is not None else np.ndindex(x.shape):
        old = x[idx]
        try:
            x[idx] = old + h
            f_plus = float(f(x))
            x[idx] = old - h
            f_minus = float(f(x))
        finally:
            x[idx] = old
        out[idx] = (f_plus - f_minus) / (2.0 * h)
    return out
'''


@pytest.mark.parametrize("twin, lesson, function", [
    ("_gradient_step", "04_optimizers", "sgd"),                        # the call as the test makes it
    ("_first_bad", "08_debugging_training", "find_first_nonfinite"),   # the dict as pairs, the first of the result
    ("_numeric", "01_search_strategies", "numerical_gradient"),        # a None for the entries to check
])
def test_the_old_private_twins_are_found(twin, lesson, function):
    planted = {name: obj for name, obj in _planted(OLD_TWINS).items() if name.endswith(f".{twin}")}
    answers, _ = scan(planted, _tests_of(lesson, function))
    assert [a.candidate for a in answers] == [f"course_lib.planted.{twin}"] * len(_tests_of(lesson, function))


def test_a_planted_twin_among_the_bundle_fails_the_scan(candidates):
    """The answer key's own adam, renamed and with its arguments in another order, slipped into course_lib."""
    found, _ = candidates
    planted = _planted('''
import numpy as np

def _moment_step(config, dw, w):
    config = {} if config is None else config
    for key, default in (("learning_rate", 1e-3), ("beta1", 0.9), ("beta2", 0.999), ("epsilon", 1e-8)):
        config.setdefault(key, default)
    m = config.get("m", np.zeros_like(w))
    v = config.get("v", np.zeros_like(w))
    t = config.get("t", 0) + 1
    m = config["beta1"] * m + (1 - config["beta1"]) * dw
    v = config["beta2"] * v + (1 - config["beta2"]) * dw ** 2
    config.update(m=m, v=v, t=t)
    m_hat, v_hat = m / (1 - config["beta1"] ** t), v / (1 - config["beta2"] ** t)
    return w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"]), config
''', name="optimizer_lab")
    scanned = {**{k: v for k, v in found.items() if k.startswith("course_lib.optimizer_lab.")}, **planted}
    answers, _ = scan(scanned, _tests_of("04_optimizers", "adam") + _tests_of("09_capstone", "adam"))
    assert {a.candidate for a in answers} == {"course_lib.optimizer_lab._moment_step"}
    assert {a.test.lesson for a in answers} == {"04_optimizers", "09_capstone"}
    assert "config" in answers[0].form.describe() and "(w, dw, config)" not in answers[0].form.describe()


def test_a_wrong_candidate_of_the_right_shape_is_not_an_answer():
    """Signature alone proves nothing: a plain step with a wrong default rate fails sgd's hidden tests."""
    planted = _planted('''
def step(w, dw, config=None):
    config = {} if config is None else config
    return w - config.setdefault("learning_rate", 1e-1) * dw, config
''')
    answers, runs = scan(planted, _tests_of("04_optimizers", "sgd"))
    assert answers == [] and runs >= 1


def test_call_forms_cover_reordering_and_none_for_a_missing_argument():
    def graded(f, x, h=1e-5):
        return x

    def candidate(x, f, h, indices):
        return x

    forms = call_forms(graded, candidate)
    assert any(form.order == ("x", "f", "h", None) for form in forms)
    assert CallForm(as_called=True) in forms
    assert len(forms) <= 1 + 1 + 1 + 2  # as called, by name, in order, the two orders of (f, x)
