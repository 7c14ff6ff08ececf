"""Known-wrong implementations for lesson 09 (the capstone: the toolbox, FullyConnectedNet, train_network).

Each is a mistake a student could plausibly make, in a function pasted from an earlier lesson or written
here; planted after the correct definition, it must lose the points of its own function's test cells.
"""

from grader.bug_bank import Bug

LESSON = "09_capstone"

_NET_INIT = '''
    def __init__(self, hidden_dims, input_dim, num_classes, *, normalization=None, dropout_keep=None, reg=0.0,
                 weight_scale=None, dropout_seed=None, rng):
        self.normalization, self.dropout_keep, self.reg = normalization, dropout_keep, reg
        self.dropout_seed, self.rng = dropout_seed, rng
        sizes = [input_dim, *hidden_dims, num_classes]
        self.num_layers = len(sizes) - 1
        self.params = {}
        for i in range(1, self.num_layers + 1):
            std = np.sqrt(2.0 / sizes[i - 1]) if weight_scale is None else weight_scale
            self.params[f"W{i}"] = rng.normal(0.0, std, size=(sizes[i - 1], sizes[i]))
            self.params[f"b{i}"] = np.zeros(sizes[i])
            if normalization == "batchnorm" and i < self.num_layers:
                self.params[f"gamma{i}"] = np.ones(sizes[i])
                self.params[f"beta{i}"] = np.zeros(sizes[i])
        self.bn_params = [{"mode": "train"} for _ in hidden_dims] if normalization == "batchnorm" else []
'''


def _net(init: str = _NET_INIT, *, forward_block: str = None, dropout_seed: str = None, output: str = None,
         backward_block: str = None, penalty: str = None) -> str:
    """A FullyConnectedNet whose loss is the right one except for the pieces given (a complete class)."""
    forward_block = forward_block or '''            h, cache["affine"] = affine_forward(h, self.params[f"W{i}"], self.params[f"b{i}"])
            if self.normalization == "batchnorm":
                self.bn_params[i - 1]["mode"] = mode
                h, cache["batchnorm"] = batchnorm_forward(h, self.params[f"gamma{i}"], self.params[f"beta{i}"],
                                                          self.bn_params[i - 1])
            h, cache["relu"] = relu_forward(h)
'''
    dropout_seed = dropout_seed or ('self.dropout_seed + i if self.dropout_seed is not None '
                                    'else int(self.rng.integers(2**31))')
    output = output or '''        scores, output_cache = affine_forward(h, self.params[f"W{last}"], self.params[f"b{last}"])
'''
    backward_block = backward_block or '''            if "dropout" in cache:
                dout = dropout_backward(dout, cache["dropout"])
            dout = relu_backward(dout, cache["relu"])
            if "batchnorm" in cache:
                dout, grads[f"gamma{i}"], grads[f"beta{i}"] = batchnorm_backward(dout, cache["batchnorm"])
            dout, grads[f"W{i}"], grads[f"b{i}"] = affine_backward(dout, cache["affine"])
'''
    penalty = penalty or '''        for i in range(1, last + 1):
            W = self.params[f"W{i}"]
            loss += 0.5 * self.reg * float(np.sum(W * W))
            grads[f"W{i}"] = grads[f"W{i}"] + self.reg * W
'''
    return ("class FullyConnectedNet:\n" + init + '''
    def loss(self, X, y=None):
        mode = "test" if y is None else "train"
        hidden_caches = []
        h = X
        for i in range(1, self.num_layers):
            cache = {}
''' + forward_block + '''            if self.dropout_keep is not None:
                dropout_param = {"p": self.dropout_keep, "mode": mode}
                if mode == "train":
                    dropout_param["seed"] = ''' + dropout_seed + '''
                h, cache["dropout"] = dropout_forward(h, dropout_param)
            hidden_caches.append(cache)
        last = self.num_layers
''' + output + '''        if y is None:
            return scores
        loss, dout = softmax_loss(scores, y)
        grads = {}
        dout, grads[f"W{last}"], grads[f"b{last}"] = affine_backward(dout, output_cache)
        for i in range(last - 1, 0, -1):
            cache = hidden_caches[i - 1]
''' + backward_block + penalty + '''        return float(loss), grads
''')


def _loop(*, setup: str = None, epoch_start: str = None, batch_loop: str = None, update: str = None,
          after_epoch: str = None) -> str:
    """A train_network that is right except for the pieces given."""
    setup = setup or '''    X, y = data["X_train"], data["y_train"]
    configs = {name: {"learning_rate": lr} for name in model.params}
'''
    epoch_start = epoch_start or '''        order = rng.permutation(len(y))
'''
    batch_loop = batch_loop or '''        for start in range(0, len(y), batch_size):
            batch = order[start:start + batch_size]
            loss, grads = model.loss(X[batch], y[batch])
            history["loss"].append(float(loss))
'''
    update = update or '''            for name in model.params:
                model.params[name], configs[name] = update(model.params[name], grads[name], configs[name])
'''
    after_epoch = after_epoch or '''        history["train_acc"].append(accuracy_on(X, y))
        history["val_acc"].append(accuracy_on(data["X_val"], data["y_val"]))
'''
    return ('''def train_network(model, data, *, update, epochs, batch_size, lr, rng):
''' + setup + '''    history = {"loss": [], "train_acc": [], "val_acc": []}

    def accuracy_on(X_eval, y_eval):
        return float(np.mean(np.argmax(model.loss(X_eval), axis=1) == y_eval))

    for _ in range(epochs):
''' + epoch_start + batch_loop + update + after_epoch + '''    history["configs"] = configs
    return history
''')


BUGS = [
    # --- affine_forward ------------------------------------------------------------------------------
    Bug("affine_forward", "no_flatten", '''def affine_forward(x, w, b):
    return x @ w + b, (x, w)
'''),
    Bug("affine_forward", "bias_forgotten", '''def affine_forward(x, w, b):
    rows = x.reshape(x.shape[0], -1)
    return rows @ w, (x, w)
'''),
    Bug("affine_forward", "reshapes_the_callers_array", '''def affine_forward(x, w, b):
    x.shape = (x.shape[0], -1)
    return x @ w + b, (x, w)
'''),
    Bug("affine_forward", "returns_no_cache", '''def affine_forward(x, w, b):
    return x.reshape(x.shape[0], -1) @ w + b
'''),
    Bug("affine_forward", "weights_transposed", '''def affine_forward(x, w, b):
    rows = x.reshape(x.shape[0], -1)
    return rows @ w.T + b, (x, w)
'''),
    Bug("affine_forward", "bias_added_to_the_weights", '''def affine_forward(x, w, b):
    rows = x.reshape(x.shape[0], -1)
    return rows @ (w + b), (x, w)
'''),
    # --- affine_backward -----------------------------------------------------------------------------
    Bug("affine_backward", "db_not_summed_over_the_batch", '''def affine_backward(dout, cache):
    x, w = cache
    rows = x.reshape(x.shape[0], -1)
    return (dout @ w.T).reshape(x.shape), rows.T @ dout, dout
''', hint="a sum or mean over the wrong axis"),
    Bug("affine_backward", "db_averaged_over_the_batch", '''def affine_backward(dout, cache):
    x, w = cache
    rows = x.reshape(x.shape[0], -1)
    return (dout @ w.T).reshape(x.shape), rows.T @ dout, dout.mean(axis=0)
''', hint="off by a factor of 0.25"),
    Bug("affine_backward", "dx_not_reshaped", '''def affine_backward(dout, cache):
    x, w = cache
    rows = x.reshape(x.shape[0], -1)
    return dout @ w.T, rows.T @ dout, dout.sum(axis=0)
''', hint="a reshape is missing"),
    Bug("affine_backward", "dw_transposed", '''def affine_backward(dout, cache):
    x, w = cache
    rows = x.reshape(x.shape[0], -1)
    return (dout @ w.T).reshape(x.shape), dout.T @ rows, dout.sum(axis=0)
''', hint="the gradient is transposed"),
    Bug("affine_backward", "dw_divided_by_the_batch_size", '''def affine_backward(dout, cache):
    x, w = cache
    rows = x.reshape(x.shape[0], -1)
    return (dout @ w.T).reshape(x.shape), rows.T @ dout / len(x), dout.sum(axis=0)
''', hint="off by a factor of 0.25"),
    Bug("affine_backward", "dx_without_the_transpose", '''def affine_backward(dout, cache):
    x, w = cache
    rows = x.reshape(x.shape[0], -1)
    return (dout @ w).reshape(x.shape), rows.T @ dout, dout.sum(axis=0)
'''),
    # --- relu_forward --------------------------------------------------------------------------------
    Bug("relu_forward", "zeroes_the_input_in_place", '''def relu_forward(x):
    x[x < 0] = 0.0
    return x, x
'''),
    Bug("relu_forward", "leaky_slope", '''def relu_forward(x):
    return np.where(x > 0, x, 0.01 * x), x
'''),
    Bug("relu_forward", "returns_the_mask", '''def relu_forward(x):
    return (x > 0).astype(np.float64), x
'''),
    Bug("relu_forward", "absolute_value", '''def relu_forward(x):
    return np.abs(x), x
'''),
    Bug("relu_forward", "minimum_instead_of_maximum", '''def relu_forward(x):
    return np.minimum(x, 0.0), x
'''),
    # --- relu_backward -------------------------------------------------------------------------------
    Bug("relu_backward", "mask_from_dout", '''def relu_backward(dout, cache):
    return dout * (dout > 0)
'''),
    Bug("relu_backward", "passes_dout_unchanged", '''def relu_backward(dout, cache):
    return dout.copy()
'''),
    Bug("relu_backward", "zeroes_dout_in_place", '''def relu_backward(dout, cache):
    dout[cache <= 0] = 0.0
    return dout
'''),
    Bug("relu_backward", "mask_inverted", '''def relu_backward(dout, cache):
    return dout * (cache < 0)
'''),
    Bug("relu_backward", "returns_the_mask", '''def relu_backward(dout, cache):
    return (cache > 0).astype(np.float64)
'''),
    Bug("relu_backward", "multiplied_by_x", '''def relu_backward(dout, cache):
    return dout * np.maximum(cache, 0.0)
'''),
    # --- softmax_loss --------------------------------------------------------------------------------
    Bug("softmax_loss", "no_max_shift", '''def softmax_loss(scores, y):
    n = len(y)
    p = np.exp(scores) / np.sum(np.exp(scores), axis=1, keepdims=True)
    loss = -np.mean(np.log(p[np.arange(n), y]))
    d = p.copy()
    d[np.arange(n), y] -= 1.0
    return float(loss), d / n
'''),
    Bug("softmax_loss", "loss_summed_not_averaged", '''def softmax_loss(scores, y):
    n = len(y)
    z = scores - scores.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    d = np.exp(log_p)
    d[np.arange(n), y] -= 1.0
    return float(-log_p[np.arange(n), y].sum()), d / n
''', hint="a missing division by N"),
    Bug("softmax_loss", "dscores_not_divided_by_N", '''def softmax_loss(scores, y):
    n = len(y)
    z = scores - scores.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    d = np.exp(log_p)
    d[np.arange(n), y] -= 1.0
    return float(-log_p[np.arange(n), y].mean()), d
''', hint="3x too large, the batch size"),
    Bug("softmax_loss", "one_hot_not_subtracted", '''def softmax_loss(scores, y):
    n = len(y)
    z = scores - scores.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-log_p[np.arange(n), y].mean()), np.exp(log_p) / n
'''),
    Bug("softmax_loss", "loss_averaged_over_every_class", '''def softmax_loss(scores, y):
    n = len(y)
    z = scores - scores.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    d = np.exp(log_p)
    d[np.arange(n), y] -= 1.0
    return float(-np.mean(log_p)), d / n
'''),
    Bug("softmax_loss", "shifts_the_scores_in_place", '''def softmax_loss(scores, y):
    n = len(y)
    scores -= scores.max(axis=1, keepdims=True)
    log_p = scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
    d = np.exp(log_p)
    d[np.arange(n), y] -= 1.0
    return float(-log_p[np.arange(n), y].mean()), d / n
'''),
    # --- adam ----------------------------------------------------------------------------------------
    Bug("adam", "no_bias_correction", '''def adam(w, dw, config=None):
    config = {} if config is None else config
    for key, value in (("learning_rate", 1e-3), ("beta1", 0.9), ("beta2", 0.999), ("epsilon", 1e-8)):
        config.setdefault(key, value)
    config["t"] = config.get("t", 0) + 1
    config["m"] = config["beta1"] * config.get("m", np.zeros_like(w)) + (1 - config["beta1"]) * dw
    config["v"] = config["beta2"] * config.get("v", np.zeros_like(w)) + (1 - config["beta2"]) * dw ** 2
    return w - config["learning_rate"] * config["m"] / (np.sqrt(config["v"]) + config["epsilon"]), config
'''),
    Bug("adam", "epsilon_inside_the_square_root", '''def adam(w, dw, config=None):
    config = {} if config is None else config
    for key, value in (("learning_rate", 1e-3), ("beta1", 0.9), ("beta2", 0.999), ("epsilon", 1e-8)):
        config.setdefault(key, value)
    t = config["t"] = config.get("t", 0) + 1
    config["m"] = config["beta1"] * config.get("m", np.zeros_like(w)) + (1 - config["beta1"]) * dw
    config["v"] = config["beta2"] * config.get("v", np.zeros_like(w)) + (1 - config["beta2"]) * dw ** 2
    m_hat = config["m"] / (1 - config["beta1"] ** t)
    v_hat = config["v"] / (1 - config["beta2"] ** t)
    return w - config["learning_rate"] * m_hat / np.sqrt(v_hat + config["epsilon"]), config
'''),
    Bug("adam", "step_count_never_stored", '''def adam(w, dw, config=None):
    config = {} if config is None else config
    for key, value in (("learning_rate", 1e-3), ("beta1", 0.9), ("beta2", 0.999), ("epsilon", 1e-8)):
        config.setdefault(key, value)
    t = config.get("t", 0) + 1
    config.setdefault("t", 1)
    config["m"] = config["beta1"] * config.get("m", np.zeros_like(w)) + (1 - config["beta1"]) * dw
    config["v"] = config["beta2"] * config.get("v", np.zeros_like(w)) + (1 - config["beta2"]) * dw ** 2
    m_hat = config["m"] / (1 - config["beta1"] ** t)
    v_hat = config["v"] / (1 - config["beta2"] ** t)
    return w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"]), config
'''),
    Bug("adam", "moments_not_stored", '''def adam(w, dw, config=None):
    config = {} if config is None else config
    for key, value in (("learning_rate", 1e-3), ("beta1", 0.9), ("beta2", 0.999), ("epsilon", 1e-8)):
        config.setdefault(key, value)
    t = config["t"] = config.get("t", 0) + 1
    m = config["beta1"] * np.zeros_like(w) + (1 - config["beta1"]) * dw
    v = config["beta2"] * np.zeros_like(w) + (1 - config["beta2"]) * dw ** 2
    config.setdefault("m", m)
    config.setdefault("v", v)
    m_hat = m / (1 - config["beta1"] ** t)
    v_hat = v / (1 - config["beta2"] ** t)
    return w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"]), config
'''),
    Bug("adam", "betas_swapped", '''def adam(w, dw, config=None):
    config = {} if config is None else config
    for key, value in (("learning_rate", 1e-3), ("beta1", 0.9), ("beta2", 0.999), ("epsilon", 1e-8)):
        config.setdefault(key, value)
    t = config["t"] = config.get("t", 0) + 1
    config["m"] = config["beta2"] * config.get("m", np.zeros_like(w)) + (1 - config["beta2"]) * dw
    config["v"] = config["beta1"] * config.get("v", np.zeros_like(w)) + (1 - config["beta1"]) * dw ** 2
    m_hat = config["m"] / (1 - config["beta2"] ** t)
    v_hat = config["v"] / (1 - config["beta1"] ** t)
    return w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"]), config
'''),
    Bug("adam", "updates_w_in_place", '''def adam(w, dw, config=None):
    config = {} if config is None else config
    for key, value in (("learning_rate", 1e-3), ("beta1", 0.9), ("beta2", 0.999), ("epsilon", 1e-8)):
        config.setdefault(key, value)
    t = config["t"] = config.get("t", 0) + 1
    config["m"] = config["beta1"] * config.get("m", np.zeros_like(w)) + (1 - config["beta1"]) * dw
    config["v"] = config["beta2"] * config.get("v", np.zeros_like(w)) + (1 - config["beta2"]) * dw ** 2
    m_hat = config["m"] / (1 - config["beta1"] ** t)
    v_hat = config["v"] / (1 - config["beta2"] ** t)
    w -= config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"])
    return w, config
'''),
    # --- batchnorm_forward ---------------------------------------------------------------------------
    Bug("batchnorm_forward", "unbiased_variance", '''def batchnorm_forward(x, gamma, beta, bn_param):
    eps, momentum = bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9)
    zeros = np.zeros(x.shape[1])
    if bn_param["mode"] == "train":
        mu, var = x.mean(axis=0), x.var(axis=0, ddof=1)
        bn_param["running_mean"] = momentum * bn_param.get("running_mean", zeros) + (1 - momentum) * mu
        bn_param["running_var"] = momentum * bn_param.get("running_var", zeros) + (1 - momentum) * var
    else:
        mu, var = bn_param.get("running_mean", zeros), bn_param.get("running_var", zeros)
    std = np.sqrt(var + eps)
    x_hat = (x - mu) / std
    return gamma * x_hat + beta, (x_hat, gamma, std)
'''),
    Bug("batchnorm_forward", "running_statistics_never_updated", '''def batchnorm_forward(x, gamma, beta, bn_param):
    eps = bn_param.get("eps", 1e-5)
    zeros = np.zeros(x.shape[1])
    if bn_param["mode"] == "train":
        mu, var = x.mean(axis=0), x.var(axis=0)
        bn_param.setdefault("running_mean", zeros)
        bn_param.setdefault("running_var", zeros)
    else:
        mu, var = bn_param.get("running_mean", zeros), bn_param.get("running_var", zeros)
    std = np.sqrt(var + eps)
    x_hat = (x - mu) / std
    return gamma * x_hat + beta, (x_hat, gamma, std)
''', hint="an update that never happens"),
    Bug("batchnorm_forward", "momentum_on_the_wrong_term", '''def batchnorm_forward(x, gamma, beta, bn_param):
    eps, momentum = bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9)
    zeros = np.zeros(x.shape[1])
    if bn_param["mode"] == "train":
        mu, var = x.mean(axis=0), x.var(axis=0)
        bn_param["running_mean"] = (1 - momentum) * bn_param.get("running_mean", zeros) + momentum * mu
        bn_param["running_var"] = (1 - momentum) * bn_param.get("running_var", zeros) + momentum * var
    else:
        mu, var = bn_param.get("running_mean", zeros), bn_param.get("running_var", zeros)
    std = np.sqrt(var + eps)
    x_hat = (x - mu) / std
    return gamma * x_hat + beta, (x_hat, gamma, std)
'''),
    Bug("batchnorm_forward", "test_mode_uses_batch_statistics", '''def batchnorm_forward(x, gamma, beta, bn_param):
    eps, momentum = bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9)
    zeros = np.zeros(x.shape[1])
    mu, var = x.mean(axis=0), x.var(axis=0)
    if bn_param["mode"] == "train":
        bn_param["running_mean"] = momentum * bn_param.get("running_mean", zeros) + (1 - momentum) * mu
        bn_param["running_var"] = momentum * bn_param.get("running_var", zeros) + (1 - momentum) * var
    std = np.sqrt(var + eps)
    x_hat = (x - mu) / std
    return gamma * x_hat + beta, (x_hat, gamma, std)
'''),
    Bug("batchnorm_forward", "eps_outside_the_square_root", '''def batchnorm_forward(x, gamma, beta, bn_param):
    eps, momentum = bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9)
    zeros = np.zeros(x.shape[1])
    if bn_param["mode"] == "train":
        mu, var = x.mean(axis=0), x.var(axis=0)
        bn_param["running_mean"] = momentum * bn_param.get("running_mean", zeros) + (1 - momentum) * mu
        bn_param["running_var"] = momentum * bn_param.get("running_var", zeros) + (1 - momentum) * var
    else:
        mu, var = bn_param.get("running_mean", zeros), bn_param.get("running_var", zeros)
    std = np.sqrt(var) + eps
    x_hat = (x - mu) / std
    return gamma * x_hat + beta, (x_hat, gamma, std)
'''),
    Bug("batchnorm_forward", "normalizes_each_row", '''def batchnorm_forward(x, gamma, beta, bn_param):
    eps, momentum = bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9)
    zeros = np.zeros(x.shape[1])
    if bn_param["mode"] == "train":
        mu, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
        bn_param["running_mean"] = momentum * bn_param.get("running_mean", zeros) + (1 - momentum) * x.mean(axis=0)
        bn_param["running_var"] = momentum * bn_param.get("running_var", zeros) + (1 - momentum) * x.var(axis=0)
    else:
        mu, var = bn_param.get("running_mean", zeros), bn_param.get("running_var", zeros)
    std = np.sqrt(var + eps)
    x_hat = (x - mu) / std
    return gamma * x_hat + beta, (x_hat, gamma, std)
'''),
    Bug("batchnorm_forward", "no_scale_and_shift", '''def batchnorm_forward(x, gamma, beta, bn_param):
    eps, momentum = bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9)
    zeros = np.zeros(x.shape[1])
    if bn_param["mode"] == "train":
        mu, var = x.mean(axis=0), x.var(axis=0)
        bn_param["running_mean"] = momentum * bn_param.get("running_mean", zeros) + (1 - momentum) * mu
        bn_param["running_var"] = momentum * bn_param.get("running_var", zeros) + (1 - momentum) * var
    else:
        mu, var = bn_param.get("running_mean", zeros), bn_param.get("running_var", zeros)
    std = np.sqrt(var + eps)
    x_hat = (x - mu) / std
    return x_hat, (x_hat, gamma, std)
'''),
    Bug("batchnorm_forward", "centres_x_in_place", '''def batchnorm_forward(x, gamma, beta, bn_param):
    eps, momentum = bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9)
    zeros = np.zeros(x.shape[1])
    if bn_param["mode"] == "train":
        mu, var = x.mean(axis=0), x.var(axis=0)
        bn_param["running_mean"] = momentum * bn_param.get("running_mean", zeros) + (1 - momentum) * mu
        bn_param["running_var"] = momentum * bn_param.get("running_var", zeros) + (1 - momentum) * var
    else:
        mu, var = bn_param.get("running_mean", zeros), bn_param.get("running_var", zeros)
    std = np.sqrt(var + eps)
    x -= mu
    x_hat = x / std
    return gamma * x_hat + beta, (x_hat, gamma, std)
'''),
    # --- batchnorm_backward --------------------------------------------------------------------------
    Bug("batchnorm_backward", "missing_1_over_N", '''def batchnorm_backward(dout, cache):
    x_hat, gamma, std = cache
    g = dout * gamma
    dx = (len(dout) * g - g.sum(axis=0) - x_hat * (g * x_hat).sum(axis=0)) / std
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
''', hint="6x too large, the batch size"),
    Bug("batchnorm_backward", "dgamma_without_x_hat", '''def batchnorm_backward(dout, cache):
    x_hat, gamma, std = cache
    g = dout * gamma
    dx = (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0)) / std
    return dx, dout.sum(axis=0), dout.sum(axis=0)
'''),
    Bug("batchnorm_backward", "dbeta_not_summed", '''def batchnorm_backward(dout, cache):
    x_hat, gamma, std = cache
    g = dout * gamma
    dx = (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0)) / std
    return dx, (dout * x_hat).sum(axis=0), dout
''', hint="a sum or mean over the wrong axis"),
    Bug("batchnorm_backward", "batch_statistics_treated_as_constants", '''def batchnorm_backward(dout, cache):
    x_hat, gamma, std = cache
    return dout * gamma / std, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
'''),
    Bug("batchnorm_backward", "dx_without_gamma", '''def batchnorm_backward(dout, cache):
    x_hat, gamma, std = cache
    dx = (dout - dout.mean(axis=0) - x_hat * (dout * x_hat).mean(axis=0)) / std
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
'''),
    Bug("batchnorm_backward", "variance_term_sign_flipped", '''def batchnorm_backward(dout, cache):
    x_hat, gamma, std = cache
    g = dout * gamma
    dx = (g - g.mean(axis=0) + x_hat * (g * x_hat).mean(axis=0)) / std
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
'''),
    # --- dropout_forward -----------------------------------------------------------------------------
    Bug("dropout_forward", "no_division_by_p", '''def dropout_forward(x, dropout_param):
    p = dropout_param["p"]
    if dropout_param["mode"] == "test":
        return x.copy(), None
    mask = (np.random.default_rng(dropout_param.get("seed")).random(x.shape) < p) * 1.0
    return x * mask, mask
'''),
    Bug("dropout_forward", "p_is_the_drop_probability", '''def dropout_forward(x, dropout_param):
    p = dropout_param["p"]
    if dropout_param["mode"] == "test":
        return x.copy(), None
    mask = (np.random.default_rng(dropout_param.get("seed")).random(x.shape) >= p) / (1 - p)
    return x * mask, mask
'''),
    Bug("dropout_forward", "classic_dropout_scales_at_test_time", '''def dropout_forward(x, dropout_param):
    p = dropout_param["p"]
    if dropout_param["mode"] == "test":
        return x * p, None
    mask = (np.random.default_rng(dropout_param.get("seed")).random(x.shape) < p) * 1.0
    return x * mask, mask
''', hint="off by a factor of 0.6"),
    Bug("dropout_forward", "ignores_the_seed", '''def dropout_forward(x, dropout_param):
    p = dropout_param["p"]
    if dropout_param["mode"] == "test":
        return x.copy(), None
    mask = (np.random.default_rng().random(x.shape) < p) / p
    return x * mask, mask
'''),
    Bug("dropout_forward", "one_mask_for_the_whole_batch", '''def dropout_forward(x, dropout_param):
    p = dropout_param["p"]
    if dropout_param["mode"] == "test":
        return x.copy(), None
    mask = (np.random.default_rng(dropout_param.get("seed")).random(x.shape[1:]) < p) / p
    return x * mask, mask
'''),
    Bug("dropout_forward", "drops_in_test_mode_too", '''def dropout_forward(x, dropout_param):
    p = dropout_param["p"]
    mask = (np.random.default_rng(dropout_param.get("seed")).random(x.shape) < p) / p
    return x * mask, mask
'''),
    Bug("dropout_forward", "masks_x_in_place", '''def dropout_forward(x, dropout_param):
    p = dropout_param["p"]
    if dropout_param["mode"] == "test":
        return x, None
    mask = (np.random.default_rng(dropout_param.get("seed")).random(x.shape) < p) / p
    x *= mask
    return x, mask
'''),
    # --- dropout_backward ----------------------------------------------------------------------------
    Bug("dropout_backward", "forgets_the_1_over_p", '''def dropout_backward(dout, cache):
    if cache is None:
        return dout.copy()
    return dout * (cache != 0)
''', hint="off by a factor of 0.6"),
    Bug("dropout_backward", "gradient_through_dropped_units", '''def dropout_backward(dout, cache):
    if cache is None:
        return dout.copy()
    return dout / cache.max()
'''),
    Bug("dropout_backward", "passes_dout_unchanged", '''def dropout_backward(dout, cache):
    return dout.copy()
'''),
    Bug("dropout_backward", "draws_a_new_mask", '''def dropout_backward(dout, cache):
    if cache is None:
        return dout.copy()
    p = 1.0 / cache.max()
    return dout * (np.random.default_rng().random(dout.shape) < p) / p
'''),
    Bug("dropout_backward", "scales_by_p_in_test_mode", '''def dropout_backward(dout, cache):
    if cache is None:
        return dout * 0.5
    return dout * cache
''', hint="half the expected size"),
    Bug("dropout_backward", "masks_dout_in_place", '''def dropout_backward(dout, cache):
    if cache is None:
        return dout
    dout *= cache
    return dout
'''),
    # --- FullyConnectedNet ---------------------------------------------------------------------------
    Bug("FullyConnectedNet", "relu_on_the_scores", _net(output='''        scores, output_cache = affine_forward(h, self.params[f"W{last}"], self.params[f"b{last}"])
        scores, scores_relu = relu_forward(scores)
''', backward_block=None).replace('''        dout, grads[f"W{last}"], grads[f"b{last}"] = affine_backward(dout, output_cache)''',
                                  '''        dout = relu_backward(dout, scores_relu)
        dout, grads[f"W{last}"], grads[f"b{last}"] = affine_backward(dout, output_cache)''')),
    Bug("FullyConnectedNet", "biases_regularized", _net(penalty='''        for name, value in self.params.items():
            if name[0] in "Wb":
                loss += 0.5 * self.reg * float(np.sum(value * value))
                grads[name] = grads[name] + self.reg * value
''')),
    Bug("FullyConnectedNet", "l2_without_the_half", _net(penalty='''        for i in range(1, last + 1):
            W = self.params[f"W{i}"]
            loss += self.reg * float(np.sum(W * W))
            grads[f"W{i}"] = grads[f"W{i}"] + self.reg * W
'''), hint="2x too large"),
    Bug("FullyConnectedNet", "l2_missing_from_the_gradient", _net(penalty='''        for i in range(1, last + 1):
            W = self.params[f"W{i}"]
            loss += 0.5 * self.reg * float(np.sum(W * W))
'''), hint="the L2 term adds reg * W to the gradient"),
    Bug("FullyConnectedNet", "last_layer_not_regularized", _net(penalty='''        for i in range(1, last):
            W = self.params[f"W{i}"]
            loss += 0.5 * self.reg * float(np.sum(W * W))
            grads[f"W{i}"] = grads[f"W{i}"] + self.reg * W
''')),
    Bug("FullyConnectedNet", "dropout_in_test_mode_too", _net(dropout_seed='''(self.dropout_seed + i if self.dropout_seed is not None
                                             else int(self.rng.integers(2**31)))
                else:
                    dropout_param = {"p": self.dropout_keep, "mode": "train", "seed": 0}''')),
    Bug("FullyConnectedNet", "batchnorm_always_in_train_mode", _net(forward_block='''            h, cache["affine"] = affine_forward(h, self.params[f"W{i}"], self.params[f"b{i}"])
            if self.normalization == "batchnorm":
                self.bn_params[i - 1]["mode"] = "train"
                h, cache["batchnorm"] = batchnorm_forward(h, self.params[f"gamma{i}"], self.params[f"beta{i}"],
                                                          self.bn_params[i - 1])
            h, cache["relu"] = relu_forward(h)
''')),
    Bug("FullyConnectedNet", "fresh_bn_param_at_every_call", _net(forward_block='''            h, cache["affine"] = affine_forward(h, self.params[f"W{i}"], self.params[f"b{i}"])
            if self.normalization == "batchnorm":
                h, cache["batchnorm"] = batchnorm_forward(h, self.params[f"gamma{i}"], self.params[f"beta{i}"],
                                                          {"mode": mode})
            h, cache["relu"] = relu_forward(h)
''')),
    Bug("FullyConnectedNet", "dropout_seed_ignored", _net(dropout_seed="int(self.rng.integers(2**31))")),
    Bug("FullyConnectedNet", "dropout_not_undone_in_backward", _net(backward_block='''            dout = relu_backward(dout, cache["relu"])
            if "batchnorm" in cache:
                dout, grads[f"gamma{i}"], grads[f"beta{i}"] = batchnorm_backward(dout, cache["batchnorm"])
            dout, grads[f"W{i}"], grads[f"b{i}"] = affine_backward(dout, cache["affine"])
''')),
    Bug("FullyConnectedNet", "batchnorm_backward_before_relu_backward", _net(backward_block='''            if "dropout" in cache:
                dout = dropout_backward(dout, cache["dropout"])
            if "batchnorm" in cache:
                dout, grads[f"gamma{i}"], grads[f"beta{i}"] = batchnorm_backward(dout, cache["batchnorm"])
            dout = relu_backward(dout, cache["relu"])
            dout, grads[f"W{i}"], grads[f"b{i}"] = affine_backward(dout, cache["affine"])
''')),
    Bug("FullyConnectedNet", "he_scaling_with_fan_out", _net(init=_NET_INIT.replace(
        "np.sqrt(2.0 / sizes[i - 1])", "np.sqrt(2.0 / sizes[i])"))),
    Bug("FullyConnectedNet", "weight_scale_used_as_a_variance", _net(init=_NET_INIT.replace(
        "else weight_scale", "else np.sqrt(weight_scale)"))),
    Bug("FullyConnectedNet", "batchnorm_on_the_output_layer_too", _net(init=_NET_INIT.replace(
        'if normalization == "batchnorm" and i < self.num_layers:', 'if normalization == "batchnorm":'))),
    # --- train_network -------------------------------------------------------------------------------
    Bug("train_network", "never_shuffles", _loop(epoch_start='''        order = np.arange(len(y))
''')),
    Bug("train_network", "shuffles_once_for_every_epoch", _loop(setup='''    X, y = data["X_train"], data["y_train"]
    configs = {name: {"learning_rate": lr} for name in model.params}
    fixed_order = rng.permutation(len(y))
''', epoch_start='''        order = fixed_order
''')),
    Bug("train_network", "labels_shuffled_separately", _loop(batch_loop='''        label_order = rng.permutation(len(y))
        for start in range(0, len(y), batch_size):
            batch = order[start:start + batch_size]
            loss, grads = model.loss(X[batch], y[label_order[start:start + batch_size]])
            history["loss"].append(float(loss))
''')),
    Bug("train_network", "drops_the_last_short_batch", _loop(batch_loop='''        for start in range(0, len(y) - batch_size + 1, batch_size):
            batch = order[start:start + batch_size]
            loss, grads = model.loss(X[batch], y[batch])
            history["loss"].append(float(loss))
''')),
    Bug("train_network", "fresh_config_at_every_step", _loop(update='''            for name in model.params:
                model.params[name], _ = update(model.params[name], grads[name], {"learning_rate": lr})
''')),
    Bug("train_network", "one_config_for_all_parameters", _loop(setup='''    X, y = data["X_train"], data["y_train"]
    shared = {"learning_rate": lr}
    configs = {name: shared for name in model.params}
''')),
    Bug("train_network", "learning_rate_not_passed", _loop(setup='''    X, y = data["X_train"], data["y_train"]
    configs = {name: {} for name in model.params}
''')),
    Bug("train_network", "loss_recorded_after_the_update", _loop(batch_loop='''        for start in range(0, len(y), batch_size):
            batch = order[start:start + batch_size]
            _, grads = model.loss(X[batch], y[batch])
            for name in model.params:
                model.params[name], configs[name] = update(model.params[name], grads[name], configs[name])
            loss, _ = model.loss(X[batch], y[batch])
            history["loss"].append(float(loss))
''', update="\n")),
    Bug("train_network", "validation_accuracy_on_the_training_set", _loop(after_epoch='''        history["train_acc"].append(accuracy_on(X, y))
        history["val_acc"].append(accuracy_on(X, y))
''')),
    Bug("train_network", "accuracy_only_after_the_last_epoch", _loop(after_epoch="\n").replace(
        '''    history["configs"] = configs''', '''    history["train_acc"].append(accuracy_on(X, y))
    history["val_acc"].append(accuracy_on(data["X_val"], data["y_val"]))
    history["configs"] = configs''')),
    Bug("train_network", "one_epoch_too_few", _loop().replace("for _ in range(epochs):", "for _ in range(epochs - 1):")),
    Bug("train_network", "batch_size_ignored", _loop(batch_loop='''        loss, grads = model.loss(X[order], y[order])
        history["loss"].append(float(loss))
''', update='''        for name in model.params:
            model.params[name], configs[name] = update(model.params[name], grads[name], configs[name])
''')),
]
