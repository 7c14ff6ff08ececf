"""Lesson 09's data set and widget computation (course_lib.capstone): the spirals with wrong labels, the
decision map, and a run that orchestrates a model and a training function it is given."""

import numpy as np
import pytest

from course_lib.capstone import BOUNDS, accuracy, decision_map, grid, make_capstone_data, memorized, regularization_run


def test_the_data_set_is_fixed_and_has_the_stated_sizes():
    data = make_capstone_data()
    again = make_capstone_data()
    for key, value in data.items():
        np.testing.assert_array_equal(value, again[key])
    assert data["X_train"].shape == (120, 2) and data["X_val"].shape == (300, 2) and data["X_test"].shape == (300, 2)
    assert data["X_train"].dtype == np.float64 and data["y_train"].dtype == np.int64
    assert sorted(np.unique(data["y_train"]).tolist()) == [0, 1, 2]
    assert np.bincount(data["y_val"]).tolist() == [100, 100, 100]
    every_x = np.concatenate([data["X_train"], data["X_val"], data["X_test"]])
    assert np.all(np.abs(every_x) < BOUNDS[1])


def test_exactly_the_stated_share_of_training_labels_is_wrong_and_only_those():
    data = make_capstone_data()
    assert int(data["wrong_label"].sum()) == 24
    clean = make_capstone_data(wrong_fraction=0.0)
    np.testing.assert_array_equal(clean["X_train"], data["X_train"])
    changed = clean["y_train"] != data["y_train"]
    np.testing.assert_array_equal(changed, data["wrong_label"])  # every marked label differs, nothing else does
    assert not clean["wrong_label"].any()
    # The validation and test labels are the spirals' own.
    np.testing.assert_array_equal(clean["y_val"], data["y_val"])


def test_other_seeds_and_sizes_give_other_data():
    data = make_capstone_data()
    other = make_capstone_data(seed=1)
    assert not np.allclose(other["X_train"], data["X_train"])
    small = make_capstone_data(n_train_per_class=10, n_eval_per_class=5, wrong_fraction=0.1)
    assert small["X_train"].shape == (30, 2) and small["X_val"].shape == (15, 2) and small["wrong_label"].sum() == 3
    with pytest.raises(ValueError):
        make_capstone_data(wrong_fraction=1.0)


def test_grid_and_decision_map_cover_the_square_row_by_row():
    xx, yy, points = grid(5)
    assert xx.shape == yy.shape == (5, 5) and points.shape == (25, 2)
    np.testing.assert_allclose(points[:5, 1], BOUNDS[0])          # the first row of the grid, at the bottom
    np.testing.assert_allclose(points[:5, 0], np.linspace(*BOUNDS, 5))
    # A "model" that prefers class 0 left of x = 0, class 1 right of it, and never class 2.
    xx, yy, labels = decision_map(lambda p: np.column_stack([-p[:, 0], p[:, 0], np.full(len(p), -9.0)]), steps=6)
    assert labels.shape == (6, 6)
    np.testing.assert_array_equal(labels, (xx > 0).astype(int))
    with pytest.raises(ValueError):
        decision_map(lambda p: p[:, 0], steps=4)


def test_accuracy_and_memorized_count_what_they_say():
    data = {"y_train": np.array([0, 1, 2, 0]), "wrong_label": np.array([False, True, True, False])}
    scores = np.eye(3)[[0, 1, 0, 2]]  # predicts 0, 1, 0, 2
    assert accuracy(scores, data["y_train"]) == 0.5
    assert memorized(scores, data) == 0.5  # of the two wrong labels, the one at index 1 is reproduced


class LookupModel:
    """A model that predicts class 0 everywhere until `fit` stores the training labels (nearest point)."""

    def __init__(self, hidden_dims, keep, reg, batchnorm, rng):
        self.built_with = (list(hidden_dims), keep, reg, batchnorm)
        self.params = {"w": np.zeros(1)}
        self.X = self.y = None

    def loss(self, X, y=None):
        assert y is None, "regularization_run only asks for scores"
        scores = np.zeros((len(X), 3))
        if self.X is None:
            scores[:, 0] = 1.0
            return scores
        nearest = np.argmin(((X[:, None, :] - self.X[None, :, :]) ** 2).sum(axis=2), axis=1)
        scores[np.arange(len(X)), self.y[nearest]] = 1.0
        return scores


def memorize_all(model, data, *, update, epochs, batch_size, lr, rng):
    assert batch_size == len(data["y_train"]), "the widget trains with full batches"
    assert update == "rule" and (epochs, lr) == (7, 0.5)
    model.X, model.y = data["X_train"], data["y_train"]
    return {"loss": [0.0] * epochs, "train_acc": [1.0] * epochs, "val_acc": [0.5] * epochs, "configs": {}}


def test_a_run_builds_trains_and_measures_the_model_it_is_given():
    data = make_capstone_data()
    run = regularization_run(LookupModel, memorize_all, "rule", data, depth=2, width=8, keep=1.0, reg=0.1, epochs=7,
                             lr=0.5, map_steps=10)
    assert run.history["loss"] == [0.0] * 7
    assert run.train_acc == 1.0 and run.memorized == 1.0  # nearest neighbour on its own training set: every label
    assert 0.6 < run.val_acc < 1.0  # ... which the wrong labels cost on clean data
    assert run.labels.shape == (10, 10) and run.xx.shape == (10, 10)
    # keep >= 1 means no dropout at all (None), anything lower is passed on.
    built = []
    for keep in (1.0, 0.5):
        regularization_run(lambda *args: built.append(args[:4]) or LookupModel(*args), memorize_all, "rule", data,
                           depth=3, keep=keep, epochs=7, lr=0.5, map_steps=4)
    assert built == [([64, 64, 64], None, 0.0, False), ([64, 64, 64], 0.5, 0.0, False)]
    with pytest.raises(ValueError):
        regularization_run(LookupModel, memorize_all, "rule", data, depth=0)
