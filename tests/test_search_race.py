"""The pure computation behind lesson 01's widget (the race, and the race that resumes), and the wiring."""

import numpy as np
import pytest

from course_lib.search_race import Checkpointed, ResumableRace, race


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


# ----------------------------------------------------------------------------------- the resumable race
TARGET = np.linspace(-1.0, 1.0, 6).reshape(3, 2)


def _bowl(W):
    return float(np.sum((W - TARGET) ** 2)), 2 * (W - TARGET)


def _random_search(loss_fn, sample_fn, num_tries):
    best_W, best_loss = None, np.inf
    for _ in range(num_tries):
        W = sample_fn()
        loss = loss_fn(W)
        if loss < best_loss:
            best_W, best_loss = W, loss
    return best_W, best_loss


def _local_search(loss_fn, W0, perturb_fn, num_steps):
    W = W0.copy()
    loss = loss_fn(W)
    history = [loss]
    for _ in range(num_steps):
        candidate = W + perturb_fn(W)
        candidate_loss = loss_fn(candidate)
        if candidate_loss < loss:
            W, loss = candidate, candidate_loss
        history.append(loss)
    return W, np.array(history)


def _descent(loss_and_grad, W0, lr, num_steps):
    W, history = W0.copy(), []
    for _ in range(num_steps):
        loss, grad = loss_and_grad(W)
        history.append(loss)
        W = W - lr * grad
    history.append(loss_and_grad(W)[0])
    return W, np.array(history)


def _race_once(budget, step_size, lr, seed):
    """The race as lesson 01's race cell runs it: each strategy uninterrupted, through `race`."""
    final = {}

    def searched(loss_fn, _):
        gen = np.random.default_rng(seed)
        final["random search"], _ = _random_search(loss_fn, lambda: step_size * gen.standard_normal((3, 2)), budget)

    def walked(loss_fn, _):
        gen = np.random.default_rng(seed)
        final["random local search"], _ = _local_search(loss_fn, np.zeros((3, 2)),
                                                        lambda W: step_size * gen.standard_normal(W.shape), budget - 1)

    def descended(_, loss_and_grad):
        final["gradient descent"], _ = _descent(loss_and_grad, np.zeros((3, 2)), lr, budget - 1)

    curves = race({"random search": searched, "random local search": walked, "gradient descent": descended},
                  _bowl, budget)
    return curves, final


def _same(a, b):
    (curves_a, final_a), (curves_b, final_b) = a, b
    assert list(curves_a) == list(curves_b)
    for name in curves_a:
        assert np.array_equal(curves_a[name], curves_b[name]), name
        assert np.array_equal(final_a[name], final_b[name]), name


def test_resumable_race_matches_one_uninterrupted_race_whatever_the_order_of_budgets():
    resumable = ResumableRace(_random_search, _local_search, _descent, _bowl, np.zeros((3, 2)), chunk=10)
    for budget in (30, 50, 40, 10, 7, 33, 60):  # longer, shorter, between checkpoints, below the first
        _same(resumable.run(budget, 0.5, 0.1, seed=3), _race_once(budget, 0.5, 0.1, seed=3))
    _same(resumable.run(40, 0.2, 0.3, seed=4), _race_once(40, 0.2, 0.3, seed=4))


def test_resumable_race_reruns_only_the_strategies_a_setting_changes():
    calls = []

    def counted(W):
        calls.append(1)
        return _bowl(W)

    resumable = ResumableRace(_random_search, _local_search, _descent, counted, np.zeros((3, 2)), chunk=10)
    resumable.run(100, 0.5, 0.1, seed=0)
    first = len(calls)
    assert first == 300 + 2 * 9  # local search and descent re-evaluate where they stand in every resumed chunk
    resumable.run(100, 0.5, 0.2, seed=0)  # a new learning rate: gradient descent alone
    assert len(calls) - first == 100 + 9
    resumable.run(110, 0.5, 0.2, seed=0)  # ten more evaluations each, from the checkpoints
    assert len(calls) - first == 109 + 3 * 10 + 2
    before = len(calls)
    resumable.run(60, 0.5, 0.1, seed=0)  # read back
    resumable.run(60, 0.5000000000000001, 0.09999999999999999, seed=0)  # a slider's rounding noise: the same runs
    assert len(calls) == before


def test_checkpointed_refuses_a_strategy_that_spends_more_than_asked():
    def greedy(state, n, loss_fn, _loss_and_grad, _resumed):
        for _ in range(n + 1):
            loss_fn(state)
        return state

    with pytest.raises(ValueError, match="greedy: asked for 10 loss evaluations, it tried to make 11"):
        Checkpointed(greedy, np.zeros(2), _bowl, chunk=10, name="greedy").run_to(10)
