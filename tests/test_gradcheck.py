"""The course's gradient checker passes right gradients and names the planted mistakes."""

import numpy as np
import pytest

from course_lib.gradcheck import (GradientCheckError, check_directional, check_gradient, check_layer,
                                  relative_error)
from course_lib.reference.lesson01 import numerical_gradient as numeric_gradient


def _quadratic_problem(rng, n=6):
    """loss(W) = mean over rows of ||X W||^2 / 2, gradient X.T X W / N."""
    X = rng.standard_normal((n, 4))
    W = rng.standard_normal((4, 3))

    def loss(W_):
        return 0.5 * np.sum((X @ W_) ** 2) / n

    return loss, W, X.T @ (X @ W) / n, n


def test_numeric_gradient_matches_calculus_and_restores_x(rng):
    x = rng.standard_normal((3, 4))
    before = x.copy()
    grad = numeric_gradient(lambda v: np.sum(np.sin(v) * v**2), x)
    np.testing.assert_allclose(grad, np.cos(x) * x**2 + 2 * x * np.sin(x), rtol=1e-8, atol=1e-10)
    assert np.array_equal(x, before)


def test_x_restored_even_when_f_raises():
    x = np.array([1.0, 2.0])

    def f(v):
        if v[0] != 1.0:
            raise RuntimeError("boom")
        return float(v.sum())

    with pytest.raises(RuntimeError):
        numeric_gradient(f, x)
    assert x.tolist() == [1.0, 2.0]


def test_correct_gradient_passes_with_small_error(rng):
    loss, W, grad, _ = _quadratic_problem(rng)
    assert check_gradient(loss, W, grad, "W") < 1e-7


@pytest.mark.parametrize("mistake, factor, cause", [
    ("factor 2", 2.0, "2x too large"),
    ("half", 0.5, "half"),
    ("sign flip", -1.0, "sign is flipped"),
    ("missing /N", None, "missing division by N"),
])
def test_planted_constant_mistakes_are_named(rng, mistake, factor, cause):
    loss, W, grad, n = _quadratic_problem(rng)
    wrong = grad * (n if factor is None else factor)
    with pytest.raises(GradientCheckError) as err:
        check_gradient(loss, W, wrong, "W", batch_size=n)
    message = str(err.value)
    assert "'W'" in message and "at index" in message and "analytic" in message and "numeric" in message
    assert cause in message, message


def test_transposed_gradient_is_named(rng):
    loss, W, grad, _ = _quadratic_problem(rng)
    with pytest.raises(GradientCheckError, match="transposed"):
        check_gradient(loss, W, grad.T, "W")


def test_square_transposed_gradient_is_named(rng):
    A = rng.standard_normal((4, 4))
    W = rng.standard_normal((4, 4))
    with pytest.raises(GradientCheckError, match="transpose"):
        check_gradient(lambda W_: np.sum(A * W_), W, A.T, "W")


def test_wrong_axis_reduction_is_named(rng):
    """A bias gradient summed over the features instead of the batch has the wrong shape."""
    x = rng.standard_normal((5, 3))
    b = rng.standard_normal(3)
    dout = rng.standard_normal((5, 3))
    with pytest.raises(GradientCheckError, match="wrong axis"):
        check_gradient(lambda b_: np.sum((x + b_) * dout), b, dout.sum(axis=1), "b")


def test_wrong_axis_softmax_fails_with_location(rng):
    """Normalising over the batch axis instead of the class axis: values wrong, report names an index."""
    s = rng.standard_normal((4, 3))
    dout = rng.standard_normal((4, 3))

    def softmax_rows(z):
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    p = softmax_rows(s)
    right = p * (dout - np.sum(dout * p, axis=1, keepdims=True))
    wrong = p * (dout - np.sum(dout * p, axis=0, keepdims=True))
    check_gradient(lambda z: np.sum(softmax_rows(z) * dout), s, right, "scores")
    with pytest.raises(GradientCheckError, match=r"'scores'.*at index \(\d, \d\)"):
        check_gradient(lambda z: np.sum(softmax_rows(z) * dout), s, wrong, "scores")


def test_float64_is_enforced():
    with pytest.raises(TypeError, match="float64"):
        check_gradient(lambda v: float(v.sum()), np.ones(3, dtype=np.float32), np.ones(3), "x")
    with pytest.raises(TypeError, match="integer"):
        check_gradient(lambda v: float(v.sum()), np.arange(3), np.ones(3), "x")
    with pytest.raises(TypeError, match="numpy array"):
        check_gradient(lambda v: 0.0, [1.0, 2.0], [0.0, 0.0], "x")


def test_non_scalar_f_is_refused(rng):
    x = rng.standard_normal(3)
    with pytest.raises(TypeError, match="scalar"):
        check_gradient(lambda v: v * 2, x, 2 * np.ones(3), "x")


def test_sparse_check_passes_and_catches_one_wrong_entry(rng):
    X = rng.standard_normal((50, 40))
    f = lambda v: float(np.sum(np.tanh(v)))
    grad = 1 - np.tanh(X) ** 2
    assert check_gradient(f, X, grad, "X", num_checks=30, rng=rng) < 1e-7
    broken = grad.copy()
    broken[:, :] *= 1.01  # every entry a little off: any sample must see it
    with pytest.raises(GradientCheckError, match="sample"):
        check_gradient(f, X, broken, "X", num_checks=30, rng=rng)


def test_directional_check(rng):
    loss, W, grad, n = _quadratic_problem(rng)
    assert check_directional(loss, W, grad, "W", rng=rng) < 1e-7
    with pytest.raises(GradientCheckError, match="directional"):
        check_directional(loss, W, grad * n, "W", rng=rng)
    before = W.copy()
    check_directional(loss, W, grad, "W", rng=rng)
    assert np.array_equal(W, before)


def _affine_forward(x, w, b):
    return x @ w + b, (x, w)


def test_layer_check_passes_right_backward_and_fails_wrong_ones(rng):
    x, w, b = rng.standard_normal((5, 4)), rng.standard_normal((4, 3)), rng.standard_normal(3)

    def right(dout, cache):
        x_, w_ = cache
        return dout @ w_.T, x_.T @ dout, dout.sum(axis=0)

    errors = check_layer(_affine_forward, right, {"x": x, "w": w, "b": b}, rng=rng)
    assert set(errors) == {"x", "w", "b"} and max(errors.values()) < 1e-7

    def db_not_summed(dout, cache):
        dx, dw, _ = right(dout, cache)
        return dx, dw, dout.mean(axis=0)

    with pytest.raises(GradientCheckError, match="'db'.*5x too small|'db'.*batch size"):
        check_layer(_affine_forward, db_not_summed, {"x": x, "w": w, "b": b}, rng=rng, batch_size=5)

    def missing_grad(dout, cache):
        return right(dout, cache)[:2]

    with pytest.raises(GradientCheckError, match="returned 2 gradient"):
        check_layer(_affine_forward, missing_grad, {"x": x, "w": w, "b": b}, rng=rng)


def test_layer_check_uses_a_random_upstream_gradient(rng):
    """With dout all ones, dx = sum of w's rows would pass for a wrong 'sum' backward; random dout catches it."""
    x, w = rng.standard_normal((5, 4)), rng.standard_normal((4, 3))

    def wrong(dout, cache):
        x_, w_ = cache
        return np.ones_like(dout) @ w_.T, x_.T @ dout

    with pytest.raises(GradientCheckError, match="'dx'"):
        check_layer(lambda a, b_: (a @ b_, (a, b_)), wrong, {"x": x, "w": w}, rng=rng)


def test_relative_error_definition():
    assert relative_error(1.0, 1.0) == 0.0
    assert relative_error(2.0, 1.0) == pytest.approx(1 / 3)
    assert relative_error(0.0, 0.0) == 0.0


def test_check_gradient_restores_x_even_when_f_raises():
    x = np.array([1.0, 2.0, 3.0])

    def f(v):
        if v[1] != 2.0:
            raise RuntimeError("boom")
        return float(np.sum(v ** 2))

    with pytest.raises(RuntimeError):
        check_gradient(f, x, 2 * x)
    assert x.tolist() == [1.0, 2.0, 3.0]

