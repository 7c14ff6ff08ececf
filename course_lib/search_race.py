"""Race optimization strategies on an equal budget of loss evaluations (lesson 01's widget).

The strategies are passed in (the student's own functions); this module only counts evaluations and
turns each run into a best-loss-so-far curve, so it is a pure function of its inputs.
"""

from __future__ import annotations

import copy
from typing import Callable, Mapping

import numpy as np


class BudgetExhausted(Exception):
    """Raised inside a strategy once it has used its evaluation budget."""


class CountingLoss:
    """Wrap a loss-and-gradient function: record each loss value, stop the run at the budget."""

    def __init__(self, loss_and_grad: Callable, budget: int):
        self.loss_and_grad, self.budget = loss_and_grad, budget
        self.values: list[float] = []
        self.refused = 0  # calls after the budget was spent

    def __call__(self, W):
        if len(self.values) >= self.budget:
            self.refused += 1
            raise BudgetExhausted
        loss, grad = self.loss_and_grad(W)
        self.values.append(float(loss))
        return loss, grad

    def best_so_far(self) -> np.ndarray:
        return np.minimum.accumulate(np.asarray(self.values, dtype=np.float64))


def race(strategies: Mapping[str, Callable[[Callable, Callable], object]],
         loss_and_grad: Callable, budget: int) -> dict[str, np.ndarray]:
    """Run each strategy until it stops or spends `budget` evaluations; return best-loss-so-far curves.

    strategies: name -> run(loss_fn, loss_and_grad_fn), which calls either function as it likes. One
    call of either counts as one evaluation (an analytic gradient costs about as much as the loss).
    """
    if budget < 1:
        raise ValueError(f"budget must be at least 1, got {budget}")
    curves = {}
    for name, run in strategies.items():
        counter = CountingLoss(loss_and_grad, budget)
        loss_only = lambda W, _c=counter: _c(W)[0]
        try:
            run(loss_only, counter)
        except BudgetExhausted:
            pass
        curves[name] = counter.best_so_far()
    return curves


# ----------------------------------------------------------------------------------- a race that resumes
class Checkpointed:
    """One strategy run a chunk of evaluations at a time, its state kept after every chunk.

    advance(state, n, loss_fn, loss_and_grad, resumed) spends n more evaluations from `state` and returns
    the new state (it must not change the state it was given: each chunk gets a copy). A strategy whose
    call starts by evaluating where it stands (a loss history that begins with loss(W0)) says so with
    repeats=True: in a resumed chunk that first evaluation repeats the last chunk's last one, so it is
    made but not counted. A longer budget then resumes from the last checkpoint, a shorter one is read
    back, and either gives what one uninterrupted run would (the strategies are deterministic given their
    state, Generator included).
    """

    def __init__(self, advance: Callable, state, loss_and_grad: Callable, *, chunk: int = 10,
                 repeats: bool = False, name: str = "strategy"):
        if chunk < 1:
            raise ValueError(f"chunk must be at least 1, got {chunk}")
        self.advance, self.loss_and_grad, self.chunk, self.repeats, self.name = (
            advance, loss_and_grad, chunk, repeats, name)
        self.values: list[float] = []        # the loss of every counted evaluation, in order
        self.states = {0: copy.deepcopy(state)}  # evaluations spent -> the state then

    def run_to(self, budget: int) -> tuple[np.ndarray, object]:
        """(best loss so far after each of the first `budget` evaluations, the state after them)."""
        if budget < 1:
            raise ValueError(f"budget must be at least 1, got {budget}")
        done = max(k for k in self.states if k <= budget)
        state = self.states[done]
        while done < budget:
            n = min(self.chunk - done % self.chunk, budget - done)  # checkpoints land on multiples of chunk
            repeat = int(self.repeats and done > 0)
            counter = CountingLoss(self.loss_and_grad, n + repeat)
            try:
                state = self.advance(copy.deepcopy(state), n, lambda W: counter(W)[0], counter, done > 0)
            except BudgetExhausted:
                pass
            if len(counter.values) != n + repeat or counter.refused:
                raise ValueError(f"{self.name}: asked for {n + repeat} loss evaluations, it tried to make "
                                 f"{len(counter.values) + counter.refused}")
            self.values[done:done + n] = counter.values[repeat:]  # the same values if a longer run made them
            done += n
            self.states[done] = copy.deepcopy(state)
        best = np.minimum.accumulate(np.asarray(self.values[:budget], dtype=np.float64))
        return best, copy.deepcopy(state)


class ResumableRace:
    """Lesson 01's race of random search, random local search and gradient descent, for a widget.

    The strategies are the lesson's functions (the student's), passed in; each run is kept under the
    settings it depends on (step size and seed for the two random searches, the learning rate for
    gradient descent), the `keep` most recent ones, so a slider move reruns only the strategies it
    changes, a larger budget resumes each run where it stopped, and a move back finds its run again.
    `run` gives the same curves and final weights as `race` with the same strategies.
    """

    def __init__(self, random_search: Callable, random_local_search: Callable, gradient_descent: Callable,
                 loss_and_grad: Callable, W0, *, chunk: int = 10, keep: int = 24):
        self.search, self.local_search, self.descent = random_search, random_local_search, gradient_descent
        self.loss_and_grad, self.chunk, self.keep = loss_and_grad, chunk, keep
        self.W0 = np.array(W0, dtype=np.float64)
        self.runs: dict[tuple, Checkpointed] = {}

    def _run(self, key: tuple, make: Callable[[], Checkpointed]) -> Checkpointed:
        run = self.runs.pop(key, None) or make()
        self.runs[key] = run  # the most recently used last
        while len(self.runs) > self.keep:
            self.runs.pop(next(iter(self.runs)))
        return run

    def run(self, budget: int, step_size: float, lr: float, seed: int):
        """({name: best loss so far per evaluation}, {name: the weights the strategy ends with}).

        step_size and lr are used rounded to 12 significant digits: a log slider's values carry rounding
        noise (1.0 comes back as 0.9999999999999999), which must not hide a run already made.
        """
        shape = self.W0.shape
        step_size, lr = float(f"{step_size:.12g}"), float(f"{lr:.12g}")

        def random_search_chunk(state, n, loss_fn, _loss_and_grad, _resumed):
            best_W, best_loss, gen = state
            W, loss = self.search(loss_fn, lambda: step_size * gen.standard_normal(shape), n)
            # A tie keeps the earlier sample, as one uninterrupted search would.
            return (W, loss, gen) if loss < best_loss else (best_W, best_loss, gen)

        def local_search_chunk(state, n, loss_fn, _loss_and_grad, resumed):
            W, gen = state
            W, _ = self.local_search(loss_fn, W, lambda W: step_size * gen.standard_normal(W.shape),
                                     n if resumed else n - 1)
            return W, gen

        def descent_chunk(W, n, _loss_fn, loss_and_grad, resumed):
            return self.descent(loss_and_grad, W, lr, n if resumed else n - 1)[0]

        runs = {
            "random search": self._run(("random search", step_size, seed), lambda: Checkpointed(
                random_search_chunk, (None, np.inf, np.random.default_rng(seed)), self.loss_and_grad,
                chunk=self.chunk, name="random search")),
            "random local search": self._run(("random local search", step_size, seed), lambda: Checkpointed(
                local_search_chunk, (self.W0, np.random.default_rng(seed)), self.loss_and_grad, chunk=self.chunk,
                repeats=True, name="random local search")),
            "gradient descent": self._run(("gradient descent", lr), lambda: Checkpointed(
                descent_chunk, self.W0, self.loss_and_grad, chunk=self.chunk, repeats=True,
                name="gradient descent")),
        }
        curves, final = {}, {}
        for name, run in runs.items():
            curves[name], state = run.run_to(budget)
            final[name] = state if name == "gradient descent" else state[0]  # the weights in each state
        return curves, final
