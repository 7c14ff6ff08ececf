"""Lesson 03's network explorer: train a two-layer net with given hyperparameters, return its curves.

`train_curves` is a pure function of its arguments (the seed fixes the initialization and the batch
order), so the widget that wraps it, and its tests, get the same curves for the same settings. The model
comes from a factory with TwoLayerNet's signature, so the lesson passes the student's own class.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from course_lib.training import train


@dataclass(frozen=True)
class Curves:
    """What one training run looked like.

    loss: (iterations,) mini-batch loss; train_acc, val_acc: (epochs,) accuracy after each epoch (the
    training accuracy on 500 training rows drawn afresh each epoch, which halves the cost of a redraw);
    initial_loss: the loss on the training set before any update; diverged: the loss became inf/nan.
    """

    loss: np.ndarray
    train_acc: np.ndarray
    val_acc: np.ndarray
    initial_loss: float
    diverged: bool
    seconds: float


def train_curves(make_model: Callable, X_train, y_train, X_val, y_val, *, hidden_dim: int,
                 learning_rate: float, reg: float, weight_scale: float = 0.1, epochs: int = 8,
                 batch_size: int = 50, lr_decay: float = 1.0, seed: int = 0) -> Curves:
    """Build make_model(input_dim, hidden_dim, num_classes, weight_scale=, reg=, rng=), train it with plain
    gradient steps on mini-batches drawn afresh every epoch (course_lib.training.train) and return its loss
    and accuracy curves. The learning rate stays constant
    unless lr_decay < 1 multiplies it after every epoch (lesson 03 keeps it constant: decay is lesson 04's).

    X_train (N, d1, ..., dk), y_train (N,) int labels; X_val, y_val likewise. input_dim = d1 * ... * dk;
    num_classes = 1 + the largest label seen. One Generator, seeded with `seed`, draws the initial
    weights and then the mini-batches, so equal arguments give equal curves.
    """
    if hidden_dim < 1 or epochs < 1 or batch_size < 1:
        raise ValueError("hidden_dim, epochs and batch_size must be at least 1")
    rng = np.random.default_rng(seed)
    input_dim = int(np.prod(np.shape(X_train)[1:]))
    num_classes = int(max(np.max(y_train), np.max(y_val))) + 1
    model = make_model(input_dim, int(hidden_dim), num_classes, weight_scale=weight_scale, reg=reg, rng=rng)
    with np.errstate(all="ignore"):  # a huge weight scale may overflow; the curves show it
        initial_loss = float(model.loss(X_train, y_train)[0])
    # Lesson 03 comes before update rules and mini-batches are taught (lesson 04 grades them), so the explorer
    # keeps its own plain step and reshuffle inside this call: the widget's curves need a new order every
    # epoch (batches in a fixed order leave a strongly regularized net 5 points apart on training and
    # validation), and nothing here is a function an answer could call in place of lesson 04's.
    def plain_step(w, dw, config):
        return w - config["learning_rate"] * dw, config

    def reshuffled(X, y, gen):
        order = gen.permutation(len(y))
        return [(X[order[s:s + batch_size]], y[order[s:s + batch_size]]) for s in range(0, len(y), batch_size)]

    history = train(model, X_train, y_train, X_val, y_val, update=plain_step, batches=reshuffled,
                    optim_config={"learning_rate": learning_rate}, epochs=epochs, lr_decay=lr_decay, rng=rng,
                    desc=f"H={hidden_dim}, lr={learning_rate:g}, reg={reg:g}", acc_sample=500)
    return Curves(loss=history.loss, train_acc=history.train_acc, val_acc=history.val_acc,
                  initial_loss=initial_loss, diverged=history.diverged, seconds=history.seconds)


def smooth(values, window: int = 10) -> np.ndarray:
    """Trailing moving average (the first entries average what exists so far); same length as values."""
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        return values
    cumulative = np.cumsum(np.insert(values, 0, 0.0))
    counts = np.minimum(np.arange(1, values.size + 1), window)
    return (cumulative[1:] - cumulative[np.arange(1, values.size + 1) - counts]) / counts


def draw_curves(curves, axes=None, title: str = "", num_classes: int | None = None):
    """Two panels: the mini-batch loss per iteration (raw and smoothed), and train / validation accuracy
    per epoch. curves: a Curves, or a course_lib.training.History (anything with loss, train_acc, val_acc
    and diverged). num_classes draws the chance-level loss ln(C) as a reference. Returns the two axes."""
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 3.6))
    ax_loss, ax_acc = axes
    finite = np.isfinite(curves.loss)
    steps = np.arange(1, curves.loss.size + 1)
    ax_loss.plot(steps[finite], curves.loss[finite], color="C0", alpha=0.3, linewidth=0.8, label="mini-batch loss")
    if finite.all() and curves.loss.size:
        ax_loss.plot(steps, smooth(curves.loss), color="C0", linewidth=1.8, label="moving average")
    if num_classes:
        ax_loss.axhline(np.log(num_classes), color="0.5", linestyle=":", label=f"ln {num_classes} (chance)")
    ax_loss.set_xlabel("iteration")
    ax_loss.set_ylabel("loss")
    ax_loss.grid(alpha=0.3)
    ax_loss.legend(fontsize=8)
    epochs = np.arange(1, curves.train_acc.size + 1)
    ax_acc.plot(epochs, curves.train_acc, "o-", color="C1", label="train")
    ax_acc.plot(epochs, curves.val_acc, "s-", color="C2", label="validation")
    ax_acc.set_xlabel("epoch")
    ax_acc.set_ylabel("accuracy")
    measured = np.concatenate([np.asarray(curves.train_acc), np.asarray(curves.val_acc)])
    low = float(np.nanmin(measured)) if measured.size and np.isfinite(measured).any() else 0.0
    ax_acc.set_ylim(max(0.0, np.floor((low - 0.02) * 10) / 10), 1.005)  # zoom in, so that a gap shows
    ax_acc.grid(alpha=0.3)
    ax_acc.legend(fontsize=8, loc="lower right")
    if curves.diverged:
        ax_loss.set_title("diverged: the loss became inf or nan", color="C3")
    if title:
        ax_acc.figure.suptitle(title, fontsize=10)
    return ax_loss, ax_acc
