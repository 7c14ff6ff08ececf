"""A fully connected network built from course_lib.layers, for the lessons' experiments.

Architecture: {affine - [batchnorm] - activation - [dropout]} x (L - 1) - affine - softmax.
Any layer can be swapped for a student's implementation through `layer_fn`, so a lesson can run the
student's batchnorm (say) inside an otherwise trusted network.
"""

from __future__ import annotations

import numpy as np

from course_lib import layers

_IDENTITY = (lambda x: (x, None), lambda dout, cache: dout)

# name -> (forward, backward); "softmax_loss" is a single function (scores, y) -> (loss, dscores).
DEFAULT_LAYERS = {
    "affine": (layers.affine_forward, layers.affine_backward),
    "relu": (layers.relu_forward, layers.relu_backward),
    "tanh": (layers.tanh_forward, layers.tanh_backward),
    "sigmoid": (layers.sigmoid_forward, layers.sigmoid_backward),
    "linear": _IDENTITY,
    "batchnorm": (layers.batchnorm_forward, layers.batchnorm_backward),
    "dropout": (layers.dropout_forward, layers.dropout_backward),
    "softmax_loss": layers.softmax_loss,
}
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")


def init_std(init, fan_in: int, fan_out: int) -> float:
    """Standard deviation of the normal weights: "he" sqrt(2 / fan_in), "xavier" sqrt(2 / (fan_in + fan_out)),
    or a number used as is."""
    if isinstance(init, str):
        if init == "he":
            return float(np.sqrt(2.0 / fan_in))
        if init == "xavier":
            return float(np.sqrt(2.0 / (fan_in + fan_out)))
        raise ValueError(f"init must be 'he', 'xavier' or a number (the weight std), got {init!r}")
    return float(init)


class MLP:
    """Multi-layer perceptron with softmax cross-entropy loss and L2 regularization 0.5 * reg * sum(W**2).

    input_dim D, hidden_dims (H1, ..., H_{L-1}) (may be empty: softmax regression), num_classes C.
    params: "W1" (D, H1), "b1" (H1,), ..., "WL" (H_{L-1}, C), "bL" (C,), plus "gamma{i}", "beta{i}" (H_i,)
    per hidden layer with batchnorm; float64, weights normal(0, init_std), biases 0, gamma 1, beta 0.
    bn_params: one dict per hidden layer when batchnorm (mode, running_mean, running_var: zeros until the
    first training call), else [].
    dropout_keep: keep probability p of dropout after each hidden activation (None: no dropout). Masks
    come from seeds drawn from `self.rng` at each training call; reset `model.rng` to replay a mask.
    layer_fn: overrides of DEFAULT_LAYERS by name, e.g. {"batchnorm": (my_forward, my_backward)}.
    """

    def __init__(self, input_dim, hidden_dims, num_classes, *, activation="relu", init="he",
                 batchnorm=False, dropout_keep=None, reg=0.0, layer_fn=None, rng):
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")
        unknown = set(layer_fn or {}) - set(DEFAULT_LAYERS)
        if unknown:
            raise ValueError(f"unknown layer name(s) in layer_fn: {sorted(unknown)}; "
                             f"known: {sorted(DEFAULT_LAYERS)}")
        if dropout_keep is not None and not 0.0 < dropout_keep <= 1.0:
            raise ValueError(f"dropout_keep must be in (0, 1] or None, got {dropout_keep}")
        self.activation, self.batchnorm, self.dropout_keep = activation, batchnorm, dropout_keep
        self.reg, self.rng = reg, rng
        self.layer_fn = {**DEFAULT_LAYERS, **(layer_fn or {})}
        dims = [input_dim, *hidden_dims, num_classes]
        self.num_layers = len(dims) - 1
        self.params = {}
        for i, (fan_in, fan_out) in enumerate(zip(dims[:-1], dims[1:]), start=1):
            std = init_std(init, fan_in, fan_out)
            self.params[f"W{i}"] = rng.normal(0.0, std, size=(fan_in, fan_out))
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
