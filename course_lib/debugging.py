"""Tools for a network that will not train (lesson 08).

- `detect_anomaly(model, locate)`: a context manager that checks every `model.loss` call made inside it and,
  at the first NaN or inf, stops and names where it appeared: the first layer of the forward pass whose
  output is not finite, or the first gradient of the backward pass. Which entry of a dict is the first bad
  one is asked of `locate`, the lesson's own `find_first_nonfinite` (graded in lesson 08, so not here).
- `lr_sweep`: the same mini-batches with several learning rates, one fresh model each; `LrSweep`,
  the same sweep kept, to be taken further step by step (lesson 08's widget).
- `format_layer_table`: per-layer numbers (gradient norms, update/weight ratios) as an aligned text table.
- `model_from_config`: the lesson's training set-ups are plain dicts; this builds the network of one.
- `overflow_expected`: silence NumPy's overflow warnings where blowing up is the point of a demo.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np

from course_lib.reference.lesson03 import MLP


def overflow_expected():
    """A context in which NumPy overflow / invalid-value warnings are silent (a demo that explodes on purpose)."""
    return np.errstate(all="ignore")


def _kind(value) -> str:
    """Of a value that is not finite: "NaN" when it holds a NaN, else "inf"."""
    return "NaN" if np.any(np.isnan(np.asarray(value, dtype=np.float64))) else "inf"


@dataclass(frozen=True)
class Anomaly:
    """Where the first non-finite value appeared.

    call: which call of model.loss inside the block (1 = the first); stage: "forward" or "backward";
    name: the trace entry (layer output) or the parameter whose gradient went bad; kind: "NaN" or "inf".
    """

    call: int
    stage: str
    name: str
    kind: str

    def __str__(self) -> str:
        if self.stage == "forward":
            return (f"call {self.call} of model.loss: the forward pass first produced {self.kind} in "
                    f"'{self.name}' (every layer before it was finite)")
        return (f"call {self.call} of model.loss: the loss was finite, but the backward pass produced "
                f"{self.kind} first in the gradient of '{self.name}' (counting from the output)")


class NonFiniteError(FloatingPointError):
    """Raised inside a detect_anomaly block at the first non-finite value; `.anomaly` says where."""

    def __init__(self, anomaly: Anomaly):
        super().__init__(str(anomaly))
        self.anomaly = anomaly


class detect_anomaly:
    """Check every `model.loss` call made inside the block; stop at the first NaN or inf and name it.

        with detect_anomaly(model, find_first_nonfinite) as watch:
            history = train(model, ...)
        print(watch.found or "no NaN or inf")

    locate(arrays: dict) -> the name of its first entry holding a NaN or inf, or None (your
    find_first_nonfinite). The forward pass is located in `model.trace(X, mode)` (side-effect free), the
    backward pass in the gradients in reverse order of the params (the order backpropagation computes them).
    The block ends at the anomaly; the error is kept in `.found` and swallowed unless raise_error=True. The
    model's loss is restored on exit. NumPy's overflow warnings are silenced inside the checked calls.
    """

    def __init__(self, model, locate: Callable[[dict], object], *, raise_error: bool = False):
        if not callable(locate):
            raise TypeError("detect_anomaly(model, locate): locate is your find_first_nonfinite (dict -> name or None)")
        self.model, self.locate, self.raise_error = model, locate, raise_error
        self.calls = 0
        self.found: Anomaly | None = None

    def __enter__(self) -> "detect_anomaly":
        self._own_attribute = "loss" in vars(self.model)
        self._original = self.model.loss
        self.model.loss = self._checked_loss
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if self._own_attribute:
            self.model.loss = self._original
        else:
            del self.model.loss  # the class's method shows through again
        return isinstance(exc, NonFiniteError) and exc.anomaly is self.found and not self.raise_error

    def _trace(self, X, mode: str) -> dict:
        trace = getattr(self.model, "trace", None)
        if trace is None:
            return {}
        with np.errstate(all="ignore"):
            return trace(X, mode=mode)

    def _where(self, arrays: dict) -> tuple[str, str] | None:
        """(name, kind) of the entry `locate` names, or None when it finds none."""
        with np.errstate(all="ignore"):
            name = self.locate(arrays)
        if name is None:
            return None
        return str(name), (_kind(arrays[name]) if name in arrays else "NaN or inf")

    def _checked_loss(self, X, y=None):
        self.calls += 1
        with np.errstate(all="ignore"):
            result = self._original(X) if y is None else self._original(X, y)
        if y is None:
            if self._where({"scores": result}):
                self._stop("forward", self._where(self._trace(X, "test")) or ("scores", _kind(result)))
            return result
        loss, grads = result
        bad = self._where({"loss": loss})
        if bad:
            self._stop("forward", self._where(self._trace(X, "train")) or bad)
        bad = self._where(dict(reversed(list(grads.items()))))
        if bad:
            self._stop("backward", bad)
        return result

    def _stop(self, stage: str, where: tuple[str, str]) -> None:
        self.found = Anomaly(call=self.calls, stage=stage, name=where[0], kind=where[1])
        raise NonFiniteError(self.found)


def lr_sweep(make_model: Callable[[], object], X: np.ndarray, y: np.ndarray, learning_rates, *,
             num_steps: int, batch_size: int, rng: np.random.Generator,
             blow_up: float = 1e4) -> dict[float, np.ndarray]:
    """Plain SGD with each learning rate on the same num_steps mini-batches; lr -> per-step losses.

    make_model() must return a fresh model (.params, .loss(X, y) -> (loss, grads)) with the same initial
    weights every time, so that only the learning rate differs. A run stops early at a non-finite loss or
    one above blow_up * max(1, first loss); its curve is then shorter and ends with that loss.
    """
    return LrSweep(make_model, X, y, learning_rates, batch_size=batch_size, rng=rng,
                   blow_up=blow_up).curves(num_steps)


class LrSweep:
    """lr_sweep that can be taken further: `curves(num_steps)` trains only the steps not taken yet.

        sweep = LrSweep(make_model, X, y, learning_rates, batch_size=32, rng=np.random.default_rng(3))
        sweep.curves(30)    # the same as lr_sweep(..., num_steps=30, batch_size=32, rng=np.random.default_rng(3))
        sweep.curves(300)   # 270 more steps per run; sweep.curves(50) then costs nothing

    The models (one per rate, made at once) and the mini-batches (drawn from rng in order, as lr_sweep
    draws them) are kept, so curves(n) is lr_sweep's result for num_steps = n whatever was asked before.
    """

    def __init__(self, make_model: Callable[[], object], X: np.ndarray, y: np.ndarray, learning_rates, *,
                 batch_size: int, rng: np.random.Generator, blow_up: float = 1e4):
        n = len(y)
        if not 1 <= batch_size <= n:
            raise ValueError(f"batch_size must be in [1, {n}], got {batch_size}")
        self.X, self.y, self.batch_size, self.rng, self.blow_up = X, y, batch_size, rng, blow_up
        self.batches: list[np.ndarray] = []
        self.models = {float(lr): make_model() for lr in learning_rates}
        self.losses: dict[float, list[float]] = {lr: [] for lr in self.models}
        self.stopped = {lr: False for lr in self.models}  # blew up: no more steps

    @property
    def steps(self) -> int:
        """Mini-batches drawn so far: every run that did not stop has taken this many steps."""
        return len(self.batches)

    def extend(self, num_steps: int) -> None:
        """Take every run that has not stopped to num_steps steps."""
        n = len(self.y)
        while len(self.batches) < num_steps:
            self.batches.append(self.rng.choice(n, size=self.batch_size, replace=False))
        with np.errstate(all="ignore"):
            for lr, model in self.models.items():
                losses = self.losses[lr]
                while not self.stopped[lr] and len(losses) < num_steps:
                    idx = self.batches[len(losses)]
                    loss, grads = model.loss(self.X[idx], self.y[idx])
                    losses.append(float(loss))
                    if not np.isfinite(loss) or loss > self.blow_up * max(1.0, losses[0]):
                        self.stopped[lr] = True
                        break
                    for name in model.params:
                        model.params[name] = model.params[name] - lr * grads[name]

    def curves(self, num_steps: int) -> dict[float, np.ndarray]:
        """lr -> the losses of the first num_steps steps (shorter for a run that blew up before)."""
        self.extend(num_steps)
        return {lr: np.array(losses[:num_steps], dtype=np.float64) for lr, losses in self.losses.items()}


def final_losses(curves: Mapping[float, np.ndarray], *, num_steps: int, tail: int = 10) -> dict[float, float]:
    """lr -> mean loss over the last `tail` steps, or inf when the run stopped before num_steps."""
    return {lr: (float(np.mean(c[-tail:])) if len(c) == num_steps and np.all(np.isfinite(c)) else np.inf)
            for lr, c in curves.items()}


def format_layer_table(columns: Mapping[str, Mapping[str, float]], *, fmt: str = "{:.2e}") -> str:
    """Aligned text table: one row per name (first-seen order), one column per entry of `columns`.

    format_layer_table({"grad norm": {"W1": 0.5}, "update/weight": {"W1": 1e-3}}) ->
        name  grad norm  update/weight
        W1     5.00e-01       1.00e-03
    """
    names: list[str] = []
    for values in columns.values():
        names += [n for n in values if n not in names]
    header = ["name", *columns]
    rows = [[name, *(fmt.format(float(v[name])) if name in v else "" for v in columns.values())]
            for name in names]
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = [[cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths))]
             for row in [header, *rows]]
    return "\n".join("  ".join(line).rstrip() for line in lines)


def model_from_config(config: Mapping, input_dim: int, num_classes: int, *, rng: np.random.Generator,
                      layer_fn=None) -> MLP:
    """The MLP a training set-up describes: config keys hidden_dims, activation, init, batchnorm (others,
    such as learning_rate, belong to the training loop and are ignored here)."""
    return MLP(input_dim, list(config["hidden_dims"]), num_classes, activation=config["activation"],
               init=config["init"], batchnorm=bool(config["batchnorm"]), layer_fn=layer_fn, rng=rng)
