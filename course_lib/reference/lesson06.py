"""Lesson 06's reference batch normalization (cs231n contract; `bn_param`'s running statistics are the only
state that changes, as documented)."""

from __future__ import annotations

import numpy as np


# --------------------------------------------------------------------------------------- batchnorm
def batchnorm_forward(x, gamma, beta, bn_param):
    """Batch normalization of each feature (column) of x.

    x: (N, D); gamma, beta: (D,). bn_param keys: mode "train" | "test" (required), eps (1e-5),
    momentum (0.9), running_mean, running_var ((D,), zeros when absent).
    Train mode normalizes with the batch mean and (biased) variance and updates
    running = momentum * running + (1 - momentum) * batch statistic in bn_param (new arrays are stored;
    the old ones are not written to). Test mode normalizes with the running statistics.
    Returns out (N, D) and cache.
    """
    mode = bn_param["mode"]
    eps = bn_param.setdefault("eps", 1e-5)
    momentum = bn_param.setdefault("momentum", 0.9)
    running_mean = bn_param.get("running_mean", np.zeros(x.shape[1]))
    running_var = bn_param.get("running_var", np.zeros(x.shape[1]))
    if mode == "train":
        mean, var = x.mean(axis=0), x.var(axis=0)
        bn_param["running_mean"] = momentum * running_mean + (1.0 - momentum) * mean
        bn_param["running_var"] = momentum * running_var + (1.0 - momentum) * var
    elif mode == "test":
        mean, var = running_mean, running_var
        bn_param.setdefault("running_mean", running_mean)
        bn_param.setdefault("running_var", running_var)
    else:
        raise ValueError(f"bn_param['mode'] must be 'train' or 'test', got {mode!r}")
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mean) * inv_std
    return gamma * x_hat + beta, (x_hat, gamma, inv_std, mode)


def batchnorm_backward(dout, cache):
    """dout: (N, D). Returns dx (N, D), dgamma (D,), dbeta (D,).

    Train mode, compact form: dx = inv_std / N * (N * dx_hat - sum(dx_hat) - x_hat * sum(dx_hat * x_hat)),
    sums over the batch axis, dx_hat = dout * gamma. Test mode is an affine map: dx = dx_hat * inv_std.
    """
    x_hat, gamma, inv_std, mode = cache
    dgamma = np.sum(dout * x_hat, axis=0)
    dbeta = dout.sum(axis=0)
    dx_hat = dout * gamma
    if mode == "test":
        return dx_hat * inv_std, dgamma, dbeta
    n = dout.shape[0]
    dx = (inv_std / n) * (n * dx_hat - dx_hat.sum(axis=0) - x_hat * np.sum(dx_hat * x_hat, axis=0))
    return dx, dgamma, dbeta
