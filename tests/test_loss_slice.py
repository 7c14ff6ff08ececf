"""course_lib.loss_slice: lines through a loss, hinge kinks along them, convex and straight pieces."""

from __future__ import annotations

import numpy as np

from course_lib.loss_slice import hinge_kinks, is_convex, line_through, second_differences, straight_between


def test_line_through_evaluates_the_loss_along_the_direction():
    W, direction = np.array([1.0, -1.0]), np.array([0.5, 2.0])
    alphas = np.array([-1.0, 0.0, 2.0])
    values = line_through(lambda V: float(np.sum(V ** 2)), W, direction, alphas)
    expected = [np.sum((W + a * direction) ** 2) for a in alphas]
    assert values.dtype == np.float64
    np.testing.assert_allclose(values, expected)


def test_hinge_kinks_are_where_a_margin_crosses_zero():
    # scores s(a) = (0, 1, -1) + a * (1, -1, 2), true class 0, delta 1:
    # class 1: margin 1 - 0 + 1 + a * (-1 - 1) = 2 - 2a -> 0 at a = 1
    # class 2: margin -1 - 0 + 1 + a * (2 - 1) = a      -> 0 at a = 0
    kinks = hinge_kinks(np.array([0.0, 1.0, -1.0]), np.array([1.0, -1.0, 2.0]), 0, 1.0, -2.0, 2.0)
    np.testing.assert_allclose(kinks, [0.0, 1.0])
    assert hinge_kinks(np.array([0.0, 1.0, -1.0]), np.array([1.0, -1.0, 2.0]), 0, 1.0, 0.5, 2.0).tolist() == [1.0]


def test_a_margin_that_does_not_move_has_no_kink():
    assert hinge_kinks(np.array([0.0, 2.0]), np.array([1.0, 1.0]), 0, 1.0, -10.0, 10.0).size == 0


def test_a_hinge_slice_is_convex_and_straight_between_its_kinks():
    alphas = np.linspace(-2.0, 2.0, 81)
    values = np.maximum(0.0, alphas - 0.33) + np.maximum(0.0, -1.7 - alphas)
    assert is_convex(values)
    assert straight_between(alphas, values, np.array([-1.7, 0.33]))
    assert not straight_between(alphas, values, np.array([-1.7]))  # a kink left out is seen


def test_concave_and_curved_slices_are_recognised():
    alphas = np.linspace(-1.0, 1.0, 41)
    assert not is_convex(-alphas ** 2)
    assert is_convex(alphas ** 2)
    assert not straight_between(alphas, alphas ** 2, np.array([]))
    np.testing.assert_allclose(second_differences(np.array([0.0, 1.0, 4.0, 9.0])), [2.0, 2.0])
