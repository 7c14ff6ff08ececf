"""The computation behind each lesson's main widget, timed alone (no drawing): median of 21 calls with the
widget's default settings and the course's reference functions in place of the student's. Goal: median
<= 50 ms per update. (bench.notebook_costs times the whole redraw, figure included, in each notebook.)
"""

from __future__ import annotations

import statistics
import time

import numpy as np


def _median_ms(fn, repeats: int = 21) -> float:
    fn()  # warm caches and imports
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def _cases():
    from course_lib.reference import lesson02, lesson03 as layers, lesson04 as optim, lesson06
    from course_lib.activation_stats import activation_statistics
    from course_lib.bn_explorer import track_running_stats
    from course_lib.data import load_digits_split
    from course_lib.gate_explorer import gate_explorer
    from course_lib.loss_landscape import descent_path
    from course_lib.net_explorer import train_curves
    from course_lib.reference.lesson03 import MLP
    from course_lib.surfaces import SURFACES
    from course_lib.trajectories import run_trajectories

    digits = load_digits_split(np.random.default_rng(0))
    rules = {"sgd": (optim.sgd, {"learning_rate": 1e-3}), "momentum": (optim.sgd_momentum, {"learning_rate": 1e-3}),
             "adagrad": (optim.adagrad, {"learning_rate": 0.1}), "rmsprop": (optim.rmsprop, {"learning_rate": 1e-2}),
             "adam": (optim.adam, {"learning_rate": 1e-2})}
    surface = next(iter(SURFACES.values()))

    def two_layer(input_dim, hidden_dim, num_classes, weight_scale, reg, rng):
        return MLP(input_dim, [hidden_dim], num_classes, init=weight_scale, reg=reg, rng=rng)

    def he(fan_in, fan_out, rng):
        return rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)

    X_bn = np.random.default_rng(1).standard_normal((512, 16)) * 3 + 1
    gates = {f"{g}_gate_backward": getattr(lesson02, f"{g}_gate_backward") for g in ("add", "mul", "max")}
    return {
        "02 gate explorer (forward + backward of the gate graph)": lambda: gate_explorer(1.0, 2.0, -1.0, 1.0, **gates),
        "03 two-layer net, 5 epochs of training curves": lambda: train_curves(
            two_layer, digits.X_train, digits.y_train, digits.X_val, digits.y_val, hidden_dim=64,
            learning_rate=0.5, reg=1e-3, epochs=5, batch_size=100),
        "04 optimizer trajectories, 5 rules x 200 steps": lambda: run_trajectories(
            surface, (-1.5, 1.0), {k: (r, dict(c)) for k, (r, c) in rules.items()}, 200),
        "05 descent paths, cross-entropy and MSE, 100 steps": lambda: [descent_path(
            layers.softmax_loss, 0, (-4.0, 4.0), 1.0, 100) for _ in range(2)],
        "06 running statistics, 50 batchnorm calls": lambda: track_running_stats(
            lesson06.batchnorm_forward, X_bn, mode="train", batch_size=32, num_calls=50,
            rng=np.random.default_rng(2)),
        "07 activation statistics, 10 layers": lambda: activation_statistics(
            digits.X_train[:500], 10, "tanh", he, rng=np.random.default_rng(3), width=100),
    }


def main() -> None:
    from course_lib.progress import no_bars

    print(f"{'widget computation':<56}{'median ms':>10}  goal <= 50 ms")
    for name, fn in _cases().items():
        try:
            with no_bars():  # as in a widget redraw (course_lib.widgets)
                ms = _median_ms(fn)
            print(f"{name:<56}{ms:>10.1f}  {'ok' if ms <= 50 else 'over'}")
        except Exception as exc:  # noqa: BLE001 - one broken case should not hide the others
            print(f"{name:<56}{'n/a':>10}  {type(exc).__name__}: {exc}")
