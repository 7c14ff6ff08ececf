"""Lesson 04's experiments (course_lib.optimizer_lab): deterministic, and they measure what the lesson says."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib.data import make_blobs
from course_lib.optimizer_lab import (critical_point_shares, draw_noise_and_time, draw_resumed, draw_single_steps,
                                      draw_tuned_race, gradient_noise, resume_with_and_without_state,
                                      seconds_per_epoch, single_sample_steps, tune_and_compare)
from course_lib.reference.lesson03 import MLP
from course_lib.reference.lesson04 import adam, minibatches, sgd


def classify(H, tol=1e-8):
    eigenvalues = np.linalg.eigvalsh(H)
    if np.any(eigenvalues > tol) and np.any(eigenvalues < -tol):
        return "saddle point"
    if np.all(eigenvalues > tol):
        return "local minimum"
    if np.all(eigenvalues < -tol):
        return "local maximum"
    return "degenerate"


@pytest.fixture(autouse=True)
def quiet(monkeypatch):
    monkeypatch.setenv("COURSE_QUIET", "1")


@pytest.fixture(scope="module")
def blobs():
    gen = np.random.default_rng(0)
    X, y = make_blobs(40, [[0, 0], [3, 0], [0, 3]], gen, std=0.8)
    order = gen.permutation(len(y))
    return X[order][:90], y[order][:90], X[order][90:], y[order][90:]


def network(seed=1):
    return MLP(2, [8], 3, init=0.5, rng=np.random.default_rng(seed))


def test_critical_point_shares_sum_to_one_and_saddles_take_over():
    shares = critical_point_shares(classify, [1, 2, 8], draws=200, rng=np.random.default_rng(0))
    totals = np.sum([shares[k] for k in shares], axis=0)
    assert np.allclose(totals, 1.0)
    assert shares["saddle point"][0] == 0.0 and shares["saddle point"][-1] > 0.95
    again = critical_point_shares(classify, [1, 2, 8], draws=200, rng=np.random.default_rng(0))
    assert again == shares


def test_gradient_noise_falls_with_the_batch_size(blobs):
    X, y, _, _ = blobs
    noise = gradient_noise(network(), X, y, [1, 4, 16, 90], minibatches, count=10)
    assert noise.shape == (4,) and np.all(np.diff(noise) < 0)
    assert noise[-1] == pytest.approx(0.0, abs=1e-20)  # a batch of all N samples is the full gradient
    assert np.array_equal(noise, gradient_noise(network(), X, y, [1, 4, 16, 90], minibatches, count=10))


def test_seconds_per_epoch_is_positive_and_scales_short_timings(blobs):
    X, y, _, _ = blobs
    assert seconds_per_epoch(network, X, y, 1, minibatches, repeats=3, most_batches=10) > 0


def test_single_sample_steps_record_every_update(blobs):
    X, y, _, _ = blobs
    own_fell, training_loss = single_sample_steps(network(), X, y, minibatches, steps=30, learning_rate=0.05, seed=2)
    assert own_fell.shape == (30,) and training_loss.shape == (31,)
    assert own_fell.mean() > 0.9 and training_loss[-1] < training_loss[0]


def test_resuming_without_the_state_restarts_adam(blobs):
    X, y, _, _ = blobs
    runs = resume_with_and_without_state(network, X, y, minibatches, adam, {"learning_rate": 0.01},
                                         epochs_before=5, epochs_after=1, batch_size=10)
    (with_losses, with_sizes), (fresh_losses, fresh_sizes) = runs["with state"], runs["weights only"]
    assert with_losses.shape == fresh_losses.shape == (9,)
    assert with_losses[0] == fresh_losses[0]  # the same weights and the same first batch
    # a fresh Adam moves every parameter with a gradient by about lr on its first step, none by more
    bound = 0.01 * np.sqrt(sum(w.size for w in network().params.values()))
    assert 0.7 * bound < fresh_sizes[0] <= bound * (1 + 1e-9)
    assert fresh_sizes[0] > with_sizes[0]


def test_tune_and_compare_keeps_the_best_rate(blobs):
    grids = {"SGD": (sgd, [1e-4, 0.3])}
    tuning, best, finals = tune_and_compare(grids, network, *blobs, minibatches=minibatches, tune_seeds=(1,),
                                            final_seeds=(2, 3), epochs=3, batch_size=30)
    assert best["SGD"] == 0.3 and tuning["SGD"][1] > tuning["SGD"][0]
    assert len(finals["SGD"]) == 2 and finals["SGD"][0].val_acc.shape == (3,)


def test_figures_draw(blobs):
    draw_noise_and_time([1, 4], [1.0, 0.3], [1.0, 0.25], [0.2, 0.05], 90)
    draw_single_steps([2.0, 1.5, 1.7, 1.2])
    runs = {"with state": (np.ones(5), np.ones(5)), "weights only": (np.ones(5), 2 * np.ones(5))}
    draw_resumed(runs, smooth=lambda v: v)
    _, best, finals = tune_and_compare({"SGD": (sgd, [0.3])}, network, *blobs, minibatches=minibatches,
                                       tune_seeds=(1,), final_seeds=(2,), epochs=2, batch_size=30)
    draw_tuned_race(finals, best, {"SGD": "C0"}, smooth=lambda v: v)
    plt.close("all")
