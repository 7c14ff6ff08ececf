"""Reference update rules: hand-computed first steps, defaults, state in config, and invariants."""

import numpy as np
import pytest

from references import optim

RULES = [optim.sgd, optim.sgd_momentum, optim.adagrad, optim.rmsprop, optim.adam]


def test_sgd_hand_step_and_default():
    w, dw = np.array([1.0, -2.0]), np.array([0.5, 0.5])
    next_w, config = optim.sgd(w, dw, {"learning_rate": 0.1})
    np.testing.assert_allclose(next_w, [0.95, -2.05])  # w - 0.1 * 0.5
    next_w, config = optim.sgd(w, dw)
    assert config == {"learning_rate": 1e-2}
    np.testing.assert_allclose(next_w, [0.995, -2.005])


def test_momentum_two_hand_steps():
    config = {"learning_rate": 0.1, "momentum": 0.5}
    w, dw = np.array([1.0]), np.array([2.0])
    w, config = optim.sgd_momentum(w, dw, config)
    # v = 0.5 * 0 - 0.1 * 2 = -0.2; w = 1 - 0.2 = 0.8
    np.testing.assert_allclose([w[0], config["velocity"][0]], [0.8, -0.2])
    w, config = optim.sgd_momentum(w, dw, config)
    # v = 0.5 * (-0.2) - 0.2 = -0.3; w = 0.8 - 0.3 = 0.5
    np.testing.assert_allclose([w[0], config["velocity"][0]], [0.5, -0.3])


def test_momentum_zero_equals_sgd(rng):
    w_sgd = w_mom = rng.standard_normal((3, 4))
    c_sgd, c_mom = {"learning_rate": 0.05}, {"learning_rate": 0.05, "momentum": 0.0}
    for _ in range(5):
        dw = rng.standard_normal((3, 4))
        w_sgd, c_sgd = optim.sgd(w_sgd, dw, c_sgd)
        w_mom, c_mom = optim.sgd_momentum(w_mom, dw, c_mom)
    np.testing.assert_allclose(w_mom, w_sgd, rtol=1e-13)


def test_adagrad_hand_step_and_shrinking_steps():
    config = {"learning_rate": 0.1}
    w, dw = np.array([0.0, 0.0]), np.array([3.0, -4.0])
    w, config = optim.adagrad(w, dw, config)
    # cache = dw^2 = [9, 16]; step = 0.1 * dw / sqrt(cache) = 0.1 * sign(dw)
    np.testing.assert_allclose(w, [-0.1, 0.1], rtol=1e-8)
    steps = []
    for _ in range(5):  # with a constant gradient the effective step can only shrink
        new_w, config = optim.adagrad(w, dw, config)
        steps.append(np.abs(new_w - w))
        w = new_w
    assert all(np.all(b < a) for a, b in zip(steps, steps[1:]))


def test_rmsprop_hand_step():
    config = {"learning_rate": 0.01, "decay_rate": 0.9, "epsilon": 0.0}
    w, dw = np.array([1.0, 1.0]), np.array([2.0, -0.5])
    w, config = optim.rmsprop(w, dw, config)
    # cache = 0.1 * dw^2 = [0.4, 0.025]; step = 0.01 * dw / sqrt(cache) = 0.01 * sign(dw) / sqrt(0.1)
    np.testing.assert_allclose(config["cache"], [0.4, 0.025])
    np.testing.assert_allclose(w, 1.0 - 0.01 * np.sign(dw) / np.sqrt(0.1))


def test_rmsprop_epsilon_is_added_after_the_square_root():
    config = {"learning_rate": 1.0, "decay_rate": 0.0, "epsilon": 1.0}
    w, _ = optim.rmsprop(np.array([0.0]), np.array([4.0]), config)
    assert w[0] == pytest.approx(-4.0 / (4.0 + 1.0))  # not -4 / sqrt(16 + 1)


def test_adam_first_step_is_lr_times_sign(rng):
    w, dw = rng.standard_normal(20), rng.standard_normal(20) * np.logspace(-3, 3, 20)
    next_w, config = optim.adam(w, dw, {"learning_rate": 0.01})
    np.testing.assert_allclose(next_w - w, -0.01 * np.sign(dw), rtol=1e-4)
    assert config["t"] == 1
    np.testing.assert_allclose(config["m"], 0.1 * dw)
    np.testing.assert_allclose(config["v"], 0.001 * dw**2)


def test_adam_second_hand_step():
    config = {"learning_rate": 0.1, "beta1": 0.5, "beta2": 0.75, "epsilon": 0.0}
    w = np.array([0.0])
    w, config = optim.adam(w, np.array([1.0]), config)
    w, config = optim.adam(w, np.array([3.0]), config)
    # m = 0.5 * 0.5 + 0.5 * 3 = 1.75, m_hat = 1.75 / (1 - 0.25) = 7/3
    # v = 0.75 * 0.25 + 0.25 * 9 = 2.4375, v_hat = 2.4375 / (1 - 0.5625) = 5.5714...
    m_hat, v_hat = 1.75 / 0.75, 2.4375 / 0.4375
    assert config["t"] == 2
    assert w[0] == pytest.approx(-0.1 - 0.1 * m_hat / np.sqrt(v_hat))


@pytest.mark.parametrize("rule", [optim.rmsprop, optim.adam])
def test_adaptive_rules_are_invariant_to_gradient_scale(rng, rule):
    w0 = rng.standard_normal(6)
    grads = [rng.standard_normal(6) for _ in range(4)]
    w_a = w_b = w0
    c_a, c_b = {"learning_rate": 0.01}, {"learning_rate": 0.01}
    for g in grads:
        w_a, c_a = rule(w_a, g, c_a)
        w_b, c_b = rule(w_b, 1000.0 * g, c_b)
    np.testing.assert_allclose(w_a, w_b, rtol=1e-6)


def test_defaults_match_the_spec():
    w, dw = np.ones(2), np.ones(2)
    assert optim.sgd_momentum(w, dw)[1]["momentum"] == 0.9
    assert optim.rmsprop(w, dw)[1]["decay_rate"] == 0.99
    config = optim.adam(w, dw)[1]
    assert (config["learning_rate"], config["beta1"], config["beta2"], config["epsilon"]) == (1e-3, 0.9, 0.999, 1e-8)
    for rule in (optim.sgd, optim.sgd_momentum, optim.adagrad, optim.rmsprop):
        assert rule(w, dw)[1]["learning_rate"] == 1e-2


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.__name__)
def test_rules_keep_state_in_the_given_config_and_do_not_mutate_arrays(rng, rule):
    w, dw = rng.standard_normal((3, 2)), rng.standard_normal((3, 2))
    w_saved, dw_saved = w.copy(), dw.copy()
    config = {"learning_rate": 0.1}
    next_w, returned = rule(w, dw, config)
    assert returned is config and next_w.shape == w.shape and next_w.dtype == np.float64
    np.testing.assert_array_equal(w, w_saved)
    np.testing.assert_array_equal(dw, dw_saved)
    assert np.all(next_w != w)
    for key in ("velocity", "cache", "m", "v"):
        if key in config:
            assert config[key].shape == w.shape


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.__name__)
def test_rules_descend_a_quadratic(rng, rule):
    """f(w) = 0.5 * ||w||^2, gradient w: every rule must get much closer to 0 in 300 steps."""
    lr = 0.5 if rule is optim.adagrad else 0.05  # AdaGrad's steps shrink like 1/sqrt(t): start bigger
    w, config = rng.standard_normal(5), {"learning_rate": lr}
    start = np.linalg.norm(w)
    for _ in range(300):
        w, config = rule(w, w, config)
    assert np.linalg.norm(w) < 0.1 * start
