"""How a BatchNorm layer's running statistics follow the data, call after call (lesson 06's widget).

BatchNorm normalizes a training batch with that batch's own mean and variance, and keeps exponential
averages of them (the running statistics) for test time, when there may be a single example. This module
feeds mini-batches of a fixed data set through a batchnorm forward (the student's, passed in) and records
what the layer keeps, next to the statistics of the whole data set that the running ones estimate. It is a
pure function of its inputs: the widget only draws the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class RunningStats:
    """What a batchnorm layer kept over `num_calls` forward calls; D features.

    running_mean, running_var: (num_calls + 1, D); row 0 is the state before the first call (zeros, the
        layer's default), row t the state after call t.
    batch_mean, batch_var: (num_calls, D) the (biased) statistics of the mini-batch fed in at each call.
    data_mean, data_var: (D,) the statistics of all of X, which the running statistics estimate.
    test_mean, test_std: (num_calls + 1,) mean and standard deviation, over all of X and all features, of
        the layer's test-mode output (gamma = 1, beta = 0) with the running statistics of that moment:
        0 and 1 once the running statistics are right.
    """

    running_mean: np.ndarray
    running_var: np.ndarray
    batch_mean: np.ndarray
    batch_var: np.ndarray
    data_mean: np.ndarray
    data_var: np.ndarray
    test_mean: np.ndarray
    test_std: np.ndarray


def _state(bn_param: dict, key: str, D: int) -> np.ndarray:
    # Before the first train call the layer has no running statistics yet: they default to zeros.
    value = bn_param.get(key)
    return np.zeros(D) if value is None else np.array(value, dtype=np.float64, copy=True)


def _test_output_stats(forward: Callable, X: np.ndarray, bn_param: dict) -> tuple[float, float]:
    # A private copy, so that evaluating can never change what the layer keeps.
    probe = {k: (np.array(v, copy=True) if isinstance(v, np.ndarray) else v) for k, v in bn_param.items()}
    probe["mode"] = "test"
    D = X.shape[1]
    with np.errstate(all="ignore"):  # a zero running variance divides by sqrt(eps): huge, but no warning
        out, _ = forward(X, np.ones(D), np.zeros(D), probe)
    flat = np.asarray(out, dtype=np.float64).ravel()
    # np.mean and np.std, in fewer steps: this runs once per call, and a widget makes hundreds of calls.
    with np.errstate(all="ignore"):
        mean = flat.sum() / flat.size
        centred = flat - mean
        return float(mean), float(np.sqrt(centred @ centred / flat.size))


def track_running_stats(forward: Callable, X: np.ndarray, *, mode: str, batch_size: int, num_calls: int,
                        momentum: float = 0.9, rng: np.random.Generator) -> RunningStats:
    """Call forward(X[batch], gamma=1, beta=0, bn_param) num_calls times on random mini-batches of X (N, D).

    forward: a batchnorm forward with the lesson's contract, (x, gamma, beta, bn_param) -> (out, cache).
    mode: "train" or "test", the mode every call uses; batch_size: rows per call, drawn without
    replacement by rng (a fresh draw per call); momentum: the layer's momentum.
    """
    if num_calls < 0:
        raise ValueError(f"num_calls must be at least 0, got {num_calls}")
    tracker = RunningStatsTracker(forward, X, mode=mode, batch_size=batch_size, momentum=momentum, rng=rng)
    tracker.extend(num_calls)
    return tracker.stats()


class RunningStatsTracker:
    """track_running_stats one step at a time, so that a longer run continues a shorter one (a widget).

    `extend(k)` feeds k more mini-batches; `stats(n)` is what track_running_stats(..., num_calls=n) returns
    with the same arguments and a generator in the same starting state, for any n up to `calls`: the
    batches are drawn in the same order, so the first n calls of a longer run are the run of n calls.
    """

    def __init__(self, forward: Callable, X: np.ndarray, *, mode: str, batch_size: int, momentum: float = 0.9,
                 rng: np.random.Generator):
        if mode not in ("train", "test"):
            raise ValueError(f"mode must be 'train' or 'test', got {mode!r}")
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2:
            raise ValueError(f"X must be (N, D), got shape {X.shape}")
        N, D = X.shape
        if not 1 <= batch_size <= N:
            raise ValueError(f"batch_size must be in [1, {N}], got {batch_size}")
        self.forward, self.X, self.mode, self.batch_size, self.rng = forward, X, mode, batch_size, rng
        self.bn_param = {"mode": mode, "momentum": momentum}
        self.gamma, self.beta = np.ones(D), np.zeros(D)
        self.data_mean, self.data_var = X.mean(axis=0), X.var(axis=0)
        self._rows = {key: [] for key in ("running_mean", "running_var", "test_mean", "test_std")}
        self._batches: list[np.ndarray] = []  # the rows of X fed in at each call
        self._record_state()

    @property
    def calls(self) -> int:
        """Forward calls made so far."""
        return len(self._batches)

    def _record_state(self) -> None:
        D = self.X.shape[1]
        self._rows["running_mean"].append(_state(self.bn_param, "running_mean", D))
        self._rows["running_var"].append(_state(self.bn_param, "running_var", D))
        mean, std = _test_output_stats(self.forward, self.X, self.bn_param)
        self._rows["test_mean"].append(mean)
        self._rows["test_std"].append(std)

    def extend(self, num_calls: int) -> "RunningStatsTracker":
        """num_calls more forward calls on fresh mini-batches, recording the layer's state after each."""
        if num_calls < 0:
            raise ValueError(f"num_calls must be at least 0, got {num_calls}")
        N = self.X.shape[0]
        for _ in range(num_calls):
            rows = self.rng.choice(N, size=self.batch_size, replace=False)
            self.bn_param["mode"] = self.mode
            with np.errstate(all="ignore"):
                self.forward(self.X[rows], self.gamma, self.beta, self.bn_param)
            self._batches.append(rows)  # its statistics are computed when asked for, all at once
            self._record_state()
        return self

    def stats(self, num_calls: int | None = None) -> RunningStats:
        """The record of the first num_calls calls (all of them by default)."""
        num_calls = self.calls if num_calls is None else num_calls
        if not 0 <= num_calls <= self.calls:
            raise ValueError(f"num_calls must be in [0, {self.calls}] (the calls made so far), got {num_calls}")
        D = self.X.shape[1]
        rows = lambda key, n: np.array(self._rows[key][:n]).reshape(n, D)
        batches = self.X[np.array(self._batches[:num_calls], dtype=np.intp).reshape(num_calls, self.batch_size)]
        return RunningStats(running_mean=rows("running_mean", num_calls + 1),
                            running_var=rows("running_var", num_calls + 1),
                            batch_mean=batches.mean(axis=1), batch_var=batches.var(axis=1),
                            data_mean=self.data_mean, data_var=self.data_var,
                            test_mean=np.array(self._rows["test_mean"][:num_calls + 1]),
                            test_std=np.array(self._rows["test_std"][:num_calls + 1]))
