"""The shipped data set and the toy generators."""

import numpy as np
import pytest

from course_lib import data


def test_digits_ship_with_the_package():
    X, y = data.load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and set(np.unique(y)) == set(range(10))
    assert X.min() == 0 and X.max() == 16


def test_split_is_a_seeded_partition():
    X, y = data.load_digits()
    a = data.split(X, y, np.random.default_rng(0))
    b = data.split(X, y, np.random.default_rng(0))
    c = data.split(X, y, np.random.default_rng(1))
    assert all(np.array_equal(p, q) for p, q in zip(a, b))
    assert not np.array_equal(a.y_train, c.y_train)
    assert len(a.X_train) + len(a.X_val) + len(a.X_test) == len(X)
    rows = np.concatenate([a.X_train, a.X_val, a.X_test])
    assert np.array_equal(np.unique(rows, axis=0), np.unique(X, axis=0))


def test_split_refuses_bad_fractions():
    X, y = np.zeros((10, 2)), np.zeros(10)
    with pytest.raises(ValueError, match="fraction"):
        data.split(X, y, np.random.default_rng(0), val_fraction=0.6, test_fraction=0.5)
    with pytest.raises(ValueError, match="rows"):
        data.split(X, y[:5], np.random.default_rng(0))


def test_digits_split_is_scaled_and_bias_column_added():
    s = data.load_digits_split(np.random.default_rng(0))
    assert 0 <= s.X_train.min() and s.X_train.max() <= 1
    Xb = data.add_bias_column(s.X_train)
    assert Xb.shape == (len(s.X_train), 65) and np.all(Xb[:, -1] == 1)


def test_toy_generators_are_deterministic_per_generator():
    X1, y1 = data.make_spirals(50, 3, np.random.default_rng(3))
    X2, y2 = data.make_spirals(50, 3, np.random.default_rng(3))
    assert X1.shape == (150, 2) and np.array_equal(X1, X2) and np.bincount(y1).tolist() == [50, 50, 50]
    Xb, yb = data.make_blobs(20, [[0, 0], [5, 5]], np.random.default_rng(0), std=0.1)
    assert Xb.shape == (40, 2)
    assert np.allclose(Xb[yb == 1].mean(axis=0), [5, 5], atol=0.1)
