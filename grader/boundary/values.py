"""Plain values on this side of the boundary: what a subclass of a plain type is sent as, which values can
change in place (and so need a copy kept in step), and how a received value is written into this side's
object without replacing it.

Shared by both sides and sent into the kernel as source (grader.boundary.session.AGENT_PARTS): standard
library and numpy only.
"""

from __future__ import annotations

import numpy as np


def plain_base(value):
    """A subclass of a plain type as its base value (a NamedTuple as a tuple, an OrderedDict as a dict,
    np.str_ as str, an ndarray subclass as a base array); None for anything else. The receiver only ever
    sees the base type, so an overridden __eq__ or __float__ cannot travel with it."""
    for base in (bool, int, float, complex, str, bytes):
        if isinstance(value, base):
            return base(value) if base is not str else str.__str__(value)
    if isinstance(value, tuple):
        return tuple(tuple.__iter__(value))
    if isinstance(value, list):
        return list(list.__iter__(value))
    if isinstance(value, dict):
        return {k: dict.__getitem__(value, k) for k in dict.__iter__(value)}
    if isinstance(value, (set, frozenset)):
        return set(set.__iter__(value)) if isinstance(value, set) else frozenset(frozenset.__iter__(value))
    if isinstance(value, np.ndarray) and type(value) is not np.ndarray:
        return np.ndarray.view(value, np.ndarray).copy()
    return None


def is_mutable(value) -> bool:
    """Whether a plain value can change in place (so a copy of it must be kept in step)."""
    if isinstance(value, (np.ndarray, list, dict, set, bytearray)):
        return True
    if isinstance(value, (tuple, frozenset)):
        return any(is_mutable(v) for v in value)
    return False


def sync_into(target, value) -> bool:
    """Make `target` equal to `value` in place, keeping the identity of everything inside it that can be
    kept; False when it cannot be done in place (the caller replaces the target instead)."""
    if target is value:
        return True
    # The target is this side's own object, of any subclass (a student's dict of params); the value was
    # decoded here, so it is of an exact type.
    if isinstance(target, np.ndarray) and type(value) is np.ndarray:
        if target.dtype != value.dtype or not target.flags.writeable:
            return False
        if target.shape != value.shape:
            try:
                target.shape = value.shape
            except (AttributeError, ValueError):
                return False
        np.copyto(target, value)
        return True
    if isinstance(target, dict) and type(value) is dict:
        for k in [k for k in target if k not in value]:
            del target[k]
        for k, v in value.items():
            if not (k in target and sync_into(target[k], v)):
                target[k] = v
        return True
    if isinstance(target, list) and type(value) is list:
        for i in range(min(len(target), len(value))):
            if not sync_into(target[i], value[i]):
                target[i] = value[i]
        del target[len(value):]
        target.extend(value[len(target):])
        return True
    if isinstance(target, set) and type(value) is set:
        target.clear()
        target.update(value)
        return True
    if isinstance(target, tuple) and type(value) is tuple and len(target) == len(value):
        return all(sync_into(t, v) for t, v in zip(target, value))
    if type(target) is np.random.Generator and type(value) is np.random.Generator:
        target.bit_generator.state = value.bit_generator.state
        return True
    try:
        return type(target) is type(value) and not is_mutable(value) and bool(target == value)
    except Exception:  # noqa: BLE001 - e.g. an array comparison: not the same, so replace
        return False
