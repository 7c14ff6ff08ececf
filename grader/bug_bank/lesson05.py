"""Known-wrong implementations for lesson 05 (the choice of loss: MSE, L1 and cross-entropy).

Each is a mistake a student could plausibly make; planted after the correct definition, it must lose the
points of its own function's test cell.
"""

from grader.bug_bank import Bug

LESSON = "05_loss_choice"

BUGS = [
    # --- softmax ------------------------------------------------------------------------------------
    Bug("softmax", "unshifted", '''def softmax(z):
    exp_z = np.exp(z)
    return exp_z / np.sum(exp_z, axis=-1, keepdims=True)
''', hint="NaN or inf"),
    Bug("softmax", "shifts_by_global_max", '''def softmax(z):
    exp_z = np.exp(z - np.max(z))
    return exp_z / np.sum(exp_z, axis=-1, keepdims=True)
''', hint="NaN or inf"),
    Bug("softmax", "shifts_by_row_min", '''def softmax(z):
    exp_z = np.exp(z - np.min(z, axis=-1, keepdims=True))
    return exp_z / np.sum(exp_z, axis=-1, keepdims=True)
''', hint="NaN or inf"),
    Bug("softmax", "normalizes_over_axis_0", '''def softmax(z):
    exp_z = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return exp_z / np.sum(exp_z, axis=0, keepdims=True)
'''),
    Bug("softmax", "normalizes_by_total", '''def softmax(z):
    exp_z = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return exp_z / np.sum(exp_z)
'''),
    Bug("softmax", "shifts_input_in_place", '''def softmax(z):
    z -= np.max(z, axis=-1, keepdims=True)
    exp_z = np.exp(z)
    return exp_z / np.sum(exp_z, axis=-1, keepdims=True)
'''),
    # --- cross_entropy_loss -------------------------------------------------------------------------
    Bug("cross_entropy_loss", "sum_not_mean", '''def cross_entropy_loss(logits, y):
    N = logits.shape[0]
    rows = np.arange(N)
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    dlogits = np.exp(log_probs)
    dlogits[rows, y] -= 1.0
    return float(-np.sum(log_probs[rows, y])), dlogits / N
''', hint="the batch size"),
    Bug("cross_entropy_loss", "gradient_missing_1_over_N", '''def cross_entropy_loss(logits, y):
    N = logits.shape[0]
    rows = np.arange(N)
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    dlogits = np.exp(log_probs)
    dlogits[rows, y] -= 1.0
    return float(-np.mean(log_probs[rows, y])), dlogits
''', hint="the batch size"),
    Bug("cross_entropy_loss", "log_of_softmax_underflows", '''def cross_entropy_loss(logits, y):
    N = logits.shape[0]
    rows = np.arange(N)
    exp_shifted = np.exp(logits - np.max(logits, axis=1, keepdims=True))
    probs = exp_shifted / np.sum(exp_shifted, axis=1, keepdims=True)
    loss = -np.mean(np.log(probs[rows, y]))
    dlogits = probs.copy()
    dlogits[rows, y] -= 1.0
    return float(loss), dlogits / N
''', hint="underflowed to 0"),
    Bug("cross_entropy_loss", "unshifted_exponentials", '''def cross_entropy_loss(logits, y):
    N = logits.shape[0]
    rows = np.arange(N)
    log_probs = logits - np.log(np.sum(np.exp(logits), axis=1, keepdims=True))
    dlogits = np.exp(log_probs)
    dlogits[rows, y] -= 1.0
    return float(-np.mean(log_probs[rows, y])), dlogits / N
''', hint="NaN or inf"),
    Bug("cross_entropy_loss", "gradient_sign_flipped", '''def cross_entropy_loss(logits, y):
    N = logits.shape[0]
    rows = np.arange(N)
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    dlogits = -np.exp(log_probs)
    dlogits[rows, y] += 1.0
    return float(-np.mean(log_probs[rows, y])), dlogits / N
''', hint="the sign is flipped"),
    Bug("cross_entropy_loss", "gradient_forgets_one_hot", '''def cross_entropy_loss(logits, y):
    N = logits.shape[0]
    rows = np.arange(N)
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return float(-np.mean(log_probs[rows, y])), np.exp(log_probs) / N
'''),
    Bug("cross_entropy_loss", "picks_columns_not_entries", '''def cross_entropy_loss(logits, y):
    N = logits.shape[0]
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    dlogits = np.exp(log_probs)
    dlogits[np.arange(N), y] -= 1.0
    return float(-np.mean(log_probs[:, y])), dlogits / N
'''),
    # --- mse_loss -----------------------------------------------------------------------------------
    Bug("mse_loss", "no_mean", '''def mse_loss(pred, target):
    diff = pred - target
    return float(np.sum(diff ** 2)), 2.0 * diff
''', hint="a sum where a mean was meant"),
    Bug("mse_loss", "gradient_missing_factor_2", '''def mse_loss(pred, target):
    diff = pred - target
    return float(np.mean(diff ** 2)), diff / diff.size
''', hint="half the expected size"),
    Bug("mse_loss", "gradient_not_averaged", '''def mse_loss(pred, target):
    diff = pred - target
    return float(np.mean(diff ** 2)), 2.0 * diff
''', hint="the batch size"),
    Bug("mse_loss", "mean_over_rows_only", '''def mse_loss(pred, target):
    diff = pred - target
    N = diff.shape[0]
    return float(np.sum(diff ** 2) / N), 2.0 * diff / N
''', hint="a sum where a mean was meant"),
    Bug("mse_loss", "gradient_sign_flipped", '''def mse_loss(pred, target):
    diff = pred - target
    return float(np.mean(diff ** 2)), 2.0 * (target - pred) / diff.size
''', hint="the sign is flipped"),
    Bug("mse_loss", "subtracts_in_place", '''def mse_loss(pred, target):
    pred -= target
    return float(np.mean(pred ** 2)), 2.0 * pred / pred.size
'''),
    Bug("mse_loss", "absolute_error", '''def mse_loss(pred, target):
    diff = pred - target
    return float(np.mean(np.abs(diff))), np.sign(diff) / diff.size
'''),
    # --- mse_on_softmax_loss ------------------------------------------------------------------------
    Bug("mse_on_softmax_loss", "skips_softmax_jacobian", '''def mse_on_softmax_loss(logits, y):
    N, C = logits.shape
    p = softmax(logits)
    one_hot = np.zeros((N, C))
    one_hot[np.arange(N), y] = 1.0
    loss, dp = mse_loss(p, one_hot)
    return float(loss), dp
'''),
    Bug("mse_on_softmax_loss", "diagonal_jacobian_only", '''def mse_on_softmax_loss(logits, y):
    N, C = logits.shape
    p = softmax(logits)
    one_hot = np.zeros((N, C))
    one_hot[np.arange(N), y] = 1.0
    loss, dp = mse_loss(p, one_hot)
    return float(loss), p * (1 - p) * dp
'''),
    Bug("mse_on_softmax_loss", "jacobian_sign_flipped", '''def mse_on_softmax_loss(logits, y):
    N, C = logits.shape
    p = softmax(logits)
    one_hot = np.zeros((N, C))
    one_hot[np.arange(N), y] = 1.0
    loss, dp = mse_loss(p, one_hot)
    return float(loss), p * (dp + np.sum(dp * p, axis=1, keepdims=True))
'''),
    Bug("mse_on_softmax_loss", "sums_over_classes", '''def mse_on_softmax_loss(logits, y):
    N, C = logits.shape
    p = softmax(logits)
    one_hot = np.zeros((N, C))
    one_hot[np.arange(N), y] = 1.0
    loss = np.sum((p - one_hot) ** 2) / N
    dp = 2.0 * (p - one_hot) / N
    return float(loss), p * (dp - np.sum(dp * p, axis=1, keepdims=True))
''', hint="a sum where a mean was meant"),
    Bug("mse_on_softmax_loss", "labels_as_numbers", '''def mse_on_softmax_loss(logits, y):
    p = softmax(logits)
    target = y.reshape(-1, 1) * np.ones(p.shape)
    loss, dp = mse_loss(p, target)
    return float(loss), p * (dp - np.sum(dp * p, axis=1, keepdims=True))
'''),
    Bug("mse_on_softmax_loss", "unshifted_softmax_inline", '''def mse_on_softmax_loss(logits, y):
    N, C = logits.shape
    exp_z = np.exp(logits)
    p = exp_z / np.sum(exp_z, axis=1, keepdims=True)
    one_hot = np.zeros((N, C))
    one_hot[np.arange(N), y] = 1.0
    loss, dp = mse_loss(p, one_hot)
    return float(loss), p * (dp - np.sum(dp * p, axis=1, keepdims=True))
''', hint="NaN or inf"),
    # --- l1_loss ------------------------------------------------------------------------------------
    Bug("l1_loss", "loss_summed_not_averaged", '''def l1_loss(pred, target):
    diff = pred - target
    return float(np.sum(np.abs(diff))), np.sign(diff) / diff.size
''', hint="a sum where a mean was meant"),
    Bug("l1_loss", "gradient_not_averaged", '''def l1_loss(pred, target):
    diff = pred - target
    return float(np.mean(np.abs(diff))), np.sign(diff)
''', hint="a missing division by the number of entries"),
    Bug("l1_loss", "gradient_of_the_square", '''def l1_loss(pred, target):
    diff = pred - target
    return float(np.mean(np.abs(diff))), 2.0 * diff / diff.size
'''),
    Bug("l1_loss", "gradient_sign_flipped", '''def l1_loss(pred, target):
    diff = pred - target
    return float(np.mean(np.abs(diff))), np.sign(target - pred) / diff.size
''', hint="the sign is flipped"),
    Bug("l1_loss", "squares_instead_of_absolute_values", '''def l1_loss(pred, target):
    diff = pred - target
    return float(np.mean(diff ** 2)), np.sign(diff) / diff.size
'''),
    Bug("l1_loss", "slope_one_where_pred_equals_target", '''def l1_loss(pred, target):
    diff = pred - target
    return float(np.mean(np.abs(diff))), np.where(diff >= 0, 1.0, -1.0) / diff.size
''', hint="where pred == target must be 0"),
    Bug("l1_loss", "mean_over_rows_only", '''def l1_loss(pred, target):
    diff = pred - target
    N = diff.shape[0]
    return float(np.sum(np.abs(diff)) / N), np.sign(diff) / N
''', hint="a sum where a mean was meant"),
    Bug("l1_loss", "subtracts_in_place", '''def l1_loss(pred, target):
    pred -= target
    return float(np.mean(np.abs(pred))), np.sign(pred) / pred.size
'''),
]
