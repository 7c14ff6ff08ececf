"""The course's one gradient checker.

Centred differences in float64, a vector-Jacobian check with a random upstream gradient for layers, a
sparse (random entries) and a directional (random directions) variant for large inputs. Every check
asserts: on failure it raises GradientCheckError naming the parameter, the worst index, both values and
a likely cause. Test inputs avoid kinks (ReLU at 0, ties in max) by construction, not by loosening tol.
"""

from __future__ import annotations

from typing import Callable, Mapping

import numpy as np

from course_lib.diagnose import likely_cause

DEFAULT_H = 1e-5
DEFAULT_TOL = 1e-5
# Entries smaller than this fraction of the largest gradient entry are compared against that fraction,
# so round-off in near-zero entries (~1e-11 absolute) cannot fail a correct gradient.
_FLOOR_FRACTION = 1e-3


class GradientCheckError(AssertionError):
    """An analytic gradient disagrees with the centred-difference estimate."""


def _require_float64(name: str, x) -> np.ndarray:
    if not isinstance(x, np.ndarray):
        raise TypeError(f"gradient check of '{name}': expected a numpy array, got {type(x).__name__}")
    if x.dtype.kind in "biu":
        raise TypeError(
            f"gradient check of '{name}': integer input (dtype {x.dtype}) cannot be nudged by h; "
            f"differentiate with respect to a float array: {name}.astype(np.float64)")
    if x.dtype != np.float64:
        raise TypeError(
            f"gradient check of '{name}': needs float64, got {x.dtype}; float32 round-off (~1e-7) "
            f"swamps a centred difference with h=1e-5. Use {name}.astype(np.float64)")
    return x


def relative_error(analytic, numeric, eps: float = 1e-12) -> np.ndarray:
    """Elementwise |a - n| / max(eps, |a| + |n|)."""
    a = np.asarray(analytic, dtype=np.float64)
    n = np.asarray(numeric, dtype=np.float64)
    return np.abs(a - n) / np.maximum(eps, np.abs(a) + np.abs(n))


def _scalar(value, what: str) -> float:
    arr = np.asarray(value, dtype=np.float64)
    if arr.size != 1:
        raise TypeError(f"{what} must return a scalar, got an array of shape {arr.shape}")
    return float(arr.reshape(()))


def _pick_indices(shape: tuple, num_checks: int | None, rng: np.random.Generator | None) -> list | None:
    size = int(np.prod(shape))
    if num_checks is None or num_checks >= size:
        return None
    rng = rng if rng is not None else np.random.default_rng(0)
    flat = rng.choice(size, size=num_checks, replace=False)
    return [tuple(int(i) for i in np.unravel_index(k, shape)) for k in flat]


def _compare(name: str, analytic: np.ndarray, numeric: np.ndarray, tol: float,
             batch_size: int | None, where: str = "index") -> float:
    scale = float(np.max(np.abs(analytic) + np.abs(numeric))) if analytic.size else 0.0
    err = relative_error(analytic, numeric, eps=max(1e-12, _FLOOR_FRACTION * scale))
    if not np.all(np.isfinite(analytic)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(analytic))[0])
        raise GradientCheckError(
            f"gradient check failed for '{name}': analytic gradient is {analytic[bad]} at {where} {bad}. "
            "Likely cause: an overflow (exp of unshifted scores) or a division by zero")
    worst = np.unravel_index(int(np.argmax(err)), err.shape) if err.size else ()
    max_err = float(err[worst]) if err.size else 0.0
    if max_err > tol:
        n_bad = int(np.sum(err > tol))
        msg = (f"gradient check failed for '{name}': relative error {max_err:.2e} > tol {tol:.0e} at {where} "
               f"{tuple(int(i) for i in worst)}: analytic {analytic[worst]:.8g}, numeric {numeric[worst]:.8g} "
               f"({n_bad} of {err.size} checked entries wrong)")
        cause = likely_cause(analytic, numeric, batch_size)
        if cause:
            msg += f". Likely cause: {cause}"
        raise GradientCheckError(msg)
    return max_err


def _check_shape(name: str, analytic: np.ndarray, x: np.ndarray) -> None:
    if analytic.shape == x.shape:
        return
    if analytic.ndim == 2 and analytic.shape == x.shape[::-1]:
        cause = "the gradient is transposed (check the order in a matrix product, X.T @ d vs d @ X)"
    elif analytic.size != x.size:
        cause = "a sum or mean over the wrong axis, or a missing keepdims"
    else:
        cause = "a reshape is missing: the gradient must have the shape of what it differentiates"
    raise GradientCheckError(f"gradient check failed for '{name}': gradient has shape {analytic.shape} "
                             f"but '{name}' has shape {x.shape}. Likely cause: {cause}")


def check_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, analytic, name: str = "x", *,
                   h: float = DEFAULT_H, tol: float = DEFAULT_TOL, num_checks: int | None = None,
                   rng: np.random.Generator | None = None, batch_size: int | None = None) -> float:
    """Assert that `analytic` is the gradient of scalar f at x; return the max relative error.

    num_checks: check only that many random entries (sparse check for large x), drawn with rng.
    batch_size: lets the failure message recognise a missing 1/N.
    """
    _require_float64(name, x)
    analytic = np.asarray(analytic, dtype=np.float64)
    _check_shape(name, analytic, x)
    indices = _pick_indices(x.shape, num_checks, rng)
    # Centred differences at the chosen entries (the rest stay NaN). Written out here, not as a helper of its
    # own: lesson 01 grades numerical_gradient(f, x, h), and this module is in every student's hands.
    numeric = np.full(x.shape, np.nan)
    for idx in indices if indices is not None else np.ndindex(x.shape):
        old = x[idx]
        try:
            x[idx] = old + h
            f_plus = _scalar(f(x), "f")
            x[idx] = old - h
            f_minus = _scalar(f(x), "f")
        finally:
            x[idx] = old  # restore exactly, even when f raises
        numeric[idx] = (f_plus - f_minus) / (2.0 * h)
    if indices is None:
        return _compare(name, analytic, numeric, tol, batch_size)
    rows = tuple(np.array(i) for i in zip(*indices))
    # Report positions as the original indices, not positions in the sample.
    try:
        return _compare(name, analytic[rows], numeric[rows], tol, batch_size, where="sample")
    except GradientCheckError as exc:
        raise GradientCheckError(f"{exc} [sampled indices: {indices[:5]}{'...' if len(indices) > 5 else ''}]") from None


def check_directional(f: Callable[[np.ndarray], float], x: np.ndarray, analytic, name: str = "x", *,
                      rng: np.random.Generator, num_directions: int = 8, h: float = DEFAULT_H,
                      tol: float = DEFAULT_TOL) -> float:
    """Compare directional derivatives along random unit directions: 2 evaluations each, any size of x."""
    _require_float64(name, x)
    analytic = np.asarray(analytic, dtype=np.float64)
    _check_shape(name, analytic, x)
    saved = x.copy()
    predicted, measured = np.empty(num_directions), np.empty(num_directions)
    try:
        for k in range(num_directions):
            u = rng.standard_normal(x.shape)
            u /= np.linalg.norm(u)
            x[...] = saved + h * u
            f_plus = _scalar(f(x), "f")
            x[...] = saved - h * u
            f_minus = _scalar(f(x), "f")
            measured[k] = (f_plus - f_minus) / (2.0 * h)
            predicted[k] = float(np.sum(analytic * u))
    finally:
        x[...] = saved
    return _compare(f"{name} (directional)", predicted, measured, tol, None, where="direction")


def check_layer(forward: Callable, backward: Callable, inputs: Mapping[str, np.ndarray], *,
                rng: np.random.Generator, h: float = DEFAULT_H, tol: float = DEFAULT_TOL,
                num_checks: int | None = None, batch_size: int | None = None) -> dict[str, float]:
    """Vector-Jacobian check of a layer: forward(*inputs) -> (out, cache), backward(dout, cache) -> grads.

    The upstream gradient is random (never all-ones, which hides many bugs). Returns {name: max rel error}.
    """
    arrays = dict(inputs)
    for name, x in arrays.items():
        _require_float64(name, x)

    def run_forward():
        result = forward(*arrays.values())
        return result[0] if isinstance(result, tuple) else result

    out, cache = forward(*arrays.values())
    dout = rng.standard_normal(np.shape(out))
    grads = backward(dout, cache)
    if not isinstance(grads, tuple):
        grads = (grads,)
    if len(grads) != len(arrays):
        raise GradientCheckError(
            f"backward returned {len(grads)} gradient(s) but the layer has {len(arrays)} differentiable "
            f"input(s) ({', '.join(arrays)}); return them as a tuple in that order")
    errors = {}
    for (name, x), grad in zip(arrays.items(), grads):
        errors[name] = check_gradient(lambda _x: np.sum(run_forward() * dout), x, grad, name=f"d{name}",
                                      h=h, tol=tol, num_checks=num_checks, rng=rng, batch_size=batch_size)
    return errors
