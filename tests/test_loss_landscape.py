"""The pure computation behind lesson 05's widget: loss surfaces over two logits and descent paths."""

import numpy as np
import pytest

from course_lib.loss_landscape import descent_path, logits_at, loss_grid


def cross_entropy(logits, y):
    # Written for these tests: log-softmax through np.logaddexp, mean over the batch.
    rows = np.arange(len(y))
    log_p = logits - np.logaddexp.reduce(logits, axis=1, keepdims=True)
    p = np.exp(log_p)
    p[rows, y] -= 1.0
    return -float(np.mean(log_p[rows, y])), p / len(y)


def mse_on_softmax(logits, y):
    p = np.exp(logits - np.logaddexp.reduce(logits, axis=1, keepdims=True))
    target = np.eye(logits.shape[1])[y]
    dp = 2.0 * (p - target) / p.size
    return float(np.mean((p - target) ** 2)), p * (dp - np.sum(dp * p, axis=1, keepdims=True))


def test_logits_at_puts_the_free_logits_first():
    z = logits_at(1.5, -2.0, fixed_logits=(0.0, 3.0))
    assert z.shape == (1, 4) and z.dtype == np.float64
    assert z.tolist() == [[1.5, -2.0, 0.0, 3.0]]


def test_loss_grid_evaluates_every_point_with_rows_along_z2():
    z1, z2 = np.array([-1.0, 0.0, 2.0]), np.array([0.5, 1.5])
    grid = loss_grid(cross_entropy, 0, z1, z2)
    assert grid.shape == (2, 3)
    for row, b in enumerate(z2):
        for col, a in enumerate(z1):
            expected = -(a - np.logaddexp.reduce([a, b, 0.0]))
            assert grid[row, col] == pytest.approx(expected, rel=1e-12)


def test_descent_path_follows_the_gradient_of_the_free_logits_only():
    calls = []

    def quadratic(logits, y):
        calls.append(logits.copy())
        return 0.5 * float(np.sum(logits ** 2)), logits.copy()

    path = descent_path(quadratic, 0, start=(2.0, -4.0), lr=0.5, steps=3, fixed_logits=(7.0,))
    # z <- z - 0.5 z halves the free logits each step; the fixed one stays at 7.
    assert np.allclose(path.points, [[2, -4], [1, -2], [0.5, -1], [0.25, -0.5]])
    assert np.allclose(path.losses, [0.5 * (x ** 2 + y ** 2 + 49) for x, y in path.points])
    assert all(c[0, 2] == 7.0 for c in calls)


def test_cross_entropy_escapes_where_mse_on_softmax_stalls():
    # The lesson's picture: a confident wrong start for the true class 0.
    ce = descent_path(cross_entropy, 0, start=(-4.0, 4.0), lr=1.0, steps=100)
    mse = descent_path(mse_on_softmax, 0, start=(-4.0, 4.0), lr=1.0, steps=100)
    assert ce.points.shape == mse.points.shape == (101, 2)
    assert ce.losses[-1] < 0.05 and ce.points[-1, 0] > ce.points[-1, 1]
    assert mse.losses[-1] > 0.4 and mse.points[-1, 0] < -3.0
    assert np.all(np.diff(ce.losses) <= 1e-12)


def test_descent_path_stops_when_it_leaves_the_finite_numbers():
    def exploding(logits, y):
        return float(np.sum(logits ** 2)), -1e300 * np.ones_like(logits)

    path = descent_path(exploding, 1, start=(0.0, 0.0), lr=1e10, steps=5)
    assert len(path.points) == len(path.losses) == 1
    assert np.all(np.isfinite(path.points))


def test_descent_path_with_zero_steps_is_the_start():
    path = descent_path(cross_entropy, 2, start=(1.0, 1.0), lr=1.0, steps=0)
    assert path.points.tolist() == [[1.0, 1.0]] and path.losses.shape == (1,)
    with pytest.raises(ValueError):
        descent_path(cross_entropy, 2, start=(1.0, 1.0), lr=1.0, steps=-1)
