"""Lesson 09's data set and the computation behind its widget: a deep network trained on few, noisy labels.

The data: three interleaved spirals in the plane, 40 training points per class of which a fifth carry a
wrong label (as if collected carelessly), and clean validation and test sets. A network large enough to
fit every training label must learn the wrong ones too, so the gap between training and validation
accuracy is wide unless something (L2, dropout) stops it.

Nothing here implements a layer, a network or an optimizer: the widget's run takes the student's
`FullyConnectedNet`, `train_network` and update rule as arguments and only orchestrates and measures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from course_lib.data import make_spirals

NUM_CLASSES = 3
BOUNDS = (-2.4, 2.4)  # the square the decision maps cover; every point of the data set lies inside it


def _spirals(n_per_class: int, seed: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """make_spirals without each class's first point, which lies at the origin for every class (radius 0)."""
    X, y = make_spirals(n_per_class + 1, NUM_CLASSES, np.random.default_rng(seed), noise=noise)
    keep = np.arange(len(y)) % (n_per_class + 1) != 0
    return X[keep], y[keep]


def make_capstone_data(n_train_per_class: int = 40, n_eval_per_class: int = 100, wrong_fraction: float = 0.2,
                       noise: float = 0.2, seed: int = 0) -> dict:
    """Three spirals (coordinates scaled by 2, so each has a spread of about 0.8), without the origin, where
    they all begin.

    Returns a dict of float64 / int64 arrays:
      X_train (3 n_train, 2), y_train: round(wrong_fraction * 3 n_train) labels replaced by one of the two
        other classes (chosen at random), the rest right;
      wrong_label (3 n_train,) bool: True where y_train is wrong;
      X_val, y_val and X_test, y_test (3 n_eval, 2): clean labels, drawn independently of the training set.
    The same arguments always give the same arrays.
    """
    if not 0.0 <= wrong_fraction < 1.0:
        raise ValueError(f"wrong_fraction must be in [0, 1), got {wrong_fraction}")
    X_train, y_clean = _spirals(n_train_per_class, seed, noise)
    X_val, y_val = _spirals(n_eval_per_class, seed + 1, noise)
    X_test, y_test = _spirals(n_eval_per_class, seed + 2, noise)
    label_rng = np.random.default_rng(seed + 3)
    n = len(y_clean)
    wrong = np.zeros(n, dtype=bool)
    wrong[label_rng.permutation(n)[:int(round(wrong_fraction * n))]] = True
    y_train = y_clean.copy()
    # Adding 1 or 2 (mod 3) always lands on another class, each of the two with probability 1/2.
    y_train[wrong] = (y_clean[wrong] + label_rng.integers(1, NUM_CLASSES, size=int(wrong.sum()))) % NUM_CLASSES
    return {"X_train": 2.0 * X_train, "y_train": y_train, "wrong_label": wrong,
            "X_val": 2.0 * X_val, "y_val": y_val, "X_test": 2.0 * X_test, "y_test": y_test}


def grid(steps: int, bounds: tuple[float, float] = BOUNDS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A steps x steps grid over the square bounds x bounds: (xx, yy) for contour plots, and the points
    (steps * steps, 2) in the same order (row by row)."""
    line = np.linspace(bounds[0], bounds[1], steps)
    xx, yy = np.meshgrid(line, line)
    return xx, yy, np.column_stack([xx.ravel(), yy.ravel()])


def decision_map(scores_fn: Callable[[np.ndarray], np.ndarray], steps: int = 60,
                 bounds: tuple[float, float] = BOUNDS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(xx, yy, labels): the class scores_fn(points) ranks first at every point of a steps x steps grid;
    labels has shape (steps, steps), like xx and yy. scores_fn: (M, 2) points -> (M, C) scores."""
    xx, yy, points = grid(steps, bounds)
    scores = np.asarray(scores_fn(points), dtype=np.float64)
    if scores.shape[0] != len(points) or scores.ndim != 2:
        raise ValueError(f"scores_fn returned shape {scores.shape} for {len(points)} points; expected (M, C)")
    return xx, yy, np.argmax(scores, axis=1).reshape(xx.shape)


def accuracy(scores, y) -> float:
    """Fraction of rows whose highest score is at the label."""
    return float(np.mean(np.argmax(np.asarray(scores), axis=1) == np.asarray(y)))


def memorized(scores, data: dict) -> float:
    """Fraction of the wrongly labelled training points whose prediction is their wrong label: 0 for a
    model that learned the spirals, 1 for one that learned every training label by heart."""
    wrong = np.asarray(data["wrong_label"], dtype=bool)
    predicted = np.argmax(np.asarray(scores), axis=1)
    return float(np.mean(predicted[wrong] == np.asarray(data["y_train"])[wrong]))


@dataclass(frozen=True)
class Run:
    """One network trained on the capstone data, measured.

    history: what the training function returned (its "loss", "train_acc", "val_acc" lists).
    train_acc, val_acc: final accuracies on the (noisy) training labels and on the clean validation set.
    memorized: see memorized(). xx, yy, labels: the decision map (decision_map).
    """

    history: dict
    train_acc: float
    val_acc: float
    memorized: float
    xx: np.ndarray
    yy: np.ndarray
    labels: np.ndarray


def regularization_run(build_model: Callable, train_fn: Callable, update: Callable, data: dict, *, depth: int,
                       width: int = 64, keep: float = 1.0, reg: float = 0.0, batchnorm: bool = False,
                       epochs: int = 200, lr: float = 1e-2, seed: int = 0, map_steps: int = 60) -> Run:
    """Build, train (full batch) and measure one network.

    build_model(hidden_dims, keep, reg, batchnorm, rng) -> a model with params and loss(X, y=None); it
    gets keep=None for keep >= 1 (no dropout layers at all). train_fn(model, data, *, update, epochs,
    batch_size, lr, rng) -> history dict (the lesson's train_network). Generators come from `seed`, so a
    run can be repeated exactly.
    """
    if depth < 1:
        raise ValueError(f"depth must be at least 1 hidden layer, got {depth}")
    model = build_model([width] * depth, None if keep >= 1.0 else keep, reg, batchnorm, np.random.default_rng(seed))
    history = train_fn(model, data, update=update, epochs=epochs, batch_size=len(data["y_train"]), lr=lr,
                       rng=np.random.default_rng(seed + 1))
    train_scores = model.loss(data["X_train"])
    xx, yy, labels = decision_map(model.loss, map_steps)
    return Run(history=history, train_acc=accuracy(train_scores, data["y_train"]),
               val_acc=accuracy(model.loss(data["X_val"]), data["y_val"]), memorized=memorized(train_scores, data),
               xx=xx, yy=yy, labels=labels)
