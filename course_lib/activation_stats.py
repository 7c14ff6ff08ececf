"""Per-layer activation statistics of a deep random network (lesson 07's widget).

Push a batch through `depth` fully connected layers of one width, weights from an initializer (the
student's), biases zero, and send a random gradient back down. Each layer's spread, histogram and
saturation, and the spread of the gradient that reaches it, show at a glance whether the signal keeps its
scale, vanishes or explodes. A pure function of its inputs: the widget only draws the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np


def _sigmoid(z):
    e = np.exp(-np.abs(z))  # never overflows
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


# name -> (f(z), f'(z) written with z and a = f(z))
ACTIVATIONS = {
    "relu": (lambda z: np.maximum(z, 0.0), lambda z, a: (z > 0).astype(np.float64)),
    "tanh": (np.tanh, lambda z, a: 1.0 - a * a),
    "sigmoid": (_sigmoid, lambda z, a: a * (1.0 - a)),
    "linear": (lambda z: z, lambda z, a: np.ones_like(z)),
}
# Where the slope is (almost) zero, a unit passes no gradient: dead (ReLU) or saturated (tanh, sigmoid).
_STUCK = {
    "relu": lambda a: a <= 0.0,
    "tanh": lambda a: np.abs(a) > 0.99,
    "sigmoid": lambda a: (a < 0.01) | (a > 0.99),
    "linear": lambda a: np.zeros(a.shape, dtype=bool),
}
_BOUNDED_RANGE = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0)}


@dataclass(frozen=True)
class ActivationStats:
    """Statistics of every hidden layer's output, layer 1 first; `depth` rows.

    mean, std: (depth,) over all samples and units of the layer's output (NaN once it overflowed to inf).
    grad_std: (depth,) standard deviation of the gradient reaching the layer's output, when a standard
        normal gradient is sent into the top layer.
    stuck: (depth,) fraction of units where the activation's slope is ~0 (ReLU output 0, |tanh| > 0.99,
        sigmoid outside (0.01, 0.99)).
    histograms: (depth, bins) fraction of the layer's values in each bin (values beyond the range land in
        the end bins; a row of zeros when the layer is not finite).
    edges: (depth, bins + 1) bin edges per layer: the activation's range when bounded, else 4 root mean
        squares of that layer (from 0 for ReLU, symmetric otherwise).
    """

    mean: np.ndarray
    std: np.ndarray
    grad_std: np.ndarray
    stuck: np.ndarray
    histograms: np.ndarray
    edges: np.ndarray


# While size * max|a|^2 stays below this, a layer's sum of squares cannot overflow: taken directly.
_SUM_LIMIT = float(np.finfo(np.float64).max) / 4


def _moments(a: np.ndarray) -> tuple[float, float]:
    """(mean, std) of all of a's values; NaN for both once the layer overflowed to inf. Values so large that
    squaring them would overflow are divided by s = max |a| first and the results multiplied back by s.

    The widget asks for these at every layer on every move: one pass for max |a|, one for the mean, one
    subtraction and one BLAS dot product, instead of np.std's passes and temporaries."""
    if not a.size:
        return 0.0, 0.0
    s = max(float(np.max(a)), -float(np.min(a)))
    if not np.isfinite(s):
        return float("nan"), float("nan")
    if s == 0.0:
        return 0.0, 0.0
    if s * s * a.size > _SUM_LIMIT:
        mean, std = _moments(a / s)
        return s * mean, s * std
    flat = a.ravel()
    mean = float(np.mean(flat))
    centred = flat - mean
    return mean, float(np.sqrt(np.dot(centred, centred) / flat.size))


def _edges(mean: float, std: float, activation: str, bins: int) -> np.ndarray:
    if activation in _BOUNDED_RANGE:
        low, high = _BOUNDED_RANGE[activation]
    else:
        rms = float(np.hypot(mean, std))  # root mean square: mean^2 + variance = mean of the squares
        high = 4.0 * rms if np.isfinite(rms) and rms > 0 else 1.0
        low = 0.0 if activation == "relu" else -high
    return np.linspace(low, high, bins + 1)


def _histogram(a: np.ndarray, edges: np.ndarray) -> np.ndarray:
    if not np.all(np.isfinite(a)):
        return np.zeros(len(edges) - 1)
    # The edges are evenly spaced (_edges), so a value's bin is arithmetic: a few times faster than
    # np.histogram, which sorts. A value within rounding of an inner edge may fall on either side of it.
    low, high, bins = edges[0], edges[-1], len(edges) - 1
    position = a.ravel() * (bins / (high - low))
    if low != 0.0:
        position -= low * (bins / (high - low))
    # Values beyond the range land in the end bins; the top edge belongs to the last bin. Clipping the bin
    # index rather than the values spares a pass over the floats (a float below 0 truncates towards 0; no
    # value exceeds sqrt(size) times the rms, so no position overflows the integer).
    index = position.astype(np.intp)
    np.clip(index, 0, bins - 1, out=index)
    return np.bincount(index, minlength=bins) / a.size


def activation_statistics(X: np.ndarray, depth: int, activation: str,
                          init_fn: Callable[[int, int, np.random.Generator], np.ndarray], *,
                          rng: np.random.Generator, width: int | None = None, bins: int = 30) -> ActivationStats:
    """Statistics of `depth` layers h_k = f(h_{k-1} @ W_k), h_0 = X (N, D), each `width` units wide.

    activation: "relu" | "tanh" | "sigmoid" | "linear". init_fn(fan_in, fan_out, rng) -> W (fan_in, fan_out)
    draws each layer's weights with rng; rng also draws the gradient sent back from the top.
    width: units per layer (default D).
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
    if depth < 1:
        raise ValueError(f"depth must be at least 1, got {depth}")
    X = np.asarray(X, dtype=np.float64)
    width = X.shape[1] if width is None else int(width)
    f, df = ACTIVATIONS[activation]
    stuck_where = _STUCK[activation]
    h, weights, slopes = X, [], []
    mean, std, stuck, histograms, edges = (np.empty(depth), np.empty(depth), np.empty(depth),
                                           np.empty((depth, bins)), np.empty((depth, bins + 1)))
    with np.errstate(all="ignore"):  # exploding layers overflow on purpose: that is what we show
        for k in range(depth):
            W = np.asarray(init_fn(h.shape[1], width, rng), dtype=np.float64)
            if W.shape != (h.shape[1], width):
                raise ValueError(f"init_fn({h.shape[1]}, {width}, rng) returned shape {W.shape}, "
                                 f"expected {(h.shape[1], width)}")
            z = h @ W
            h = f(z)
            weights.append(W)
            slopes.append(df(z, h))
            # Each layer's statistics as soon as it is made: its output is not kept.
            mean[k], std[k] = _moments(h)
            stuck[k] = np.count_nonzero(stuck_where(h)) / h.size
            edges[k] = _edges(mean[k], std[k], activation, bins)
            histograms[k] = _histogram(h, edges[k])
        grad = rng.standard_normal(h.shape)
        grad_std = np.empty(depth)
        for k in range(depth - 1, -1, -1):
            grad_std[k] = _moments(grad)[1]
            grad = (grad * slopes[k]) @ weights[k].T
        return ActivationStats(mean=mean, std=std, grad_std=grad_std, stuck=stuck, histograms=histograms,
                               edges=edges)
