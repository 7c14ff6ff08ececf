"""A 2-D classifier's decision boundary on a grid (lesson 02: the tiny network trained with Value).

`boundary_grid` evaluates any score function of two numbers on a grid around the data; `draw_boundary`
shades the two sides of score = 0 and draws the points on top. The score function is the caller's (built
from the student's Value), so this module only lays out the grid and the picture.
"""

from __future__ import annotations

from typing import Callable

import numpy as np


def boundary_grid(score: Callable[[float, float], float], X: np.ndarray, resolution: int = 25,
                  pad: float = 0.5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(xx, yy, zz): a resolution x resolution grid covering the points X (N, 2) with `pad` to spare on
    every side, and zz[i, j] = score(xx[i, j], yy[i, j]) as a float64 array."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (N, 2), got {X.shape}")
    if resolution < 2:
        raise ValueError(f"resolution must be at least 2, got {resolution}")
    low, high = X.min(axis=0) - pad, X.max(axis=0) + pad
    xx, yy = np.meshgrid(np.linspace(low[0], high[0], resolution), np.linspace(low[1], high[1], resolution))
    zz = np.array([[float(score(float(a), float(b))) for a, b in zip(row_x, row_y)]
                   for row_x, row_y in zip(xx, yy)], dtype=np.float64)
    return xx, yy, zz


def draw_boundary(ax, xx: np.ndarray, yy: np.ndarray, zz: np.ndarray, X: np.ndarray, targets, title: str = ""):
    """Shade where the score is positive (blue) or negative (red), draw the line score = 0 and the points
    (targets +1 / -1) in the same colours; returns the axes."""
    X = np.asarray(X, dtype=np.float64)
    targets = np.asarray(targets, dtype=np.float64)
    ax.contourf(xx, yy, zz, levels=[-np.inf, 0.0, np.inf], colors=["#f4c7c3", "#c6dbef"], alpha=0.8)
    if zz.min() < 0.0 < zz.max():
        ax.contour(xx, yy, zz, levels=[0.0], colors="k", linewidths=1.2)
    for sign, colour, marker in ((1.0, "#2171b5", "o"), (-1.0, "#cb181d", "s")):
        chosen = targets == sign
        ax.scatter(X[chosen, 0], X[chosen, 1], c=colour, marker=marker, edgecolors="k", s=36,
                   label=f"target {sign:+.0f}")
    ax.set_xlim(xx.min(), xx.max())
    ax.set_ylim(yy.min(), yy.max())
    ax.set_aspect("equal")
    ax.legend(loc="best", fontsize=7, framealpha=0.9)
    if title:
        ax.set_title(title)
    return ax
