"""Race optimization strategies on an equal budget of loss evaluations (lesson 01's widget).

The strategies are passed in (the student's own functions); this module only counts evaluations and
turns each run into a best-loss-so-far curve, so it is a pure function of its inputs.
"""

from __future__ import annotations

from typing import Callable, Mapping

import numpy as np


class BudgetExhausted(Exception):
    """Raised inside a strategy once it has used its evaluation budget."""


class CountingLoss:
    """Wrap a loss-and-gradient function: record each loss value, stop the run at the budget."""

    def __init__(self, loss_and_grad: Callable, budget: int):
        self.loss_and_grad, self.budget = loss_and_grad, budget
        self.values: list[float] = []

    def __call__(self, W):
        if len(self.values) >= self.budget:
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
