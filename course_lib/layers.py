"""Reference layers with the cs231n contract: `X_forward(...) -> (out, cache)`, `X_backward(dout, cache)`.

A backward returns the gradients of the forward's differentiable inputs, in the same order (a bare array
when there is only one). Every function works in float64, never prints and never mutates its inputs; the
only state that changes is `bn_param`'s running statistics, as documented.
"""

from __future__ import annotations

import numpy as np


# ---------------------------------------------------------------------------------------------- affine
def affine_forward(x, w, b):
    """out = x.reshape(N, D) @ w + b.

    x: (N, d1, ..., dk) with D = d1 * ... * dk; w: (D, M); b: (M,).
    Returns out (N, M) and cache (x, w).
    """
    out = x.reshape(x.shape[0], -1) @ w + b
    return out, (x, w)


def affine_backward(dout, cache):
    """dout: (N, M). Returns dx (N, d1, ..., dk), dw (D, M), db (M,)."""
    x, w = cache
    dx = (dout @ w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T @ dout
    db = dout.sum(axis=0)
    return dx, dw, db


# ---------------------------------------------------------------------------------------- activations
def relu_forward(x):
    """out = max(0, x), any shape. Returns out and cache x."""
    return np.maximum(x, 0.0), x


def relu_backward(dout, cache):
    """dx = dout where x > 0, else 0 (the subgradient at exactly 0 is taken as 0). Same shape as x."""
    return dout * (cache > 0)


def tanh_forward(x):
    """out = tanh(x), any shape. Returns out and cache out (the derivative only needs the output)."""
    out = np.tanh(x)
    return out, out


def tanh_backward(dout, cache):
    """dx = dout * (1 - tanh(x)^2). Same shape as x."""
    return dout * (1.0 - cache**2)


def sigmoid_forward(x):
    """out = 1 / (1 + exp(-x)), any shape, without overflow for large |x|. Returns out and cache out."""
    z = np.exp(-np.abs(x))  # in (0, 1]: never overflows
    out = np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))
    return out, out


def sigmoid_backward(dout, cache):
    """dx = dout * s * (1 - s) with s = sigmoid(x). Same shape as x."""
    return dout * cache * (1.0 - cache)


# ---------------------------------------------------------------------------------------------- loss
def softmax_loss(scores, y):
    """Mean softmax cross-entropy.

    scores: (N, C) raw class scores; y: (N,) integer labels in [0, C).
    Returns loss (float) and dscores (N, C) = (softmax(scores) - onehot(y)) / N.
    """
    n = scores.shape[0]
    shifted = scores - scores.max(axis=1, keepdims=True)  # exp never overflows; softmax is unchanged
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(n)
    loss = -log_probs[rows, y].mean()
    dscores = np.exp(log_probs)
    dscores[rows, y] -= 1.0
    return float(loss), dscores / n


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


# ------------------------------------------------------------------------------------------ dropout
def dropout_forward(x, dropout_param):
    """Inverted dropout: keep each unit with probability p and scale it by 1/p, so test mode is identity.

    x: any shape. dropout_param keys: p (keep probability, 0 < p <= 1, required), mode "train" | "test"
    (required), seed (int: the mask is drawn from numpy.random.default_rng(seed); when absent a fresh
    unseeded Generator is used, never the global RNG).
    Returns out (same shape as x) and cache (mask, or None in test mode).
    """
    p, mode = dropout_param["p"], dropout_param["mode"]
    if not 0.0 < p <= 1.0:
        raise ValueError(f"dropout keep probability p must be in (0, 1], got {p}")
    if mode == "test":
        return x, None
    if mode != "train":
        raise ValueError(f"dropout_param['mode'] must be 'train' or 'test', got {mode!r}")
    rng = np.random.default_rng(dropout_param.get("seed"))
    mask = (rng.random(x.shape) < p) / p
    return x * mask, mask


def dropout_backward(dout, cache):
    """dx = dout * mask (train mode) or dout (test mode). Same shape as x."""
    return dout if cache is None else dout * cache
