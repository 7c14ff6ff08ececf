"""Known-wrong implementations for lesson 06 (batch normalization and layer normalization).

Each is a mistake a student could plausibly make; planted after the correct definition, it must lose the
points of its own function's test cell.
"""

from grader.bug_bank import Bug

LESSON = "06_batchnorm"

_BACKWARD_HEAD = '''def batchnorm_backward(dout, cache):
    x_hat, gamma, inv_std = cache
    N = dout.shape[0]
'''

# The staged version up to stage 2 (x_hat = c * s), as the lesson's text lays it out.
_STAGED_HEAD = _BACKWARD_HEAD + '''    centred = x_hat / inv_std
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx_hat = dout * gamma
    dcentred = dx_hat * inv_std
    dinv_std = (dx_hat * centred).sum(axis=0)
'''

_ALT_HEAD = '''def batchnorm_backward_alt(dout, cache):
    x_hat, gamma, inv_std = cache
    N = dout.shape[0]
    dx_hat = dout * gamma
'''

_LN_FORWARD_TAIL = '''    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mean) * inv_std
    return gamma * x_hat + beta, (x_hat, gamma, inv_std)
'''

_LN_BACKWARD_HEAD = '''def layernorm_backward(dout, cache):
    x_hat, gamma, inv_std = cache
    D = dout.shape[1]
    dx_hat = dout * gamma
'''

BUGS = [
    # --- batchnorm_forward --------------------------------------------------------------------------
    Bug("batchnorm_forward", "normalizes_over_the_wrong_axis", '''def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    D = x.shape[1]
    running_mean = bn_param.get("running_mean", np.zeros(D))
    running_var = bn_param.get("running_var", np.zeros(D))
    if mode == "train":
        mean = x.mean(axis=1, keepdims=True)
        var = x.var(axis=1, keepdims=True)
        bn_param["running_mean"] = momentum * running_mean + (1.0 - momentum) * mean.mean()
        bn_param["running_var"] = momentum * running_var + (1.0 - momentum) * var.mean()
    else:
        mean, var = running_mean, running_var
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mean) * inv_std
    return gamma * x_hat + beta, (x_hat, gamma, inv_std)
'''),
    Bug("batchnorm_forward", "running_statistics_never_updated", '''def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    D = x.shape[1]
    running_mean = bn_param.get("running_mean", np.zeros(D))
    running_var = bn_param.get("running_var", np.zeros(D))
    bn_param["running_mean"], bn_param["running_var"] = running_mean, running_var
    if mode == "train":
        mean, var = x.mean(axis=0), x.var(axis=0)
    else:
        mean, var = running_mean, running_var
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mean) * inv_std
    return gamma * x_hat + beta, (x_hat, gamma, inv_std)
''', hint="all zeros"),
    Bug("batchnorm_forward", "running_statistics_updated_in_test_mode", '''def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    D = x.shape[1]
    running_mean = bn_param.get("running_mean", np.zeros(D))
    running_var = bn_param.get("running_var", np.zeros(D))
    if mode == "train":
        mean, var = x.mean(axis=0), x.var(axis=0)
    else:
        mean, var = running_mean, running_var
    bn_param["running_mean"] = momentum * running_mean + (1.0 - momentum) * x.mean(axis=0)
    bn_param["running_var"] = momentum * running_var + (1.0 - momentum) * x.var(axis=0)
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mean) * inv_std
    return gamma * x_hat + beta, (x_hat, gamma, inv_std)
''', hint="test mode updated the running statistics"),
    Bug("batchnorm_forward", "unbiased_variance_everywhere", '''def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    D = x.shape[1]
    running_mean = bn_param.get("running_mean", np.zeros(D))
    running_var = bn_param.get("running_var", np.zeros(D))
    if mode == "train":
        mean, var = x.mean(axis=0), x.var(axis=0, ddof=1)
        bn_param["running_mean"] = momentum * running_mean + (1.0 - momentum) * mean
        bn_param["running_var"] = momentum * running_var + (1.0 - momentum) * var
    else:
        mean, var = running_mean, running_var
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mean) * inv_std
    return gamma * x_hat + beta, (x_hat, gamma, inv_std)
''', hint="the unbiased variance"),
    Bug("batchnorm_forward", "running_var_keeps_the_unbiased_variance", '''def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    D = x.shape[1]
    running_mean = bn_param.get("running_mean", np.zeros(D))
    running_var = bn_param.get("running_var", np.zeros(D))
    if mode == "train":
        mean, var = x.mean(axis=0), x.var(axis=0)
        bn_param["running_mean"] = momentum * running_mean + (1.0 - momentum) * mean
        bn_param["running_var"] = momentum * running_var + (1.0 - momentum) * x.var(axis=0, ddof=1)
    else:
        mean, var = running_mean, running_var
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mean) * inv_std
    return gamma * x_hat + beta, (x_hat, gamma, inv_std)
''', hint="averages the unbiased variance"),
    Bug("batchnorm_forward", "momentum_weights_swapped", '''def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    D = x.shape[1]
    running_mean = bn_param.get("running_mean", np.zeros(D))
    running_var = bn_param.get("running_var", np.zeros(D))
    if mode == "train":
        mean, var = x.mean(axis=0), x.var(axis=0)
        bn_param["running_mean"] = (1.0 - momentum) * running_mean + momentum * mean
        bn_param["running_var"] = (1.0 - momentum) * running_var + momentum * var
    else:
        mean, var = running_mean, running_var
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mean) * inv_std
    return gamma * x_hat + beta, (x_hat, gamma, inv_std)
''', hint="the momentum weights are swapped"),
    Bug("batchnorm_forward", "test_mode_uses_batch_statistics", '''def batchnorm_forward(x, gamma, beta, bn_param):
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    D = x.shape[1]
    mean, var = x.mean(axis=0), x.var(axis=0)
    if bn_param["mode"] == "train":
        bn_param["running_mean"] = momentum * bn_param.get("running_mean", np.zeros(D)) + (1.0 - momentum) * mean
        bn_param["running_var"] = momentum * bn_param.get("running_var", np.zeros(D)) + (1.0 - momentum) * var
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mean) * inv_std
    return gamma * x_hat + beta, (x_hat, gamma, inv_std)
'''),
    Bug("batchnorm_forward", "eps_outside_the_square_root", '''def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    D = x.shape[1]
    running_mean = bn_param.get("running_mean", np.zeros(D))
    running_var = bn_param.get("running_var", np.zeros(D))
    if mode == "train":
        mean, var = x.mean(axis=0), x.var(axis=0)
        bn_param["running_mean"] = momentum * running_mean + (1.0 - momentum) * mean
        bn_param["running_var"] = momentum * running_var + (1.0 - momentum) * var
    else:
        mean, var = running_mean, running_var
    inv_std = 1.0 / (np.sqrt(var) + eps)
    x_hat = (x - mean) * inv_std
    return gamma * x_hat + beta, (x_hat, gamma, inv_std)
'''),
    Bug("batchnorm_forward", "ignores_the_eps_and_momentum_given", '''def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps, momentum = 1e-5, 0.9
    D = x.shape[1]
    running_mean = bn_param.get("running_mean", np.zeros(D))
    running_var = bn_param.get("running_var", np.zeros(D))
    if mode == "train":
        mean, var = x.mean(axis=0), x.var(axis=0)
        bn_param["running_mean"] = momentum * running_mean + (1.0 - momentum) * mean
        bn_param["running_var"] = momentum * running_var + (1.0 - momentum) * var
    else:
        mean, var = running_mean, running_var
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mean) * inv_std
    return gamma * x_hat + beta, (x_hat, gamma, inv_std)
''', hint="the eps given in bn_param was not used"),
    # --- batchnorm_backward -------------------------------------------------------------------------
    Bug("batchnorm_backward", "batch_statistics_treated_as_constants", _BACKWARD_HEAD + '''    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx = dout * gamma * inv_std
    return dx, dgamma, dbeta
'''),
    Bug("batchnorm_backward", "variance_path_missing", _BACKWARD_HEAD + '''    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx_hat = dout * gamma
    dx = inv_std / N * (N * dx_hat - dx_hat.sum(axis=0))
    return dx, dgamma, dbeta
'''),
    Bug("batchnorm_backward", "mean_path_missing", _BACKWARD_HEAD + '''    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx_hat = dout * gamma
    dx = inv_std / N * (N * dx_hat - x_hat * (dx_hat * x_hat).sum(axis=0))
    return dx, dgamma, dbeta
'''),
    Bug("batchnorm_backward", "missing_1_over_N", _BACKWARD_HEAD + '''    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx_hat = dout * gamma
    dx = inv_std * (N * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0))
    return dx, dgamma, dbeta
''', hint="the batch size"),
    Bug("batchnorm_backward", "dgamma_without_x_hat", _BACKWARD_HEAD + '''    dbeta = dout.sum(axis=0)
    dgamma = dout.sum(axis=0)
    dx_hat = dout * gamma
    dx = inv_std / N * (N * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0))
    return dx, dgamma, dbeta
'''),
    Bug("batchnorm_backward", "parameter_gradients_summed_over_features", _BACKWARD_HEAD + '''    dbeta = dout.sum(axis=1)
    dgamma = (dout * x_hat).sum(axis=1)
    dx_hat = dout * gamma
    dx = inv_std / N * (N * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0))
    return dx, dgamma, dbeta
''', hint="over the wrong axis"),
    Bug("batchnorm_backward", "gamma_forgotten_in_dx", _BACKWARD_HEAD + '''    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx_hat = dout
    dx = inv_std / N * (N * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0))
    return dx, dgamma, dbeta
'''),
    # --- batchnorm_backward, stage by stage ---------------------------------------------------------
    Bug("batchnorm_backward", "staged_variance_path_into_c_missing", _STAGED_HEAD + '''    dvar = -0.5 * inv_std ** 3 * dinv_std
    dx = dcentred - dcentred.mean(axis=0)
    return dx, dgamma, dbeta
'''),
    Bug("batchnorm_backward", "staged_mean_stage_skipped", _STAGED_HEAD + '''    dvar = -0.5 * inv_std ** 3 * dinv_std
    dcentred = dcentred + 2.0 * centred * dvar / N
    return dcentred, dgamma, dbeta
'''),
    Bug("batchnorm_backward", "staged_power_of_s_wrong", _STAGED_HEAD + '''    dvar = -0.5 * inv_std ** 2 * dinv_std
    dcentred = dcentred + 2.0 * centred * dvar / N
    dx = dcentred - dcentred.mean(axis=0)
    return dx, dgamma, dbeta
'''),
    Bug("batchnorm_backward", "staged_sign_of_dvar_flipped", _STAGED_HEAD + '''    dvar = 0.5 * inv_std ** 3 * dinv_std
    dcentred = dcentred + 2.0 * centred * dvar / N
    dx = dcentred - dcentred.mean(axis=0)
    return dx, dgamma, dbeta
'''),
    # --- batchnorm_backward_alt (the compact formula) -----------------------------------------------
    Bug("batchnorm_backward_alt", "missing_1_over_N", _ALT_HEAD + '''    dx = inv_std * (N * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0))
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
''', hint="the batch size"),
    Bug("batchnorm_backward_alt", "mean_term_missing", _ALT_HEAD + '''    dx = inv_std / N * (N * dx_hat - x_hat * (dx_hat * x_hat).sum(axis=0))
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
'''),
    Bug("batchnorm_backward_alt", "x_hat_term_missing", _ALT_HEAD + '''    dx = inv_std / N * (N * dx_hat - dx_hat.sum(axis=0))
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
'''),
    Bug("batchnorm_backward_alt", "sums_over_the_features", _ALT_HEAD + '''    dx = inv_std / N * (N * dx_hat - dx_hat.sum(axis=1, keepdims=True)
                        - x_hat * (dx_hat * x_hat).sum(axis=1, keepdims=True))
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
'''),
    Bug("batchnorm_backward_alt", "upstream_gradient_in_the_sums", _ALT_HEAD + '''    dx = inv_std / N * (N * dx_hat - dout.sum(axis=0) - x_hat * (dout * x_hat).sum(axis=0))
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
'''),
    Bug("batchnorm_backward_alt", "s_squared", _ALT_HEAD + '''    dx = inv_std ** 2 / N * (N * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0))
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
'''),
    Bug("batchnorm_backward_alt", "dgamma_and_dbeta_swapped", _ALT_HEAD + '''    dx = inv_std / N * (N * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0))
    return dx, dout.sum(axis=0), (dout * x_hat).sum(axis=0)
'''),
    # --- layernorm_forward --------------------------------------------------------------------------
    Bug("layernorm_forward", "normalizes_over_the_batch_axis", '''def layernorm_forward(x, gamma, beta, ln_param):
    eps = ln_param.get("eps", 1e-5)
    mean = x.mean(axis=0, keepdims=True)
    var = x.var(axis=0, keepdims=True)
''' + _LN_FORWARD_TAIL, hint="over the batch (axis 0)"),
    Bug("layernorm_forward", "unbiased_variance", '''def layernorm_forward(x, gamma, beta, ln_param):
    eps = ln_param.get("eps", 1e-5)
    mean = x.mean(axis=1, keepdims=True)
    var = x.var(axis=1, ddof=1, keepdims=True)
''' + _LN_FORWARD_TAIL, hint="the unbiased variance"),
    Bug("layernorm_forward", "eps_outside_the_square_root", '''def layernorm_forward(x, gamma, beta, ln_param):
    eps = ln_param.get("eps", 1e-5)
    mean = x.mean(axis=1, keepdims=True)
    inv_std = 1.0 / (x.std(axis=1, keepdims=True) + eps)
    x_hat = (x - mean) * inv_std
    return gamma * x_hat + beta, (x_hat, gamma, inv_std)
'''),
    Bug("layernorm_forward", "ignores_the_eps_given", '''def layernorm_forward(x, gamma, beta, ln_param):
    eps = 1e-5
    mean = x.mean(axis=1, keepdims=True)
    var = x.var(axis=1, keepdims=True)
''' + _LN_FORWARD_TAIL, hint="the eps given in ln_param was not used"),
    Bug("layernorm_forward", "statistics_without_keepdims", '''def layernorm_forward(x, gamma, beta, ln_param):
    eps = ln_param.get("eps", 1e-5)
    mean = x.mean(axis=1)
    var = x.var(axis=1)
''' + _LN_FORWARD_TAIL),
    Bug("layernorm_forward", "mean_not_subtracted", '''def layernorm_forward(x, gamma, beta, ln_param):
    eps = ln_param.get("eps", 1e-5)
    var = x.var(axis=1, keepdims=True)
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = x * inv_std
    return gamma * x_hat + beta, (x_hat, gamma, inv_std)
'''),
    Bug("layernorm_forward", "centres_the_input_in_place", '''def layernorm_forward(x, gamma, beta, ln_param):
    eps = ln_param.get("eps", 1e-5)
    x -= x.mean(axis=1, keepdims=True)
    inv_std = 1.0 / np.sqrt(x.var(axis=1, keepdims=True) + eps)
    x_hat = x * inv_std
    return gamma * x_hat + beta, (x_hat, gamma, inv_std)
'''),
    # --- layernorm_backward -------------------------------------------------------------------------
    Bug("layernorm_backward", "batchnorm_formula_over_the_batch", '''def layernorm_backward(dout, cache):
    x_hat, gamma, inv_std = cache
    N = dout.shape[0]
    dx_hat = dout * gamma
    dx = inv_std / N * (N * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0))
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
'''),
    Bug("layernorm_backward", "dgamma_summed_over_the_features", _LN_BACKWARD_HEAD + '''    dx = inv_std / D * (D * dx_hat - dx_hat.sum(axis=1, keepdims=True)
                        - x_hat * (dx_hat * x_hat).sum(axis=1, keepdims=True))
    return dx, (dout * x_hat).sum(axis=1), dout.sum(axis=0)
''', hint="over the wrong axis"),
    Bug("layernorm_backward", "dbeta_summed_over_the_features", _LN_BACKWARD_HEAD + '''    dx = inv_std / D * (D * dx_hat - dx_hat.sum(axis=1, keepdims=True)
                        - x_hat * (dx_hat * x_hat).sum(axis=1, keepdims=True))
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=1)
''', hint="over the wrong axis"),
    Bug("layernorm_backward", "missing_1_over_D", _LN_BACKWARD_HEAD + '''    dx = inv_std * (D * dx_hat - dx_hat.sum(axis=1, keepdims=True)
                    - x_hat * (dx_hat * x_hat).sum(axis=1, keepdims=True))
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
''', hint="off by a factor of 5"),
    Bug("layernorm_backward", "mean_term_missing", _LN_BACKWARD_HEAD + '''    dx = inv_std / D * (D * dx_hat - x_hat * (dx_hat * x_hat).sum(axis=1, keepdims=True))
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
'''),
    Bug("layernorm_backward", "x_hat_term_missing", _LN_BACKWARD_HEAD + '''    dx = inv_std / D * (D * dx_hat - dx_hat.sum(axis=1, keepdims=True))
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
'''),
    Bug("layernorm_backward", "gamma_forgotten_in_dx", '''def layernorm_backward(dout, cache):
    x_hat, gamma, inv_std = cache
    D = dout.shape[1]
    dx = inv_std / D * (D * dout - dout.sum(axis=1, keepdims=True) - x_hat * (dout * x_hat).sum(axis=1, keepdims=True))
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
'''),
]
