"""Two-dimensional test surfaces for optimizers (lesson 04): a value and an exact gradient each.

A point is an array whose last axis holds (x, y): `value(p)` and `gradient(p)` work on one point (2,) and
on whole grids (..., 2) alike. One point is computed with Python floats, several times faster than NumPy on
two numbers, because an optimizer's trajectory asks for one gradient per step. The three surfaces are scaled
so that one pair of learning rates makes sense on all of them (about 0.05 to 0.1 for plain gradient descent,
and as a step length for Adam and friends).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Surface:
    name: str
    formula: str                             # for a plot title (matplotlib mathtext)
    value_xy: Callable                       # (x, y) -> f, for floats or arrays of the same shape
    gradient_xy: Callable                    # (x, y) -> (df/dx, df/dy), likewise
    start: tuple[float, float]               # a start that shows the surface's difficulty
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    minima: tuple[tuple[float, float], ...]
    saddles: tuple[tuple[float, float], ...] = ()
    log_levels: bool = False                 # contour levels spaced on a log scale (steep walls)

    def value(self, p) -> np.ndarray | float:
        """f at a point (2,) (a float) or at every point of an array (..., 2) (an array (...))."""
        p = np.asarray(p, dtype=np.float64)
        if p.shape == (2,):
            return float(self.value_xy(float(p[0]), float(p[1])))
        return np.asarray(self.value_xy(p[..., 0], p[..., 1]), dtype=np.float64)

    def gradient(self, p) -> np.ndarray:
        """The gradient, with p's shape: (2,) for a point, (..., 2) for an array of points."""
        p = np.asarray(p, dtype=np.float64)
        if p.shape == (2,):
            return np.array(self.gradient_xy(float(p[0]), float(p[1])), dtype=np.float64)
        return np.stack(np.broadcast_arrays(*self.gradient_xy(p[..., 0], p[..., 1])), axis=-1)

    def grid(self, num: int = 121) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(X, Y, values) on a num x num grid over the surface's window, for contour plots."""
        X, Y = np.meshgrid(np.linspace(*self.xlim, num), np.linspace(*self.ylim, num))
        return X, Y, self.value(np.stack([X, Y], axis=-1))


# Ill-conditioned quadratic: curvature 1 along x and 20 along y (condition number 20), minimum at 0.
QUADRATIC = Surface(
    name="ill-conditioned quadratic", formula=r"$f = \frac{1}{2}(x^2 + 20\,y^2)$",
    value_xy=lambda x, y: 0.5 * (x * x + 20.0 * y * y),
    gradient_xy=lambda x, y: (x, 20.0 * y),
    start=(-4.5, 1.0), xlim=(-5.0, 5.0), ylim=(-2.0, 2.0), minima=((0.0, 0.0),))

# A saddle at the origin between two minima at (0, -1) and (0, 1). On the line y = 0 the gradient never
# points away from it, so a start just off that line shows how long each method needs to escape.
SADDLE = Surface(
    name="saddle", formula=r"$f = \frac{1}{2}x^2 + \frac{1}{4}y^4 - \frac{1}{2}y^2$",
    value_xy=lambda x, y: 0.5 * x * x + 0.25 * y ** 4 - 0.5 * y * y,
    gradient_xy=lambda x, y: (x, y ** 3 - y),
    start=(-2.5, 0.01), xlim=(-3.0, 3.0), ylim=(-1.8, 1.8), minima=((0.0, -1.0), (0.0, 1.0)),
    saddles=((0.0, 0.0),))

# Rosenbrock's banana valley, gentler than the classic 100 (y - x^2)^2 + (1 - x)^2: a curved, narrow valley
# whose floor falls slowly towards the minimum at (1, 1).
ROSENBROCK = Surface(
    name="Rosenbrock", formula=r"$f = (y - x^2)^2 + \frac{1}{10}(1 - x)^2$",
    value_xy=lambda x, y: (y - x * x) ** 2 + 0.1 * (1.0 - x) ** 2,
    gradient_xy=lambda x, y: (-4.0 * x * (y - x * x) - 0.2 * (1.0 - x), 2.0 * (y - x * x)),
    start=(-1.5, 2.5), xlim=(-2.0, 2.0), ylim=(-1.0, 3.0), minima=((1.0, 1.0),), log_levels=True)

SURFACES = {s.name: s for s in (QUADRATIC, SADDLE, ROSENBROCK)}
