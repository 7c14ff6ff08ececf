"""Known-wrong implementations for lesson 07 (dropout, initialization, standardization, squashing, L2 penalty).

Each is a mistake a student could plausibly make; planted after the correct definition, it must lose the
points of its own function's test cell.
"""

from grader.bug_bank import Bug

LESSON = "07_regularization_and_init"

BUGS = [
    # --- dropout_forward ----------------------------------------------------------------------------
    Bug("dropout_forward", "no_division_by_p", '''def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    if mode == "test":
        return x.copy(), {"mask": None, "p": p}
    rng = np.random.default_rng(dropout_param.get("seed"))
    mask = (rng.random(x.shape) < p) * 1.0
    return x * mask, {"mask": mask, "p": p}
''', hint='not divided by p'),
    Bug("dropout_forward", "p_is_drop_probability", '''def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    if mode == "test":
        return x.copy(), {"mask": None, "p": p}
    rng = np.random.default_rng(dropout_param.get("seed"))
    mask = (rng.random(x.shape) >= p) / (1 - p)
    return x * mask, {"mask": mask, "p": p}
''', hint='p used as the probability of dropping'),
    Bug("dropout_forward", "classic_dropout_scales_at_test_time", '''def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    if mode == "test":
        return x * p, {"mask": None, "p": p}
    rng = np.random.default_rng(dropout_param.get("seed"))
    mask = (rng.random(x.shape) < p) * 1.0
    return x * mask, {"mask": mask, "p": p}
''', hint='test mode multiplies by p'),
    Bug("dropout_forward", "ignores_seed", '''def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    if mode == "test":
        return x.copy(), {"mask": None, "p": p}
    rng = np.random.default_rng()
    mask = (rng.random(x.shape) < p) / p
    return x * mask, {"mask": mask, "p": p}
'''),
    Bug("dropout_forward", "one_mask_for_the_whole_batch", '''def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    if mode == "test":
        return x.copy(), {"mask": None, "p": p}
    rng = np.random.default_rng(dropout_param.get("seed"))
    mask = (rng.random(x.shape[1:]) < p) / p
    return x * mask, {"mask": mask, "p": p}
''', hint='one mask for the whole batch'),
    Bug("dropout_forward", "drops_in_test_mode_too", '''def dropout_forward(x, dropout_param):
    p = dropout_param["p"]
    rng = np.random.default_rng(dropout_param.get("seed"))
    mask = (rng.random(x.shape) < p) / p
    return x * mask, {"mask": mask, "p": p}
'''),
    Bug("dropout_forward", "masks_x_in_place", '''def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    if mode == "test":
        return x, {"mask": None, "p": p}
    rng = np.random.default_rng(dropout_param.get("seed"))
    mask = (rng.random(x.shape) < p) / p
    x *= mask
    return x, {"mask": mask, "p": p}
'''),
    # --- dropout_backward ---------------------------------------------------------------------------
    Bug("dropout_backward", "forgets_the_1_over_p", '''def dropout_backward(dout, cache):
    if cache["mask"] is None:
        return dout.copy()
    return dout * (cache["mask"] != 0)
''', hint='multiplied by 1 / p'),
    Bug("dropout_backward", "gradient_through_dropped_units", '''def dropout_backward(dout, cache):
    if cache["mask"] is None:
        return dout.copy()
    return dout / cache["p"]
''', hint='must be 0 where the forward pass dropped'),
    Bug("dropout_backward", "passes_dout_unchanged", '''def dropout_backward(dout, cache):
    return dout.copy()
'''),
    Bug("dropout_backward", "multiplies_by_p", '''def dropout_backward(dout, cache):
    if cache["mask"] is None:
        return dout.copy()
    return dout * (cache["mask"] != 0) * cache["p"]
''', hint='multiplied by p instead of divided'),
    Bug("dropout_backward", "draws_a_new_mask", '''def dropout_backward(dout, cache):
    if cache["mask"] is None:
        return dout.copy()
    p = cache["p"]
    rng = np.random.default_rng()
    return dout * (rng.random(dout.shape) < p) / p
'''),
    Bug("dropout_backward", "rescales_in_test_mode", '''def dropout_backward(dout, cache):
    if cache["mask"] is None:
        return dout / cache["p"]
    return dout * cache["mask"]
''', hint='test mode is the identity'),
    # --- variance_scaling_init ----------------------------------------------------------------------
    Bug("variance_scaling_init", "he_uses_fan_out", '''def variance_scaling_init(fan_in, fan_out, scale=2.0, mode="fan_in", *, rng):
    n = {"fan_in": fan_out, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[mode]
    return rng.normal(0.0, np.sqrt(scale / n), size=(fan_in, fan_out))
''', hint='n = fan_out used'),
    Bug("variance_scaling_init", "std_without_square_root", '''def variance_scaling_init(fan_in, fan_out, scale=2.0, mode="fan_in", *, rng):
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[mode]
    return rng.normal(0.0, scale / n, size=(fan_in, fan_out))
''', hint='the square root is missing'),
    Bug("variance_scaling_init", "ignores_scale", '''def variance_scaling_init(fan_in, fan_out, scale=2.0, mode="fan_in", *, rng):
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[mode]
    return rng.normal(0.0, np.sqrt(1.0 / n), size=(fan_in, fan_out))
''', hint='the scale argument is ignored'),
    Bug("variance_scaling_init", "fan_avg_is_the_sum", '''def variance_scaling_init(fan_in, fan_out, scale=2.0, mode="fan_in", *, rng):
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": fan_in + fan_out}[mode]
    return rng.normal(0.0, np.sqrt(scale / n), size=(fan_in, fan_out))
''', hint='fan_avg is their average'),
    Bug("variance_scaling_init", "transposed_shape", '''def variance_scaling_init(fan_in, fan_out, scale=2.0, mode="fan_in", *, rng):
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[mode]
    return rng.normal(0.0, np.sqrt(scale / n), size=(fan_out, fan_in))
''', hint='transposed'),
    Bug("variance_scaling_init", "uniform_with_the_right_variance", '''def variance_scaling_init(fan_in, fan_out, scale=2.0, mode="fan_in", *, rng):
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[mode]
    limit = np.sqrt(3.0 * scale / n)
    return rng.uniform(-limit, limit, size=(fan_in, fan_out))
'''),
    Bug("variance_scaling_init", "ignores_the_rng_argument", '''def variance_scaling_init(fan_in, fan_out, scale=2.0, mode="fan_in", *, rng):
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[mode]
    return np.random.default_rng().normal(0.0, np.sqrt(scale / n), size=(fan_in, fan_out))
'''),
    # --- standardize --------------------------------------------------------------------------------
    Bug("standardize", "other_set_uses_its_own_statistics", '''def standardize(X_train, X_other):
    def own(X):
        sigma = X.std(axis=0)
        return (X - X.mean(axis=0)) / np.where(sigma > 0, sigma, 1.0)
    return own(X_train), own(X_other)
'''),
    Bug("standardize", "statistics_of_train_and_other_pooled", '''def standardize(X_train, X_other):
    both = np.vstack([X_train, X_other])
    mu = both.mean(axis=0)
    sigma = both.std(axis=0)
    sigma = np.where(sigma > 0, sigma, 1.0)
    return (X_train - mu) / sigma, (X_other - mu) / sigma
'''),
    Bug("standardize", "sample_std_ddof_1", '''def standardize(X_train, X_other):
    mu = X_train.mean(axis=0)
    sigma = X_train.std(axis=0, ddof=1)
    sigma = np.where(sigma > 0, sigma, 1.0)
    return (X_train - mu) / sigma, (X_other - mu) / sigma
'''),
    Bug("standardize", "statistics_per_row", '''def standardize(X_train, X_other):
    mu = X_train.mean(axis=1, keepdims=True)
    sigma = X_train.std(axis=1, keepdims=True)
    sigma = np.where(sigma > 0, sigma, 1.0)
    return (X_train - mu) / sigma, (X_other - mu.mean()) / sigma.mean()
'''),
    Bug("standardize", "divides_constant_columns_by_zero", '''def standardize(X_train, X_other):
    mu = X_train.mean(axis=0)
    sigma = X_train.std(axis=0)
    return (X_train - mu) / sigma, (X_other - mu) / sigma
''', hint='sigma is 0'),
    Bug("standardize", "only_centres", '''def standardize(X_train, X_other):
    mu = X_train.mean(axis=0)
    return X_train - mu, X_other - mu
'''),
    Bug("standardize", "centres_X_train_in_place", '''def standardize(X_train, X_other):
    mu = X_train.mean(axis=0)
    sigma = X_train.std(axis=0)
    sigma = np.where(sigma > 0, sigma, 1.0)
    X_train -= mu
    X_train /= sigma
    return X_train, (X_other - mu) / sigma
'''),
    # --- tanh_squash --------------------------------------------------------------------------------
    Bug("tanh_squash", "mean_and_std_instead_of_median_and_mad", '''def tanh_squash(X_train, X_other, k=3.0):
    mu = X_train.mean(axis=0)
    sigma = X_train.std(axis=0)
    C = k * np.where(sigma > 0, sigma, 1.0)
    return np.tanh((X_train - mu) / C), np.tanh((X_other - mu) / C)
''', hint="use the median and the MAD"),
    Bug("tanh_squash", "other_set_uses_its_own_statistics", '''def tanh_squash(X_train, X_other, k=3.0):
    def own(X):
        m = np.median(X, axis=0)
        mad = np.median(np.abs(X - m), axis=0)
        return np.tanh((X - m) / (k * np.where(mad > 0, mad, 1.0)))
    return own(X_train), own(X_other)
''', hint="squashed with its own median and MAD"),
    Bug("tanh_squash", "divides_outside_the_tanh", '''def tanh_squash(X_train, X_other, k=3.0):
    m = np.median(X_train, axis=0)
    mad = np.median(np.abs(X_train - m), axis=0)
    C = k * np.where(mad > 0, mad, 1.0)
    return np.tanh(X_train - m) / C, np.tanh(X_other - m) / C
''', hint="divide inside the tanh"),
    Bug("tanh_squash", "forgets_k", '''def tanh_squash(X_train, X_other, k=3.0):
    m = np.median(X_train, axis=0)
    mad = np.median(np.abs(X_train - m), axis=0)
    C = np.where(mad > 0, mad, 1.0)
    return np.tanh((X_train - m) / C), np.tanh((X_other - m) / C)
'''),
    Bug("tanh_squash", "mad_without_the_absolute_value", '''def tanh_squash(X_train, X_other, k=3.0):
    m = np.median(X_train, axis=0)
    mad = np.median(X_train - m, axis=0)
    C = k * np.where(mad > 0, mad, 1.0)
    return np.tanh((X_train - m) / C), np.tanh((X_other - m) / C)
'''),
    Bug("tanh_squash", "divides_constant_columns_by_zero", '''def tanh_squash(X_train, X_other, k=3.0):
    m = np.median(X_train, axis=0)
    mad = np.median(np.abs(X_train - m), axis=0)
    return np.tanh((X_train - m) / (k * mad)), np.tanh((X_other - m) / (k * mad))
''', hint="the MAD of a constant column is 0"),
    Bug("tanh_squash", "one_median_for_every_column", '''def tanh_squash(X_train, X_other, k=3.0):
    m = np.median(X_train)
    mad = np.median(np.abs(X_train - m))
    C = k * (mad if mad > 0 else 1.0)
    return np.tanh((X_train - m) / C), np.tanh((X_other - m) / C)
'''),
    Bug("tanh_squash", "centres_X_train_in_place", '''def tanh_squash(X_train, X_other, k=3.0):
    m = np.median(X_train, axis=0)
    X_train -= m
    mad = np.median(np.abs(X_train), axis=0)
    C = k * np.where(mad > 0, mad, 1.0)
    return np.tanh(X_train / C), np.tanh((X_other - m) / C)
'''),
    # --- l2_penalty ---------------------------------------------------------------------------------
    Bug("l2_penalty", "loss_missing_the_half", '''def l2_penalty(weights, reg):
    loss, grads = 0.0, {}
    for name, W in weights.items():
        loss += reg * np.sum(W * W)
        grads[name] = reg * W
    return float(loss), grads
''', hint='the 1/2 of 0.5 * reg * sum(W**2) is missing'),
    Bug("l2_penalty", "gradient_twice_too_large", '''def l2_penalty(weights, reg):
    loss, grads = 0.0, {}
    for name, W in weights.items():
        loss += 0.5 * reg * np.sum(W * W)
        grads[name] = 2 * reg * W
    return float(loss), grads
''', hint='the 1/2 cancels the 2'),
    Bug("l2_penalty", "loss_of_the_last_array_only", '''def l2_penalty(weights, reg):
    loss, grads = 0.0, {}
    for name, W in weights.items():
        loss = 0.5 * reg * np.sum(W * W)
        grads[name] = reg * W
    return float(loss), grads
'''),
    Bug("l2_penalty", "l1_instead_of_l2", '''def l2_penalty(weights, reg):
    loss, grads = 0.0, {}
    for name, W in weights.items():
        loss += reg * np.sum(np.abs(W))
        grads[name] = reg * np.sign(W)
    return float(loss), grads
'''),
    Bug("l2_penalty", "gradient_forgets_reg", '''def l2_penalty(weights, reg):
    loss, grads = 0.0, {}
    for name, W in weights.items():
        loss += 0.5 * reg * np.sum(W * W)
        grads[name] = W.copy()
    return float(loss), grads
''', hint='reg is missing from the gradient'),
    Bug("l2_penalty", "square_of_the_sum", '''def l2_penalty(weights, reg):
    loss, grads = 0.0, {}
    for name, W in weights.items():
        loss += 0.5 * reg * np.sum(W) ** 2
        grads[name] = reg * W
    return float(loss), grads
'''),
]
