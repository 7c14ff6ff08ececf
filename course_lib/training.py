"""A small training loop for any model with `.params` (dict of arrays) and `.loss(X, y=None)`.

The loop only orchestrates: the caller brings the two parts a lesson teaches, the update rule (`sgd`,
`adam`: a student's own, or a published reference) and the mini-batches of an epoch (`minibatches`, likewise),
and one config dict per parameter holds the rule's state. It stops at the first non-finite loss instead of
grinding on with NaNs, and it prints nothing: a progress bar appears only where somebody is watching.

Nothing here is a graded function: lesson 04 grades the update rules and the shuffled mini-batches and
lesson 09 grades a training loop with its own contract (`train_network`), so neither part lives here.
`in_order` is for the lessons before mini-batches are taught: consecutive slices, never shuffled.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from course_lib.progress import progress


def in_order(batch_size: int) -> Callable:
    """Batches of an epoch that keep the data's own order: (X, y, rng) -> [(X[0:B], y[0:B]), (X[B:2B], ...), ...].

    For data already in a random order (load_digits_split shuffles once) before lesson 04 teaches drawing a
    new order every epoch; the rng is not used."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")

    def batches(X, y, rng=None):
        return [(X[start:start + batch_size], y[start:start + batch_size]) for start in range(0, len(y), batch_size)]

    return batches


@dataclass
class History:
    """What happened during train().

    loss: (iterations,) mini-batch loss of every iteration (the last one may be inf/nan if diverged).
    train_acc, val_acc, lr: (completed epochs,) accuracies measured after each epoch and the learning rate
    used during it. best_params: copies of the params with the best validation accuracy (None if no
    epoch completed). seconds: wall time of the whole run.
    """

    loss: np.ndarray
    train_acc: np.ndarray
    val_acc: np.ndarray
    lr: np.ndarray
    diverged: bool
    seconds: float
    best_params: dict | None


def accuracy(model, X, y, batch_size=500):
    """Fraction of rows of X (N, ...) whose argmax score equals y (N,), scored in batches (test mode)."""
    if len(y) == 0:
        return float("nan")
    correct = 0
    with np.errstate(all="ignore"):  # a diverged model scores NaN; that is a wrong answer, not a warning
        for start in range(0, len(y), batch_size):
            scores = model.loss(X[start:start + batch_size])
            correct += int(np.sum(np.argmax(scores, axis=1) == y[start:start + batch_size]))
    return correct / len(y)


def train(model, X_train, y_train, X_val, y_val, *, update, batches, optim_config=None, epochs=10,
          lr_decay=1.0, rng, desc="training", acc_sample=1000, max_loss_ratio=1e4):
    """Training of `model` in place; returns a History.

    X_train (N, ...), y_train (N,), X_val (M, ...), y_val (M,). update: rule(w, dw, config) -> (next_w, config).
    batches: batches(X_train, y_train, rng) -> the (X_batch, y_batch) pairs of one epoch, called once per epoch
    (`lambda X, y, rng: minibatches(X, y, 64, rng)`, or in_order(64) before lesson 04). optim_config is copied
    once per parameter and never modified. After each epoch learning_rate is multiplied by lr_decay and
    accuracies are measured (training accuracy on a random subset of acc_sample rows, None = all). The model
    keeps its last params; History.best_params has the best-validation ones. Stops with diverged=True at a
    non-finite loss, or at a loss above max_loss_ratio * max(1, first loss) (the stable softmax keeps an
    exploding loss finite for a long time: 1e64 is diverged too); max_loss_ratio=None checks finiteness only.
    """
    if not callable(update) or not callable(batches):
        raise TypeError("train needs update=rule(w, dw, config) and batches=batches(X, y, rng), both callables: "
                        "the update rule and the mini-batches are the lesson's (yours, or a published reference)")
    configs = {name: copy.deepcopy(optim_config or {}) for name in model.params}
    n = len(y_train)
    losses, train_acc, val_acc, lrs = [], [], [], []
    best_val, best_params, diverged, limit = -1.0, None, False, np.inf
    start = time.perf_counter()
    bar = progress(total=epochs, desc=desc, leave=False)
    try:
        for _ in range(epochs):
            for X_batch, y_batch in batches(X_train, y_train, rng):
                with np.errstate(all="ignore"):  # divergence is reported in History, not as warnings
                    loss, grads = model.loss(X_batch, y_batch)
                    losses.append(float(loss))
                    if not np.isfinite(loss) or loss > limit:
                        diverged = True
                        break
                    if max_loss_ratio is not None and len(losses) == 1:
                        limit = max_loss_ratio * max(1.0, float(loss))
                    for name, w in model.params.items():
                        model.params[name], configs[name] = update(w, grads[name], configs[name])
            if diverged:
                break
            lrs.append(_learning_rate(configs))
            sample = _subset(n, acc_sample, rng)
            train_acc.append(accuracy(model, X_train[sample], y_train[sample]))
            val_acc.append(accuracy(model, X_val, y_val))
            if val_acc[-1] > best_val:
                best_val = val_acc[-1]
                best_params = {name: w.copy() for name, w in model.params.items()}
            bar.update(1)
            bar.set_postfix(loss=f"{losses[-1]:.3f}", val_acc=f"{val_acc[-1]:.3f}")
            for config in configs.values():
                if "learning_rate" in config:
                    config["learning_rate"] *= lr_decay
    finally:
        bar.close()
    as_array = lambda values: np.asarray(values, dtype=np.float64)
    return History(loss=as_array(losses), train_acc=as_array(train_acc), val_acc=as_array(val_acc),
                   lr=as_array(lrs), diverged=diverged, seconds=time.perf_counter() - start,
                   best_params=best_params)


def _learning_rate(configs):
    """The learning rate the update rule used (set by its defaults if the caller gave none)."""
    for config in configs.values():
        if "learning_rate" in config:
            return float(config["learning_rate"])
    return float("nan")


def _subset(n, size, rng):
    """All indices, or `size` of them drawn without replacement."""
    if size is None or size >= n:
        return np.arange(n)
    return rng.choice(n, size=size, replace=False)
