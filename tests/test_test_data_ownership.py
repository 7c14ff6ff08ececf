"""The tests' expected values come from the tests' own data: answers that poison what a test hands them (and
that won full marks when the tests read their expected values from those objects after the call) now fail
their function's tests in grading, hidden tests included. Graded across the boundary as the grader does
(tests/differential_runner.py), without nbgrader.
"""

from __future__ import annotations

import pytest

from differential_runner import run_lesson
from differential_variants import graded_run
from grader.bug_bank import grading_cells

pytestmark = pytest.mark.slow

# lesson -> name -> (function, a wrong answer that rewrites the test's objects to fit what it returns)
ATTACKS: dict[str, dict[str, tuple[str, str]]] = {
    "08_debugging_training": {
        "grad-norms-replaces-the-callers-arrays": ("grad_norms", '''
def grad_norms(grads):
    norms = {}
    for name in list(grads):
        grads[name] = np.zeros_like(grads[name])  # now every "expected" norm is 0
        norms[name] = 0.0
    return norms
'''),
        "overfit-sets-the-models-record-back": ("overfit_single_batch", '''
def overfit_single_batch(make_model, X, y, num_steps, lr):
    model, history, stop = make_model(), [], None
    for step in range(num_steps):  # goes on after a non-finite loss
        loss, grads = model.loss(X, y)
        history.append(float(loss))
        if stop is None and not np.isfinite(loss):
            stop = ({name: value.copy() for name, value in model.params.items()}, step + 1)
        model.params = {name: value - lr * grads[name] for name, value in model.params.items()}
    if stop is not None:  # then puts the model's record and parameters back as if it had stopped
        model.params = stop[0]
        model.calls = stop[1]
        history = history[:stop[1]]
    return np.array(history)
'''),
    },
    "07_regularization_and_init": {
        "l2-deletes-the-keys-it-gets-wrong": ("l2_penalty", '''
def l2_penalty(weights, reg):
    for name in list(weights)[1:]:
        del weights[name]  # only the first array is handled; the others disappear
    first = next(iter(weights), None)
    if first is None:
        return 0.0, {}
    W = weights[first]
    return 0.5 * reg * float(np.sum(W ** 2)), {first: reg * W}
'''),
        "dropout-rewrites-x-to-fit": ("dropout_forward", '''
def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    if mode != "train":
        return x.copy(), (dropout_param, None)
    mask = np.random.default_rng(dropout_param.get("seed")).random(x.shape) < p
    out = x * mask  # the kept entries are not divided by p ...
    x *= p          # ... so x is shrunk to make x / p what came out
    return out, (dropout_param, mask)
'''),
    },
    "06_batchnorm": {
        "batchnorm-rescales-x-in-place": ("batchnorm_forward", '''
def batchnorm_forward(x, gamma, beta, bn_param):
    momentum = bn_param.get("momentum", 0.9)
    D = x.shape[1]
    running_mean = bn_param.get("running_mean", np.zeros(D))
    running_var = bn_param.get("running_var", np.zeros(D))
    if bn_param["mode"] == "train":
        bn_param["running_mean"] = momentum * running_mean
        bn_param["running_var"] = momentum * running_var
    x[...] = 0.0  # a constant batch: its normalized output is beta, which is all this returns
    return np.zeros_like(x) + beta, None
'''),
    },
    "09_capstone": {
        "adam-zeroes-dw-in-place": ("adam", '''
def adam(w, dw, config=None):
    config = {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8, **(config or {})}
    dw[...] = 0.0  # with no gradient, not moving is the right step
    config["t"] = config.get("t", 0) + 1
    config["m"] = np.zeros_like(w)
    config["v"] = np.zeros_like(w)
    return np.array(w, dtype=np.float64), config
'''),
        "train-network-rewrites-the-validation-labels": ("train_network", '''
def train_network(model, data, *, update, epochs, batch_size, lr, rng):
    predicted = np.argmax(model.loss(data["X_val"]), axis=1)
    data["y_val"][...] = predicted  # the untrained network is now always right
    accuracy = float(np.mean(np.argmax(model.loss(data["X_train"]), axis=1) == data["y_train"]))
    return {"loss": [1.0] * epochs, "train_acc": [accuracy] * epochs, "val_acc": [1.0] * epochs,
            "configs": {name: {"learning_rate": lr} for name in model.params}}
'''),
    },
}


@pytest.mark.parametrize("lesson", list(ATTACKS))
def test_poisoning_the_tests_data_fails_in_grading(lesson):
    results = {r.name: r for r in run_lesson(graded_run(lesson, ATTACKS[lesson]), student_too=False)}
    solution = results["solution"].grader
    assert not solution.broken and solution.cells and all(passed for passed, _ in solution.cells.values()), (
        f"{lesson}: the solution does not pass every test in grading: {solution.broken or solution.cells}")
    for name, (function, _) in ATTACKS[lesson].items():
        graded = results[name].grader
        cells = grading_cells(function, list(graded.cells))
        assert cells and not graded.broken, f"{name}: {graded.broken or 'no test cell of ' + function + ' ran'}"
        passed = [cell for cell in cells if graded.cells[cell][0]]
        assert not passed, f"{name} passes {passed} in grading"
