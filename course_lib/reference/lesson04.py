"""Lesson 04's reference update rules: `rule(w, dw, config=None) -> (next_w, config)`.

w and dw have the same (any) shape. Hyperparameters get their defaults with `config.setdefault`, and the
rule's state (velocity, cache, m, v, t) lives in `config`, starting at zeros when absent. The config dict
passed in is updated and returned (that is where the state lives); w and dw are never written to.
"""

from __future__ import annotations

import numpy as np


def sgd(w, dw, config=None):
    """Vanilla gradient descent: next_w = w - learning_rate * dw. Keys: learning_rate (1e-2)."""
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    return w - config["learning_rate"] * dw, config


def sgd_momentum(w, dw, config=None):
    """Momentum: v = momentum * v - learning_rate * dw; next_w = w + v.

    Keys: learning_rate (1e-2), momentum (0.9); state velocity (zeros like w).
    """
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    velocity = config.get("velocity", np.zeros_like(w))
    velocity = config["momentum"] * velocity - config["learning_rate"] * dw
    config["velocity"] = velocity
    return w + velocity, config


def adagrad(w, dw, config=None):
    """AdaGrad: cache += dw**2; next_w = w - learning_rate * dw / (sqrt(cache) + epsilon).

    Keys: learning_rate (1e-2), epsilon (1e-8); state cache (zeros like w).
    """
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("epsilon", 1e-8)
    cache = config.get("cache", np.zeros_like(w)) + dw**2
    config["cache"] = cache
    return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config


def rmsprop(w, dw, config=None):
    """RMSProp: cache = decay_rate * cache + (1 - decay_rate) * dw**2;
    next_w = w - learning_rate * dw / (sqrt(cache) + epsilon).

    Keys: learning_rate (1e-2), decay_rate (0.99), epsilon (1e-8); state cache (zeros like w).
    """
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    decay = config["decay_rate"]
    cache = decay * config.get("cache", np.zeros_like(w)) + (1.0 - decay) * dw**2
    config["cache"] = cache
    return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config


def adam(w, dw, config=None):
    """Adam with bias correction; t is incremented before use, so the first step has t = 1.

    m = beta1 * m + (1 - beta1) * dw;  v = beta2 * v + (1 - beta2) * dw**2
    next_w = w - learning_rate * m_hat / (sqrt(v_hat) + epsilon),  m_hat = m / (1 - beta1**t), same for v.
    Keys: learning_rate (1e-3), beta1 (0.9), beta2 (0.999), epsilon (1e-8); state m, v (zeros), t (0).
    """
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    beta1, beta2 = config["beta1"], config["beta2"]
    t = config.get("t", 0) + 1
    m = beta1 * config.get("m", np.zeros_like(w)) + (1.0 - beta1) * dw
    v = beta2 * config.get("v", np.zeros_like(w)) + (1.0 - beta2) * dw**2
    config["t"], config["m"], config["v"] = t, m, v
    m_hat = m / (1.0 - beta1**t)
    v_hat = v / (1.0 - beta2**t)
    return w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"]), config


def minibatches(X, y, batch_size, rng):
    """One epoch of (Xb, yb): a fresh shuffle from rng, every sample once, the last batch may be short."""
    order = rng.permutation(len(X))
    for start in range(0, len(X), batch_size):
        idx = order[start:start + batch_size]
        yield X[idx], y[idx]
