"""One figure made two ways, for the benchmark and the browser suite: not a lesson, a stand-in for one.

Lesson 04's optimizer race in miniature (five descent paths over contours, their gaps on a log axis, a
legend): OLD_STYLE redraws it from scratch on every move (`live_figure(draw, ...)`, as the lessons did),
IN_PLACE makes it once and updates its lines (`live_figure(setup, update, ...)`), with the slider's
value and each path's final gap in the readout beside the picture.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

OLD_STYLE_NAME = "synthetic: old style (redrawn)"
IN_PLACE_NAME = "synthetic: new style (in place)"
SETUP = '''\
import numpy as np
import matplotlib.pyplot as plt
import ipywidgets as widgets
from course_lib.widgets import live_figure

grid = np.linspace(-2, 2, 81)
X, Y = np.meshgrid(grid, grid)
F = 0.5 * X ** 2 + 5 * Y ** 2
RULES = ("SGD", "momentum", "AdaGrad", "RMSProp", "Adam")


def paths(lr, steps=150):
    """Five descent paths on one quadratic: a stand-in for lesson 04's optimizer race (a few ms)."""
    out = {}
    for k, name in enumerate(RULES):
        p, v, pts = np.array([-1.5, 1.0]), np.zeros(2), []
        for _ in range(steps):
            g = np.array([p[0], 10 * p[1]])
            v = 0.5 * k / 4 * v + g
            p = p - lr * (1 + k / 4) * v
            pts.append(p.copy())
        out[name] = np.clip(np.array(pts), -5, 5)
    return out
'''

OLD_STYLE = '''\
def draw(lr):
    fig = plt.figure(figsize=(15, 6.2))
    grid_spec = fig.add_gridspec(2, 5, height_ratios=[1.1, 1])
    ax_gap = fig.add_subplot(grid_spec[1, :])
    for column, (name, pts) in enumerate(paths(lr).items()):
        ax = fig.add_subplot(grid_spec[0, column])
        ax.contour(X, Y, F, levels=12, colors="0.75", linewidths=0.8)
        ax.plot(pts[:, 0], pts[:, 1], ".-", color=f"C{column}", markersize=2.5, linewidth=1)
        ax.set_title(name)
        ax.set_xticks([]), ax.set_yticks([])
        ax_gap.semilogy(0.5 * pts[:, 0] ** 2 + 5 * pts[:, 1] ** 2 + 1e-16, color=f"C{column}", label=name)
    ax_gap.set_xlabel("step")
    ax_gap.legend(ncol=5, loc="lower left")
    fig.tight_layout()


old_widget = live_figure(draw, lr=widgets.FloatLogSlider(value=0.05, base=10, min=-3, max=-0.5, step=0.05,
                                                         description="lr"))
'''

IN_PLACE = '''\
def setup(fig):
    fig.set_size_inches(15, 6.2)
    fig.set_layout_engine("tight")
    grid_spec = fig.add_gridspec(2, 5, height_ratios=[1.1, 1])
    ax_gap = fig.add_subplot(grid_spec[1, :])
    lines, gaps = {}, {}
    for column, name in enumerate(RULES):
        ax = fig.add_subplot(grid_spec[0, column])
        ax.contour(X, Y, F, levels=12, colors="0.75", linewidths=0.8)
        lines[name], = ax.plot([], [], ".-", color=f"C{column}", markersize=2.5, linewidth=1)
        ax.set_xlim(-2, 2), ax.set_ylim(-2, 2)
        ax.set_title(name)
        ax.set_xticks([]), ax.set_yticks([])
        gaps[name], = ax_gap.semilogy([1], [1], color=f"C{column}", label=name)
    ax_gap.set_xlabel("step")
    ax_gap.set_xlim(0, 150), ax_gap.set_ylim(1e-12, 1e3)
    ax_gap.legend(ncol=5, loc="lower left")
    return {"lines": lines, "gaps": gaps}


def update(artists, lr):
    finals = {"lr": lr}
    for name, pts in paths(lr).items():
        artists["lines"][name].set_data(pts[:, 0], pts[:, 1])
        gap = 0.5 * pts[:, 0] ** 2 + 5 * pts[:, 1] ** 2 + 1e-16
        artists["gaps"][name].set_data(np.arange(len(gap)), gap)
        finals[name] = f"{gap[-1]:.2g}"
    return finals


new_widget = live_figure(setup, update, lr=widgets.FloatLogSlider(value=0.05, base=10, min=-3, max=-0.5, step=0.05,
                                                                 description="lr"))
'''


def write_notebooks(folder: Path) -> dict[str, Path]:
    """The pair as notebooks in folder: {name: path}, the old style first."""
    out = {}
    for name, body in ((OLD_STYLE_NAME, OLD_STYLE), (IN_PLACE_NAME, IN_PLACE)):
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nb.cells = [nbformat.v4.new_code_cell(SETUP), nbformat.v4.new_code_cell(body)]
        path = folder / ("synthetic_old.ipynb" if body is OLD_STYLE else "synthetic_new.ipynb")
        nbformat.write(nb, path)
        out[name] = path
    return out
