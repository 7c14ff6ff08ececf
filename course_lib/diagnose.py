"""Name the likely cause when an array differs from the one expected.

Students' gradient bugs have a handful of shapes: a constant factor (2x, 1/2, a missing 1/N), a flipped
sign, a transposed matrix, a reduction over the wrong axis. Recognising them turns "wrong output" into a
hint the student can act on.
"""

from __future__ import annotations

import numpy as np

_FACTOR_NAMES = {
    2.0: "2x too large: a term counted twice, or a factor 1/2 left out",
    0.5: "half the expected size: a stray factor 1/2, or a term counted once that belongs twice",
    -1.0: "the sign is flipped: check a subtraction or the direction of a step",
}
EXACT = 1e-6  # a factor is named only when it holds to this relative precision: strong evidence, not chance


def _constant_factor(got: np.ndarray, expected: np.ndarray) -> float | None:
    """k when got = k * expected for one scalar k, exactly (to EXACT) and over enough varied entries that
    it cannot be a coincidence: at least three non-zero entries of at least two different sizes (a single
    number qualifies only on its own, see likely_cause). None otherwise."""
    e = expected.ravel()
    g = got.ravel()
    if not np.all(np.isfinite(g)) or not np.all(np.isfinite(e)):
        return None
    nonzero = np.abs(e[e != 0])
    if e.size > 1 and (nonzero.size < 3 or np.ptp(nonzero) <= EXACT * nonzero.max()):
        return None
    denom = float(e @ e)
    if denom == 0.0:
        return None
    k = float(g @ e) / denom
    if np.linalg.norm(g - k * e) > EXACT * max(np.linalg.norm(g), np.linalg.norm(k * e)):
        return None
    return k


def shape_cause(got_shape, expected_shape) -> str | None:
    """Name the mistake behind a wrong shape: a transpose, a reduction missing or made over an extra axis."""
    got_shape, expected_shape = tuple(got_shape), tuple(expected_shape)
    if got_shape == expected_shape:
        return None
    if len(got_shape) == 2 and got_shape == expected_shape[::-1]:
        return "transposed: check the order in a matrix product (X.T @ d vs d @ X)"
    if len(got_shape) == len(expected_shape) + 1:
        extra = [k for k in range(len(got_shape)) if got_shape[:k] + got_shape[k + 1:] == expected_shape]
        if extra:
            what = "the batch (axis 0)" if extra[0] == 0 else f"axis {extra[0]}"
            return f"a sum over {what} is missing: the result has one axis too many"
    if len(got_shape) + 1 == len(expected_shape):
        lost = [k for k in range(len(expected_shape)) if expected_shape[:k] + expected_shape[k + 1:] == got_shape]
        if lost:
            return f"summed or averaged over axis {lost[0]}, which must stay: one axis too few (or a missing keepdims)"
    if np.prod(got_shape, dtype=np.int64) == np.prod(expected_shape, dtype=np.int64):
        return "the right number of values in the wrong layout: a reshape or flatten in the wrong order"
    if len(got_shape) == len(expected_shape):
        off = [(g, e) for g, e in zip(got_shape, expected_shape) if g != e]
        if len(off) == 1 and abs(off[0][0] - off[0][1]) == 1:
            return ("one entry short: a loop or range that stops one step early (an off-by-one)" if off[0][0] < off[0][1]
                    else "one entry too many: a loop or range that runs one step too far (an off-by-one)")
    return None


def likely_cause(got, expected, batch_size: int | None = None) -> str | None:
    """A short sentence naming the probable mistake, or None when no known pattern fits."""
    got = np.asarray(got)
    expected = np.asarray(expected)
    if got.shape != expected.shape:
        if got.ndim == 2 and got.shape == expected.shape[::-1] and np.allclose(got.T, expected, rtol=1e-5, atol=1e-8):
            return "it is the transpose of the expected array: check the order in a matrix product (X.T @ d vs d @ X)"
        return shape_cause(got.shape, expected.shape) or f"shape {got.shape} instead of {expected.shape}"
    if got.size == 0:
        return None
    if not np.all(np.isfinite(got)):
        return "it contains NaN or inf: an overflow (e.g. exp of a large number without shifting) or a division by zero"
    if got.ndim == 2 and got.shape[0] == got.shape[1] and got.shape[0] > 1 and not np.allclose(expected, expected.T):
        if np.allclose(got, expected.T, rtol=1e-5, atol=1e-8):
            return "it is the transpose of the expected array: check the order in a matrix product"
    if not np.any(got) and np.any(expected):
        return "it is all zeros: is the result actually computed and returned (an update that never happens?)"
    k = _constant_factor(got, expected)
    if k is None:
        return None
    if batch_size and batch_size > 2:  # before the named factors: with N = 2 a missing 1/N is a factor 2
        if abs(k - batch_size) <= EXACT * batch_size:
            return f"{batch_size}x too large, the batch size: a missing division by N (average over the batch)"
        if abs(k * batch_size - 1) <= EXACT:
            return f"{batch_size}x too small, the batch size: divided by N twice, or averaged where a sum is due"
    for factor, text in _FACTOR_NAMES.items():
        if abs(k - factor) <= EXACT * abs(factor):
            return text
    # A scalar off by a whole factor is usually a sum where a mean was meant; in an array it may be chance.
    if got.size == 1 and abs(k - round(k)) <= EXACT * abs(k) and round(k) > 2:
        return f"{round(k)}x too large: a sum where a mean was meant (a missing division by a count?)"
    if got.size == 1 and abs(k) > 1e-12 and abs(1 / k - round(1 / k)) <= EXACT / abs(k) and round(1 / k) > 2:
        return f"{round(1 / k)}x too small: a mean where a sum was meant, or an extra division by a count"
    # Any two constant arrays (or scalars) are "proportional": only name a factor that means something.
    # A factor within 0.1% of 1 reads as "a factor of 1": that is rounding, not a pattern.
    if abs(k - 1.0) > 1e-3 and np.unique(expected).size > 1:
        return f"proportional to the expected array, off by a factor of {k:.4g}"
    return None
