"""Lesson 04's experiments, as pure functions of the student's own pieces.

Each function takes what the lesson just taught as an argument (the student's `classify_critical_point`,
`minibatches`, update rules) and a model factory, so the notebook shows the outcome while this module holds
the bookkeeping. Every random choice comes from an explicit seed: equal arguments give equal results.
"""

from __future__ import annotations

import copy
import time
from typing import Callable

import numpy as np

from course_lib.training import train

KINDS = ("local minimum", "local maximum", "saddle point", "degenerate")


def critical_point_shares(classify: Callable, dimensions, draws: int, rng: np.random.Generator) -> dict:
    """For each n in dimensions, classify `draws` random symmetric n x n matrices (A + A.T) / 2, A with
    standard normal entries, as Hessians at a critical point. Returns {kind: [share for each n]}."""
    shares = {kind: [] for kind in KINDS}
    for n in dimensions:
        kinds = []
        for _ in range(draws):
            A = rng.standard_normal((n, n))
            kinds.append(str(classify((A + A.T) / 2)))
        for kind in KINDS:
            shares[kind].append(kinds.count(kind) / draws)
    return shares


def _flat_gradient(model, Xb, yb) -> np.ndarray:
    _, grads = model.loss(Xb, yb)
    return np.concatenate([np.asarray(grads[name]).ravel() for name in sorted(grads)])


def gradient_noise(model, X, y, batch_sizes, minibatches: Callable, count: int = 20) -> np.ndarray:
    """Mean relative squared error |g_B - g|^2 / |g|^2 of `count` mini-batch gradients of exactly B samples
    (from epochs of `minibatches(X, y, B, rng)`, seeded with B) against the full-batch gradient g."""
    full = _flat_gradient(model, X, y)
    noise = []
    for B in batch_sizes:
        gen, errors = np.random.default_rng(B), []
        while len(errors) < count:
            for Xb, yb in minibatches(X, y, B, gen):
                if len(yb) == B and len(errors) < count:
                    errors.append(np.sum((_flat_gradient(model, Xb, yb) - full) ** 2) / np.sum(full ** 2))
        noise.append(np.mean(errors))
    return np.asarray(noise)


def seconds_per_epoch(make_model: Callable, X, y, B: int, minibatches: Callable, *, repeats: int = 5,
                      most_batches: int = 40, learning_rate: float = 0.05) -> float:
    """Median over `repeats` of the time of one epoch of forward, backward and gradient step with batches of
    B; an epoch of more than `most_batches` batches is timed on its first ones and scaled up."""
    times = []
    for repeat in range(repeats):
        model = make_model()
        batches = list(minibatches(X, y, B, np.random.default_rng(repeat)))
        timed = batches[:most_batches]
        start = time.perf_counter()
        for Xb, yb in timed:
            _, grads = model.loss(Xb, yb)
            for name in model.params:
                model.params[name] = model.params[name] - learning_rate * grads[name]
        times.append((time.perf_counter() - start) * len(batches) / len(timed))
    return float(np.median(times))


def single_sample_steps(model, X, y, minibatches: Callable, steps: int, learning_rate: float, seed: int):
    """`steps` plain gradient steps with batches of one sample. Returns (own_fell, training_loss): whether
    each step lowered the loss of its own sample, and the loss on all of X before and after every step."""
    own_fell, training_loss = [], [float(model.loss(X, y)[0])]
    for step, (Xb, yb) in enumerate(minibatches(X, y, 1, np.random.default_rng(seed))):
        if step == steps:
            break
        before, grads = model.loss(Xb, yb)
        for name in model.params:
            model.params[name] = model.params[name] - learning_rate * grads[name]
        own_fell.append(float(model.loss(Xb, yb)[0]) < float(before))
        training_loss.append(float(model.loss(X, y)[0]))
    return np.asarray(own_fell), np.asarray(training_loss)


def _rule_epochs(model, configs, rule, X, y, minibatches, epochs, seed, batch_size):
    losses, sizes, gen = [], [], np.random.default_rng(seed)
    for _ in range(epochs):
        for Xb, yb in minibatches(X, y, batch_size, gen):
            loss, grads = model.loss(Xb, yb)
            moved = 0.0
            for name in model.params:
                new, configs[name] = rule(model.params[name], grads[name], configs[name])
                moved += float(np.sum((np.asarray(new) - model.params[name]) ** 2))
                model.params[name] = new
            losses.append(float(loss))
            sizes.append(np.sqrt(moved))
    return np.asarray(losses), np.asarray(sizes)


def resume_with_and_without_state(make_model: Callable, X, y, minibatches: Callable, rule: Callable, config: dict,
                                  *, epochs_before: int, epochs_after: int, batch_size: int = 64,
                                  seeds=(3, 4)) -> dict:
    """Train a model with `rule` (one copy of `config` per parameter) for epochs_before epochs, save its
    weights and configs, then resume twice from the saved weights with the same batches: with the saved
    configs, and with fresh copies of `config`. Returns {"with state": (losses, update sizes),
    "weights only": (...)} for the resumed epochs."""
    model = make_model()
    configs = {name: copy.deepcopy(config) for name in model.params}
    _rule_epochs(model, configs, rule, X, y, minibatches, epochs_before, seeds[0], batch_size)
    weights, state = copy.deepcopy(model.params), copy.deepcopy(configs)
    runs = {}
    for how, start in (("with state", state), ("weights only", {name: copy.deepcopy(config) for name in weights})):
        resumed = make_model()
        resumed.params.update(copy.deepcopy(weights))
        runs[how] = _rule_epochs(resumed, copy.deepcopy(start), rule, X, y, minibatches, epochs_after, seeds[1],
                                 batch_size)
    return runs


def tune_and_compare(grids: dict, make_model: Callable, X_train, y_train, X_val, y_val, *, minibatches: Callable,
                     tune_seeds=(1, 2), final_seeds=(3, 4, 5), epochs: int = 10, batch_size: int = 64):
    """For each name -> (rule, learning rates): the mean final validation accuracy over tune_seeds at every
    rate, the best rate, and the histories of runs at that rate with final_seeds. make_model(seed) builds
    the model; the batches of seed s are minibatches(X, y, batch_size, default_rng(100 + s)) (the lesson's
    own). Returns (tuning, best, finals)."""
    def batches(X, y, rng):
        return minibatches(X, y, batch_size, rng)

    def run(rule, learning_rate, seed):
        return train(make_model(seed), X_train, y_train, X_val, y_val, update=rule, batches=batches,
                     optim_config={"learning_rate": learning_rate}, epochs=epochs,
                     rng=np.random.default_rng(100 + seed), desc=f"lr {learning_rate:g}, seed {seed}")

    tuning, best, finals = {}, {}, {}
    for name, (rule, rates) in grids.items():
        tuning[name] = [float(np.mean([run(rule, lr, s).val_acc[-1] for s in tune_seeds])) for lr in rates]
        best[name] = rates[int(np.argmax(tuning[name]))]
        finals[name] = [run(rule, best[name], s) for s in final_seeds]
    return tuning, best, finals


# --- figures of the lesson's experiments (matplotlib is imported only when one is drawn) ---------------------

def draw_noise_and_time(batch_sizes, noise, predicted, seconds, n_samples: int):
    """Two log-log panels: gradient noise against its 1/B prediction, and seconds per epoch."""
    import matplotlib.pyplot as plt

    fig, (ax_noise, ax_time) = plt.subplots(1, 2, figsize=(11, 3.4))
    ax_noise.loglog(batch_sizes, noise, "o-", label="measured")
    ax_noise.loglog(batch_sizes, predicted, "--", color="gray", label="c / B * (N - B) / (N - 1)")
    ax_noise.set(xlabel="batch size B", ylabel="relative squared error", title="Gradient noise")
    ax_noise.legend()
    ax_time.loglog(batch_sizes, seconds, "o-", color="C1")
    ax_time.set(xlabel="batch size B", ylabel="seconds per epoch", title=f"Time per epoch (N = {n_samples}, median of 5)")
    for ax in (ax_noise, ax_time):
        ax.grid(alpha=0.3, which="both")
    return fig


def draw_single_steps(training_loss):
    """The training-set loss after every single-sample update, with the updates that raised it marked."""
    import matplotlib.pyplot as plt

    training_loss = np.asarray(training_loss)
    rose = np.flatnonzero(np.diff(training_loss) > 0) + 1
    fig, ax = plt.subplots(figsize=(9, 2.8))
    ax.plot(training_loss, linewidth=1.2, label="training-set loss after each update")
    ax.plot(rose, training_loss[rose], "v", color="C3", markersize=3, label="updates that raised it")
    ax.set(xlabel="update (batch size 1)", ylabel="loss")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return fig


def draw_resumed(runs: dict, smooth: Callable):
    """Update sizes and smoothed mini-batch losses after resuming, one line per way of resuming.
    smooth(losses) -> smoothed losses (the lesson passes the student's ewma)."""
    import matplotlib.pyplot as plt

    fig, (ax_step, ax_loss) = plt.subplots(1, 2, figsize=(11, 3))
    for how, (losses, sizes) in runs.items():
        ax_step.plot(sizes[:40], label=how)
        ax_loss.plot(smooth(losses), label=how)
    ax_step.set(xlabel="update after resuming", ylabel="size of the update (norm)")
    ax_loss.set(xlabel="update after resuming", ylabel="mini-batch loss (smoothed)")
    for ax in (ax_step, ax_loss):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    return fig


def draw_tuned_race(finals: dict, best: dict, colors: dict, smooth: Callable):
    """Left: the smoothed training loss of each optimizer's first final run; right: the mean validation
    accuracy per epoch over its final runs."""
    import matplotlib.pyplot as plt

    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(12, 3.6))
    for name, runs in finals.items():
        ax_loss.plot(smooth(runs[0].loss), color=colors[name], label=f"{name} (lr {best[name]:g})")
        mean_acc = np.mean([h.val_acc for h in runs], axis=0)
        ax_acc.plot(np.arange(1, len(mean_acc) + 1), mean_acc, "o-", color=colors[name], label=name)
    ax_loss.set(yscale="log", xlabel="iteration", ylabel="training loss (smoothed)")
    ax_acc.set(xlabel="epoch", ylabel=f"validation accuracy (mean of {len(runs)} seeds)", ylim=(0.5, 1.0))
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8)
    return fig
