"""Known-wrong implementations for lesson 04 (optimizers: mini-batches, momentum, adaptive rates, Hessian).

Each is a mistake a student could plausibly make; planted after the correct definition, it must lose the
points of its own function's test cell. `hint` is the diagnosis its failing tests must give (None: none).
"""

from grader.bug_bank import Bug

LESSON = "04_optimizers"

BUGS = [
    # --- hessian ------------------------------------------------------------------------------------
    Bug("hessian", "divides_by_h_squared", '''def hessian(f, x, h=1e-4):
    n = x.shape[0]
    H = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            values = []
            for step_i, step_j in ((h, h), (h, -h), (-h, h), (-h, -h)):
                shifted = x.copy()
                shifted[i] += step_i
                shifted[j] += step_j
                values.append(f(shifted))
            H[i, j] = (values[0] - values[1] - values[2] + values[3]) / (h * h)
    return H
''', hint='off by a factor of 4'),
    Bug("hessian", "diagonal_only", '''def hessian(f, x, h=1e-4):
    n = x.shape[0]
    H = np.zeros((n, n))
    for i in range(n):
        up, down = x.copy(), x.copy()
        up[i] += h
        down[i] -= h
        H[i, i] = (f(up) - 2 * f(x) + f(down)) / (h * h)
    return H
'''),
    Bug("hessian", "forward_differences", '''def hessian(f, x, h=1e-4):
    n = x.shape[0]
    H = np.zeros((n, n))
    f0 = f(x)
    for i in range(n):
        for j in range(n):
            both, only_i, only_j = x.copy(), x.copy(), x.copy()
            both[i] += h
            both[j] += h
            only_i[i] += h
            only_j[j] += h
            H[i, j] = (f(both) - f(only_i) - f(only_j) + f0) / (h * h)
    return H
'''),
    Bug("hessian", "copies_once_outside_the_loop", '''def hessian(f, x, h=1e-4):
    n = x.shape[0]
    H = np.zeros((n, n))
    shifted = x.copy()
    for i in range(n):
        for j in range(n):
            values = []
            for step_i, step_j in ((h, h), (h, -h), (-h, h), (-h, -h)):
                shifted[i] += step_i
                shifted[j] += step_j
                values.append(f(shifted))
            H[i, j] = (values[0] - values[1] - values[2] + values[3]) / (4 * h * h)
    return H
'''),
    Bug("hessian", "keeps_an_alias_not_a_copy", '''def hessian(f, x, h=1e-4):
    n = x.shape[0]
    H = np.zeros((n, n))
    original = x
    for i in range(n):
        for j in range(n):
            values = []
            for step_i, step_j in ((h, h), (h, -h), (-h, h), (-h, -h)):
                x[i] += step_i
                x[j] += step_j
                values.append(f(x))
                x[:] = original
            H[i, j] = (values[0] - values[1] - values[2] + values[3]) / (4 * h * h)
    return H
'''),
    Bug("hessian", "upper_triangle_only", '''def hessian(f, x, h=1e-4):
    n = x.shape[0]
    H = np.zeros((n, n))
    for i in range(n):
        for j in range(i, n):
            values = []
            for step_i, step_j in ((h, h), (h, -h), (-h, h), (-h, -h)):
                shifted = x.copy()
                shifted[i] += step_i
                shifted[j] += step_j
                values.append(f(shifted))
            H[i, j] = (values[0] - values[1] - values[2] + values[3]) / (4 * h * h)
    return H
'''),
    Bug("hessian", "ignores_h", '''def hessian(f, x, h=1e-4):
    step = 1e-4
    n = x.shape[0]
    H = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            values = []
            for step_i, step_j in ((step, step), (step, -step), (-step, step), (-step, -step)):
                shifted = x.copy()
                shifted[i] += step_i
                shifted[j] += step_j
                values.append(f(shifted))
            H[i, j] = (values[0] - values[1] - values[2] + values[3]) / (4 * step * step)
    return H
'''),
    # --- classify_critical_point --------------------------------------------------------------------
    Bug("classify_critical_point", "reads_the_diagonal", '''def classify_critical_point(H, tol=1e-8):
    d = np.diag(H)
    if np.any(d > tol) and np.any(d < -tol):
        return "saddle point"
    if np.all(d > tol):
        return "local minimum"
    if np.all(d < -tol):
        return "local maximum"
    return "degenerate"
'''),
    Bug("classify_critical_point", "determinant_test", '''def classify_critical_point(H, tol=1e-8):
    det = np.linalg.det(H)
    if det < -tol:
        return "saddle point"
    if det > tol and H[0, 0] > 0:
        return "local minimum"
    if det > tol and H[0, 0] < 0:
        return "local maximum"
    return "degenerate"
'''),
    Bug("classify_critical_point", "ignores_tol", '''def classify_critical_point(H, tol=1e-8):
    eigenvalues = np.linalg.eigvalsh(H)
    if np.any(eigenvalues > 0) and np.any(eigenvalues < 0):
        return "saddle point"
    if np.all(eigenvalues > 0):
        return "local minimum"
    if np.all(eigenvalues < 0):
        return "local maximum"
    return "degenerate"
'''),
    Bug("classify_critical_point", "zero_eigenvalue_checked_first", '''def classify_critical_point(H, tol=1e-8):
    eigenvalues = np.linalg.eigvalsh(H)
    if np.any(np.abs(eigenvalues) <= tol):
        return "degenerate"
    if np.all(eigenvalues > tol):
        return "local minimum"
    if np.all(eigenvalues < -tol):
        return "local maximum"
    return "saddle point"
'''),
    Bug("classify_critical_point", "minimum_and_maximum_swapped", '''def classify_critical_point(H, tol=1e-8):
    eigenvalues = np.linalg.eigvalsh(H)
    if np.any(eigenvalues > tol) and np.any(eigenvalues < -tol):
        return "saddle point"
    if np.all(eigenvalues < -tol):
        return "local minimum"
    if np.all(eigenvalues > tol):
        return "local maximum"
    return "degenerate"
'''),
    Bug("classify_critical_point", "semidefinite_counts_as_minimum", '''def classify_critical_point(H, tol=1e-8):
    eigenvalues = np.linalg.eigvalsh(H)
    if np.any(eigenvalues > tol) and np.any(eigenvalues < -tol):
        return "saddle point"
    if np.all(eigenvalues >= -tol) and np.any(eigenvalues > tol):
        return "local minimum"
    if np.all(eigenvalues <= tol) and np.any(eigenvalues < -tol):
        return "local maximum"
    return "degenerate"
'''),
    # --- minibatches --------------------------------------------------------------------------------
    Bug("minibatches", "never_shuffles", '''def minibatches(X, y, batch_size, rng):
    N = X.shape[0]
    for start in range(0, N, batch_size):
        yield X[start:start + batch_size], y[start:start + batch_size]
'''),
    Bug("minibatches", "drops_the_last_short_batch", '''def minibatches(X, y, batch_size, rng):
    N = X.shape[0]
    order = rng.permutation(N)
    for start in range(0, N - batch_size + 1, batch_size):
        chosen = order[start:start + batch_size]
        yield X[chosen], y[chosen]
'''),
    Bug("minibatches", "shuffles_X_and_y_separately", '''def minibatches(X, y, batch_size, rng):
    N = X.shape[0]
    X_order = rng.permutation(N)
    y_order = rng.permutation(N)
    for start in range(0, N, batch_size):
        yield X[X_order[start:start + batch_size]], y[y_order[start:start + batch_size]]
'''),
    Bug("minibatches", "samples_with_replacement", '''def minibatches(X, y, batch_size, rng):
    N = X.shape[0]
    for start in range(0, N, batch_size):
        chosen = rng.integers(0, N, size=min(batch_size, N - start))
        yield X[chosen], y[chosen]
'''),
    Bug("minibatches", "same_order_every_epoch", '''def minibatches(X, y, batch_size, rng):
    N = X.shape[0]
    order = np.random.default_rng(0).permutation(N)
    for start in range(0, N, batch_size):
        chosen = order[start:start + batch_size]
        yield X[chosen], y[chosen]
'''),
    Bug("minibatches", "global_random_state", '''def minibatches(X, y, batch_size, rng):
    N = X.shape[0]
    order = np.random.permutation(N)
    for start in range(0, N, batch_size):
        chosen = order[start:start + batch_size]
        yield X[chosen], y[chosen]
'''),
    Bug("minibatches", "shuffles_the_caller_arrays", '''def minibatches(X, y, batch_size, rng):
    N = X.shape[0]
    order = rng.permutation(N)
    X[:] = X[order]
    y[:] = y[order]
    for start in range(0, N, batch_size):
        yield X[start:start + batch_size], y[start:start + batch_size]
'''),
    # --- ewma ---------------------------------------------------------------------------------------
    Bug("ewma", "weights_swapped", '''def ewma(values, beta, bias_correction=False):
    values = np.asarray(values, dtype=np.float64)
    out = np.empty(len(values))
    v = 0.0
    for t in range(1, len(values) + 1):
        v = (1.0 - beta) * v + beta * values[t - 1]
        out[t - 1] = v / (1.0 - beta ** t) if bias_correction else v
    return out
'''),
    Bug("ewma", "starts_at_first_value", '''def ewma(values, beta, bias_correction=False):
    values = np.asarray(values, dtype=np.float64)
    out = np.empty(len(values))
    v = values[0]
    for t in range(1, len(values) + 1):
        v = beta * v + (1.0 - beta) * values[t - 1]
        out[t - 1] = v / (1.0 - beta ** t) if bias_correction else v
    return out
'''),
    Bug("ewma", "correction_fed_back_into_state", '''def ewma(values, beta, bias_correction=False):
    values = np.asarray(values, dtype=np.float64)
    out = np.empty(len(values))
    v = 0.0
    for t in range(1, len(values) + 1):
        v = beta * v + (1.0 - beta) * values[t - 1]
        if bias_correction:
            v = v / (1.0 - beta ** t)
        out[t - 1] = v
    return out
'''),
    Bug("ewma", "correction_off_by_one", '''def ewma(values, beta, bias_correction=False):
    values = np.asarray(values, dtype=np.float64)
    out = np.empty(len(values))
    v = 0.0
    for t in range(len(values)):
        v = beta * v + (1.0 - beta) * values[t]
        out[t] = v / (1.0 - beta ** (t + 2)) if bias_correction else v
    return out
'''),
    Bug("ewma", "ignores_bias_correction_flag", '''def ewma(values, beta, bias_correction=False):
    values = np.asarray(values, dtype=np.float64)
    out = np.empty(len(values))
    v = 0.0
    for t in range(1, len(values) + 1):
        v = beta * v + (1.0 - beta) * values[t - 1]
        out[t - 1] = v
    return out
'''),
    Bug("ewma", "overwrites_values_in_place", '''def ewma(values, beta, bias_correction=False):
    values = np.asarray(values, dtype=np.float64)
    v = 0.0
    for t in range(1, len(values) + 1):
        v = beta * v + (1.0 - beta) * values[t - 1]
        values[t - 1] = v / (1.0 - beta ** t) if bias_correction else v
    return values
'''),
    # --- sgd ----------------------------------------------------------------------------------------
    Bug("sgd", "ascends", '''def sgd(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    return w + config["learning_rate"] * dw, config
'''),
    Bug("sgd", "updates_w_in_place", '''def sgd(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    w -= config["learning_rate"] * dw
    return w, config
'''),
    Bug("sgd", "overwrites_the_callers_learning_rate", '''def sgd(w, dw, config=None):
    config = {} if config is None else config
    config["learning_rate"] = 1e-2
    return w - config["learning_rate"] * dw, config
'''),
    Bug("sgd", "default_learning_rate_1e-3", '''def sgd(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-3)
    return w - config["learning_rate"] * dw, config
'''),
    Bug("sgd", "forgets_the_learning_rate", '''def sgd(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    return w - dw, config
'''),
    Bug("sgd", "returns_no_config", '''def sgd(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    return w - config["learning_rate"] * dw, None
'''),
    # --- sgd_momentum -------------------------------------------------------------------------------
    Bug("sgd_momentum", "velocity_not_stored", '''def sgd_momentum(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    velocity = config.get("velocity", np.zeros_like(w))
    velocity = config["momentum"] * velocity - config["learning_rate"] * dw
    return w + velocity, config
'''),
    Bug("sgd_momentum", "velocity_reset_every_call", '''def sgd_momentum(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    config["velocity"] = np.zeros_like(w)
    velocity = config["momentum"] * config["velocity"] - config["learning_rate"] * dw
    config["velocity"] = velocity
    return w + velocity, config
'''),
    Bug("sgd_momentum", "steps_with_the_old_velocity", '''def sgd_momentum(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    velocity = config.get("velocity", np.zeros_like(w))
    next_w = w + velocity
    config["velocity"] = config["momentum"] * velocity - config["learning_rate"] * dw
    return next_w, config
'''),
    Bug("sgd_momentum", "learning_rate_applied_twice", '''def sgd_momentum(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    velocity = config.get("velocity", np.zeros_like(w))
    velocity = config["momentum"] * velocity - config["learning_rate"] * dw
    config["velocity"] = velocity
    return w + config["learning_rate"] * velocity, config
'''),
    Bug("sgd_momentum", "momentum_applied_to_the_gradient", '''def sgd_momentum(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    velocity = config.get("velocity", np.zeros_like(w))
    velocity = velocity - config["momentum"] * config["learning_rate"] * dw
    config["velocity"] = velocity
    return w + velocity, config
'''),
    Bug("sgd_momentum", "default_momentum_0.5", '''def sgd_momentum(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.5)
    velocity = config.get("velocity", np.zeros_like(w))
    velocity = config["momentum"] * velocity - config["learning_rate"] * dw
    config["velocity"] = velocity
    return w + velocity, config
'''),
    # --- adagrad ------------------------------------------------------------------------------------
    Bug("adagrad", "cache_not_accumulated", '''def adagrad(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("epsilon", 1e-8)
    cache = dw ** 2
    config["cache"] = cache
    return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config
'''),
    Bug("adagrad", "epsilon_inside_the_square_root", '''def adagrad(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("epsilon", 1e-8)
    cache = config.get("cache", np.zeros_like(w)) + dw ** 2
    config["cache"] = cache
    return w - config["learning_rate"] * dw / np.sqrt(cache + config["epsilon"]), config
'''),
    Bug("adagrad", "cache_not_stored", '''def adagrad(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("epsilon", 1e-8)
    cache = config.get("cache", np.zeros_like(w)) + dw ** 2
    return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config
'''),
    Bug("adagrad", "no_square_root", '''def adagrad(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("epsilon", 1e-8)
    cache = config.get("cache", np.zeros_like(w)) + dw ** 2
    config["cache"] = cache
    return w - config["learning_rate"] * dw / (cache + config["epsilon"]), config
'''),
    Bug("adagrad", "accumulates_absolute_gradients", '''def adagrad(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("epsilon", 1e-8)
    cache = config.get("cache", np.zeros_like(w)) + np.abs(dw)
    config["cache"] = cache
    return w - config["learning_rate"] * dw / (cache + config["epsilon"]), config
'''),
    Bug("adagrad", "decays_the_cache", '''def adagrad(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("epsilon", 1e-8)
    cache = 0.99 * config.get("cache", np.zeros_like(w)) + dw ** 2
    config["cache"] = cache
    return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config
'''),
    # --- rmsprop ------------------------------------------------------------------------------------
    Bug("rmsprop", "epsilon_inside_the_square_root", '''def rmsprop(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    rho = config["decay_rate"]
    cache = rho * config.get("cache", np.zeros_like(w)) + (1 - rho) * dw ** 2
    config["cache"] = cache
    return w - config["learning_rate"] * dw / np.sqrt(cache + config["epsilon"]), config
'''),
    Bug("rmsprop", "decay_weights_swapped", '''def rmsprop(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    rho = config["decay_rate"]
    cache = (1 - rho) * config.get("cache", np.zeros_like(w)) + rho * dw ** 2
    config["cache"] = cache
    return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config
'''),
    Bug("rmsprop", "cache_not_stored", '''def rmsprop(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    rho = config["decay_rate"]
    cache = rho * config.get("cache", np.zeros_like(w)) + (1 - rho) * dw ** 2
    return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config
'''),
    Bug("rmsprop", "cache_summed_like_adagrad", '''def rmsprop(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    rho = config["decay_rate"]
    cache = config.get("cache", np.zeros_like(w)) + (1 - rho) * dw ** 2
    config["cache"] = cache
    return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config
'''),
    Bug("rmsprop", "default_decay_rate_0.9", '''def rmsprop(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.9)
    config.setdefault("epsilon", 1e-8)
    rho = config["decay_rate"]
    cache = rho * config.get("cache", np.zeros_like(w)) + (1 - rho) * dw ** 2
    config["cache"] = cache
    return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config
'''),
    Bug("rmsprop", "bias_corrected_cache", '''def rmsprop(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    rho = config["decay_rate"]
    t = config.get("t", 0) + 1
    config["t"] = t
    cache = rho * config.get("cache", np.zeros_like(w)) + (1 - rho) * dw ** 2
    config["cache"] = cache
    return w - config["learning_rate"] * dw / (np.sqrt(cache / (1 - rho ** t)) + config["epsilon"]), config
'''),
    # --- adam ---------------------------------------------------------------------------------------
    Bug("adam", "t_not_incremented", '''def adam(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("t", 0)
    t = config["t"] + 1
    b1, b2 = config["beta1"], config["beta2"]
    m = b1 * config.get("m", np.zeros_like(w)) + (1 - b1) * dw
    v = b2 * config.get("v", np.zeros_like(w)) + (1 - b2) * dw ** 2
    config["m"], config["v"] = m, v
    m_hat = m / (1 - b1 ** t)
    v_hat = v / (1 - b2 ** t)
    return w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"]), config
'''),
    Bug("adam", "no_bias_correction", '''def adam(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    b1, b2 = config["beta1"], config["beta2"]
    config["t"] = config.get("t", 0) + 1
    m = b1 * config.get("m", np.zeros_like(w)) + (1 - b1) * dw
    v = b2 * config.get("v", np.zeros_like(w)) + (1 - b2) * dw ** 2
    config["m"], config["v"] = m, v
    return w - config["learning_rate"] * m / (np.sqrt(v) + config["epsilon"]), config
''', hint='no bias correction'),
    Bug("adam", "epsilon_inside_the_square_root", '''def adam(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    b1, b2 = config["beta1"], config["beta2"]
    t = config.get("t", 0) + 1
    m = b1 * config.get("m", np.zeros_like(w)) + (1 - b1) * dw
    v = b2 * config.get("v", np.zeros_like(w)) + (1 - b2) * dw ** 2
    config["m"], config["v"], config["t"] = m, v, t
    m_hat = m / (1 - b1 ** t)
    v_hat = v / (1 - b2 ** t)
    return w - config["learning_rate"] * m_hat / np.sqrt(v_hat + config["epsilon"]), config
'''),
    Bug("adam", "t_incremented_after_use", '''def adam(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    b1, b2 = config["beta1"], config["beta2"]
    t = config.get("t", 1)
    m = b1 * config.get("m", np.zeros_like(w)) + (1 - b1) * dw
    v = b2 * config.get("v", np.zeros_like(w)) + (1 - b2) * dw ** 2
    m_hat = m / (1 - b1 ** (t + 1))
    v_hat = v / (1 - b2 ** (t + 1))
    config["m"], config["v"], config["t"] = m, v, t + 1
    return w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"]), config
'''),
    Bug("adam", "betas_swapped", '''def adam(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    b1, b2 = config["beta2"], config["beta1"]
    t = config.get("t", 0) + 1
    m = b1 * config.get("m", np.zeros_like(w)) + (1 - b1) * dw
    v = b2 * config.get("v", np.zeros_like(w)) + (1 - b2) * dw ** 2
    config["m"], config["v"], config["t"] = m, v, t
    m_hat = m / (1 - b1 ** t)
    v_hat = v / (1 - b2 ** t)
    return w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"]), config
''', hint='off by a factor of 0.01'),
    Bug("adam", "moments_not_stored", '''def adam(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    b1, b2 = config["beta1"], config["beta2"]
    t = config.get("t", 0) + 1
    config["t"] = t
    m = b1 * config.get("m", np.zeros_like(w)) + (1 - b1) * dw
    v = b2 * config.get("v", np.zeros_like(w)) + (1 - b2) * dw ** 2
    m_hat = m / (1 - b1 ** t)
    v_hat = v / (1 - b2 ** t)
    return w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"]), config
'''),
    Bug("adam", "only_m_bias_corrected", '''def adam(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    b1, b2 = config["beta1"], config["beta2"]
    t = config.get("t", 0) + 1
    m = b1 * config.get("m", np.zeros_like(w)) + (1 - b1) * dw
    v = b2 * config.get("v", np.zeros_like(w)) + (1 - b2) * dw ** 2
    config["m"], config["v"], config["t"] = m, v, t
    return w - config["learning_rate"] * (m / (1 - b1 ** t)) / (np.sqrt(v) + config["epsilon"]), config
'''),
    # --- step_decay ---------------------------------------------------------------------------------
    Bug("step_decay", "drops_every_epoch", '''def step_decay(lr0, epoch, drop, every):
    return float(lr0 * drop ** epoch)
''', hint='the rate drops every epoch'),
    Bug("step_decay", "decay_per_step_not_per_period", '''def step_decay(lr0, epoch, drop, every):
    return float(lr0 * drop ** (epoch / every))
'''),
    Bug("step_decay", "first_drop_at_epoch_0", '''def step_decay(lr0, epoch, drop, every):
    return float(lr0 * drop ** (epoch // every + 1))
''', hint='half the expected size'),
    Bug("step_decay", "counts_epochs_from_1", '''def step_decay(lr0, epoch, drop, every):
    return float(lr0 * drop ** ((epoch + 1) // every))
'''),
    Bug("step_decay", "multiplies_instead_of_powers", '''def step_decay(lr0, epoch, drop, every):
    drops = epoch // every
    return float(lr0 * drop * drops) if drops > 0 else float(lr0)
'''),
    Bug("step_decay", "subtracts_the_drop", '''def step_decay(lr0, epoch, drop, every):
    return float(lr0 - drop * (epoch // every))
'''),
    # --- exponential_decay --------------------------------------------------------------------------
    Bug("exponential_decay", "exp_of_minus_rate_times_step", '''def exponential_decay(lr0, step, rate):
    return float(lr0 * np.exp(-rate * step))
'''),
    Bug("exponential_decay", "one_step_early", '''def exponential_decay(lr0, step, rate):
    return float(lr0 * rate ** (step + 1))
''', hint='off by a factor of 0.9'),
    Bug("exponential_decay", "one_minus_rate", '''def exponential_decay(lr0, step, rate):
    return float(lr0 * (1 - rate) ** step)
'''),
    Bug("exponential_decay", "inverse_time_decay", '''def exponential_decay(lr0, step, rate):
    return float(lr0 / (1 + rate * step))
'''),
    Bug("exponential_decay", "forgets_lr0", '''def exponential_decay(lr0, step, rate):
    return float(rate ** step)
''', hint='off by a factor of 5'),
    Bug("exponential_decay", "linear_decay", '''def exponential_decay(lr0, step, rate):
    return float(lr0 * (1 - (1 - rate) * step))
'''),
    # --- inverse_time_decay -------------------------------------------------------------------------
    Bug("inverse_time_decay", "step_left_out", '''def inverse_time_decay(lr0, step, k):
    return float(lr0 / (1 + k))
'''),
    Bug("inverse_time_decay", "operator_precedence", '''def inverse_time_decay(lr0, step, k):
    return float(lr0 / 1 + k * step)
'''),
    Bug("inverse_time_decay", "forgets_the_one", '''def inverse_time_decay(lr0, step, k):
    return float(lr0 / (k * step))
'''),
    Bug("inverse_time_decay", "multiplies_instead_of_divides", '''def inverse_time_decay(lr0, step, k):
    return float(lr0 * (1 + k * step))
'''),
    Bug("inverse_time_decay", "counts_steps_from_1", '''def inverse_time_decay(lr0, step, k):
    return float(lr0 / (1 + k * (step + 1)))
'''),
    Bug("inverse_time_decay", "exponential_instead", '''def inverse_time_decay(lr0, step, k):
    return float(lr0 * np.exp(-k * step))
'''),
    Bug("inverse_time_decay", "forgets_lr0", '''def inverse_time_decay(lr0, step, k):
    return float(1 / (1 + k * step))
''', hint="off by a factor of 5"),
]
