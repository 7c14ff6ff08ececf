"""How a trivial wrapper could dress a course_lib callable as a graded function (tests/answer_scan.py runs them).

A call form says which of the graded call's arguments go where: as the test calls it; arguments matched by
name; all graded arguments by position; the required ones by position in any order (up to four); a required
parameter the graded call has no value for given None. Adapters a wrapper adds in one line: a dict argument
given as its (name, value) pairs, None given as {}, the result's first element when it is a tuple.
Plain-data comparison (the solution's result against a candidate's) lets the scan skip what cannot pass.
"""

from __future__ import annotations

import inspect
import itertools
import types
from dataclasses import dataclass
from typing import Callable

import numpy as np

MAX_PERMUTED = 4     # graded arguments put in every order only up to this many
MAX_NONE_FILLED = 2  # required parameters a wrapper would pass None for


@dataclass(frozen=True)
class CallForm:
    """How a wrapper calls the candidate: `order` lists, for each positional argument of the candidate, the
    graded parameter it gets (None: the value None); `by_name` maps candidate keywords to graded parameters."""

    order: tuple = ()
    by_name: tuple = ()   # (candidate parameter, graded parameter or None)
    as_called: bool = False
    pairs: bool = False   # dict arguments given as lists of (key, value)
    first: bool = False   # the result's first element
    empty: bool = False   # None arguments given as {} (a state dict the caller left out)

    def describe(self) -> str:
        if self.as_called:
            how = "called as the test calls it"
        else:
            args = [str(g) for g in self.order] + [f"{c}={g}" for c, g in self.by_name]
            how = f"called with ({', '.join(args)})"
        return (how + (", dicts as pairs" if self.pairs else "") + (", None as {}" if self.empty else "")
                + (", first of its result" if self.first else ""))


def _parameters(obj) -> list[inspect.Parameter] | None:
    try:
        return list(inspect.signature(obj).parameters.values())
    except (TypeError, ValueError):
        return None


def call_forms(graded, candidate) -> list[CallForm]:
    """The plain ways a trivial wrapper could call `candidate` with the arguments of `graded` (may be empty):
    as the test calls it, by name, or the graded arguments by position in any order (all of them, or the
    required ones), a required parameter without a graded value given None."""
    g_params = [p for p in _parameters(graded) or [] if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    c_params = _parameters(candidate)
    if c_params is None:
        return []
    g_names = [p.name for p in g_params]
    g_required = [p.name for p in g_params if p.default is p.empty]
    positional = [p for p in c_params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    keyword_only = [p for p in c_params if p.kind == p.KEYWORD_ONLY]
    open_ended = any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in c_params)
    required_pos = [p for p in positional if p.default is p.empty]
    forms: list[CallForm] = [CallForm(as_called=True)]

    def keywords(taken) -> tuple[tuple, int]:
        """The keyword-only parameters: by name from the graded call, else None for a required one."""
        out, filled = [], 0
        for p in keyword_only:
            if p.name in g_names and p.name not in taken:
                out.append((p.name, p.name))
            elif p.default is p.empty:
                out.append((p.name, None))
                filled += 1
        return tuple(out), filled

    # Arguments matched by name (the candidate's positional parameters too).
    by_name, filled, used = [], 0, 0
    for p in positional:
        if p.name in g_names:
            by_name.append(p.name)
            used += 1
        elif p.default is p.empty:
            by_name.append(None)
            filled += 1
        else:
            break
    extra, extra_filled = keywords(set(by_name))
    if (used or any(g for _, g in extra)) and filled + extra_filled <= MAX_NONE_FILLED:
        forms.append(CallForm(order=tuple(by_name), by_name=extra))
    # The graded arguments by position: all of them in their order (a drop-in), and the required ones in any
    # order (a wrapper that reorders; optional arguments keep their defaults).
    orders = {tuple(g_names)} | (set(itertools.permutations(g_required)) if len(g_required) <= MAX_PERMUTED else set())
    for chosen in orders:
        if not chosen or len(chosen) > len(positional) and not open_ended:
            continue
        missing = max(0, len(required_pos) - len(chosen))
        extra, extra_filled = keywords(set(chosen))
        if missing + extra_filled <= MAX_NONE_FILLED:
            forms.append(CallForm(order=chosen + (None,) * missing, by_name=extra))
    return list(dict.fromkeys(forms))


def variants(form: CallForm, dicts: bool, nones: bool) -> list[CallForm]:
    """The form, and the simple adapters that can change something here: dicts as pairs (when a dict is
    passed), None as {} (when None is passed); the result's first element is tried with each."""
    return [CallForm(form.order, form.by_name, form.as_called, pairs, False, empty)
            for pairs in ((False, True) if dicts else (False,))
            for empty in ((False, True) if nones else (False,))]


def has_none_default(graded) -> bool:
    return any(p.default is None for p in _parameters(graded) or [])


def adapter(graded, candidate: Callable, form: CallForm, calls: list) -> Callable:
    """`candidate` dressed as `graded` by a wrapper of the given form; every call is counted in `calls`."""
    signature = inspect.signature(graded)

    def wrapper(*args, **kwargs):
        calls.append(1)

        def value(v):
            if form.pairs and isinstance(v, dict):
                return list(v.items())
            if form.empty and v is None:
                return {}
            return v

        if form.as_called:
            c_args, c_kwargs = [value(a) for a in args], {k: value(v) for k, v in kwargs.items()}
        else:
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            given = bound.arguments
            c_args = [None if g is None else value(given[g]) for g in form.order]
            c_kwargs = {c: None if g is None else value(given[g]) for c, g in form.by_name}
        result = candidate(*c_args, **c_kwargs)
        if form.first and isinstance(result, (tuple, list)) and len(result) > 0:
            return result[0]  # what `r[0] if r else r` in a wrapper does
        return result

    return wrapper


def distinct_at_first_call(forms: list[CallForm], graded, first: tuple | None) -> list[CallForm]:
    """The forms that call the candidate differently at the hidden part's first call (as the test calls it is
    often the same as by name, or as all arguments in order)."""
    if first is None:
        return forms
    try:
        bound = inspect.signature(graded).bind(*first[0], **first[1])
    except TypeError:
        return forms
    passed = list(bound.arguments)
    seen, out = set(), []
    for form in forms:
        if form.as_called:
            key = (tuple(passed[:len(first[0])]), tuple((k, k) for k in first[1]))
        else:
            key = (form.order, form.by_name)
        if key not in seen:
            seen.add(key)
            out.append(form)
    return out


_PLAIN_SCALARS = (bool, int, float, complex, str, bytes, type(None), np.generic)


def is_plain(value, depth: int = 0) -> bool:
    """Data only (numbers, strings, arrays, Generators and containers of them): a deep copy is independent,
    so two functions called on two copies see the same inputs."""
    if depth > 6:
        return False
    if isinstance(value, (_PLAIN_SCALARS, np.ndarray, np.random.Generator)):
        return True
    if isinstance(value, (list, tuple)):
        return all(is_plain(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(is_plain(k, depth + 1) and is_plain(v, depth + 1) for k, v in value.items())
    return False


def plain_result(value, depth: int = 0):
    """A result as comparable data (tuples as lists, iterators run out), or raises TypeError."""
    if depth > 6:
        raise TypeError("too deep")
    if isinstance(value, (str, bytes, type(None))):
        return value
    if isinstance(value, (bool, int, float, np.generic, np.ndarray)):
        array = np.asarray(value)
        if array.dtype.kind not in "biufc":
            raise TypeError("not numbers")
        return array.astype(np.complex128)
    if isinstance(value, dict):
        return {k: plain_result(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple, types.GeneratorType)):
        return [plain_result(v, depth + 1) for v in itertools.islice(value, 100_000)]
    raise TypeError(type(value).__name__)


def same(a, b) -> bool:
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-5, atol=1e-8, equal_nan=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b
