"""Lesson 08's debugging tools: the anomaly detector, the learning-rate sweep, the layer table."""

import warnings

import numpy as np
import pytest

from course_lib.debugging import (Anomaly, LrSweep, NonFiniteError, detect_anomaly, final_losses, format_layer_table,
                                  lr_sweep, model_from_config, overflow_expected)
from course_lib.reference.lesson03 import MLP

EXPLODING = {"hidden_dims": [100] * 10, "activation": "relu", "init": 1.0, "batchnorm": False}


def sgd(model, X, y, lr, steps):
    for _ in range(steps):
        _, grads = model.loss(X, y)
        for name in model.params:
            model.params[name] = model.params[name] - lr * grads[name]


def first_nonfinite(arrays):
    """What a student's find_first_nonfinite does (the detector asks the lesson's own, never has one)."""
    return next((name for name, value in arrays.items() if not np.all(np.isfinite(value))), None)


class ScriptedModel:
    """Returns the losses and gradients it is given, one call at a time."""

    def __init__(self, results):
        self.params = {"W1": np.ones(2), "W2": np.ones(2)}
        self.results = list(results)

    def loss(self, X, y=None):
        return self.results.pop(0)


def test_names_the_first_forward_layer_that_overflowed(rng):
    model = model_from_config(EXPLODING, 64, 10, rng=np.random.default_rng(1))
    X, y = rng.standard_normal((32, 64)), rng.integers(0, 10, 32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the detector keeps NumPy quiet
        with detect_anomaly(model, first_nonfinite) as watch:
            sgd(model, X, y, 0.05, 10)
    anomaly = watch.found
    assert isinstance(anomaly, Anomaly) and anomaly.stage == "forward" and anomaly.call == watch.calls
    assert 2 <= anomaly.call <= 4 and anomaly.kind in ("NaN", "inf")
    with overflow_expected():
        trace = model.trace(X, mode="train")
    names = list(trace)
    first = names.index(anomaly.name)
    assert first > 0 and all(np.all(np.isfinite(trace[n])) for n in names[:first])
    assert not np.all(np.isfinite(trace[anomaly.name]))
    assert f"'{anomaly.name}'" in str(anomaly) and "forward" in str(anomaly)
    assert "loss" not in vars(model)  # the class's method is back


def test_names_the_first_gradient_of_the_backward_pass():
    grads = {"W1": np.array([np.nan, 0.0]), "W2": np.array([np.inf, 1.0])}
    model = ScriptedModel([(1.0, {"W1": np.ones(2), "W2": np.ones(2)}), (0.5, grads)])
    with detect_anomaly(model, first_nonfinite) as watch:
        model.loss(None, np.zeros(1))
        model.loss(None, np.zeros(1))
        raise AssertionError("the block should have stopped at the anomaly")
    assert watch.found == Anomaly(call=2, stage="backward", name="W2", kind="inf")  # W2 is computed first
    assert "backward" in str(watch.found)


def test_the_detector_names_what_the_given_locate_names():
    grads = {"W1": np.array([np.nan, 0.0]), "W2": np.array([np.inf, 1.0])}
    model = ScriptedModel([(0.5, grads)])
    asked = []

    def last_bad(arrays):  # a locate of its own: the LAST bad entry
        asked.append(list(arrays))
        bad = [name for name, value in arrays.items() if not np.all(np.isfinite(value))]
        return bad[-1] if bad else None

    with detect_anomaly(model, last_bad) as watch:
        model.loss(None, np.zeros(1))
    assert asked == [["loss"], ["W2", "W1"]]  # the loss first, then the gradients in backward order
    assert watch.found == Anomaly(call=1, stage="backward", name="W1", kind="NaN")
    with pytest.raises(TypeError, match="find_first_nonfinite"):
        detect_anomaly(model, None)


def test_a_model_without_trace_names_the_loss():
    model = ScriptedModel([(np.nan, {"W1": np.ones(2), "W2": np.ones(2)})])
    with detect_anomaly(model, first_nonfinite) as watch:
        model.loss(None, np.zeros(1))
    assert watch.found == Anomaly(call=1, stage="forward", name="loss", kind="NaN")


def test_healthy_training_finds_nothing_and_counts_calls(rng):
    model = MLP(8, [16], 3, rng=np.random.default_rng(0))
    X, y = rng.standard_normal((10, 8)), rng.integers(0, 3, 10)
    with detect_anomaly(model, first_nonfinite) as watch:
        sgd(model, X, y, 0.1, 5)
        scores = model.loss(X)
    assert watch.found is None and watch.calls == 6 and scores.shape == (10, 3)


def test_raise_error_and_foreign_exceptions_propagate_and_restore_the_model():
    model = ScriptedModel([(np.inf, {}), (1.0, {})])
    with pytest.raises(NonFiniteError, match="'loss'"):
        with detect_anomaly(model, first_nonfinite, raise_error=True):
            model.loss(None, np.zeros(1))
    with pytest.raises(KeyError):
        with detect_anomaly(model, first_nonfinite):
            {}["missing"]
    assert "loss" not in vars(model)


def test_lr_sweep_shares_batches_and_stops_runs_that_blow_up(rng):
    X, y = rng.standard_normal((200, 20)), rng.integers(0, 4, 200)
    made = []

    def make_model():
        made.append(1)
        return MLP(20, [32], 4, rng=np.random.default_rng(7))

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        curves = lr_sweep(make_model, X, y, [0.0, 0.1, 1e4], num_steps=30, batch_size=25, rng=rng)
    assert list(curves) == [0.0, 0.1, 1e4] and len(made) == 3
    assert len(curves[0.0]) == len(curves[0.1]) == 30
    assert curves[0.0][0] == curves[0.1][0]  # same model, same first batch
    assert curves[0.1][-5:].mean() < curves[0.0][-5:].mean()
    assert len(curves[1e4]) < 30
    finals = final_losses(curves, num_steps=30, tail=5)
    assert finals[1e4] == np.inf and finals[0.1] == pytest.approx(curves[0.1][-5:].mean())


def reference_sweep(make_model, X, y, learning_rates, num_steps, batch_size, seed, blow_up=1e4):
    # Written out from the docstring: all batches first, then one model per rate, stopped when it blows up.
    gen = np.random.default_rng(seed)
    batches = [gen.choice(len(y), size=batch_size, replace=False) for _ in range(num_steps)]
    curves = {}
    for lr in learning_rates:
        model, losses = make_model(), []
        for idx in batches:
            loss, grads = model.loss(X[idx], y[idx])
            losses.append(float(loss))
            if not np.isfinite(loss) or loss > blow_up * max(1.0, losses[0]):
                break
            model.params = {name: value - lr * grads[name] for name, value in model.params.items()}
        curves[lr] = losses
    return curves


def test_a_kept_sweep_taken_further_equals_a_sweep_of_that_many_steps(rng):
    X, y = rng.standard_normal((120, 10)), rng.integers(0, 3, 120)
    make_model = lambda: MLP(10, [16], 3, rng=np.random.default_rng(2))
    rates = [0.01, 0.3, 1e3]
    sweep = LrSweep(make_model, X, y, rates, batch_size=20, rng=np.random.default_rng(9))
    with np.errstate(all="ignore"):
        expected = reference_sweep(make_model, X, y, rates, 40, 20, seed=9)
    for num_steps in (5, 25, 12, 40, 3):  # longer and shorter, in any order
        got = sweep.curves(num_steps)
        assert list(got) == rates
        for lr in rates:
            np.testing.assert_array_equal(got[lr], expected[lr][:num_steps], err_msg=f"lr {lr}, {num_steps} steps")
    assert sweep.steps == 40 and sweep.stopped[1e3] and not sweep.stopped[0.01]
    assert len(sweep.curves(40)[1e3]) < 40  # blew up: its curve ends with the loss that stopped it
    with np.errstate(all="ignore"):
        plain = lr_sweep(make_model, X, y, rates, num_steps=25, batch_size=20, rng=np.random.default_rng(9))
    for lr in rates:
        np.testing.assert_array_equal(plain[lr], expected[lr][:25])


def test_format_layer_table_aligns_columns():
    text = format_layer_table({"grad norm": {"W1": 0.5, "W2": 2.0}, "update/weight": {"W1": 1e-3}})
    assert text.splitlines() == [
        "name  grad norm  update/weight",
        "W1     5.00e-01       1.00e-03",
        "W2     2.00e+00",
    ]


def test_model_from_config_builds_the_described_network():
    config = {"hidden_dims": [5, 6], "activation": "tanh", "init": "xavier", "batchnorm": True,
              "learning_rate": 0.1}
    model = model_from_config(config, 4, 3, rng=np.random.default_rng(0))
    assert model.activation == "tanh" and model.params["W2"].shape == (5, 6) and "gamma2" in model.params


def test_overflow_expected_silences_numpy():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with overflow_expected():
            assert np.isinf(np.exp(np.array(1000.0)))
