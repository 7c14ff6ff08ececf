"""The 2-D test surfaces of lesson 04: exact gradients, points and grids alike, the advertised critical points."""

import numpy as np
import pytest

from course_lib.gradcheck import check_gradient
from course_lib.surfaces import QUADRATIC, ROSENBROCK, SADDLE, SURFACES


@pytest.mark.parametrize("surface", SURFACES.values(), ids=lambda s: s.name)
def test_gradient_matches_centred_differences(surface):
    gen = np.random.default_rng(4)
    for _ in range(5):
        p = np.array([gen.uniform(*surface.xlim), gen.uniform(*surface.ylim)])
        check_gradient(surface.value, p.copy(), surface.gradient(p), name=f"{surface.name} gradient")


@pytest.mark.parametrize("surface", SURFACES.values(), ids=lambda s: s.name)
def test_points_and_grids_agree(surface):
    gen = np.random.default_rng(5)
    points = np.stack([gen.uniform(*surface.xlim, size=(3, 4)), gen.uniform(*surface.ylim, size=(3, 4))], axis=-1)
    values, grads = surface.value(points), surface.gradient(points)
    assert values.shape == (3, 4) and grads.shape == (3, 4, 2)
    for idx in np.ndindex(3, 4):
        assert isinstance(surface.value(points[idx]), float)
        assert values[idx] == pytest.approx(surface.value(points[idx]), rel=1e-12)
        assert np.allclose(grads[idx], surface.gradient(points[idx]), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("surface", SURFACES.values(), ids=lambda s: s.name)
def test_critical_points_have_zero_gradient_and_minima_are_lowest_nearby(surface):
    for point in surface.minima + surface.saddles:
        assert np.allclose(surface.gradient(np.array(point)), 0.0, atol=1e-12)
    gen = np.random.default_rng(6)
    for point in surface.minima:
        nearby = np.array(point) + 0.05 * gen.standard_normal((50, 2))
        assert np.all(surface.value(nearby) > surface.value(np.array(point)))


def test_the_saddle_goes_down_along_y_and_up_along_x():
    origin = SADDLE.value(np.zeros(2))
    assert SADDLE.value(np.array([0.0, 0.1])) < origin < SADDLE.value(np.array([0.1, 0.0]))


def test_quadratic_is_ill_conditioned_and_rosenbrock_has_its_minimum_at_one_one():
    # Curvatures 1 and 20: one step of size 0.1 along each axis from the minimum.
    assert QUADRATIC.value(np.array([0.1, 0.0])) == pytest.approx(0.005)
    assert QUADRATIC.value(np.array([0.0, 0.1])) == pytest.approx(0.1)
    assert ROSENBROCK.value(np.array([1.0, 1.0])) == 0.0


def test_grid_covers_the_window():
    X, Y, Z = QUADRATIC.grid(num=11)
    assert X.shape == Y.shape == Z.shape == (11, 11)
    assert (X.min(), X.max(), Y.min(), Y.max()) == (*QUADRATIC.xlim, *QUADRATIC.ylim)
    assert np.allclose(Z, 0.5 * (X ** 2 + 20 * Y ** 2))
