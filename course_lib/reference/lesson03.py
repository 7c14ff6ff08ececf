"""Lesson 03's reference layers and the course's fully connected network, for the experiments of later lessons.

Layers follow the cs231n contract: `X_forward(...) -> (out, cache)`, `X_backward(dout, cache)`; a backward
returns the gradients of the forward's differentiable inputs, in the same order (a bare array when there is
only one). Every function works in float64, never prints and never mutates its inputs.

MLP: {affine - [batchnorm] - activation - [dropout]} x (L - 1) - affine - softmax. It takes the layers it
needs from the references of the lessons that teach them (batchnorm: lesson 06, dropout and "he"/"xavier"
initialization: lesson 07) when it is built, so a network without them works where those lessons' answers
are not published yet; any layer can be the student's own, through `layer_fn`.
"""

from __future__ import annotations

import importlib

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


_IDENTITY = (lambda x: (x, None), lambda dout, cache: dout)
# Every layer the network can use, and the lesson whose reference provides it (a single function for the loss).
LAYER_LESSONS = {"affine": "lesson03", "relu": "lesson03", "tanh": "lesson03", "sigmoid": "lesson03",
                 "linear": "lesson03", "softmax_loss": "lesson03", "batchnorm": "lesson06", "dropout": "lesson07"}
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")


def default_layer(name: str):
    """The reference (forward, backward) of a layer (the loss: one function), from the lesson that teaches it.
    Raises ImportError, saying what to do, where that lesson's answers are not available."""
    if name == "linear":
        return _IDENTITY
    lesson = LAYER_LESSONS[name]
    try:
        module = importlib.import_module(f"course_lib.reference.{lesson}")
        return getattr(module, name) if name == "softmax_loss" else (getattr(module, f"{name}_forward"),
                                                                      getattr(module, f"{name}_backward"))
    except (ImportError, AttributeError):
        raise ImportError(f"the network's {name} layer is taught in {lesson.replace('lesson', 'lesson ')}, whose answers "
                          f"are not published in this copy: pass your own as layer_fn={{{name!r}: ...}}") from None


def weight_std(init, fan_in: int, fan_out: int) -> float:
    """Standard deviation of the normal weights: a number as is, or "he" / "xavier" (lesson 07's scaling)."""
    if isinstance(init, str):
        from course_lib.reference.lesson07 import init_std

        return init_std(init, fan_in, fan_out)
    return float(init)


class MLP:
    """Multi-layer perceptron with softmax cross-entropy loss and L2 regularization 0.5 * reg * sum(W**2).

    input_dim D, hidden_dims (H1, ..., H_{L-1}) (may be empty: softmax regression), num_classes C.
    params: "W1" (D, H1), "b1" (H1,), ..., "WL" (H_{L-1}, C), "bL" (C,), plus "gamma{i}", "beta{i}" (H_i,)
    per hidden layer with batchnorm; float64, weights normal(0, std) with std the number `init` or "he" /
    "xavier" (lesson 07's scaling), or whatever init(fan_in, fan_out, rng) returns when it is a function;
    biases 0, gamma 1, beta 0.
    bn_params: one dict per hidden layer when batchnorm (mode, running_mean, running_var: zeros until the
    first training call), else [].
    dropout_keep: keep probability p of dropout after each hidden activation (None: no dropout). Masks
    come from seeds drawn from `self.rng` at each training call; reset `model.rng` to replay a mask.
    layer_fn: the student's own layers by name (LAYER_LESSONS), e.g. {"batchnorm": (my_forward, my_backward)};
    a layer not given comes from the lesson that teaches it (default_layer).
    """

    def __init__(self, input_dim, hidden_dims, num_classes, *, activation="relu", init="he",
                 batchnorm=False, dropout_keep=None, reg=0.0, layer_fn=None, rng):
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")
        unknown = set(layer_fn or {}) - set(LAYER_LESSONS)
        if unknown:
            raise ValueError(f"unknown layer name(s) in layer_fn: {sorted(unknown)}; "
                             f"known: {sorted(LAYER_LESSONS)}")
        if dropout_keep is not None and not 0.0 < dropout_keep <= 1.0:
            raise ValueError(f"dropout_keep must be in (0, 1] or None, got {dropout_keep}")
        self.activation, self.batchnorm, self.dropout_keep = activation, batchnorm, dropout_keep
        self.reg, self.rng = reg, rng
        needed = ["affine", activation, "softmax_loss"] + ["batchnorm"] * batchnorm + ["dropout"] * (dropout_keep is not None)
        self.layer_fn = {name: (layer_fn or {}).get(name) or default_layer(name) for name in needed}
        dims = [input_dim, *hidden_dims, num_classes]
        self.num_layers = len(dims) - 1
        self.params = {}
        for i, (fan_in, fan_out) in enumerate(zip(dims[:-1], dims[1:]), start=1):
            if callable(init):  # a student's initializer: init(fan_in, fan_out, rng) -> W
                W = np.asarray(init(fan_in, fan_out, rng), dtype=np.float64)
                if W.shape != (fan_in, fan_out):
                    raise ValueError(f"init gave W{i} of shape {W.shape}, expected {(fan_in, fan_out)}")
                self.params[f"W{i}"] = W
            else:
                self.params[f"W{i}"] = rng.normal(0.0, weight_std(init, fan_in, fan_out), size=(fan_in, fan_out))
            self.params[f"b{i}"] = np.zeros(fan_out)
            if batchnorm and i < self.num_layers:
                self.params[f"gamma{i}"] = np.ones(fan_out)
                self.params[f"beta{i}"] = np.zeros(fan_out)
        self.bn_params = [{"mode": "train", "running_mean": np.zeros(h), "running_var": np.zeros(h)}
                          for h in hidden_dims] if batchnorm else []

    # ------------------------------------------------------------------------------------- forward
    def _forward(self, X, mode, bn_params, rng, record=None):
        """Scores (N, C) and the caches of every layer; `record` (a dict) receives each layer's output."""
        affine_fwd = self.layer_fn["affine"][0]
        act_fwd = self.layer_fn[self.activation][0]
        caches, h = [], X
        for i in range(1, self.num_layers):
            layer = {}
            h, layer["affine"] = affine_fwd(h, self.params[f"W{i}"], self.params[f"b{i}"])
            self._record(record, f"affine{i}", h)
            if self.batchnorm:
                bn_params[i - 1]["mode"] = mode
                h, layer["batchnorm"] = self.layer_fn["batchnorm"][0](
                    h, self.params[f"gamma{i}"], self.params[f"beta{i}"], bn_params[i - 1])
                self._record(record, f"batchnorm{i}", h)
            h, layer["act"] = act_fwd(h)
            self._record(record, f"act{i}", h)
            if self.dropout_keep is not None:
                param = {"p": self.dropout_keep, "mode": mode}
                if mode == "train":  # inference leaves the rng alone, so evaluating never changes training
                    param["seed"] = int(rng.integers(2**63))
                h, layer["dropout"] = self.layer_fn["dropout"][0](h, param)
                self._record(record, f"dropout{i}", h)
            caches.append(layer)
        L = self.num_layers
        scores, last = affine_fwd(h, self.params[f"W{L}"], self.params[f"b{L}"])
        self._record(record, "scores", scores)
        return scores, caches, last

    @staticmethod
    def _record(record, name, value):
        if record is not None:
            record[name] = value

    def trace(self, X, mode="test"):
        """Every layer's output for X (N, ...), in order: "affine1", ["batchnorm1"], "act1", ["dropout1"],
        ..., "scores". Side-effect free: batchnorm running statistics are not updated and dropout masks
        come from a fixed seed, so tracing never changes what training does next."""
        if mode not in ("train", "test"):
            raise ValueError(f"mode must be 'train' or 'test', got {mode!r}")
        record = {}
        bn_copies = [dict(p) for p in self.bn_params]
        self._forward(X, mode, bn_copies, np.random.default_rng(0), record)
        return record

    # ---------------------------------------------------------------------------------------- loss
    def loss(self, X, y=None):
        """X: (N, d1, ..., dk). Without y: scores (N, C) in test mode.
        With y (N,) int labels: (loss, grads) in train mode, grads keyed and shaped like params."""
        mode = "test" if y is None else "train"
        scores, caches, last = self._forward(X, mode, self.bn_params, self.rng)
        if y is None:
            return scores
        loss, dout = self.layer_fn["softmax_loss"](scores, y)
        grads = {}
        L = self.num_layers
        affine_bwd = self.layer_fn["affine"][1]
        act_bwd = self.layer_fn[self.activation][1]
        dout, grads[f"W{L}"], grads[f"b{L}"] = affine_bwd(dout, last)
        for i in range(L - 1, 0, -1):
            layer = caches[i - 1]
            if self.dropout_keep is not None:
                dout = self.layer_fn["dropout"][1](dout, layer["dropout"])
            dout = act_bwd(dout, layer["act"])
            if self.batchnorm:
                dout, grads[f"gamma{i}"], grads[f"beta{i}"] = self.layer_fn["batchnorm"][1](
                    dout, layer["batchnorm"])
            dout, grads[f"W{i}"], grads[f"b{i}"] = affine_bwd(dout, layer["affine"])
        for i in range(1, L + 1):
            W = self.params[f"W{i}"]
            loss += 0.5 * self.reg * np.sum(W * W)
            grads[f"W{i}"] = grads[f"W{i}"] + self.reg * W
        return float(loss), {name: grads[name] for name in self.params}
