"""Reference layers: hand-computed values, float64 gradient checks with random upstream gradients, contracts."""

import warnings

import numpy as np
import pytest

from references import layers
from course_lib.gradcheck import check_gradient, check_layer


def _away_from_zero(rng, shape, margin=0.1):
    """Normal entries pushed at least `margin` away from 0, so ReLU's kink is never straddled by h."""
    x = rng.standard_normal(shape)
    return x + np.sign(x) * margin


# ------------------------------------------------------------------------------------------- affine
def test_affine_forward_hand_case():
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    w = np.array([[1.0, 0.0, -1.0], [0.5, 2.0, 1.0]])
    b = np.array([0.1, 0.2, 0.3])
    out, _ = layers.affine_forward(x, w, b)
    # row 0: [1 + 1, 0 + 4, -1 + 2] + b = [2.1, 4.2, 1.3]; row 1: [3 + 2, 8, -3 + 4] + b = [5.1, 8.2, 1.3]
    np.testing.assert_allclose(out, [[2.1, 4.2, 1.3], [5.1, 8.2, 1.3]])


def test_affine_flattens_and_restores_input_shape(rng):
    x = rng.standard_normal((4, 2, 3))
    w, b = rng.standard_normal((6, 5)), rng.standard_normal(5)
    out, cache = layers.affine_forward(x, w, b)
    np.testing.assert_allclose(out, x.reshape(4, 6) @ w + b)
    dx, dw, db = layers.affine_backward(np.ones((4, 5)), cache)
    assert dx.shape == x.shape and dw.shape == w.shape and db.shape == b.shape


@pytest.mark.parametrize("x_shape", [(5, 6), (3, 2, 3), (2, 1, 2, 3)])
def test_affine_gradients(rng, x_shape):
    x = rng.standard_normal(x_shape)
    D = int(np.prod(x_shape[1:]))
    w, b = rng.standard_normal((D, 4)), rng.standard_normal(4)
    errors = check_layer(layers.affine_forward, layers.affine_backward, {"x": x, "w": w, "b": b}, rng=rng)
    assert max(errors.values()) < 1e-7


# -------------------------------------------------------------------------------------- activations
def test_activation_values():
    x = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_array_equal(layers.relu_forward(x)[0], [0.0, 0.0, 3.0])
    np.testing.assert_allclose(layers.tanh_forward(x)[0], np.tanh(x))
    # sigmoid(0) = 1/2, sigmoid(-2) = 1 / (1 + e^2), sigmoid(3) = 1 / (1 + e^-3)
    np.testing.assert_allclose(layers.sigmoid_forward(x)[0],
                               [1 / (1 + np.e**2), 0.5, 1 / (1 + np.exp(-3.0))])


def test_relu_backward_hand_case():
    _, cache = layers.relu_forward(np.array([[-1.0, 2.0], [3.0, -4.0]]))
    np.testing.assert_array_equal(layers.relu_backward(np.array([[5.0, 6.0], [7.0, 8.0]]), cache),
                                  [[0.0, 6.0], [7.0, 0.0]])


@pytest.mark.parametrize("name", ["relu", "tanh", "sigmoid"])
def test_activation_gradients(rng, name):
    forward, backward = getattr(layers, f"{name}_forward"), getattr(layers, f"{name}_backward")
    x = _away_from_zero(rng, (4, 5))
    assert check_layer(forward, backward, {"x": x}, rng=rng)["x"] < 1e-7


def test_sigmoid_is_stable_for_large_inputs():
    x = np.array([-1000.0, -40.0, 0.0, 40.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow in exp would raise here
        out, cache = layers.sigmoid_forward(x)
        dx = layers.sigmoid_backward(np.ones_like(x), cache)
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(dx))
    np.testing.assert_allclose(out[[0, 2, 4]], [0.0, 0.5, 1.0], atol=1e-300)
    np.testing.assert_allclose(out[1] + out[3], 1.0)  # symmetry: s(-x) = 1 - s(x)


# --------------------------------------------------------------------------------------------- loss
def test_softmax_loss_uniform_scores_give_log_c():
    loss, dscores = layers.softmax_loss(np.zeros((4, 10)), np.array([0, 3, 9, 9]))
    assert loss == pytest.approx(np.log(10))
    # every probability is 1/10; the true class loses 1; all divided by N = 4
    assert dscores[0, 0] == pytest.approx((0.1 - 1) / 4) and dscores[0, 1] == pytest.approx(0.1 / 4)


def test_softmax_loss_hand_case():
    scores = np.array([[np.log(1.0), np.log(3.0)]])  # probabilities 1/4 and 3/4
    loss, dscores = layers.softmax_loss(scores, np.array([1]))
    assert loss == pytest.approx(-np.log(0.75))
    np.testing.assert_allclose(dscores, [[0.25, -0.25]])


def test_softmax_loss_gradient_and_row_sums(rng):
    scores, y = rng.standard_normal((6, 4)), rng.integers(0, 4, size=6)
    loss, dscores = layers.softmax_loss(scores, y)
    assert isinstance(loss, float)
    np.testing.assert_allclose(dscores.sum(axis=1), 0.0, atol=1e-15)
    check_gradient(lambda s: layers.softmax_loss(s, y)[0], scores, dscores, "scores", batch_size=6)


def test_softmax_loss_is_stable_and_shift_invariant(rng):
    scores, y = rng.standard_normal((5, 3)), rng.integers(0, 3, size=5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        shifted = layers.softmax_loss(scores + 1e4, y)
        huge = layers.softmax_loss(np.array([[1e300, -1e300]]), np.array([1]))
    base = layers.softmax_loss(scores, y)
    assert shifted[0] == pytest.approx(base[0], rel=1e-9)
    np.testing.assert_allclose(shifted[1], base[1], atol=1e-12)
    assert np.isfinite(huge[0]) and np.all(np.isfinite(huge[1]))


# ---------------------------------------------------------------------------------------- batchnorm
def _bn_inputs(rng, n=8, d=5):
    x = 3.0 * rng.standard_normal((n, d)) + rng.standard_normal(d) * 4
    return x, rng.standard_normal(d), rng.standard_normal(d)


def test_batchnorm_train_normalizes_then_scales_and_shifts(rng):
    x, _, _ = _bn_inputs(rng, n=50)
    gamma, beta = np.array([1.0, 2.0, 3.0, 0.5, 1.0]), np.array([0.0, -1.0, 5.0, 0.0, 2.0])
    out, _ = layers.batchnorm_forward(x, gamma, beta, {"mode": "train"})
    np.testing.assert_allclose(out.mean(axis=0), beta, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=0), np.abs(gamma), rtol=1e-4)  # eps shrinks std by ~eps/var


def test_batchnorm_running_statistics(rng):
    x, gamma, beta = _bn_inputs(rng)
    bn_param = {"mode": "train"}
    layers.batchnorm_forward(x, gamma, beta, bn_param)
    # from zeros: running = 0.9 * 0 + 0.1 * batch statistic
    np.testing.assert_allclose(bn_param["running_mean"], 0.1 * x.mean(axis=0))
    np.testing.assert_allclose(bn_param["running_var"], 0.1 * x.var(axis=0))
    assert bn_param["eps"] == 1e-5 and bn_param["momentum"] == 0.9
    before = bn_param["running_mean"].copy()
    bn_param["mode"] = "test"
    out, _ = layers.batchnorm_forward(x, gamma, beta, bn_param)
    np.testing.assert_array_equal(bn_param["running_mean"], before)  # test mode reads, never updates
    expected = gamma * (x - bn_param["running_mean"]) / np.sqrt(bn_param["running_var"] + 1e-5) + beta
    np.testing.assert_allclose(out, expected)


def test_batchnorm_running_stats_converge_to_population(rng):
    bn_param = {"mode": "train", "momentum": 0.8}
    d = 3
    for _ in range(200):
        x = 2.0 + 3.0 * rng.standard_normal((64, d))
        layers.batchnorm_forward(x, np.ones(d), np.zeros(d), bn_param)
    np.testing.assert_allclose(bn_param["running_mean"], 2.0, atol=0.5)
    np.testing.assert_allclose(bn_param["running_var"], 9.0, rtol=0.2)


@pytest.mark.parametrize("mode", ["train", "test"])
def test_batchnorm_gradients(rng, mode):
    x, gamma, beta = _bn_inputs(rng)
    stats = {"running_mean": rng.standard_normal(5), "running_var": rng.random(5) + 0.5}

    def forward(x_, gamma_, beta_):
        return layers.batchnorm_forward(x_, gamma_, beta_, {"mode": mode, **stats})

    errors = check_layer(forward, layers.batchnorm_backward, {"x": x, "gamma": gamma, "beta": beta}, rng=rng)
    assert max(errors.values()) < 1e-6


def _staged_batchnorm_backward(dout, x, gamma, eps=1e-5):
    """Independent reference: backprop through the graph one node at a time."""
    n = x.shape[0]
    mu = x.mean(axis=0)
    xc = x - mu
    var = np.mean(xc**2, axis=0)
    std = np.sqrt(var + eps)
    x_hat = xc / std
    dx_hat = dout * gamma
    dstd = -np.sum(dx_hat * xc, axis=0) / std**2
    dvar = dstd / (2 * std)
    dxc = dx_hat / std + 2 * xc * dvar / n
    dmu = -dxc.sum(axis=0)
    return dxc + dmu / n, np.sum(dout * x_hat, axis=0), dout.sum(axis=0)


def test_batchnorm_backward_matches_staged_graph(rng):
    x, gamma, beta = _bn_inputs(rng)
    dout = rng.standard_normal(x.shape)
    _, cache = layers.batchnorm_forward(x, gamma, beta, {"mode": "train"})
    for got, want in zip(layers.batchnorm_backward(dout, cache), _staged_batchnorm_backward(dout, x, gamma)):
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


def test_batchnorm_rejects_unknown_mode(rng):
    x, gamma, beta = _bn_inputs(rng)
    with pytest.raises(ValueError, match="mode"):
        layers.batchnorm_forward(x, gamma, beta, {"mode": "eval"})


# ------------------------------------------------------------------------------------------ dropout
def test_dropout_test_mode_is_identity(rng):
    x = rng.standard_normal((4, 6))
    out, cache = layers.dropout_forward(x, {"p": 0.3, "mode": "test"})
    np.testing.assert_array_equal(out, x)
    np.testing.assert_array_equal(layers.dropout_backward(x, cache), x)


def test_dropout_train_keeps_fraction_p_scaled_by_one_over_p():
    x = np.ones((200, 100))
    out, _ = layers.dropout_forward(x, {"p": 0.25, "mode": "train", "seed": 1})
    assert set(np.unique(out)) == {0.0, 4.0}  # kept units are scaled by 1/p = 4
    assert np.mean(out != 0) == pytest.approx(0.25, abs=0.01)
    assert out.mean() == pytest.approx(1.0, abs=0.05)  # inverted dropout keeps the expectation


def test_dropout_seed_reproduces_the_mask(rng):
    x = rng.standard_normal((10, 10))
    a, _ = layers.dropout_forward(x, {"p": 0.5, "mode": "train", "seed": 7})
    b, _ = layers.dropout_forward(x, {"p": 0.5, "mode": "train", "seed": 7})
    c, _ = layers.dropout_forward(x, {"p": 0.5, "mode": "train", "seed": 8})
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_dropout_gradient_with_fixed_seed(rng):
    x = rng.standard_normal((6, 5))

    def forward(x_):
        return layers.dropout_forward(x_, {"p": 0.6, "mode": "train", "seed": 3})

    assert check_layer(forward, layers.dropout_backward, {"x": x}, rng=rng)["x"] < 1e-8


def test_dropout_rejects_bad_keep_probability(rng):
    for p in (0.0, 1.5):
        with pytest.raises(ValueError, match="keep probability"):
            layers.dropout_forward(np.ones(3), {"p": p, "mode": "train", "seed": 0})


# ------------------------------------------------------------------------------------------ contracts
def test_no_layer_mutates_its_inputs(rng):
    x, gamma, beta = _bn_inputs(rng)
    w, b = rng.standard_normal((5, 3)), rng.standard_normal(3)
    dout5, dout3 = rng.standard_normal((8, 5)), rng.standard_normal((8, 3))
    y = rng.integers(0, 3, size=8)
    arrays = [x, gamma, beta, w, b, dout5, dout3]
    saved = [a.copy() for a in arrays]
    layers.affine_backward(dout3, layers.affine_forward(x, w, b)[1])
    for name in ("relu", "tanh", "sigmoid"):
        getattr(layers, f"{name}_backward")(dout5, getattr(layers, f"{name}_forward")(x)[1])
    layers.batchnorm_backward(dout5, layers.batchnorm_forward(x, gamma, beta, {"mode": "train"})[1])
    layers.dropout_backward(dout5, layers.dropout_forward(x, {"p": 0.5, "mode": "train", "seed": 0})[1])
    layers.softmax_loss(dout3, y)
    for a, s in zip(arrays, saved):
        np.testing.assert_array_equal(a, s)
