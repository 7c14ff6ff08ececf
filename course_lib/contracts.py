"""The contract every graded function keeps (COURSE_SPEC, "Conventions"), checked at each call.

A graded function may change only the state its contract declares (an optimizer's `config`, batchnorm's
`bn_param`, the parameters a training function updates); it never touches NumPy's global random state and
keeps no state between calls in a default argument. `checked_call` runs a function and raises ContractError
(an AssertionError, so a test cell fails) with a message naming the broken rule.

One implementation for both places a call is checked: a visible test in the student's kernel, and the
grader's boundary (grader.boundary sends this file's source into the sandboxed kernel beside its agent).
So this module imports only the standard library and numpy, and nothing else of course_lib.
"""

from __future__ import annotations

import ctypes
import hashlib
import inspect
import types

import numpy as np

# Graded function -> the parameters its contract lets it change in place. Everything else it is given is
# read-only. Generators are not listed: drawing from a Generator it was given is what it is for.
DECLARED_STATE: dict[str, frozenset[str]] = {
    **{rule: frozenset({"config"}) for rule in ("sgd", "sgd_momentum", "adagrad", "rmsprop", "adam")},
    "batchnorm_forward": frozenset({"bn_param"}),
    "train_step": frozenset({"params"}),
    "train_network": frozenset({"model"}),
    # A backward pass gets back the cache its own forward pass made: the student's object, theirs to use as
    # they like (a defaultdict that fills in a key when read is style, not a broken contract).
    **{backward: frozenset({"cache"}) for backward in (
        "sigmoid_circuit_backward", "affine_backward", "relu_backward", "batchnorm_backward",
        "batchnorm_backward_alt", "layernorm_backward", "dropout_backward")},
}

# Objects a test lends to student code (a model made by a test's factory) name the attributes student code
# may change, as a class attribute of this name; all others are read-only.
WRITABLE_ATTRIBUTES = "course_writable"


class ContractError(AssertionError):
    """A graded function broke its contract: changed an input it must only read, used NumPy's global random
    state, or kept state between calls in a default argument."""


def declared_state(function_name: str) -> frozenset[str]:
    return DECLARED_STATE.get(function_name, frozenset())


# --- fingerprints: a digest of a value's content, deep ------------------------------------------------

def _feed(digest, value, depth: int, seen: set) -> None:
    if depth > 60 or id(value) in seen:
        digest.update(b"<deep>")
        return
    if isinstance(value, np.ndarray):
        digest.update(f"a{value.dtype.str}{value.shape}".encode())
        if value.dtype.kind in "biufcUSMm" and value.dtype.fields is None:
            digest.update(np.ascontiguousarray(value).tobytes())
        else:
            seen.add(id(value))
            for item in value.flat:
                _feed(digest, item, depth + 1, seen)
        return
    if isinstance(value, dict):
        seen.add(id(value))
        digest.update(f"d{len(value)}".encode())
        for key, item in list(dict.items(value)):
            _feed(digest, key, depth + 1, seen)
            _feed(digest, item, depth + 1, seen)
        seen.discard(id(value))
        return
    if isinstance(value, (list, tuple)):
        seen.add(id(value))
        digest.update(f"{'l' if isinstance(value, list) else 't'}{len(value)}".encode())
        for item in list(value):
            _feed(digest, item, depth + 1, seen)
        seen.discard(id(value))
        return
    if isinstance(value, (set, frozenset)):
        digest.update(f"s{len(value)}".encode())
        for text in sorted(repr(item) for item in value):
            digest.update(text.encode())
        return
    if isinstance(value, np.random.Generator):
        digest.update(b"g")  # a Generator's stream is meant to advance
        return
    if value is None or isinstance(value, (bool, int, float, complex, str, bytes, np.generic)):
        digest.update(f"{type(value).__name__}:{value!r}".encode())
        return
    # Any other object: its type and, where it has one, its instance dictionary. A callable given as an input
    # (a loss function, a model factory, a counter of calls) is code to call, not data to keep: what it records
    # when called is its own business, so only its type counts.
    digest.update(f"o{type(value).__qualname__}".encode())
    if callable(value):
        return
    attributes = getattr(value, "__dict__", None)
    if isinstance(attributes, dict):
        seen.add(id(value))
        _feed(digest, attributes, depth + 1, seen)
        seen.discard(id(value))


def fingerprint(value) -> bytes:
    digest = hashlib.blake2b(digest_size=16)
    _feed(digest, value, 0, set())
    return digest.digest()


_MT19937_BYTES = 624 * 4 + 4   # the C state of MT19937: its key, then its position
_raw_state_checked: list = []  # [True] once the raw state was seen to match get_state(), [False] if not


def _raw_global_state() -> bytes | None:
    """The global generator's C state, read in place (get_state() builds a dict of 624 ints: ~150 us, paid
    twice per checked call); None where that cannot be done or does not hold what get_state() says."""
    try:
        bits = np.random.get_bit_generator()  # numpy >= 1.25
        if type(bits).__name__ != "MT19937":
            return None
        raw = ctypes.string_at(bits.ctypes.state_address, _MT19937_BYTES)
    except Exception:  # noqa: BLE001 - an older numpy, or another generator: the slow way
        return None
    if not _raw_state_checked:
        _, keys, pos, _, _ = np.random.get_state()
        _raw_state_checked.append(raw == keys.astype("<u4").tobytes() + int(pos).to_bytes(4, "little", signed=True))
    return raw if _raw_state_checked[0] else None


def global_rng_fingerprint() -> bytes:
    """NumPy's legacy global generator (np.random.seed, np.random.rand, ...), as a digest of its state. (Read
    in place, the state leaves out the cached second normal of np.random.randn: a call that only takes that
    one goes unseen.)"""
    raw = _raw_global_state()
    if raw is not None:
        return hashlib.blake2b(raw, digest_size=16).digest()
    kind, keys, pos, has_gauss, gauss = np.random.get_state()
    digest = hashlib.blake2b(keys.tobytes(), digest_size=16)
    digest.update(f"{kind}{pos}{has_gauss}{gauss}".encode())
    return digest.digest()


def _function_of(fn):
    """The plain function behind a callable (a bound method's function), or None."""
    target = getattr(fn, "__func__", fn)
    return target if isinstance(target, types.FunctionType) else None


def defaults_fingerprint(fn) -> dict[str, bytes]:
    """name -> digest of each mutable default argument of fn (a list or dict default keeps state across calls).
    Read from the function's own defaults (a wrapper's: the function it wraps), not inspect.signature, which
    costs ~40 us per checked call."""
    target = _function_of(fn)
    if target is None:
        return {}
    try:
        target = inspect.unwrap(target)
    except ValueError:  # a cycle of __wrapped__
        return {}
    if not isinstance(target, types.FunctionType):
        return {}
    code = target.__code__
    positional = code.co_varnames[:code.co_argcount]  # positional-only ones included
    defaults = target.__defaults__ or ()
    named = dict(zip(positional[len(positional) - len(defaults):], defaults))
    named.update(target.__kwdefaults__ or {})
    return {name: fingerprint(value) for name, value in named.items()
            if isinstance(value, (list, dict, set, np.ndarray))}


# --- messages: the same words in the kernel and in grading ----------------------------------------------

def mutation_message(function: str, argument: str, declared=()) -> str:
    allowed = ", ".join(f"`{name}`" for name in sorted(declared))
    rule = f"its contract lets it change only {allowed}" if allowed else "its contract lets it change none of its inputs"
    name = argument if argument.isidentifier() else "x"
    return (f"{function} modified its input `{argument}` in place: {rule}. Work on a copy "
            f"({name} = {name}.copy()) or build new values (w = w - lr * dw rather than w -= lr * dw)")


def global_rng_message(function: str) -> str:
    return (f"{function} used NumPy's global random state (np.random.seed, np.random.rand, ...): take randomness "
            "only from the Generator or the seed it is given (np.random.default_rng(seed))")


def defaults_message(function: str, parameter: str) -> str:
    return (f"{function} kept state between calls in its default argument `{parameter}`: a mutable default is "
            f"made once and shared by every call; write `{parameter}=None` and make a new one inside")


def attribute_message(owner: str, attribute: str, writable=()) -> str:
    allowed = ", ".join(f"`{name}`" for name in sorted(writable))
    rule = f"only {allowed} may change" if allowed else "none of its attributes may change"
    return (f"student code changed `{attribute}` of the test's {owner}: {rule}. Work on a copy, or "
            f"return the new value instead of storing it in the test's object")


def writable_attributes(obj) -> frozenset[str]:
    """The attributes a test's object lets student code change: its class's `course_writable`."""
    names = getattr(type(obj), WRITABLE_ATTRIBUTES, ())
    if isinstance(names, str) or not isinstance(names, (tuple, list, set, frozenset)):
        return frozenset()
    return frozenset(n for n in names if isinstance(n, str))


def argument_names(fn, args: tuple, kwargs: dict) -> dict:
    """position (int) or keyword (str) -> parameter name, as fn's signature binds them; positions it cannot
    bind keep their own label."""
    names: dict = {key: key for key in kwargs}
    try:
        parameters = [p for p in inspect.signature(fn).parameters.values()
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        parameters = []
    for i in range(len(args)):
        names[i] = parameters[i].name if i < len(parameters) else f"argument {i + 1}"
    return names


def checked_call(fn, *args, _name: str | None = None, _state=None, **kwargs):
    """fn(*args, **kwargs), failing with ContractError when the call changed an input outside the declared
    state, used NumPy's global random state, or changed one of fn's mutable default arguments."""
    __tracebackhide__ = True  # the student's traceback starts at their own function, not at this check
    name = _name or getattr(fn, "__name__", "the function")
    state = declared_state(name) if _state is None else frozenset(_state)
    inputs = list(enumerate(args)) + list(kwargs.items())
    before = {key: fingerprint(value) for key, value in inputs}
    rng_before = global_rng_fingerprint()
    defaults_before = defaults_fingerprint(fn)
    result = fn(*args, **kwargs)
    changed = [key for key, value in inputs if fingerprint(value) != before[key]]
    if changed:  # the signature is read only when an input changed, not on every call of a training loop
        names = argument_names(fn, args, kwargs)
        for key in changed:
            if names[key] not in state:
                raise ContractError(mutation_message(name, names[key], state))
    if global_rng_fingerprint() != rng_before:
        raise ContractError(global_rng_message(name))
    for parameter, digest in defaults_fingerprint(fn).items():
        if defaults_before.get(parameter) != digest:
            raise ContractError(defaults_message(name, parameter))
    return result
