"""The pure computation behind lesson 04's widget: optimizer trajectories on a 2-D surface."""

import numpy as np
import pytest

from references import optim
from course_lib.surfaces import QUADRATIC, ROSENBROCK, SADDLE
from course_lib.trajectories import run_trajectories, run_trajectory


def test_gradient_descent_on_the_quadratic_follows_the_closed_form():
    # Each coordinate shrinks by (1 - lr * curvature) per step: curvatures 1 and 20.
    traj = run_trajectory(QUADRATIC, (2.0, 1.0), optim.sgd, {"learning_rate": 0.04}, steps=6)
    k = np.arange(7)[:, None]
    expected = np.array([2.0, 1.0]) * np.array([0.96, 0.2]) ** k
    assert traj.points.shape == (7, 2) and not traj.diverged
    assert np.allclose(traj.points, expected, rtol=1e-12)
    assert np.allclose(traj.values, [QUADRATIC.value(p) for p in expected], rtol=1e-12)


def test_configs_are_copied_so_the_run_is_pure():
    config = {"learning_rate": 0.05, "momentum": 0.5}
    rules = {"a": (optim.sgd_momentum, config), "b": (optim.sgd_momentum, config)}
    first = run_trajectories(SADDLE, SADDLE.start, rules, steps=30)
    again = run_trajectories(SADDLE, SADDLE.start, rules, steps=30)
    assert config == {"learning_rate": 0.05, "momentum": 0.5}  # no velocity leaked into the caller's dict
    assert np.array_equal(first["a"].points, first["b"].points)
    assert np.array_equal(first["a"].points, again["a"].points)


def test_state_is_carried_from_step_to_step():
    # Momentum with a constant push differs from plain SGD after the first step, because of its velocity.
    sgd = run_trajectory(ROSENBROCK, (-1.0, 2.0), optim.sgd, {"learning_rate": 0.01}, steps=5)
    momentum = run_trajectory(ROSENBROCK, (-1.0, 2.0), optim.sgd_momentum, {"learning_rate": 0.01}, steps=5)
    assert np.allclose(sgd.points[:2], momentum.points[:2])
    assert not np.allclose(sgd.points[2:], momentum.points[2:])


def test_schedule_sets_the_learning_rate_of_every_step():
    seen = []

    def recording_rule(w, dw, config):
        seen.append(config["learning_rate"])
        return w - config["learning_rate"] * dw, config

    run_trajectory(QUADRATIC, (1.0, 1.0), recording_rule, {"learning_rate": 0.1}, steps=4,
                   schedule=lambda lr0, k: lr0 * 0.5 ** k)
    assert seen == [0.1, 0.05, 0.025, 0.0125]
    with pytest.raises(ValueError, match="learning_rate"):
        run_trajectory(QUADRATIC, (1.0, 1.0), recording_rule, {}, steps=1, schedule=lambda lr0, k: 0.1)


def test_a_diverging_run_stops_and_says_so():
    traj = run_trajectory(QUADRATIC, (1.0, 1.0), optim.sgd, {"learning_rate": 0.5}, steps=200)
    # y is multiplied by 1 - 0.5 * 20 = -9 per step: beyond 1e3 after four steps.
    assert traj.diverged and len(traj.points) == 4
    assert np.all(np.isfinite(traj.points)) and len(traj.values) == len(traj.points)
    nan_rule = lambda w, dw, config: (w * np.nan, config)
    assert run_trajectory(QUADRATIC, (1.0, 1.0), nan_rule, None, steps=3).diverged


def test_zero_steps_is_just_the_start_and_negative_steps_are_refused():
    traj = run_trajectory(SADDLE, (0.5, 0.5), optim.adam, None, steps=0)
    assert traj.points.tolist() == [[0.5, 0.5]] and not traj.diverged
    with pytest.raises(ValueError):
        run_trajectory(SADDLE, (0.5, 0.5), optim.adam, None, steps=-1)


def test_adaptive_methods_escape_the_saddle_sooner_than_sgd():
    rules = {"SGD": (optim.sgd, {"learning_rate": 0.08}), "Adam": (optim.adam, {"learning_rate": 0.1})}
    paths = run_trajectories(SADDLE, SADDLE.start, rules, steps=40)
    assert abs(paths["Adam"].points[-1, 1]) > 0.5 > abs(paths["SGD"].points[-1, 1])
