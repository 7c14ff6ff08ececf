"""Loss surfaces over two logits, and gradient-descent paths across them (lesson 05's widget).

One sample with C >= 3 classes: the first two logits (z1, z2) are the free coordinates of the picture, the
others stay fixed. The loss functions are passed in (the student's own), called as
loss_fn(logits (1, C), y (1,)) -> (loss, dlogits), so everything here is a pure function of its inputs.
"""

from __future__ import annotations

from typing import Callable, NamedTuple, Sequence

import numpy as np

LossFn = Callable[[np.ndarray, np.ndarray], tuple]


class DescentPath(NamedTuple):
    points: np.ndarray  # (K + 1, 2): (z1, z2) at every step, the start included
    losses: np.ndarray  # (K + 1,): the loss at each point


def logits_at(z1: float, z2: float, fixed_logits: Sequence[float] = (0.0,)) -> np.ndarray:
    """The (1, C) logits of one sample whose first two logits are z1 and z2."""
    return np.array([[float(z1), float(z2), *map(float, fixed_logits)]], dtype=np.float64)


def loss_grid(loss_fn: LossFn, label: int, z1_values, z2_values,
              fixed_logits: Sequence[float] = (0.0,)) -> np.ndarray:
    """loss_fn at every (z1, z2) of a grid: array of shape (len(z2_values), len(z1_values)), rows = z2.

    One call per point, with a batch of one: the loss functions average over the batch, so a batch of
    many grid points would only give their mean.
    """
    y = np.array([label])
    grid = np.empty((len(z2_values), len(z1_values)))
    for row, z2 in enumerate(z2_values):
        for col, z1 in enumerate(z1_values):
            grid[row, col] = float(loss_fn(logits_at(z1, z2, fixed_logits), y)[0])
    return grid


def descent_path(loss_fn: LossFn, label: int, start, lr: float, steps: int,
                 fixed_logits: Sequence[float] = (0.0,)) -> DescentPath:
    """Plain gradient descent on (z1, z2) from `start` for `steps` steps; the other logits do not move.

    A path that leaves the finite numbers stops early (its arrays are then shorter than steps + 1).
    """
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    y = np.array([label])
    z = np.array(start, dtype=np.float64).reshape(2)
    points, losses = [z.copy()], []
    for _ in range(steps):
        loss, dlogits = loss_fn(logits_at(z[0], z[1], fixed_logits), y)
        losses.append(float(loss))
        with np.errstate(over="ignore", invalid="ignore"):  # a huge lr may overflow: the path just stops
            z = z - lr * np.asarray(dlogits, dtype=np.float64).reshape(-1)[:2]
        if not np.all(np.isfinite(z)):
            break
        points.append(z.copy())
    if len(losses) < len(points):
        losses.append(float(loss_fn(logits_at(z[0], z[1], fixed_logits), y)[0]))
    return DescentPath(np.array(points), np.array(losses, dtype=np.float64))
