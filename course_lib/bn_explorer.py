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
    out = np.asarray(out, dtype=np.float64)
    return float(np.mean(out)), float(np.std(out))


def track_running_stats(forward: Callable, X: np.ndarray, *, mode: str, batch_size: int, num_calls: int,
                        momentum: float = 0.9, rng: np.random.Generator) -> RunningStats:
    """Call forward(X[batch], gamma=1, beta=0, bn_param) num_calls times on random mini-batches of X (N, D).

    forward: a batchnorm forward with the lesson's contract, (x, gamma, beta, bn_param) -> (out, cache).
    mode: "train" or "test", the mode every call uses; batch_size: rows per call, drawn without
    replacement by rng (a fresh draw per call); momentum: the layer's momentum.
    """
    if mode not in ("train", "test"):
        raise ValueError(f"mode must be 'train' or 'test', got {mode!r}")
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must be (N, D), got shape {X.shape}")
    N, D = X.shape
    if not 1 <= batch_size <= N:
        raise ValueError(f"batch_size must be in [1, {N}], got {batch_size}")
    if num_calls < 0:
        raise ValueError(f"num_calls must be at least 0, got {num_calls}")

    bn_param = {"mode": mode, "momentum": momentum}
    gamma, beta = np.ones(D), np.zeros(D)
    running_mean, running_var, batch_mean, batch_var, test_mean, test_std = [], [], [], [], [], []

    def record_state():
        running_mean.append(_state(bn_param, "running_mean", D))
        running_var.append(_state(bn_param, "running_var", D))
        mean, std = _test_output_stats(forward, X, bn_param)
        test_mean.append(mean)
        test_std.append(std)

    record_state()
    for _ in range(num_calls):
        batch = X[rng.choice(N, size=batch_size, replace=False)]
        bn_param["mode"] = mode
        with np.errstate(all="ignore"):
            forward(batch, gamma, beta, bn_param)
        batch_mean.append(batch.mean(axis=0))
        batch_var.append(batch.var(axis=0))
        record_state()
    as_rows = lambda rows: np.array(rows).reshape(len(rows), D)
    return RunningStats(running_mean=as_rows(running_mean), running_var=as_rows(running_var),
                        batch_mean=as_rows(batch_mean), batch_var=as_rows(batch_var),
                        data_mean=X.mean(axis=0), data_var=X.var(axis=0),
                        test_mean=np.array(test_mean), test_std=np.array(test_std))
