"""The training loop: the caller's rule and mini-batches, learning on the digits, History, divergence, silence."""

import warnings

import numpy as np
import pytest

from references import layers, optim
from course_lib.data import load_digits_split
from course_lib.reference.lesson03 import MLP
from course_lib.reference.lesson04 import minibatches
from course_lib.training import History, accuracy, in_order, train


def batches_of(size):
    """The caller's mini-batches (here the published reference's): what a lesson passes to train."""
    return lambda X, y, rng: minibatches(X, y, size, rng)


BATCHES = batches_of(100)


@pytest.fixture(scope="module")
def digits():
    return load_digits_split(np.random.default_rng(0))


@pytest.fixture(autouse=True)
def quiet(monkeypatch):
    monkeypatch.setenv("COURSE_QUIET", "1")


class SoftmaxRegression:
    """Not an MLP: train() must work with anything that has .params and .loss(X, y=None)."""

    def __init__(self, d, c):
        self.params = {"W": np.zeros((d, c))}

    def loss(self, X, y=None):
        scores = X @ self.params["W"]
        if y is None:
            return scores
        loss, dscores = layers.softmax_loss(scores, y)
        return loss, {"W": X.T @ dscores}


def test_reference_minibatches_cover_every_sample_once(rng):
    X, y = np.arange(23.0)[:, None], np.arange(23)
    batches = list(minibatches(X, y, 5, rng))
    assert [len(yb) for _, yb in batches] == [5, 5, 5, 5, 3]
    np.testing.assert_array_equal(np.sort(np.concatenate([yb for _, yb in batches])), y)
    assert all(np.array_equal(Xb[:, 0], yb) for Xb, yb in batches)
    again = np.concatenate([yb for _, yb in minibatches(X, y, 5, rng)])
    assert not np.array_equal(np.concatenate([yb for _, yb in batches]), again)  # reshuffled each epoch


def test_training_needs_the_lessons_rule_and_batches(rng):
    model = SoftmaxRegression(2, 2)
    data = (np.zeros((4, 2)), np.zeros(4, int), np.zeros((1, 2)), np.zeros(1, int))
    with pytest.raises(TypeError, match="update"):
        train(model, *data, rng=rng)  # no plain-step default and no batching of its own
    with pytest.raises(TypeError, match="batches"):
        train(model, *data, update=optim.sgd, batches=None, rng=rng)


def test_in_order_keeps_the_data_order_and_rejects_empty_batches():
    X, y = np.arange(10.0)[:, None], np.arange(10)
    batches = in_order(4)(X, y, np.random.default_rng(0))
    assert [yb.tolist() for _, yb in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert all(np.array_equal(Xb[:, 0], yb) for Xb, yb in batches)
    with pytest.raises(ValueError, match="batch_size"):
        in_order(0)


def test_every_epoch_asks_the_caller_for_its_batches(digits):
    calls = []

    def counting(X, y, rng):
        calls.append(len(y))
        return minibatches(X, y, 200, rng)

    model = SoftmaxRegression(64, 10)
    h = train(model, digits.X_train, digits.y_train, digits.X_val, digits.y_val, update=optim.sgd, batches=counting,
              epochs=3, rng=np.random.default_rng(9))
    assert calls == [len(digits.y_train)] * 3
    assert h.loss.shape == (3 * -(-len(digits.y_train) // 200),)


def test_accuracy_hand_case():
    class Fixed:
        def loss(self, X, y=None):
            return X  # the inputs are the scores

    scores = np.array([[0.0, 1.0], [2.0, 1.0], [0.0, 3.0], [5.0, 4.0]])
    # predictions 1, 0, 1, 0 vs labels 1, 1, 1, 0: three of four right, also when scored in batches of 3
    assert accuracy(Fixed(), scores, np.array([1, 1, 1, 0]), batch_size=3) == 0.75


def test_mlp_learns_digits_quickly_and_history_is_filled(digits):
    model = MLP(64, [100], 10, rng=np.random.default_rng(1))
    h = train(model, digits.X_train, digits.y_train, digits.X_val, digits.y_val, update=optim.adam,
              batches=BATCHES, optim_config={"learning_rate": 1e-2}, epochs=10, lr_decay=0.9,
              rng=np.random.default_rng(2))
    assert isinstance(h, History) and not h.diverged
    per_epoch = -(-len(digits.y_train) // 100)  # 1257 images: 13 batches, the last one short
    assert h.loss.shape == (10 * per_epoch,) and h.loss.dtype == np.float64
    assert h.train_acc.shape == h.val_acc.shape == h.lr.shape == (10,)
    np.testing.assert_allclose(h.lr, 1e-2 * 0.9 ** np.arange(10))
    assert h.val_acc.max() > 0.9 and accuracy(model, digits.X_val, digits.y_val) == h.val_acc[-1]
    assert h.loss[-per_epoch:].mean() < 0.5 * h.loss[:per_epoch].mean()
    assert h.seconds > 0  # speed is measured in bench/, not asserted here
    best = int(np.argmax(h.val_acc))
    assert set(h.best_params) == set(model.params)
    if best == 9:
        assert all(np.array_equal(h.best_params[k], model.params[k]) for k in model.params)


def test_best_params_are_copies_of_the_best_epoch(digits):
    model = MLP(64, [30], 10, rng=np.random.default_rng(1))
    h = train(model, digits.X_train, digits.y_train, digits.X_val, digits.y_val, update=optim.sgd, batches=BATCHES,
              optim_config={"learning_rate": 0.5}, epochs=4, rng=np.random.default_rng(3))
    best = MLP(64, [30], 10, rng=np.random.default_rng(1))
    best.params = h.best_params
    assert accuracy(best, digits.X_val, digits.y_val) == h.val_acc.max()
    assert all(h.best_params[k] is not model.params[k] for k in model.params)


def test_config_is_not_modified_and_sgd_learns(digits):
    config = {"learning_rate": 0.5}
    model = SoftmaxRegression(64, 10)
    train(model, digits.X_train, digits.y_train, digits.X_val, digits.y_val, update=optim.sgd,
          batches=batches_of(200), optim_config=config, epochs=2, rng=np.random.default_rng(4))
    assert config == {"learning_rate": 0.5}
    assert accuracy(model, digits.X_val, digits.y_val) > 0.7  # chance is 0.1


def test_each_parameter_gets_its_own_config(digits):
    seen = {}

    def recording_momentum(w, dw, config):
        seen.setdefault(id(config), w.shape)
        return optim.sgd_momentum(w, dw, config)

    model = MLP(64, [8], 10, rng=np.random.default_rng(1))
    train(model, digits.X_train, digits.y_train, digits.X_val, digits.y_val, update=recording_momentum,
          batches=BATCHES, optim_config={"learning_rate": 0.05}, epochs=1, rng=np.random.default_rng(5))
    assert sorted(seen.values()) == sorted(p.shape for p in model.params.values())


def test_default_learning_rate_is_recorded(digits):
    model = SoftmaxRegression(64, 10)
    h = train(model, digits.X_train, digits.y_train, digits.X_val, digits.y_val, update=optim.adam,
              batches=BATCHES, epochs=2, lr_decay=0.5, rng=np.random.default_rng(6))
    np.testing.assert_allclose(h.lr, [1e-3, 5e-4])  # Adam's own default, then decayed


def test_huge_learning_rate_diverges_early_and_silently(digits, capfd):
    model = MLP(64, [100], 10, rng=np.random.default_rng(1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # overflow warnings would reach the notebook's stderr
        h = train(model, digits.X_train, digits.y_train, digits.X_val, digits.y_val, update=optim.sgd,
                  batches=BATCHES, optim_config={"learning_rate": 1e4}, epochs=10, rng=np.random.default_rng(7))
    assert h.diverged and len(h.loss) < 13
    assert h.val_acc.shape == (0,) and h.best_params is None
    assert capfd.readouterr() == ("", "")


def test_non_finite_loss_diverges_without_the_ratio_check(digits):
    model = MLP(64, [100, 100], 10, rng=np.random.default_rng(1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h = train(model, digits.X_train, digits.y_train, digits.X_val, digits.y_val, update=optim.sgd,
                  batches=BATCHES, optim_config={"learning_rate": 1e12}, epochs=5, max_loss_ratio=None,
                  rng=np.random.default_rng(2))
    assert h.diverged and not np.isfinite(h.loss[-1]) and np.all(np.isfinite(h.loss[:-1]))


def test_quiet_training_writes_nothing(digits, capfd):
    model = MLP(64, [20], 10, rng=np.random.default_rng(1))
    train(model, digits.X_train, digits.y_train, digits.X_val, digits.y_val, update=optim.sgd, batches=in_order(100),
          epochs=2, optim_config={"learning_rate": 0.1}, rng=np.random.default_rng(8))
    assert capfd.readouterr() == ("", "")
