"""course_lib.decision_boundary: the grid around the data and the picture of the two sides."""

from __future__ import annotations

import matplotlib
import matplotlib.collections

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib.decision_boundary import boundary_grid, draw_boundary

X = np.array([[-1.0, -2.0], [3.0, 0.5], [0.0, 1.0]])


def test_the_grid_covers_the_data_with_the_padding():
    xx, yy, zz = boundary_grid(lambda a, b: a - b, X, resolution=5, pad=0.5)
    assert xx.shape == yy.shape == zz.shape == (5, 5)
    assert (xx.min(), xx.max(), yy.min(), yy.max()) == (-1.5, 3.5, -2.5, 1.5)
    np.testing.assert_allclose(zz, xx - yy)
    assert zz.dtype == np.float64


def test_the_score_receives_plain_floats_and_may_return_any_number_type():
    seen = []

    def score(a, b):
        seen.append((type(a), type(b)))
        return np.float32(a * b)

    _, _, zz = boundary_grid(score, X, resolution=3)
    assert set(seen) == {(float, float)} and len(seen) == 9
    assert zz.dtype == np.float64


@pytest.mark.parametrize("bad", [np.zeros((3, 3)), np.zeros(4)])
def test_points_must_be_two_dimensional(bad):
    with pytest.raises(ValueError, match="shape"):
        boundary_grid(lambda a, b: 0.0, bad)


def test_the_grid_needs_two_points_a_side():
    with pytest.raises(ValueError, match="resolution"):
        boundary_grid(lambda a, b: 0.0, X, resolution=1)


def test_draw_boundary_shades_both_sides_and_draws_every_point():
    xx, yy, zz = boundary_grid(lambda a, b: a + b, X, resolution=6)
    fig, ax = plt.subplots()
    draw_boundary(ax, xx, yy, zz, X, [1.0, -1.0, 1.0], title="t")
    scatters = [c for c in ax.collections if isinstance(c, matplotlib.collections.PathCollection)]
    points = sum(len(c.get_offsets()) for c in scatters)
    assert points == len(X)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["target +1", "target -1"]
    assert ax.get_title() == "t"
    plt.close(fig)


def test_a_score_of_one_sign_draws_no_boundary_line():
    xx, yy, zz = boundary_grid(lambda a, b: 1.0, X, resolution=4)
    fig, ax = plt.subplots()
    draw_boundary(ax, xx, yy, zz, X, [1.0, 1.0, 1.0])
    plt.close(fig)
