"""Known-wrong implementations for lesson 08 (debugging training, reshapes).

Each is a mistake a student could plausibly make; planted after the correct definition, it must lose the
points of its own function's test cell.
"""

from grader.bug_bank import Bug

LESSON = "08_debugging_training"

BUGS = [
    # --- overfit_single_batch -----------------------------------------------------------------------
    Bug("overfit_single_batch", "climbs_the_gradient", '''def overfit_single_batch(make_model, X, y, num_steps, lr):
    model = make_model()
    history = []
    for _ in range(num_steps):
        loss, grads = model.loss(X, y)
        history.append(float(loss))
        if not np.isfinite(loss):
            break
        for name in model.params:
            model.params[name] = model.params[name] + lr * grads[name]
    return np.array(history)
'''),
    Bug("overfit_single_batch", "fresh_model_every_step", '''def overfit_single_batch(make_model, X, y, num_steps, lr):
    history = []
    for _ in range(num_steps):
        model = make_model()
        loss, grads = model.loss(X, y)
        history.append(float(loss))
        if not np.isfinite(loss):
            break
        for name in model.params:
            model.params[name] = model.params[name] - lr * grads[name]
    return np.array(history)
'''),
    Bug("overfit_single_batch", "records_the_loss_after_the_update", '''def overfit_single_batch(make_model, X, y, num_steps, lr):
    model = make_model()
    history = []
    for _ in range(num_steps):
        loss, grads = model.loss(X, y)
        if not np.isfinite(loss):
            history.append(float(loss))
            break
        for name in model.params:
            model.params[name] = model.params[name] - lr * grads[name]
        history.append(float(model.loss(X, y)[0]))
    return np.array(history)
''', hint='recorded after the update'),
    Bug("overfit_single_batch", "forgets_the_learning_rate", '''def overfit_single_batch(make_model, X, y, num_steps, lr):
    model = make_model()
    history = []
    for _ in range(num_steps):
        loss, grads = model.loss(X, y)
        history.append(float(loss))
        if not np.isfinite(loss):
            break
        for name in model.params:
            model.params[name] = model.params[name] - grads[name]
    return np.array(history)
'''),
    Bug("overfit_single_batch", "updates_the_weights_only", '''def overfit_single_batch(make_model, X, y, num_steps, lr):
    model = make_model()
    history = []
    for _ in range(num_steps):
        loss, grads = model.loss(X, y)
        history.append(float(loss))
        if not np.isfinite(loss):
            break
        for name in model.params:
            if name.startswith("W"):
                model.params[name] = model.params[name] - lr * grads[name]
    return np.array(history)
'''),
    Bug("overfit_single_batch", "keeps_going_after_nan", '''def overfit_single_batch(make_model, X, y, num_steps, lr):
    model = make_model()
    history = []
    for _ in range(num_steps):
        loss, grads = model.loss(X, y)
        history.append(float(loss))
        for name in model.params:
            model.params[name] = model.params[name] - lr * grads[name]
    return np.array(history)
''', hint='the loop goes on after a non-finite loss'),
    Bug("overfit_single_batch", "drops_the_non_finite_loss", '''def overfit_single_batch(make_model, X, y, num_steps, lr):
    model = make_model()
    history = []
    for _ in range(num_steps):
        loss, grads = model.loss(X, y)
        if not np.isfinite(loss):
            break
        history.append(float(loss))
        for name in model.params:
            model.params[name] = model.params[name] - lr * grads[name]
    return np.array(history)
''', hint='the non-finite loss is not recorded'),
    # --- find_first_nonfinite -----------------------------------------------------------------------
    Bug("find_first_nonfinite", "looks_for_nan_only", '''def find_first_nonfinite(arrays):
    for name, value in arrays.items():
        if np.any(np.isnan(value)):
            return name
    return None
'''),
    Bug("find_first_nonfinite", "returns_the_last_one", '''def find_first_nonfinite(arrays):
    found = None
    for name, value in arrays.items():
        if not np.all(np.isfinite(value)):
            found = name
    return found
'''),
    Bug("find_first_nonfinite", "sorts_the_names", '''def find_first_nonfinite(arrays):
    for name in sorted(arrays):
        if not np.all(np.isfinite(arrays[name])):
            return name
    return None
'''),
    Bug("find_first_nonfinite", "checks_the_first_entry_only", '''def find_first_nonfinite(arrays):
    for name, value in arrays.items():
        if not np.isfinite(np.ravel(value)[0]):
            return name
    return None
'''),
    Bug("find_first_nonfinite", "needs_every_entry_non_finite", '''def find_first_nonfinite(arrays):
    for name, value in arrays.items():
        if not np.any(np.isfinite(value)):
            return name
    return None
'''),
    Bug("find_first_nonfinite", "returns_the_position", '''def find_first_nonfinite(arrays):
    for position, value in enumerate(arrays.values()):
        if not np.all(np.isfinite(value)):
            return position
    return None
'''),
    # --- diagnose_activations -----------------------------------------------------------------------
    Bug("diagnose_activations", "ignores_non_finite_values", '''def diagnose_activations(trace):
    spreads = [np.std(value) for name, value in trace.items() if name.startswith("act")]
    if spreads[-1] > 10 * spreads[0]:
        return "exploding"
    if spreads[-1] < 0.1 * spreads[0]:
        return "vanishing"
    return "healthy"
'''),
    Bug("diagnose_activations", "compares_the_first_and_last_entries", '''def diagnose_activations(trace):
    for value in trace.values():
        if not np.all(np.isfinite(value)):
            return "non-finite"
    spreads = [np.std(value) for value in trace.values()]
    if spreads[-1] > 10 * spreads[0]:
        return "exploding"
    if spreads[-1] < 0.1 * spreads[0]:
        return "vanishing"
    return "healthy"
'''),
    Bug("diagnose_activations", "labels_swapped", '''def diagnose_activations(trace):
    for value in trace.values():
        if not np.all(np.isfinite(value)):
            return "non-finite"
    spreads = [np.std(value) for name, value in trace.items() if name.startswith("act")]
    if spreads[-1] > 10 * spreads[0]:
        return "vanishing"
    if spreads[-1] < 0.1 * spreads[0]:
        return "exploding"
    return "healthy"
'''),
    Bug("diagnose_activations", "means_instead_of_stds", '''def diagnose_activations(trace):
    for value in trace.values():
        if not np.all(np.isfinite(value)):
            return "non-finite"
    sizes = [np.abs(np.mean(value)) for name, value in trace.items() if name.startswith("act")]
    if sizes[-1] > 10 * sizes[0]:
        return "exploding"
    if sizes[-1] < 0.1 * sizes[0]:
        return "vanishing"
    return "healthy"
'''),
    Bug("diagnose_activations", "compares_the_first_two_act_layers", '''def diagnose_activations(trace):
    for value in trace.values():
        if not np.all(np.isfinite(value)):
            return "non-finite"
    spreads = [np.std(value) for name, value in trace.items() if name.startswith("act")]
    if spreads[1] > 10 * spreads[0]:
        return "exploding"
    if spreads[1] < 0.1 * spreads[0]:
        return "vanishing"
    return "healthy"
'''),
    Bug("diagnose_activations", "checks_act_layers_for_nan_only", '''def diagnose_activations(trace):
    spreads = []
    for name, value in trace.items():
        if name.startswith("act"):
            if not np.all(np.isfinite(value)):
                return "non-finite"
            spreads.append(np.std(value))
    if spreads[-1] > 10 * spreads[0]:
        return "exploding"
    if spreads[-1] < 0.1 * spreads[0]:
        return "vanishing"
    return "healthy"
'''),
    Bug("diagnose_activations", "thresholds_of_2", '''def diagnose_activations(trace):
    for value in trace.values():
        if not np.all(np.isfinite(value)):
            return "non-finite"
    spreads = [np.std(value) for name, value in trace.items() if name.startswith("act")]
    if spreads[-1] > 2 * spreads[0]:
        return "exploding"
    if spreads[-1] < 0.5 * spreads[0]:
        return "vanishing"
    return "healthy"
'''),
    # --- grad_norms ---------------------------------------------------------------------------------
    Bug("grad_norms", "squared_norm", '''def grad_norms(grads):
    return {name: float(np.sum(g * g)) for name, g in grads.items()}
''', hint='the squared norm'),
    Bug("grad_norms", "largest_entry", '''def grad_norms(grads):
    return {name: float(np.max(np.abs(g))) for name, g in grads.items()}
'''),
    Bug("grad_norms", "sum_of_absolute_values", '''def grad_norms(grads):
    return {name: float(np.sum(np.abs(g))) for name, g in grads.items()}
'''),
    Bug("grad_norms", "root_mean_square", '''def grad_norms(grads):
    return {name: float(np.sqrt(np.mean(g * g))) for name, g in grads.items()}
'''),
    Bug("grad_norms", "norm_of_every_column", '''def grad_norms(grads):
    return {name: np.linalg.norm(g, axis=0) for name, g in grads.items()}
'''),
    Bug("grad_norms", "one_norm_for_everything", '''def grad_norms(grads):
    total = np.sqrt(sum(np.sum(g * g) for g in grads.values()))
    return {name: float(total) for name in grads}
'''),
    # --- update_ratio -------------------------------------------------------------------------------
    Bug("update_ratio", "ratio_upside_down", '''def update_ratio(params, updates):
    ratios = {}
    for name, update in updates.items():
        update_norm = np.linalg.norm(update)
        ratios[name] = float(np.linalg.norm(params[name]) / update_norm) if update_norm > 0 else float("inf")
    return ratios
''', hint='upside down'),
    Bug("update_ratio", "squared_norms", '''def update_ratio(params, updates):
    ratios = {}
    for name, update in updates.items():
        weight = np.sum(params[name] ** 2)
        ratios[name] = float(np.sum(update ** 2) / weight) if weight > 0 else float("inf")
    return ratios
''', hint='squared norms'),
    Bug("update_ratio", "divides_by_the_updated_weights", '''def update_ratio(params, updates):
    ratios = {}
    for name, update in updates.items():
        weight = np.linalg.norm(params[name] + update)
        ratios[name] = float(np.linalg.norm(update) / weight) if weight > 0 else float("inf")
    return ratios
'''),
    Bug("update_ratio", "zero_weights_give_zero", '''def update_ratio(params, updates):
    ratios = {}
    for name, update in updates.items():
        weight = np.linalg.norm(params[name])
        ratios[name] = float(np.linalg.norm(update) / weight) if weight > 0 else 0.0
    return ratios
'''),
    Bug("update_ratio", "largest_entries", '''def update_ratio(params, updates):
    ratios = {}
    for name, update in updates.items():
        weight = np.max(np.abs(params[name]))
        ratios[name] = float(np.max(np.abs(update)) / weight) if weight > 0 else float("inf")
    return ratios
'''),
    Bug("update_ratio", "one_ratio_for_everything", '''def update_ratio(params, updates):
    update_total = np.sqrt(sum(np.sum(u * u) for u in updates.values()))
    weight_total = np.sqrt(sum(np.sum(params[name] ** 2) for name in updates))
    return {name: float(update_total / weight_total) for name in updates}
'''),
    Bug("update_ratio", "keys_of_params", '''def update_ratio(params, updates):
    ratios = {}
    for name, weights in params.items():
        update = updates.get(name, np.zeros_like(weights))
        weight = np.linalg.norm(weights)
        ratios[name] = float(np.linalg.norm(update) / weight) if weight > 0 else float("inf")
    return ratios
'''),
    # --- fix_setup ----------------------------------------------------------------------------------
    Bug("fix_setup", "keeps_batchnorm", '''def fix_setup(config):
    fixed = dict(config)
    fixed["init"] = "he" if config["activation"] == "relu" else "xavier"
    return fixed
'''),
    Bug("fix_setup", "removes_batchnorm_only", '''def fix_setup(config):
    fixed = dict(config)
    fixed["batchnorm"] = False
    return fixed
'''),
    Bug("fix_setup", "xavier_for_every_activation", '''def fix_setup(config):
    fixed = dict(config)
    fixed["batchnorm"] = False
    fixed["init"] = "xavier"
    return fixed
'''),
    Bug("fix_setup", "lowers_the_learning_rate_instead", '''def fix_setup(config):
    fixed = dict(config)
    fixed["batchnorm"] = False
    fixed["learning_rate"] = config["learning_rate"] / 100
    return fixed
'''),
    Bug("fix_setup", "edits_the_config_in_place", '''def fix_setup(config):
    config["batchnorm"] = False
    config["init"] = "he" if config["activation"] == "relu" else "xavier"
    return config
'''),
    Bug("fix_setup", "tiny_weights_instead", '''def fix_setup(config):
    fixed = dict(config)
    fixed["batchnorm"] = False
    fixed["init"] = 0.01
    return fixed
'''),
    Bug("fix_setup", "shallower_network", '''def fix_setup(config):
    fixed = dict(config)
    fixed["hidden_dims"] = list(config["hidden_dims"])[:2]
    fixed["batchnorm"] = False
    fixed["init"] = "he" if config["activation"] == "relu" else "xavier"
    return fixed
'''),
    # --- stack_channels -----------------------------------------------------------------------------
    Bug("stack_channels", "reshape_instead_of_stack", '''def stack_channels(channels):
    N, H, W = np.shape(channels[0])
    return np.array(channels, dtype=np.float64).reshape(N, len(channels), H, W)
''', hint="a reshape of np.array(channels)"),
    Bug("stack_channels", "vstack_then_reshape", '''def stack_channels(channels):
    N, H, W = np.shape(channels[0])
    return np.vstack(channels).astype(np.float64).reshape(N, len(channels), H, W)
''', hint="a reshape of np.array(channels)"),
    Bug("stack_channels", "stacks_on_axis_0", '''def stack_channels(channels):
    return np.stack(channels).astype(np.float64)
''', hint="the channel axis came first"),
    Bug("stack_channels", "channels_last", '''def stack_channels(channels):
    return np.stack(channels, axis=-1).astype(np.float64)
''', hint="channels last"),
    Bug("stack_channels", "concatenates_channels", '''def stack_channels(channels):
    return np.concatenate(channels, axis=1).astype(np.float64)
''', hint="concatenated along an existing axis"),
    Bug("stack_channels", "swaps_height_and_width", '''def stack_channels(channels):
    return np.array(channels, dtype=np.float64).transpose(1, 0, 3, 2)
''', hint="height and width are swapped"),
    Bug("stack_channels", "keeps_the_integer_dtype", '''def stack_channels(channels):
    return np.stack(channels, axis=1)
'''),
]
