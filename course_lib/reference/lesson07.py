"""Lesson 07's references: inverted dropout and variance-scaling initialization."""

from __future__ import annotations

import numpy as np


# ------------------------------------------------------------------------------------------ dropout
def dropout_forward(x, dropout_param):
    """Inverted dropout: keep each unit with probability p and scale it by 1/p, so test mode is identity.

    x: any shape. dropout_param keys: p (keep probability, 0 < p <= 1, required), mode "train" | "test"
    (required), seed (int: the mask is drawn from numpy.random.default_rng(seed); when absent a fresh
    unseeded Generator is used, never the global RNG).
    Returns out (same shape as x) and cache (mask, or None in test mode).
    """
    p, mode = dropout_param["p"], dropout_param["mode"]
    if not 0.0 < p <= 1.0:
        raise ValueError(f"dropout keep probability p must be in (0, 1], got {p}")
    if mode == "test":
        return x, None
    if mode != "train":
        raise ValueError(f"dropout_param['mode'] must be 'train' or 'test', got {mode!r}")
    rng = np.random.default_rng(dropout_param.get("seed"))
    mask = (rng.random(x.shape) < p) / p
    return x * mask, mask


def dropout_backward(dout, cache):
    """dx = dout * mask (train mode) or dout (test mode). Same shape as x."""
    return dout if cache is None else dout * cache


def init_std(init, fan_in: int, fan_out: int) -> float:
    """Standard deviation of the normal weights: "he" sqrt(2 / fan_in), "xavier" sqrt(2 / (fan_in + fan_out)),
    or a number used as is."""
    if isinstance(init, str):
        if init == "he":
            return float(np.sqrt(2.0 / fan_in))
        if init == "xavier":
            return float(np.sqrt(2.0 / (fan_in + fan_out)))
        raise ValueError(f"init must be 'he', 'xavier' or a number (the weight std), got {init!r}")
    return float(init)
