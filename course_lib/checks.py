"""Value checks for the tests in the notebooks: precise messages, never a bare "wrong output".

Every check raises AssertionError (so nbgrader counts a failure) with a message that names what was
checked, where the arrays differ most, both values, and a likely cause.
"""

from __future__ import annotations

import numpy as np

from course_lib.diagnose import likely_cause, shape_cause


def _fmt(x) -> str:
    return np.array2string(np.asarray(x), precision=6, threshold=12, edgeitems=2)


def assert_shape(name: str, got, shape: tuple) -> None:
    got_shape = np.shape(got)
    if tuple(got_shape) != tuple(shape):
        cause = shape_cause(got_shape, shape)
        raise AssertionError(f"{name}: shape {tuple(got_shape)}, expected {tuple(shape)}"
                             + (f". Likely cause: {cause}" if cause else ""))


def assert_finite(name: str, got) -> None:
    arr = np.asarray(got, dtype=float)
    bad = ~np.isfinite(arr)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0]) if arr.ndim else ()
        raise AssertionError(
            f"{name}: contains {int(bad.sum())} NaN/inf value(s), first at index {where}; "
            "likely an overflow (exponentiate shifted scores) or a log/division of zero")


def assert_close(name: str, got, expected, *, rtol: float = 1e-7, atol: float = 1e-10,
                 batch_size: int | None = None, hint: str | None = None) -> None:
    """Assert got ~= expected elementwise; atol matters only for entries that should be ~0."""
    if got is None:
        raise AssertionError(f"{name}: got None; did the function forget to return a value?")
    try:
        got_arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        raise AssertionError(f"{name}: got {type(got).__name__}, expected a number or an array") from None
    exp_arr = np.asarray(expected, dtype=float)
    if got_arr.shape != exp_arr.shape:
        cause = likely_cause(got_arr, exp_arr, batch_size)
        raise AssertionError(f"{name}: shape {got_arr.shape}, expected {exp_arr.shape}"
                             + (f". Likely cause: {cause}" if cause else ""))
    diff = np.abs(got_arr - exp_arr)
    allowed = atol + rtol * np.abs(exp_arr)
    nan_mismatch = np.isnan(got_arr) != np.isnan(exp_arr)
    bad = (diff > allowed) | nan_mismatch | (np.isinf(got_arr) & (got_arr != exp_arr))
    bad &= ~(np.isnan(got_arr) & np.isnan(exp_arr))
    if not bad.any():
        return
    if got_arr.ndim == 0:
        where, g, e = "", float(got_arr), float(exp_arr)
    else:
        score = np.where(bad, np.nan_to_num(diff, nan=np.inf) / np.maximum(allowed, 1e-300), -1.0)
        idx = np.unravel_index(int(np.argmax(score)), score.shape)
        where, g, e = f" at index {tuple(int(i) for i in idx)}", got_arr[idx], exp_arr[idx]
    msg = f"{name}: {int(bad.sum())} of {bad.size} value(s) differ{where}: got {g:.8g}, expected {e:.8g}"
    cause = hint or likely_cause(got_arr, exp_arr, batch_size)
    if cause:
        msg += f". Likely cause: {cause}"
    raise AssertionError(msg)


class InputGuard:
    """Remember copies of arrays handed to a function; `check()` fails if the function mutated one."""

    def __init__(self, **arrays):
        self._originals = {name: np.array(a, copy=True) for name, a in arrays.items()}
        self._live = arrays

    def check(self, function_name: str) -> None:
        for name, original in self._originals.items():
            live = np.asarray(self._live[name])
            if live.shape != original.shape or not np.array_equal(live, original, equal_nan=True):
                raise AssertionError(
                    f"{function_name} modified its input '{name}' in place; work on a copy "
                    f"(e.g. {name} = {name}.copy(), or w = w - lr * dw instead of w -= lr * dw)")
