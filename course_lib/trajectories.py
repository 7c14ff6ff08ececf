"""Run optimizers' update rules on a 2-D surface and record their paths (lesson 04's widget).

The rules are passed in (the student's own), with the course's contract
rule(w, dw, config) -> (next_w, config); nothing here is stateful, so `run_trajectories` is a pure
function of its inputs: the configs handed in are copied, never modified.
"""

from __future__ import annotations

import copy
import math
from typing import Callable, Mapping, NamedTuple

import numpy as np

from course_lib.surfaces import Surface

Rule = Callable[[np.ndarray, np.ndarray, dict], tuple]


class Trajectory(NamedTuple):
    points: np.ndarray  # (k + 1, 2): the start, then the point after every step taken
    values: np.ndarray  # (k + 1,): the surface's value at each point
    diverged: bool      # True when the run stopped early: a non-finite point, or one beyond `bound`


def run_trajectory(surface: Surface, start, rule: Rule, config: dict | None, steps: int, *,
                   schedule: Callable[[float, int], float] | None = None, bound: float = 1e3) -> Trajectory:
    """`steps` updates of one rule from `start`; config is copied first (its state starts from it).

    schedule(lr0, k) -> the learning rate of step k = 0, 1, ..., written into the config before each step;
    lr0 is the config's learning_rate, which must then be given. A point that is not finite or is farther
    than `bound` from the origin ends the run (diverged).
    """
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    config = copy.deepcopy(config) if config is not None else {}
    if schedule is not None and "learning_rate" not in config:
        raise ValueError("a schedule needs the config's initial learning_rate")
    lr0 = config.get("learning_rate")
    w = np.array(start, dtype=np.float64).reshape(2)
    points = np.empty((steps + 1, 2))
    points[0] = w
    taken, diverged = 0, False
    with np.errstate(over="ignore", invalid="ignore"):  # a diverging run is reported, not warned about
        for k in range(steps):
            if schedule is not None:
                config["learning_rate"] = schedule(lr0, k)
            w, config = rule(w, surface.gradient(w), config)
            w = np.asarray(w, dtype=np.float64).reshape(2)
            if not math.hypot(float(w[0]), float(w[1])) <= bound:  # also true for inf and nan
                diverged = True
                break
            taken += 1
            points[taken] = w
        points = points[:taken + 1]
        values = surface.value(points)
    return Trajectory(points, np.asarray(values, dtype=np.float64), diverged)


def run_trajectories(surface: Surface, start, rules: Mapping[str, tuple[Rule, dict | None]], steps: int, *,
                     schedule: Callable[[float, int], float] | None = None,
                     bound: float = 1e3) -> dict[str, Trajectory]:
    """One trajectory per named (rule, config) pair, all from the same start: name -> Trajectory."""
    return {name: run_trajectory(surface, start, rule, config, steps, schedule=schedule, bound=bound)
            for name, (rule, config) in rules.items()}
