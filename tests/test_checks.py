"""Value checks used by the notebooks' tests: they fail with precise messages."""

import re

import numpy as np
import pytest

from course_lib.checks import InputGuard, assert_close, assert_finite, assert_shape
from course_lib.diagnose import likely_cause


def test_assert_close_passes_equal_values():
    assert_close("x", np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-12]))
    assert_close("s", 3.0, 3.0)


def test_message_names_check_index_values_and_cause():
    expected = np.arange(1.0, 7.0).reshape(2, 3)
    with pytest.raises(AssertionError) as err:
        assert_close("dW", 2 * expected, expected)
    msg = str(err.value)
    assert msg.startswith("dW: 6 of 6 value(s) differ at index (1, 2)")
    assert "got 12" in msg and "expected 6" in msg and "2x too large" in msg


def test_missing_division_by_batch_is_named():
    expected = np.linspace(-1, 1, 8)
    with pytest.raises(AssertionError, match="missing division by N"):
        assert_close("grad", expected * 32, expected, batch_size=32)


def test_shape_and_none_and_nan_messages():
    with pytest.raises(AssertionError, match=r"shape \(3,\), expected \(2,\)"):
        assert_close("b", np.zeros(3), np.zeros(2))
    with pytest.raises(AssertionError, match="forget to return"):
        assert_close("loss", None, 1.0)
    with pytest.raises(AssertionError, match="NaN"):
        assert_close("loss", np.nan, 1.0)
    with pytest.raises(AssertionError, match="NaN/inf"):
        assert_finite("loss", np.array([1.0, np.inf]))
    with pytest.raises(AssertionError, match=r"shape \(2, 2\), expected \(4,\)"):
        assert_shape("x", np.zeros((2, 2)), (4,))


def test_tiny_numbers_are_not_waved_through():
    """np.allclose's default atol=1e-8 would call 1e-9 and 3e-9 equal; the course's checks do not."""
    with pytest.raises(AssertionError):
        assert_close("tiny", 3e-9, 1e-9)


def test_input_guard_detects_in_place_mutation():
    w = np.ones(3)
    guard = InputGuard(w=w)
    guard.check("f")
    w -= 0.1
    with pytest.raises(AssertionError, match="modified its input 'w' in place"):
        guard.check("f")


@pytest.mark.parametrize("got, expected, batch, fragment", [
    (-np.arange(1.0, 5.0), np.arange(1.0, 5.0), None, "sign"),
    (np.arange(1.0, 5.0) / 2, np.arange(1.0, 5.0), None, "half"),
    (np.arange(1.0, 5.0) / 10, np.arange(1.0, 5.0), 10, "divided by N twice"),
    (np.arange(6.0).reshape(3, 2), np.arange(6.0).reshape(3, 2).T, None, "transpose"),
    (np.zeros(3), np.zeros((4, 3)), None, "axis 0, which must stay"),
    (np.array([np.inf, 1.0]), np.array([1.0, 1.0]), None, "overflow"),
])
def test_likely_cause_patterns(got, expected, batch, fragment):
    assert fragment in likely_cause(got, expected, batch)


def test_sum_instead_of_mean_in_a_scalar():
    assert "sum where a mean was meant" in likely_cause(4 * np.log(3.0), np.log(3.0))
    assert "mean where a sum was meant" in likely_cause(np.log(3.0) / 5, np.log(3.0))


def test_no_factor_story_without_enough_evidence():
    # Two entries, or entries of one size, can be proportional by chance: no factor is named.
    assert likely_cause(np.array([4.5, -9.0]), np.array([0.5, -1.0])) is None
    assert likely_cause(np.array([1.0, 1.0, -1.0, 1.0]), np.array([0.5, 0.5, -0.5, 0.5])) is None
    assert "2x too large" in likely_cause(np.array([1.0, 3.0, -1.0, 5.0]), np.array([0.5, 1.5, -0.5, 2.5]))
    # Off by a factor to 1e-4 only: not exact, so not named.
    assert likely_cause(np.array([1.0002, 3.0, -1.0, 5.0]), np.array([0.5, 1.5, -0.5, 2.5])) is None


def test_all_zeros_is_named():
    assert "all zeros" in likely_cause(np.zeros(3), np.array([1.0, -2.0, 0.5]))


def test_no_arbitrary_factor_for_constant_arrays():
    assert likely_cause(np.full(4, 0.5), np.full(4, 0.2)) is None
    assert "proportional" in likely_cause(np.array([1.25, 2.5, -5.0]), np.array([0.5, 1.0, -2.0]))


def test_no_cause_for_unrelated_values():
    assert likely_cause(np.array([1.0, 5.0, -2.0]), np.array([3.0, 1.0, 4.0])) is None


@pytest.mark.parametrize("got, expected, fragment", [
    ((4, 3), (3,), "a sum over the batch (axis 0) is missing"),   # db = dout, not dout.sum(axis=0)
    ((3, 2), (2, 3), "transposed"),                                # dW = dout.T @ x instead of x.T @ dout
    ((4,), (4, 1), "axis 1, which must stay"),                     # a sum without keepdims
    ((6,), (2, 3), "reshape or flatten in the wrong order"),
    ((2,), (3,), "one entry short"),                               # a history without its last entry
    ((4, 4), (4, 3), "one entry too many"),
])
def test_a_wrong_shape_is_named(got, expected, fragment):
    from course_lib.diagnose import shape_cause

    assert fragment in shape_cause(got, expected)
    with pytest.raises(AssertionError, match=r"Likely cause: .*" + re.escape(fragment)):
        assert_shape("db", np.zeros(got), expected)


def test_an_unrelated_shape_gets_no_story():
    from course_lib.diagnose import shape_cause

    assert shape_cause((2, 3, 4), (3,)) is None and shape_cause((2, 3), (2, 3)) is None
