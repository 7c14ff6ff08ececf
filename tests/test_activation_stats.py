"""The pure computation behind lesson 07's widget: per-layer activation statistics of a deep random net."""

import warnings

import numpy as np
import pytest

from course_lib.activation_stats import activation_statistics


def normal_init(scale):
    # Weights with variance scale / fan_in (scale 2: He; 1: LeCun / Xavier for square layers).
    return lambda fan_in, fan_out, rng: rng.normal(0.0, np.sqrt(scale / fan_in), size=(fan_in, fan_out))


def fixed_std_init(std):
    return lambda fan_in, fan_out, rng: rng.normal(0.0, std, size=(fan_in, fan_out))


@pytest.fixture
def X(rng):
    return rng.standard_normal((400, 100))


def test_he_init_keeps_relu_activations_at_scale(X, rng):
    stats = activation_statistics(X, 12, "relu", normal_init(2.0), rng=rng)
    assert stats.std.shape == stats.mean.shape == stats.grad_std.shape == stats.stuck.shape == (12,)
    assert 0.5 < stats.std[-1] / stats.std[0] < 2.0
    assert 0.3 < stats.grad_std[0] / stats.grad_std[-1] < 3.0
    np.testing.assert_allclose(stats.stuck, 0.5, atol=0.1)  # half the ReLUs are off for zero-mean inputs


def test_small_init_vanishes_and_large_init_explodes(X, rng):
    small = activation_statistics(X, 10, "relu", fixed_std_init(0.01), rng=rng)
    large = activation_statistics(X, 10, "relu", fixed_std_init(1.0), rng=rng)
    assert small.std[-1] < 1e-6 * small.std[0]
    assert large.std[-1] > 1e6 * large.std[0]
    assert large.grad_std[0] > 1e6 * large.grad_std[-1]  # gradients explode on the way down


def test_large_init_saturates_tanh_and_small_init_starves_its_gradient(X, rng):
    large = activation_statistics(X, 6, "tanh", fixed_std_init(1.0), rng=rng)
    assert np.all(large.stuck > 0.7)
    small = activation_statistics(X, 6, "tanh", fixed_std_init(0.01), rng=rng)
    assert np.all(small.stuck == 0)
    assert small.grad_std[0] < 1e-4 * small.grad_std[-1]  # each layer multiplies the gradient by ~0.1


def test_gradient_std_matches_a_hand_written_backward_pass(rng):
    # Two linear layers with fixed weights: the gradient at layer 1's output is g @ W2.T.
    W = [np.array([[1.0, 2.0], [0.5, -1.0]]), np.array([[3.0, 0.0], [1.0, 1.0]])]
    calls = []

    def init_fn(fan_in, fan_out, gen):
        calls.append((fan_in, fan_out))
        return W[len(calls) - 1]

    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    stats = activation_statistics(X, 2, "linear", init_fn, rng=np.random.default_rng(5))
    g = np.random.default_rng(5).standard_normal((3, 2))
    assert calls == [(2, 2), (2, 2)]
    np.testing.assert_allclose(stats.grad_std, [np.std(g @ W[1].T), np.std(g)])
    h2 = X @ W[0] @ W[1]
    np.testing.assert_allclose(stats.std[1], np.std(h2))
    np.testing.assert_allclose(stats.mean[1], np.mean(h2))


@pytest.mark.parametrize("activation, low, high", [("tanh", -1.0, 1.0), ("sigmoid", 0.0, 1.0)])
def test_bounded_activations_use_their_range(X, rng, activation, low, high):
    stats = activation_statistics(X, 3, activation, normal_init(1.0), rng=rng, bins=20)
    assert stats.histograms.shape == (3, 20) and stats.edges.shape == (3, 21)
    np.testing.assert_allclose(stats.edges[:, 0], low)
    np.testing.assert_allclose(stats.edges[:, -1], high)
    np.testing.assert_allclose(stats.histograms.sum(axis=1), 1.0)


def test_relu_histogram_starts_at_zero_and_width_is_respected(X, rng):
    stats = activation_statistics(X, 2, "relu", normal_init(2.0), rng=rng, width=30)
    assert np.all(stats.edges[:, 0] == 0.0)
    np.testing.assert_allclose(stats.histograms.sum(axis=1), 1.0)


def test_overflow_is_silent_and_reported_as_nan(X, rng):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        stats = activation_statistics(X[:20], 200, "linear", fixed_std_init(50.0), rng=rng)
    assert not np.isfinite(stats.std[-1])
    assert np.all(stats.histograms[-1] == 0)


def test_bad_arguments_are_refused(X, rng):
    with pytest.raises(ValueError, match="activation"):
        activation_statistics(X, 3, "softplus", normal_init(2.0), rng=rng)
    with pytest.raises(ValueError, match="depth"):
        activation_statistics(X, 0, "relu", normal_init(2.0), rng=rng)
    with pytest.raises(ValueError, match="shape"):
        activation_statistics(X, 2, "relu", lambda fi, fo, g: np.zeros((fo, fi + 1)), rng=rng)


def test_huge_but_finite_layers_have_a_finite_spread(X):
    # Values near 1e160: their squares overflow, so the spread is taken on values divided by their maximum.
    W = np.random.default_rng(4).standard_normal((100, 100)) * 1e160
    stats = activation_statistics(X[:50], 1, "linear", lambda fan_in, fan_out, gen: W, rng=np.random.default_rng(5))
    z = X[:50] @ W
    s = np.max(np.abs(z))
    np.testing.assert_allclose(stats.std[0], s * np.std(z / s), rtol=1e-12)
    np.testing.assert_allclose(stats.mean[0], s * np.mean(z / s), rtol=1e-9, atol=1e-12 * s)
    assert np.isfinite(stats.edges[0]).all() and np.isclose(stats.histograms[0].sum(), 1.0)
