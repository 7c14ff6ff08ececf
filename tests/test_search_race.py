"""The pure computation behind lesson 01's widget, and the widget wiring around it."""

import numpy as np
import pytest

from course_lib.search_race import race


def _quadratic(W):
    return float(np.sum(W**2)), 2 * W


def test_race_counts_evaluations_and_returns_best_so_far():
    rng = np.random.default_rng(0)
    calls = []

    def random_guesses(loss_fn, _loss_and_grad):
        while True:
            calls.append(1)
            loss_fn(rng.standard_normal(3))

    def descend(_loss_fn, loss_and_grad):
        W = np.ones(3)
        for _ in range(1000):
            _, g = loss_and_grad(W)
            W = W - 0.1 * g

    curves = race({"guess": random_guesses, "descend": descend}, _quadratic, budget=40)
    assert set(curves) == {"guess", "descend"}
    assert len(curves["guess"]) == 40 and len(calls) == 41  # the 41st call was refused
    assert len(curves["descend"]) == 40
    for curve in curves.values():
        assert np.all(np.diff(curve) <= 0)
    assert curves["descend"][-1] == pytest.approx(3 * 0.8 ** (2 * 39))


def test_race_keeps_short_runs_short():
    curves = race({"once": lambda loss_fn, _: loss_fn(np.zeros(2))}, _quadratic, budget=10)
    assert curves["once"].tolist() == [0.0]


def test_race_refuses_empty_budget():
    with pytest.raises(ValueError, match="budget"):
        race({}, _quadratic, budget=0)


def test_live_figure_is_static_under_the_autograder(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import ipywidgets as widgets

    from course_lib.widgets import live_figure

    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    seen = []
    box = live_figure(lambda lr, steps: seen.append((lr, steps)),
                      lr=widgets.FloatSlider(value=0.1), steps=widgets.IntSlider(value=7))
    assert box is None and seen == [(0.1, 7)]


def test_live_figure_redraws_when_a_slider_moves(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import ipywidgets as widgets

    from course_lib.widgets import live_figure

    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.delenv("COURSE_QUIET", raising=False)
    seen = []
    slider = widgets.IntSlider(value=1, min=0, max=10)
    box = live_figure(lambda steps: seen.append(steps), steps=slider)
    assert box is not None and seen == [1]
    assert slider.continuous_update is False  # an expensive redraw waits for the slider's release
    slider.value = 5
    assert seen == [1, 5]
