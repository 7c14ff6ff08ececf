"""Plots shared by the lessons."""

from __future__ import annotations

from typing import Mapping

import numpy as np


def plot_curves(curves: Mapping[str, np.ndarray], *, xlabel: str, ylabel: str, title: str = "",
                logy: bool = False, ax=None):
    """One line per named curve; returns the axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    for name, values in curves.items():
        ax.plot(np.arange(1, len(values) + 1), values, label=name, linewidth=1.8)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    if title:
        ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    return ax


def show_digits(X: np.ndarray, y: np.ndarray, n: int = 10, ax_row=None):
    """The first n images of X (rows of 64 pixels) with their labels."""
    import matplotlib.pyplot as plt

    n = min(n, len(X))
    if ax_row is None:
        _, ax_row = plt.subplots(1, n, figsize=(1.2 * n, 1.6))
    for ax, image, label in zip(np.atleast_1d(ax_row), X[:n], y[:n]):
        ax.imshow(image.reshape(8, 8), cmap="gray_r")
        ax.set_title(str(label))
        ax.axis("off")
    return ax_row


def plot_weight_templates(W: np.ndarray, ax_row=None):
    """Each class's column of W (64 pixel weights, bias row dropped) shown as an 8x8 template."""
    import matplotlib.pyplot as plt

    pixels = W[:64]
    n = pixels.shape[1]
    if ax_row is None:
        _, ax_row = plt.subplots(1, n, figsize=(1.2 * n, 1.6))
    limit = float(np.max(np.abs(pixels))) or 1.0
    for c, ax in enumerate(np.atleast_1d(ax_row)):
        ax.imshow(pixels[:, c].reshape(8, 8), cmap="RdBu_r", vmin=-limit, vmax=limit)
        ax.set_title(str(c))
        ax.axis("off")
    return ax_row
