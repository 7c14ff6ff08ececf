"""Known-wrong implementations for lesson 01 (optimization as search).

Each is a mistake a student could plausibly make; planted after the correct definition, it must lose the
points of its own function's test cell and no other.
"""

from grader.bug_bank import Bug

LESSON = "01_search_strategies"

BUGS = [
    # --- random_search ------------------------------------------------------------------------------
    Bug("random_search", "keeps_last_sample", '''def random_search(loss_fn, sample_fn, num_tries):
    best_W, best_loss = None, np.inf
    for _ in range(num_tries):
        best_W = sample_fn()
        best_loss = loss_fn(best_W)
    return best_W, best_loss
'''),
    Bug("random_search", "keeps_highest_loss", '''def random_search(loss_fn, sample_fn, num_tries):
    best_W, best_loss = None, -np.inf
    for _ in range(num_tries):
        W = sample_fn()
        loss = loss_fn(W)
        if loss > best_loss:
            best_W, best_loss = W, loss
    return best_W, best_loss
'''),
    Bug("random_search", "best_loss_with_last_W", '''def random_search(loss_fn, sample_fn, num_tries):
    best_loss = np.inf
    for _ in range(num_tries):
        W = sample_fn()
        best_loss = min(best_loss, loss_fn(W))
    return W, best_loss
'''),
    Bug("random_search", "one_try_short", '''def random_search(loss_fn, sample_fn, num_tries):
    best_W = sample_fn()
    best_loss = loss_fn(best_W)
    for _ in range(1, num_tries - 1):
        W = sample_fn()
        loss = loss_fn(W)
        if loss < best_loss:
            best_W, best_loss = W, loss
    return best_W, best_loss
'''),
    Bug("random_search", "samples_again_when_storing", '''def random_search(loss_fn, sample_fn, num_tries):
    best_W, best_loss = None, np.inf
    for _ in range(num_tries):
        loss = loss_fn(sample_fn())
        if loss < best_loss:
            best_W, best_loss = sample_fn(), loss
    return best_W, best_loss
'''),
    # --- random_local_search ------------------------------------------------------------------------
    Bug("random_local_search", "accepts_every_step", '''def random_local_search(loss_fn, W0, perturb_fn, num_steps):
    W = W0.copy()
    loss_history = [loss_fn(W)]
    for _ in range(num_steps):
        W = W + perturb_fn(W)
        loss_history.append(loss_fn(W))
    return W, np.array(loss_history)
'''),
    Bug("random_local_search", "accepts_increases", '''def random_local_search(loss_fn, W0, perturb_fn, num_steps):
    W = W0.copy()
    loss = loss_fn(W)
    loss_history = [loss]
    for _ in range(num_steps):
        candidate = W + perturb_fn(W)
        candidate_loss = loss_fn(candidate)
        if candidate_loss > loss:
            W, loss = candidate, candidate_loss
        loss_history.append(loss)
    return W, np.array(loss_history)
'''),
    Bug("random_local_search", "accepts_ties", '''def random_local_search(loss_fn, W0, perturb_fn, num_steps):
    W = W0.copy()
    loss = loss_fn(W)
    loss_history = [loss]
    for _ in range(num_steps):
        candidate = W + perturb_fn(W)
        candidate_loss = loss_fn(candidate)
        if candidate_loss <= loss:
            W, loss = candidate, candidate_loss
        loss_history.append(loss)
    return W, np.array(loss_history)
'''),
    Bug("random_local_search", "history_of_accepted_steps_only", '''def random_local_search(loss_fn, W0, perturb_fn, num_steps):
    W = W0.copy()
    loss = loss_fn(W)
    loss_history = [loss]
    for _ in range(num_steps):
        candidate = W + perturb_fn(W)
        candidate_loss = loss_fn(candidate)
        if candidate_loss < loss:
            W, loss = candidate, candidate_loss
            loss_history.append(loss)
    return W, np.array(loss_history)
'''),
    Bug("random_local_search", "history_of_candidates", '''def random_local_search(loss_fn, W0, perturb_fn, num_steps):
    W = W0.copy()
    loss = loss_fn(W)
    loss_history = [loss]
    for _ in range(num_steps):
        candidate = W + perturb_fn(W)
        candidate_loss = loss_fn(candidate)
        loss_history.append(candidate_loss)
        if candidate_loss < loss:
            W, loss = candidate, candidate_loss
    return W, np.array(loss_history)
'''),
    Bug("random_local_search", "mutates_W0", '''def random_local_search(loss_fn, W0, perturb_fn, num_steps):
    W = W0
    loss = loss_fn(W)
    loss_history = [loss]
    for _ in range(num_steps):
        step = perturb_fn(W)
        candidate_loss = loss_fn(W + step)
        if candidate_loss < loss:
            W += step
            loss = candidate_loss
        loss_history.append(loss)
    return W, np.array(loss_history)
'''),
    # --- numerical_gradient -------------------------------------------------------------------------
    Bug("numerical_gradient", "forward_difference", '''def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    fx = f(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        grad[idx] = (f(x) - fx) / h
        x[idx] = old
    return grad
'''),
    Bug("numerical_gradient", "divides_by_h_not_2h", '''def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        f_plus = f(x)
        x[idx] = old - h
        f_minus = f(x)
        x[idx] = old
        grad[idx] = (f_plus - f_minus) / h
    return grad
''', hint='2x too large'),
    Bug("numerical_gradient", "does_not_restore_x", '''def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        f_plus = f(x)
        x[idx] = old - h
        f_minus = f(x)
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad
'''),
    Bug("numerical_gradient", "restores_by_adding_h_back", '''def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        x[idx] += h
        f_plus = f(x)
        x[idx] -= 2 * h
        f_minus = f(x)
        x[idx] += h
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad
'''),
    Bug("numerical_gradient", "only_handles_1d", '''def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in range(len(x)):
        old = x[i].copy()
        x[i] = old + h
        f_plus = f(x)
        x[i] = old - h
        f_minus = f(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad
'''),
    Bug("numerical_gradient", "ignores_h_argument", '''def numerical_gradient(f, x, h=1e-5):
    step = 1e-5
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + step
        f_plus = f(x)
        x[idx] = old - step
        f_minus = f(x)
        x[idx] = old
        grad[idx] = (f_plus - f_minus) / (2 * step)
    return grad
'''),
    # --- softmax_loss_and_grad ----------------------------------------------------------------------
    Bug("softmax_loss_and_grad", "missing_1_over_N_in_dW", '''def softmax_loss_and_grad(W, X, y, reg):
    N = X.shape[0]
    scores = X @ W
    scores = scores - scores.max(axis=1, keepdims=True)
    probs = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(probs[np.arange(N), y])) + 0.5 * reg * np.sum(W ** 2)
    dscores = probs.copy()
    dscores[np.arange(N), y] -= 1
    dW = X.T @ dscores + reg * W
    return loss, dW
''', hint='the batch size: a missing division by N'),
    Bug("softmax_loss_and_grad", "reg_gradient_2x", '''def softmax_loss_and_grad(W, X, y, reg):
    N = X.shape[0]
    scores = X @ W
    scores = scores - scores.max(axis=1, keepdims=True)
    probs = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(probs[np.arange(N), y])) + 0.5 * reg * np.sum(W ** 2)
    dscores = probs.copy()
    dscores[np.arange(N), y] -= 1
    dW = X.T @ dscores / N + 2 * reg * W
    return loss, dW
'''),
    Bug("softmax_loss_and_grad", "reg_loss_missing_half", '''def softmax_loss_and_grad(W, X, y, reg):
    N = X.shape[0]
    scores = X @ W
    scores = scores - scores.max(axis=1, keepdims=True)
    probs = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(probs[np.arange(N), y])) + reg * np.sum(W ** 2)
    dscores = probs.copy()
    dscores[np.arange(N), y] -= 1
    dW = X.T @ dscores / N + reg * W
    return loss, dW
'''),
    Bug("softmax_loss_and_grad", "no_max_shift", '''def softmax_loss_and_grad(W, X, y, reg):
    N = X.shape[0]
    exp_scores = np.exp(X @ W)
    probs = exp_scores / exp_scores.sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(probs[np.arange(N), y])) + 0.5 * reg * np.sum(W ** 2)
    dscores = probs.copy()
    dscores[np.arange(N), y] -= 1
    dW = X.T @ dscores / N + reg * W
    return loss, dW
'''),
    Bug("softmax_loss_and_grad", "summed_loss_not_mean", '''def softmax_loss_and_grad(W, X, y, reg):
    N = X.shape[0]
    scores = X @ W
    scores = scores - scores.max(axis=1, keepdims=True)
    probs = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    loss = -np.sum(np.log(probs[np.arange(N), y])) + 0.5 * reg * np.sum(W ** 2)
    dscores = probs.copy()
    dscores[np.arange(N), y] -= 1
    dW = X.T @ dscores / N + reg * W
    return loss, dW
''', hint='the batch size: a missing division by N'),
    Bug("softmax_loss_and_grad", "dW_sign_flipped", '''def softmax_loss_and_grad(W, X, y, reg):
    N = X.shape[0]
    scores = X @ W
    scores = scores - scores.max(axis=1, keepdims=True)
    probs = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(probs[np.arange(N), y])) + 0.5 * reg * np.sum(W ** 2)
    dscores = -probs
    dscores[np.arange(N), y] += 1
    dW = X.T @ dscores / N + reg * W
    return loss, dW
''', hint='the sign is flipped'),
    # --- svm_loss_and_grad --------------------------------------------------------------------------
    # The true class compared with itself: every sample pays delta more, and its gradient is off by one.
    Bug("svm_loss_and_grad", "counts_the_true_class", '''def svm_loss_and_grad(W, X, y, reg, delta=1.0):
    N = X.shape[0]
    scores = X @ W
    margins = scores - scores[np.arange(N), y][:, None] + delta
    active = margins > 0
    loss = np.sum(margins[active]) / N + 0.5 * reg * np.sum(W ** 2)
    dscores = active.astype(float)
    dscores[np.arange(N), y] = -active.sum(axis=1)
    dW = X.T @ dscores / N + reg * W
    return loss, dW
'''),
    Bug("svm_loss_and_grad", "dW_missing_1_over_N", '''def svm_loss_and_grad(W, X, y, reg, delta=1.0):
    N = X.shape[0]
    scores = X @ W
    margins = scores - scores[np.arange(N), y][:, None] + delta
    margins[np.arange(N), y] = 0
    active = margins > 0
    loss = np.sum(margins[active]) / N + 0.5 * reg * np.sum(W ** 2)
    dscores = active.astype(float)
    dscores[np.arange(N), y] = -active.sum(axis=1)
    dW = X.T @ dscores + reg * W
    return loss, dW
''', hint="the batch size: a missing division by N"),
    Bug("svm_loss_and_grad", "loss_summed_not_averaged", '''def svm_loss_and_grad(W, X, y, reg, delta=1.0):
    N = X.shape[0]
    scores = X @ W
    margins = scores - scores[np.arange(N), y][:, None] + delta
    margins[np.arange(N), y] = 0
    active = margins > 0
    loss = np.sum(margins[active]) + 0.5 * reg * np.sum(W ** 2)
    dscores = active.astype(float)
    dscores[np.arange(N), y] = -active.sum(axis=1)
    dW = X.T @ dscores / N + reg * W
    return loss, dW
''', hint="the batch size: a missing division by N"),
    # No hinge: every margin counts, also the negative ones (the max(0, .) forgotten).
    Bug("svm_loss_and_grad", "no_max_with_zero", '''def svm_loss_and_grad(W, X, y, reg, delta=1.0):
    N = X.shape[0]
    scores = X @ W
    margins = scores - scores[np.arange(N), y][:, None] + delta
    margins[np.arange(N), y] = 0
    loss = np.sum(margins) / N + 0.5 * reg * np.sum(W ** 2)
    dscores = np.ones_like(scores)
    dscores[np.arange(N), y] = -(W.shape[1] - 1)
    dW = X.T @ dscores / N + reg * W
    return loss, dW
'''),
    # The true class gets -1 per sample instead of -1 per active term.
    Bug("svm_loss_and_grad", "true_class_gradient_minus_one", '''def svm_loss_and_grad(W, X, y, reg, delta=1.0):
    N = X.shape[0]
    scores = X @ W
    margins = scores - scores[np.arange(N), y][:, None] + delta
    margins[np.arange(N), y] = 0
    active = margins > 0
    loss = np.sum(margins[active]) / N + 0.5 * reg * np.sum(W ** 2)
    dscores = active.astype(float)
    dscores[np.arange(N), y] = -1.0
    dW = X.T @ dscores / N + reg * W
    return loss, dW
'''),
    Bug("svm_loss_and_grad", "ignores_delta", '''def svm_loss_and_grad(W, X, y, reg, delta=1.0):
    N = X.shape[0]
    scores = X @ W
    margins = scores - scores[np.arange(N), y][:, None] + 1.0
    margins[np.arange(N), y] = 0
    active = margins > 0
    loss = np.sum(margins[active]) / N + 0.5 * reg * np.sum(W ** 2)
    dscores = active.astype(float)
    dscores[np.arange(N), y] = -active.sum(axis=1)
    dW = X.T @ dscores / N + reg * W
    return loss, dW
'''),
    Bug("svm_loss_and_grad", "reg_gradient_2x", '''def svm_loss_and_grad(W, X, y, reg, delta=1.0):
    N = X.shape[0]
    scores = X @ W
    margins = scores - scores[np.arange(N), y][:, None] + delta
    margins[np.arange(N), y] = 0
    active = margins > 0
    loss = np.sum(margins[active]) / N + 0.5 * reg * np.sum(W ** 2)
    dscores = active.astype(float)
    dscores[np.arange(N), y] = -active.sum(axis=1)
    dW = X.T @ dscores / N + 2 * reg * W
    return loss, dW
'''),
    Bug("svm_loss_and_grad", "gradient_sign_flipped", '''def svm_loss_and_grad(W, X, y, reg, delta=1.0):
    N = X.shape[0]
    scores = X @ W
    margins = scores - scores[np.arange(N), y][:, None] + delta
    margins[np.arange(N), y] = 0
    active = margins > 0
    loss = np.sum(margins[active]) / N + 0.5 * reg * np.sum(W ** 2)
    dscores = -active.astype(float)
    dscores[np.arange(N), y] = active.sum(axis=1)
    dW = X.T @ dscores / N + reg * W
    return loss, dW
''', hint="the sign is flipped"),
    # --- gradient_descent ---------------------------------------------------------------------------
    Bug("gradient_descent", "ascends", '''def gradient_descent(loss_and_grad, W0, lr, num_steps):
    W = W0.copy()
    loss_history = []
    for _ in range(num_steps):
        loss, grad = loss_and_grad(W)
        loss_history.append(loss)
        W = W + lr * grad
    loss_history.append(loss_and_grad(W)[0])
    return W, np.array(loss_history)
''', hint='the sign is flipped'),
    Bug("gradient_descent", "updates_W0_in_place", '''def gradient_descent(loss_and_grad, W0, lr, num_steps):
    W = W0
    loss_history = []
    for _ in range(num_steps):
        loss, grad = loss_and_grad(W)
        loss_history.append(loss)
        W -= lr * grad
    loss_history.append(loss_and_grad(W)[0])
    return W, np.array(loss_history)
'''),
    Bug("gradient_descent", "history_missing_final_loss", '''def gradient_descent(loss_and_grad, W0, lr, num_steps):
    W = W0.copy()
    loss_history = []
    for _ in range(num_steps):
        loss, grad = loss_and_grad(W)
        loss_history.append(loss)
        W = W - lr * grad
    return W, np.array(loss_history)
''', hint='one entry short'),
    Bug("gradient_descent", "one_update_too_many", '''def gradient_descent(loss_and_grad, W0, lr, num_steps):
    W = W0.copy()
    loss_history = []
    for _ in range(num_steps + 1):
        loss, grad = loss_and_grad(W)
        loss_history.append(loss)
        W = W - lr * grad
    return W, np.array(loss_history)
'''),
    Bug("gradient_descent", "forgets_lr", '''def gradient_descent(loss_and_grad, W0, lr, num_steps):
    W = W0.copy()
    loss_history = []
    for _ in range(num_steps):
        loss, grad = loss_and_grad(W)
        loss_history.append(loss)
        W = W - grad
    loss_history.append(loss_and_grad(W)[0])
    return W, np.array(loss_history)
''', hint='off by a factor of 10'),
]
