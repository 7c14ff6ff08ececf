"""Data for the lessons: the 8x8 handwritten digits (shipped, no download) and toy generators.

Every random function takes an explicit numpy.random.Generator; nothing touches the global RNG.
"""

from __future__ import annotations

import gzip
from importlib import resources
from typing import NamedTuple

import numpy as np


class Split(NamedTuple):
    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """All 1797 digits: X (1797, 64) float64 pixels in [0, 16], y (1797,) int64 labels 0..9."""
    with resources.files("course_lib.datasets").joinpath("digits.csv.gz").open("rb") as raw:
        table = np.loadtxt(gzip.open(raw), delimiter=",")
    return table[:, :-1].astype(np.float64), table[:, -1].astype(np.int64)


def split(X: np.ndarray, y: np.ndarray, rng: np.random.Generator,
          val_fraction: float = 0.15, test_fraction: float = 0.15) -> Split:
    """Shuffle once with rng and cut into train / validation / test."""
    if not 0 <= val_fraction < 1 or not 0 <= test_fraction < 1 or val_fraction + test_fraction >= 1:
        raise ValueError("val_fraction and test_fraction must be in [0, 1) and sum to less than 1")
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)} labels")
    order = rng.permutation(len(X))
    n_test = int(round(test_fraction * len(X)))
    n_val = int(round(val_fraction * len(X)))
    test, val, train = order[:n_test], order[n_test:n_test + n_val], order[n_test + n_val:]
    return Split(X[train], y[train], X[val], y[val], X[test], y[test])


def load_digits_split(rng: np.random.Generator, val_fraction: float = 0.15,
                      test_fraction: float = 0.15) -> Split:
    """Digits scaled to [0, 1] and split; the usual starting point of a lesson."""
    X, y = load_digits()
    return split(X / 16.0, y, rng, val_fraction, test_fraction)


def add_bias_column(X: np.ndarray) -> np.ndarray:
    """Append a column of ones so that a bias is just one more row of W."""
    return np.hstack([X, np.ones((X.shape[0], 1))])


def make_spirals(n_per_class: int, n_classes: int, rng: np.random.Generator,
                 noise: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved 2-D spirals, not linearly separable: X (n_per_class * n_classes, 2), y int64."""
    radius = np.tile(np.linspace(0.0, 1.0, n_per_class), n_classes)
    labels = np.repeat(np.arange(n_classes), n_per_class)
    angle = (labels * 2 * np.pi / n_classes + radius * 4.0
             + rng.standard_normal(n_per_class * n_classes) * noise)
    X = np.column_stack([radius * np.sin(angle), radius * np.cos(angle)])
    return X, labels.astype(np.int64)


def make_blobs(n_per_class: int, centers, rng: np.random.Generator,
               std: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian blobs around the given centers (array of shape (C, D))."""
    centers = np.asarray(centers, dtype=np.float64)
    labels = np.repeat(np.arange(len(centers)), n_per_class)
    X = centers[labels] + std * rng.standard_normal((len(labels), centers.shape[1]))
    return X, labels.astype(np.int64)
