"""Lesson 01's reference: the centred-difference gradient (course_lib.gradcheck checks gradients with its own)."""

from __future__ import annotations

import numpy as np


def numerical_gradient(f, x, h=1e-5):
    """Centred difference of scalar f at every entry of x (float64), which is perturbed in place and restored."""
    grad = np.zeros_like(x, dtype=np.float64)
    for idx in np.ndindex(x.shape):
        kept = x[idx]
        try:
            x[idx] = kept + h
            up = float(f(x))
            x[idx] = kept - h
            down = float(f(x))
        finally:
            x[idx] = kept
        grad[idx] = (up - down) / (2 * h)
    return grad
