"""The reference MLP: parameters and initialization, gradient checks of its loss, modes, trace, layer_fn."""

import numpy as np
import pytest

from references import layers
from course_lib.gradcheck import check_gradient
from course_lib.reference.lesson01 import numerical_gradient as numeric_gradient
from course_lib.reference.lesson03 import MLP
from course_lib.reference.lesson07 import init_std

ACTIVATIONS = ["relu", "tanh", "sigmoid", "linear"]


def _problem(rng, n=7, d=5, c=4):
    return rng.standard_normal((n, d)), rng.integers(0, c, size=n)


def _randomize_biases(model, rng):
    """Zero biases put a pre-activation exactly on ReLU's kink whenever dropout zeroes a whole input row."""
    for name in model.params:
        if name.startswith(("b", "beta")):
            model.params[name] = 0.5 * rng.standard_normal(model.params[name].shape)


def _check_all_params(model, X, y, mask_seed=9):
    """Gradient-check every parameter; dropout masks are replayed by resetting model.rng before each call.

    Some parameters get an exactly zero gradient by construction (a bias right before batchnorm is
    cancelled by the mean subtraction); those are checked against an absolute tolerance instead.
    """
    def loss_at(_):
        model.rng = np.random.default_rng(mask_seed)
        return model.loss(X, y)[0]

    model.rng = np.random.default_rng(mask_seed)
    _, grads = model.loss(X, y)
    assert list(grads) == list(model.params)
    for name, param in model.params.items():
        if np.max(np.abs(grads[name])) < 1e-10:  # structurally zero: compare absolutely
            assert np.max(np.abs(numeric_gradient(loss_at, param))) < 1e-8, f"{name}: gradient is not zero"
        else:
            check_gradient(loss_at, param, grads[name], name, tol=1e-6)


def test_param_names_shapes_and_initial_values(rng):
    model = MLP(6, [5, 4], 3, batchnorm=True, rng=rng)
    shapes = {name: p.shape for name, p in model.params.items()}
    assert shapes == {"W1": (6, 5), "b1": (5,), "gamma1": (5,), "beta1": (5,),
                      "W2": (5, 4), "b2": (4,), "gamma2": (4,), "beta2": (4,), "W3": (4, 3), "b3": (3,)}
    assert all(p.dtype == np.float64 for p in model.params.values())
    assert np.all(model.params["b1"] == 0) and np.all(model.params["gamma2"] == 1)
    assert np.all(model.params["beta1"] == 0)
    assert len(model.bn_params) == 2 and MLP(6, [5], 3, rng=rng).bn_params == []


@pytest.mark.parametrize("init, expected_std", [
    ("he", np.sqrt(2 / 400)), ("xavier", np.sqrt(2 / (400 + 300))), (0.05, 0.05)])
def test_weight_initialization_std(init, expected_std):
    model = MLP(400, [300], 10, init=init, rng=np.random.default_rng(0))
    W = model.params["W1"]
    assert W.std() == pytest.approx(expected_std, rel=0.01)  # 120000 samples: ~0.2% sampling error
    assert abs(W.mean()) < 0.01 * expected_std + 1e-4
    assert init_std(init, 400, 300) == pytest.approx(expected_std)


def test_init_is_reproducible_from_the_generator():
    a = MLP(5, [4], 3, rng=np.random.default_rng(3)).params
    b = MLP(5, [4], 3, rng=np.random.default_rng(3)).params
    assert all(np.array_equal(a[k], b[k]) for k in a)


def test_bad_arguments_are_refused(rng):
    with pytest.raises(ValueError, match="activation"):
        MLP(3, [2], 2, activation="softplus", rng=rng)
    with pytest.raises(ValueError, match="init"):
        MLP(3, [2], 2, init="lecun", rng=rng)
    with pytest.raises(ValueError, match="layer_fn"):
        MLP(3, [2], 2, layer_fn={"batchnorm2": None}, rng=rng)
    with pytest.raises(ValueError, match="dropout_keep"):
        MLP(3, [2], 2, dropout_keep=0.0, rng=rng)


def test_initial_loss_is_log_c_with_small_weights(rng):
    X, y = _problem(rng, n=50, d=8, c=10)
    model = MLP(8, [20], 10, init=1e-4, rng=rng)
    loss, _ = model.loss(X, y)
    assert loss == pytest.approx(np.log(10), abs=1e-3)


def test_reg_adds_half_reg_sum_of_squared_weights(rng):
    X, y = _problem(rng)
    plain = MLP(5, [6], 4, rng=np.random.default_rng(1))
    regd = MLP(5, [6], 4, reg=0.7, rng=np.random.default_rng(1))
    (l0, g0), (l1, g1) = plain.loss(X, y), regd.loss(X, y)
    penalty = 0.5 * 0.7 * (np.sum(plain.params["W1"] ** 2) + np.sum(plain.params["W2"] ** 2))
    assert l1 == pytest.approx(l0 + penalty)
    np.testing.assert_allclose(g1["W2"], g0["W2"] + 0.7 * plain.params["W2"])
    np.testing.assert_allclose(g1["b2"], g0["b2"])  # biases are not regularized


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("batchnorm", [False, True], ids=["plain", "bn"])
@pytest.mark.parametrize("dropout_keep", [None, 0.7], ids=["nodrop", "drop"])
def test_loss_gradients(rng, activation, batchnorm, dropout_keep):
    X, y = _problem(rng)
    model = MLP(5, [6, 5], 4, activation=activation, batchnorm=batchnorm, dropout_keep=dropout_keep,
                reg=0.3, rng=rng)
    _randomize_biases(model, rng)
    _check_all_params(model, X, y)


def test_softmax_regression_without_hidden_layers(rng):
    X, y = _problem(rng)
    model = MLP(5, [], 4, reg=0.1, rng=rng)
    assert set(model.params) == {"W1", "b1"}
    _check_all_params(model, X, y)


def test_image_shaped_input_is_flattened(rng):
    X, y = rng.standard_normal((4, 2, 3)), rng.integers(0, 3, size=4)
    model = MLP(6, [5], 3, rng=rng)
    assert model.loss(X).shape == (4, 3)
    _check_all_params(model, X, y)


def test_scores_in_test_mode_are_deterministic_and_leave_state_alone(rng):
    X, y = _problem(rng, n=20)
    model = MLP(5, [6], 4, batchnorm=True, dropout_keep=0.5, rng=rng)
    model.loss(X, y)  # one training call sets running statistics
    running = model.bn_params[0]["running_mean"].copy()
    rng_state = model.rng.bit_generator.state
    scores = model.loss(X)
    assert scores.shape == (20, 4)
    np.testing.assert_array_equal(scores, model.loss(X))
    np.testing.assert_array_equal(model.bn_params[0]["running_mean"], running)
    assert model.rng.bit_generator.state == rng_state  # inference draws no dropout seeds


def test_training_calls_update_running_statistics_and_draw_new_masks(rng):
    X, y = _problem(rng, n=20)
    model = MLP(5, [6], 4, batchnorm=True, dropout_keep=0.5, rng=rng)
    first, _ = model.loss(X, y)
    mean_after_one = model.bn_params[0]["running_mean"].copy()
    second, _ = model.loss(X, y)
    assert first != second  # a different dropout mask
    assert not np.array_equal(model.bn_params[0]["running_mean"], mean_after_one)


def test_trace_names_in_layer_order_and_matches_scores(rng):
    X, _ = _problem(rng)
    model = MLP(5, [6, 3], 4, activation="tanh", batchnorm=True, dropout_keep=0.8, rng=rng)
    trace = model.trace(X)
    assert list(trace) == ["affine1", "batchnorm1", "act1", "dropout1",
                           "affine2", "batchnorm2", "act2", "dropout2", "scores"]
    np.testing.assert_allclose(trace["scores"], model.loss(X))
    np.testing.assert_allclose(trace["act1"], np.tanh(trace["batchnorm1"]))
    plain = MLP(5, [6], 4, rng=rng).trace(X)
    assert list(plain) == ["affine1", "act1", "scores"]
    np.testing.assert_allclose(plain["act1"], np.maximum(plain["affine1"], 0))


def test_trace_in_train_mode_has_no_side_effects(rng):
    X, y = _problem(rng, n=20)
    model = MLP(5, [6], 4, batchnorm=True, dropout_keep=0.5, rng=rng)
    model.loss(X, y)
    running = model.bn_params[0]["running_mean"].copy()
    rng_state = model.rng.bit_generator.state
    trace = model.trace(X, mode="train")
    np.testing.assert_allclose(trace["batchnorm1"].mean(axis=0), 0.0, atol=1e-12)  # batch statistics
    np.testing.assert_array_equal(model.bn_params[0]["running_mean"], running)
    assert model.rng.bit_generator.state == rng_state


def test_trace_locates_the_first_nonfinite_layer(rng):
    X, _ = _problem(rng)
    model = MLP(5, [6, 6], 4, activation="linear", rng=rng)
    model.params["W2"] = model.params["W2"] * np.inf
    with np.errstate(all="ignore"):
        trace = model.trace(X)
    first_bad = next(name for name, a in trace.items() if not np.all(np.isfinite(a)))
    assert first_bad == "affine2"


def test_layer_fn_plugs_in_a_replacement(rng):
    X, y = _problem(rng)
    calls = []

    def counting_forward(x, gamma, beta, bn_param):
        calls.append("forward")
        return layers.batchnorm_forward(x, gamma, beta, bn_param)

    def counting_backward(dout, cache):
        calls.append("backward")
        return layers.batchnorm_backward(dout, cache)

    reference = MLP(5, [6], 4, batchnorm=True, rng=np.random.default_rng(2))
    plugged = MLP(5, [6], 4, batchnorm=True, rng=np.random.default_rng(2),
                  layer_fn={"batchnorm": (counting_forward, counting_backward)})
    (l0, g0), (l1, g1) = reference.loss(X, y), plugged.loss(X, y)
    assert calls == ["forward", "backward"]
    assert l0 == l1 and all(np.array_equal(g0[k], g1[k]) for k in g0)


def test_layer_fn_with_a_broken_backward_fails_the_gradient_check(rng):
    X, y = _problem(rng)

    def doubled_relu_backward(dout, cache):
        return 2 * layers.relu_backward(dout, cache)

    model = MLP(5, [6], 4, layer_fn={"relu": (layers.relu_forward, doubled_relu_backward)}, rng=rng)
    with pytest.raises(AssertionError, match="W1"):
        _check_all_params(model, X, y)
