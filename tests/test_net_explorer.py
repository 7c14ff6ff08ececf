"""Lesson 03's network explorer: train_curves is deterministic, honest about divergence, and cheap."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib.data import make_blobs
from course_lib.reference.lesson03 import MLP
from course_lib.net_explorer import Curves, draw_curves, smooth, train_curves


def two_layer(input_dim, hidden_dim, num_classes, weight_scale, reg, rng):
    """A two-layer net with TwoLayerNet's signature, built from the reference MLP."""
    return MLP(input_dim, [hidden_dim], num_classes, init=weight_scale, reg=reg, rng=rng)


@pytest.fixture(autouse=True)
def quiet(monkeypatch):
    monkeypatch.setenv("COURSE_QUIET", "1")  # no progress bars in the test log


@pytest.fixture(scope="module")
def blobs():
    gen = np.random.default_rng(0)
    X, y = make_blobs(40, [[0, 0], [3, 0], [0, 3]], gen, std=0.6)
    order = gen.permutation(len(y))
    X, y = X[order], y[order]
    return X[:90], y[:90], X[90:], y[90:]


def test_curves_have_one_entry_per_iteration_and_epoch(blobs):
    curves = train_curves(two_layer, *blobs, hidden_dim=8, learning_rate=0.5, reg=1e-3, weight_scale=0.5,
                          epochs=10, batch_size=20)
    assert isinstance(curves, Curves)
    assert curves.loss.shape == (10 * 5,)  # 90 samples in batches of 20: 5 per epoch
    assert curves.train_acc.shape == curves.val_acc.shape == (10,)
    assert not curves.diverged
    assert curves.initial_loss == pytest.approx(np.log(3), abs=0.5)
    assert curves.val_acc[-1] > 0.9 and smooth(curves.loss)[-1] < curves.initial_loss


def test_same_arguments_same_curves_and_seed_matters(blobs):
    kwargs = dict(hidden_dim=6, learning_rate=0.2, reg=0.0, epochs=3, batch_size=30)
    a = train_curves(two_layer, *blobs, seed=1, **kwargs)
    b = train_curves(two_layer, *blobs, seed=1, **kwargs)
    c = train_curves(two_layer, *blobs, seed=2, **kwargs)
    assert np.array_equal(a.loss, b.loss) and np.array_equal(a.val_acc, b.val_acc)
    assert not np.array_equal(a.loss, c.loss)


def test_the_factory_receives_the_shapes_and_hyperparameters(blobs):
    seen = {}

    def factory(input_dim, hidden_dim, num_classes, weight_scale, reg, rng):
        seen.update(input_dim=input_dim, hidden_dim=hidden_dim, num_classes=num_classes,
                    weight_scale=weight_scale, reg=reg, rng=rng)
        return two_layer(input_dim, hidden_dim, num_classes, weight_scale, reg, rng)

    X_train, y_train, X_val, y_val = blobs
    images = np.repeat(X_train[:, :, None], 3, axis=2)  # (N, 2, 3): flattened to 6 inputs
    val_images = np.repeat(X_val[:, :, None], 3, axis=2)
    train_curves(factory, images, y_train, val_images, y_val, hidden_dim=4, learning_rate=0.1, reg=0.5,
                 weight_scale=0.05, epochs=1)
    assert seen["input_dim"] == 6 and seen["hidden_dim"] == 4 and seen["num_classes"] == 3
    assert seen["weight_scale"] == 0.05 and seen["reg"] == 0.5
    assert isinstance(seen["rng"], np.random.Generator)


def test_zero_learning_rate_leaves_the_loss_at_its_start(blobs):
    curves = train_curves(two_layer, *blobs, hidden_dim=5, learning_rate=0.0, reg=0.0, epochs=2, batch_size=90)
    assert np.allclose(curves.loss, curves.initial_loss)


def test_strong_regularization_costs_accuracy(blobs):
    settings = dict(hidden_dim=8, learning_rate=0.5, weight_scale=0.5, epochs=10, batch_size=20)
    mild = train_curves(two_layer, *blobs, reg=1e-3, **settings)
    crushed = train_curves(two_layer, *blobs, reg=3.0, **settings)
    assert crushed.val_acc[-1] < mild.val_acc[-1]


def test_divergence_is_reported_not_raised(blobs):
    curves = train_curves(two_layer, *blobs, hidden_dim=8, learning_rate=1e6, reg=0.0, weight_scale=10.0,
                          epochs=3, batch_size=30)
    assert curves.diverged
    axes = draw_curves(curves)
    assert "diverged" in axes[0].get_title()
    plt.close("all")


def test_bad_arguments_are_refused(blobs):
    with pytest.raises(ValueError):
        train_curves(two_layer, *blobs, hidden_dim=0, learning_rate=0.1, reg=0.0)


def test_smooth_is_a_trailing_mean():
    assert np.allclose(smooth([2.0, 4.0, 6.0, 8.0], window=2), [2.0, 3.0, 5.0, 7.0])
    assert np.allclose(smooth([1.0, 2.0, 3.0], window=10), [1.0, 1.5, 2.0])
    assert smooth([]).size == 0


def test_draw_curves_makes_two_labelled_panels(blobs):
    curves = train_curves(two_layer, *blobs, hidden_dim=4, learning_rate=0.2, reg=0.0, epochs=2)
    ax_loss, ax_acc = draw_curves(curves, title="blobs", num_classes=3)
    assert ax_loss.get_xlabel() == "iteration" and ax_acc.get_xlabel() == "epoch"
    labels = [line.get_label() for line in ax_acc.get_lines()]
    assert labels == ["train", "validation"]
    assert any("ln 3" in line.get_label() for line in ax_loss.get_lines())
    plt.close("all")
