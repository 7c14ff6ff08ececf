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


# --- a second lesson: functions with contracts (inputs read-only, declared state, callbacks) ---------------

CONTRACTS = "00_contracts"

_NORMS = '''def norms(grads):
    """name -> Euclidean norm (a float) of every array of the dict grads; grads is not modified."""
    ### BEGIN SOLUTION
    return {name: float(np.sqrt(np.sum(np.square(g)))) for name, g in grads.items()}
    ### END SOLUTION'''

# Expected values are computed from the test's objects after the call on purpose: only the boundary (no
# write-back outside declared state) keeps a student's changes from reaching them.
_TEST_NORMS = '''from course_lib.checks import assert_close
grads_v = {"a": np.array([3.0, 4.0]), "b": np.zeros(2)}
out_v = norms(grads_v)
assert sorted(str(k) for k in out_v) == sorted(grads_v), f"norms: keys {sorted(out_v)}, expected {sorted(grads_v)}"
for k_v, g_v in grads_v.items():
    assert_close(f"norm of {k_v}", out_v[k_v], float(np.sqrt(np.sum(g_v ** 2))))
### BEGIN HIDDEN TESTS
gen_n = np.random.default_rng(5)
grads_h = {"W": gen_n.standard_normal((4, 3)), "b": gen_n.standard_normal(3), "g": np.array([-2.0])}
out_h = norms(grads_h)
assert sorted(str(k) for k in out_h) == sorted(grads_h), f"norms: keys {sorted(out_h)}, expected {sorted(grads_h)}"
for k_h, g_h in grads_h.items():
    assert_close(f"norm of {k_h} [hidden]", out_h[k_h], float(np.sqrt(np.sum(g_h ** 2))))
### END HIDDEN TESTS'''

_PENALTY = '''def penalty(weights, reg):
    """0.5 * reg * the sum of the squared entries of every array in weights (a dict name -> array, or
    name -> dict of arrays, one per layer); weights is not modified."""
    ### BEGIN SOLUTION
    total = 0.0
    for value in weights.values():
        for w in (value.values() if isinstance(value, dict) else [value]):
            total += float(np.sum(np.square(w)))
    return 0.5 * reg * total
    ### END SOLUTION'''

_TEST_PENALTY = '''from course_lib.checks import assert_close


def squares_p(tree):
    return sum(squares_p(v) if isinstance(v, dict) else float(np.sum(np.square(v))) for v in tree.values())


weights_v = {"W1": np.array([[1.0, 2.0]]), "W2": np.array([2.0])}
assert_close("penalty (reg 0.1)", penalty(weights_v, 0.1), 0.05 * squares_p(weights_v))
### BEGIN HIDDEN TESTS
gen_p = np.random.default_rng(6)
layers_h = {"layer1": {"W": gen_p.standard_normal((3, 2)), "b": gen_p.standard_normal(2)},
            "layer2": {"W": gen_p.standard_normal((2, 2))}, "out": gen_p.standard_normal(2)}
got_h = penalty(layers_h, 0.3)
assert_close("penalty of nested layers [hidden]", got_h, 0.15 * squares_p(layers_h))
### END HIDDEN TESTS'''

_SGD = '''def sgd(w, dw, config=None):
    """One step of plain gradient descent: (w - lr * dw, config); config holds "learning_rate" (1e-2 when
    missing) and may be updated in place (its declared state). w and dw are not modified."""
    ### BEGIN SOLUTION
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    return w - config["learning_rate"] * dw, config
    ### END SOLUTION'''

_TEST_SGD = '''from course_lib.checks import assert_close
w_v, dw_v = np.array([1.0, -2.0]), np.array([0.5, 0.5])
next_v, cfg_v = sgd(w_v, dw_v, {"learning_rate": 0.5})
assert_close("sgd step (lr 0.5)", next_v, w_v - 0.5 * dw_v)
### BEGIN HIDDEN TESTS
gen_s = np.random.default_rng(7)
w_h, dw_h = gen_s.standard_normal((3, 2)), gen_s.standard_normal((3, 2))
next_h, cfg_h = sgd(w_h, dw_h)
assert_close("sgd step with the default lr [hidden]", next_h, w_h - 1e-2 * dw_h)
config_h = {}
sgd(w_h, dw_h, config_h)
assert config_h.get("learning_rate") == 1e-2, f"sgd: the config it was given holds {config_h}"
### END HIDDEN TESTS'''

_ACT = '''def act(x, mode=None):
    """The activation `mode` of x: "relu" (max(x, 0)), "abs" (|x|), or None (x itself; a view of x will do)."""
    ### BEGIN SOLUTION
    if mode == "relu":
        return np.maximum(x, 0.0)
    if mode == "abs":
        return np.abs(x)
    return x
    ### END SOLUTION'''

_TEST_ACT = '''from course_lib.checks import assert_close
x_a = np.array([-1.5, 0.0, 2.0])
assert_close("act relu", act(x_a, "relu"), [0.0, 0.0, 2.0])
assert_close("act abs", act(x_a, "abs"), [1.5, 0.0, 2.0])
### BEGIN HIDDEN TESTS
assert_close("act None [hidden]", act(x_a), x_a)
assert_close("act relu on a matrix [hidden]", act(np.array([[-3.0, 3.0]]), mode="relu"), [[0.0, 3.0]])
### END HIDDEN TESTS'''

_TALLY = '''def tally(modes):
    """mode -> how many times it occurs in the list modes, in order of first appearance."""
    ### BEGIN SOLUTION
    counts = {}
    for m in modes:
        counts[m] = counts.get(m, 0) + 1
    return counts
    ### END SOLUTION'''

_TEST_TALLY = '''counts_t = tally(["relu", "abs", "relu", None])
assert list(counts_t.items()) == [("relu", 2), ("abs", 1), (None, 1)], f"tally: got {counts_t}"
### BEGIN HIDDEN TESTS
assert list(tally(["abs"] * 3 + ["relu"]).items()) == [("abs", 3), ("relu", 1)], "tally: order of first appearance [hidden]"
assert tally([]) == {}, "tally of nothing [hidden]"
### END HIDDEN TESTS'''

_FIT = '''def fit(make_model, num_steps, lr):
    """Train the model make_model() returns: num_steps steps of params[k] = params[k] - lr * grads[k],
    recording each loss of model.loss() -> (loss, grads) before its step. Returns the losses (float64)."""
    ### BEGIN SOLUTION
    model = make_model()
    history = []
    for _ in range(num_steps):
        loss, grads = model.loss()
        history.append(float(loss))
        for name in model.params:
            model.params[name] = model.params[name] - lr * grads[name]
    return np.array(history, dtype=np.float64)
    ### END SOLUTION'''

# The model keeps its own record (calls, seen) and the test reads it after the call: only `params` is
# the student's to change (course_writable).
_TEST_FIT = '''from course_lib.checks import assert_close


class Line:
    course_writable = ("params",)

    def __init__(self):
        self.params = {"w": np.array([0.0])}
        self.calls = 0
        self.seen = []

    def loss(self):
        self.calls += 1
        w = float(self.params["w"][0])
        self.seen.append(w)
        return 0.5 * (w - 4.0) ** 2, {"w": np.array([w - 4.0])}


made_f = []
history_f = np.asarray(fit(lambda: made_f.append(Line()) or made_f[-1], ROUNDS, 0.5), dtype=np.float64)
assert len(made_f) == 1 and made_f[0].calls == ROUNDS, "fit: make_model once, model.loss once per step"
assert_close("fit losses", history_f, [0.5 * (w - 4.0) ** 2 for w in made_f[0].seen])
assert_close("fit: the weight after 3 steps", made_f[0].params["w"], [3.5])'''


def contracts_notebook() -> nbformat.NotebookNode:
    """Six small graded functions: inputs to read only, a declared state (sgd's config), a model lent by
    a test (fit), strings and order that must cross as they are (act, tally), and an answer in words."""
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    cells = [new_markdown_cell("# Contracts\nSix small functions.", metadata=_meta("intro")),
             new_code_cell("import numpy as np\n\nROUNDS = 3  # steps the fit test takes", metadata=_meta("setup"))]
    for name, answer, test, points in (("norms", _NORMS, _TEST_NORMS, 2), ("penalty", _PENALTY, _TEST_PENALTY, 2),
                                       ("sgd", _SGD, _TEST_SGD, 2), ("act", _ACT, _TEST_ACT, 1),
                                       ("tally", _TALLY, _TEST_TALLY, 1)):
        cells.append(new_code_cell(answer, metadata=_meta(name, solution=True, locked=False)))
        cells.append(new_code_cell(test, metadata=_meta(f"test_{name}", grade=True, points=points)))
    cells.append(new_markdown_cell("Why must `norms` leave `grads` alone?", metadata=_meta("explain_q")))
    cells.append(new_markdown_cell("A caller keeps using its gradients.",
                                   metadata=_meta("explain", solution=True, grade=True, locked=False, points=1)))
    cells.append(new_code_cell(_FIT, metadata=_meta("fit", solution=True, locked=False)))
    cells.append(new_code_cell(_TEST_FIT, metadata=_meta("test_fit", grade=True, points=2)))
    nb.cells = cells
    return nb


CONTRACTS_AUTO_POINTS = 10.0  # norms 2, penalty 2, sgd 2, act 1, tally 1, fit 2 (explain: 1 point by hand)


def make_repo(root: Path, *, contracts: bool = False) -> Path:
    """A course repository with solutions/00_mini.ipynb (and 00_contracts.ipynb) and an empty lessons/."""
    (root / "solutions").mkdir(parents=True)
    (root / "lessons").mkdir()
    nbformat.write(mini_notebook(), str(root / "solutions" / f"{LESSON}.ipynb"))
    if contracts:
        nbformat.write(contracts_notebook(), str(root / "solutions" / f"{CONTRACTS}.ipynb"))
    return root
