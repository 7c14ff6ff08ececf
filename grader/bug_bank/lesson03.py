"""Known-wrong implementations for lesson 03 (layers and a two-layer network).

Each is a mistake a student could plausibly make; planted after the correct definition, it must lose the
points of its own function's test cells. Backward bugs read the cache of the reference forward passes
((x, w, b) for affine, x for ReLU). The TwoLayerNet bugs are the reference class with one part changed.
"""

from grader.bug_bank import Bug

LESSON = "03_layers_and_networks"

_NET = '''class TwoLayerNet:
    """Reference TwoLayerNet (lesson 03 solution); the bugs below each change one part of it."""

    def __init__(self, input_dim, hidden_dim, num_classes, weight_scale=1e-3, reg=0.0, rng=None):
        rng = np.random.default_rng() if rng is None else rng
        self.reg = reg
        self.params = {
            "W1": rng.normal(0.0, weight_scale, size=(input_dim, hidden_dim)),
            "b1": np.zeros(hidden_dim),
            "W2": rng.normal(0.0, weight_scale, size=(hidden_dim, num_classes)),
            "b2": np.zeros(num_classes),
        }

    def loss(self, X, y=None):
        W1, b1, W2, b2 = self.params["W1"], self.params["b1"], self.params["W2"], self.params["b2"]
        hidden, affine1_cache = affine_forward(X, W1, b1)
        activated, relu_cache = relu_forward(hidden)
        scores, affine2_cache = affine_forward(activated, W2, b2)
        if y is None:
            return scores
        data_loss, dscores = softmax_loss(scores, y)
        loss = data_loss + 0.5 * self.reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
        dactivated, dW2, db2 = affine_backward(dscores, affine2_cache)
        dhidden = relu_backward(dactivated, relu_cache)
        _, dW1, db1 = affine_backward(dhidden, affine1_cache)
        grads = {"W1": dW1 + self.reg * W1, "b1": db1, "W2": dW2 + self.reg * W2, "b2": db2}
        return float(loss), grads
'''


def _net_with(*changes: tuple[str, str]) -> str:
    """The reference TwoLayerNet with each (old, new) snippet replaced; every old snippet must occur."""
    source = _NET
    for old, new in changes:
        if old not in source:
            raise ValueError(f"bug template: snippet not found: {old!r}")
        source = source.replace(old, new)
    return source


BUGS = [
    # --- affine_forward ------------------------------------------------------------------------------
    Bug("affine_forward", "forgets_the_bias", '''def affine_forward(x, w, b):
    out = x.reshape(x.shape[0], -1) @ w
    return out, (x, w, b)
'''),
    Bug("affine_forward", "does_not_flatten", '''def affine_forward(x, w, b):
    out = x @ w + b
    return out, (x, w, b)
'''),
    Bug("affine_forward", "flattens_in_the_wrong_order", '''def affine_forward(x, w, b):
    rows = x.reshape(-1, x.shape[0]).T
    return rows @ w + b, (x, w, b)
'''),
    Bug("affine_forward", "reshapes_the_callers_array", '''def affine_forward(x, w, b):
    x.shape = (x.shape[0], -1)
    return x @ w + b, (x, w, b)
'''),
    Bug("affine_forward", "bias_subtracted", '''def affine_forward(x, w, b):
    out = x.reshape(x.shape[0], -1) @ w - b
    return out, (x, w, b)
'''),
    Bug("affine_forward", "adds_only_the_first_bias_entry", '''def affine_forward(x, w, b):
    out = x.reshape(x.shape[0], -1) @ w
    out += b[0]
    return out, (x, w, b)
'''),
    # --- affine_backward (the cache is (x, w, b)) ---------------------------------------------------
    Bug("affine_backward", "db_not_summed_over_the_batch", '''def affine_backward(dout, cache):
    x, w, b = cache
    dx = (dout @ w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T @ dout
    return dx, dw, dout
''', hint='a sum over the batch (axis 0) is missing'),
    Bug("affine_backward", "db_averaged", '''def affine_backward(dout, cache):
    x, w, b = cache
    dx = (dout @ w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T @ dout
    return dx, dw, dout.mean(axis=0)
''', hint='db is the mean of dout over the batch'),
    Bug("affine_backward", "missing_transpose_on_w", '''def affine_backward(dout, cache):
    x, w, b = cache
    dx = (dout @ w).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T @ dout
    return dx, dw, dout.sum(axis=0)
'''),
    Bug("affine_backward", "dx_not_reshaped", '''def affine_backward(dout, cache):
    x, w, b = cache
    dx = dout @ w.T
    dw = x.reshape(x.shape[0], -1).T @ dout
    return dx, dw, dout.sum(axis=0)
''', hint='dx is not reshaped back'),
    Bug("affine_backward", "dw_transposed", '''def affine_backward(dout, cache):
    x, w, b = cache
    dx = (dout @ w.T).reshape(x.shape)
    dw = dout.T @ x.reshape(x.shape[0], -1)
    return dx, dw, dout.sum(axis=0)
''', hint='transposed'),
    Bug("affine_backward", "db_summed_over_the_wrong_axis", '''def affine_backward(dout, cache):
    x, w, b = cache
    dx = (dout @ w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T @ dout
    return dx, dw, dout.sum(axis=1)
''', hint='summed over the wrong axis'),
    # --- relu_forward --------------------------------------------------------------------------------
    Bug("relu_forward", "zeroes_the_input_in_place", '''def relu_forward(x):
    x[x < 0] = 0.0
    return x, x
'''),
    Bug("relu_forward", "minimum_instead_of_maximum", '''def relu_forward(x):
    return np.minimum(x, 0.0), x
'''),
    Bug("relu_forward", "absolute_value", '''def relu_forward(x):
    return np.abs(x), x
'''),
    Bug("relu_forward", "returns_the_mask", '''def relu_forward(x):
    return (x > 0).astype(np.float64), x
'''),
    Bug("relu_forward", "leaky", '''def relu_forward(x):
    return np.where(x > 0, x, 0.01 * x), x
'''),
    # --- relu_backward (the cache is x) ------------------------------------------------------------
    Bug("relu_backward", "passes_every_gradient", '''def relu_backward(dout, cache):
    return dout.copy()
'''),
    Bug("relu_backward", "mask_from_dout", '''def relu_backward(dout, cache):
    return dout * (dout > 0)
'''),
    Bug("relu_backward", "mask_inverted", '''def relu_backward(dout, cache):
    x = cache
    return dout * (x < 0)
'''),
    Bug("relu_backward", "multiplies_by_the_output", '''def relu_backward(dout, cache):
    x = cache
    return dout * np.maximum(x, 0.0)
'''),
    Bug("relu_backward", "zeroes_dout_in_place", '''def relu_backward(dout, cache):
    x = cache
    dout[x <= 0] = 0.0
    return dout
'''),
    # --- softmax_loss --------------------------------------------------------------------------------
    Bug("softmax_loss", "softmax_not_shifted", '''def softmax_loss(scores, y):
    N = scores.shape[0]
    exp_scores = np.exp(scores)
    probs = exp_scores / exp_scores.sum(axis=1, keepdims=True)
    loss = -np.log(probs[np.arange(N), y]).mean()
    dscores = probs.copy()
    dscores[np.arange(N), y] -= 1.0
    return float(loss), dscores / N
'''),
    Bug("softmax_loss", "dscores_not_divided_by_N", '''def softmax_loss(scores, y):
    N = scores.shape[0]
    shifted = scores - scores.max(axis=1, keepdims=True)
    probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    loss = -np.log(probs[np.arange(N), y]).mean()
    dscores = probs.copy()
    dscores[np.arange(N), y] -= 1.0
    return float(loss), dscores
''', hint='the batch size: a missing division by N'),
    Bug("softmax_loss", "loss_summed_not_averaged", '''def softmax_loss(scores, y):
    N = scores.shape[0]
    shifted = scores - scores.max(axis=1, keepdims=True)
    probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    loss = -np.log(probs[np.arange(N), y]).sum()
    dscores = probs.copy()
    dscores[np.arange(N), y] -= 1.0
    return float(loss), dscores / N
''', hint='the batch size: a missing division by N'),
    Bug("softmax_loss", "forgets_the_minus_one", '''def softmax_loss(scores, y):
    N = scores.shape[0]
    shifted = scores - scores.max(axis=1, keepdims=True)
    probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    loss = -np.log(probs[np.arange(N), y]).mean()
    return float(loss), probs / N
'''),
    Bug("softmax_loss", "shifts_scores_in_place", '''def softmax_loss(scores, y):
    N = scores.shape[0]
    scores -= scores.max(axis=1, keepdims=True)
    log_probs = scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
    loss = -log_probs[np.arange(N), y].mean()
    dscores = np.exp(log_probs)
    dscores[np.arange(N), y] -= 1.0
    return float(loss), dscores / N
'''),
    Bug("softmax_loss", "normalizes_over_the_batch_axis", '''def softmax_loss(scores, y):
    N = scores.shape[0]
    shifted = scores - scores.max(axis=0, keepdims=True)
    probs = np.exp(shifted) / np.exp(shifted).sum(axis=0, keepdims=True)
    loss = -np.log(probs[np.arange(N), y]).mean()
    dscores = probs.copy()
    dscores[np.arange(N), y] -= 1.0
    return float(loss), dscores / N
'''),
    # --- TwoLayerNet ---------------------------------------------------------------------------------
    Bug("TwoLayerNet", "regularization_gradient_doubled", _net_with(
        ('grads = {"W1": dW1 + self.reg * W1, "b1": db1, "W2": dW2 + self.reg * W2, "b2": db2}',
         'grads = {"W1": dW1 + 2 * self.reg * W1, "b1": db1, "W2": dW2 + 2 * self.reg * W2, "b2": db2}'))),
    Bug("TwoLayerNet", "no_relu", _net_with(
        ("        activated, relu_cache = relu_forward(hidden)\n", "        activated, relu_cache = hidden, None\n"),
        ("        dhidden = relu_backward(dactivated, relu_cache)\n", "        dhidden = dactivated\n"))),
    Bug("TwoLayerNet", "relu_on_the_scores", _net_with(
        ("        if y is None:\n            return scores\n",
         "        scores, _ = relu_forward(scores)\n        if y is None:\n            return scores\n"))),
    Bug("TwoLayerNet", "biases_regularized", _net_with(
        ("loss = data_loss + 0.5 * self.reg * (np.sum(W1 * W1) + np.sum(W2 * W2))",
         "loss = data_loss + 0.5 * self.reg * (np.sum(W1 * W1) + np.sum(b1 * b1) + np.sum(W2 * W2) + np.sum(b2 * b2))"),
        ('"b1": db1,', '"b1": db1 + self.reg * b1,'), ('"b2": db2}', '"b2": db2 + self.reg * b2}'))),
    Bug("TwoLayerNet", "regularization_missing_from_the_loss", _net_with(
        ("loss = data_loss + 0.5 * self.reg * (np.sum(W1 * W1) + np.sum(W2 * W2))", "loss = data_loss"))),
    Bug("TwoLayerNet", "ignores_the_rng", _net_with(
        ("rng = np.random.default_rng() if rng is None else rng", "rng = np.random.default_rng()"))),
    Bug("TwoLayerNet", "weight_scale_used_as_variance", _net_with(
        ("rng.normal(0.0, weight_scale, size=(input_dim, hidden_dim))",
         "rng.normal(0.0, np.sqrt(weight_scale), size=(input_dim, hidden_dim))"),
        ("rng.normal(0.0, weight_scale, size=(hidden_dim, num_classes))",
         "rng.normal(0.0, np.sqrt(weight_scale), size=(hidden_dim, num_classes))"))),
    Bug("TwoLayerNet", "updates_the_weights_inside_loss", _net_with(
        ("        return float(loss), grads", "        for name in self.params:\n            self.params[name] -= 0.01 * grads[name]\n        return float(loss), grads"))),
]
