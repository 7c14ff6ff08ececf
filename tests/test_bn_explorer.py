"""The pure computation behind lesson 06's widget: running statistics of a batchnorm layer over calls."""

import numpy as np
import pytest

from course_lib.bn_explorer import RunningStatsTracker, track_running_stats


def reference_batchnorm_forward(x, gamma, beta, bn_param):
    # A plain batchnorm forward with the lesson's contract, written for this test only.
    eps, momentum = bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9)
    D = x.shape[1]
    if bn_param["mode"] == "train":
        mean, var = x.mean(axis=0), x.var(axis=0)
        bn_param["running_mean"] = momentum * bn_param.get("running_mean", np.zeros(D)) + (1 - momentum) * mean
        bn_param["running_var"] = momentum * bn_param.get("running_var", np.zeros(D)) + (1 - momentum) * var
    else:
        mean, var = bn_param.get("running_mean", np.zeros(D)), bn_param.get("running_var", np.zeros(D))
    return gamma * (x - mean) / np.sqrt(var + eps) + beta, None


@pytest.fixture
def data(rng):
    # Four features far from mean 0 / variance 1, as a hidden layer's pre-activations often are.
    return rng.normal(loc=[3.0, -2.0, 0.5, 10.0], scale=[2.0, 0.5, 1.0, 4.0], size=(2000, 4))


def test_train_mode_follows_the_exponential_average_of_batch_statistics(data, rng):
    stats = track_running_stats(reference_batchnorm_forward, data, mode="train", batch_size=50,
                                num_calls=30, momentum=0.8, rng=rng)
    assert stats.running_mean.shape == (31, 4) and stats.batch_var.shape == (30, 4)
    assert np.all(stats.running_mean[0] == 0) and np.all(stats.running_var[0] == 0)
    for t in range(30):
        np.testing.assert_allclose(stats.running_mean[t + 1], 0.8 * stats.running_mean[t] + 0.2 * stats.batch_mean[t])
        np.testing.assert_allclose(stats.running_var[t + 1], 0.8 * stats.running_var[t] + 0.2 * stats.batch_var[t])
    np.testing.assert_allclose(stats.data_mean, data.mean(axis=0))
    np.testing.assert_allclose(stats.data_var, data.var(axis=0))


def test_running_statistics_converge_and_test_mode_output_becomes_normalized(data, rng):
    stats = track_running_stats(reference_batchnorm_forward, data, mode="train", batch_size=200,
                                num_calls=150, rng=rng)
    assert np.all(np.abs(stats.running_mean[-1] - stats.data_mean) < 0.15 * np.sqrt(stats.data_var))
    np.testing.assert_allclose(stats.running_var[-1], stats.data_var, rtol=0.15)
    assert stats.test_std[0] > 100  # zero running variance: the test output is scaled by 1/sqrt(eps)
    assert abs(stats.test_mean[-1]) < 0.1 and abs(stats.test_std[-1] - 1) < 0.1


def test_tiny_batches_underestimate_the_variance(data, rng):
    # The biased variance of a batch of 2 is, on average, half the variance of the data.
    stats = track_running_stats(reference_batchnorm_forward, data, mode="train", batch_size=2,
                                num_calls=400, momentum=0.99, rng=rng)
    ratio = stats.running_var[-1] / stats.data_var
    assert np.all((ratio > 0.3) & (ratio < 0.75)), ratio


def test_test_mode_never_moves_the_running_statistics(data, rng):
    stats = track_running_stats(reference_batchnorm_forward, data, mode="test", batch_size=20, num_calls=5,
                                rng=rng)
    assert np.all(stats.running_mean == 0) and np.all(stats.running_var == 0)
    assert np.all(stats.test_std > 100)


def test_evaluation_does_not_change_what_the_layer_keeps(data, rng):
    # A layer that (wrongly) updates in test mode too: the widget's test-mode probes must not count.
    def updates_in_any_mode(x, gamma, beta, bn_param):
        bn_param["running_mean"] = bn_param.get("running_mean", np.zeros(x.shape[1])) + 1.0
        return x, None

    stats = track_running_stats(updates_in_any_mode, data, mode="train", batch_size=10, num_calls=3, rng=rng)
    np.testing.assert_allclose(stats.running_mean[:, 0], [0, 1, 2, 3])


def test_same_seed_same_trace_and_no_calls(data):
    a = track_running_stats(reference_batchnorm_forward, data, mode="train", batch_size=8, num_calls=4,
                            rng=np.random.default_rng(3))
    b = track_running_stats(reference_batchnorm_forward, data, mode="train", batch_size=8, num_calls=4,
                            rng=np.random.default_rng(3))
    np.testing.assert_array_equal(a.running_var, b.running_var)
    none = track_running_stats(reference_batchnorm_forward, data, mode="train", batch_size=8, num_calls=0,
                               rng=np.random.default_rng(3))
    assert none.running_mean.shape == (1, 4) and none.batch_mean.shape == (0, 4) and none.test_std.shape == (1,)


def test_a_longer_run_continues_a_shorter_one(data):
    # The widget keeps a tracker per setting and extends it: its first n calls are the run of n calls.
    tracker = RunningStatsTracker(reference_batchnorm_forward, data, mode="train", batch_size=16, momentum=0.7,
                                  rng=np.random.default_rng(5))
    tracker.extend(6).extend(9)
    assert tracker.calls == 15
    for n in (0, 6, 11, 15):
        alone = track_running_stats(reference_batchnorm_forward, data, mode="train", batch_size=16, num_calls=n,
                                    momentum=0.7, rng=np.random.default_rng(5))
        part = tracker.stats(n)
        for field in ("running_mean", "running_var", "batch_mean", "batch_var", "test_mean", "test_std"):
            np.testing.assert_array_equal(getattr(part, field), getattr(alone, field), err_msg=f"{field}, n = {n}")
    with pytest.raises(ValueError, match="num_calls"):
        tracker.stats(16)


@pytest.mark.parametrize("kwargs, message", [({"mode": "eval"}, "mode"), ({"batch_size": 0}, "batch_size"),
                                             ({"batch_size": 5000}, "batch_size")])
def test_bad_arguments_are_refused(data, rng, kwargs, message):
    args = {"mode": "train", "batch_size": 10, "num_calls": 2, **kwargs}
    with pytest.raises(ValueError, match=message):
        track_running_stats(reference_batchnorm_forward, data, rng=rng, **args)
