"""Lines through a loss landscape (lesson 01): the loss along W + a * direction, and where a hinge bends.

A loss of 650 weights cannot be drawn, but its restriction to a line can. These helpers compute such a
slice, the kinks of a multiclass hinge (SVM) loss along it, and the two shapes the lesson checks: convex
(no second difference below zero) and straight between the kinks.
"""

from __future__ import annotations

from typing import Callable

import numpy as np


def line_through(loss_fn: Callable[[np.ndarray], float], W: np.ndarray, direction: np.ndarray,
                 alphas: np.ndarray) -> np.ndarray:
    """loss_fn(W + a * direction) for every a in alphas, as a float64 array."""
    return np.array([float(loss_fn(W + a * direction)) for a in alphas], dtype=np.float64)


def hinge_kinks(scores: np.ndarray, score_change: np.ndarray, label: int, delta: float,
                low: float, high: float) -> np.ndarray:
    """Where one sample's hinge terms bend along the line: sorted a in [low, high] at which the margin
    s_j(a) - s_label(a) + delta of some class j != label is 0, with s(a) = scores + a * score_change."""
    scores = np.asarray(scores, dtype=np.float64)
    score_change = np.asarray(score_change, dtype=np.float64)
    others = np.arange(scores.size) != label
    margin = (scores - scores[label] + delta)[others]
    slope = (score_change - score_change[label])[others]
    moving = slope != 0  # a margin that does not change along the line never crosses 0 there
    crossings = -margin[moving] / slope[moving]
    return np.sort(crossings[(crossings >= low) & (crossings <= high)])


def second_differences(values: np.ndarray) -> np.ndarray:
    """v[k+1] - 2 v[k] + v[k-1]: zero on a straight stretch of an evenly spaced slice, >= 0 where it is convex."""
    values = np.asarray(values, dtype=np.float64)
    return values[2:] - 2 * values[1:-1] + values[:-2]


def is_convex(values: np.ndarray, tol: float = 1e-9) -> bool:
    """No second difference of the evenly spaced slice is below -tol (times the slice's scale)."""
    scale = max(1.0, float(np.max(np.abs(values))))
    return bool(np.all(second_differences(values) >= -tol * scale))


def straight_between(alphas: np.ndarray, values: np.ndarray, kinks: np.ndarray, tol: float = 1e-9) -> bool:
    """True when every second difference whose three grid points span no kink is 0 (to tol times the
    slice's scale): the slice is made of straight pieces that meet at the kinks."""
    alphas = np.asarray(alphas, dtype=np.float64)
    kinks = np.asarray(kinks, dtype=np.float64)
    d2 = second_differences(values)
    left, right = alphas[:-2], alphas[2:]
    spans_kink = np.array([np.any((kinks >= a) & (kinks <= b)) for a, b in zip(left, right)], dtype=bool)
    scale = max(1.0, float(np.max(np.abs(values))))
    return bool(np.all(np.abs(d2[~spans_kink]) <= tol * scale))
