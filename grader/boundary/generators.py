"""numpy Generators across the boundary: a Generator is mirrored, not copied once (the endpoint keeps the two
in step, so a generator shared by several calls keeps one stream), and is rebuilt on the other side from its
bit generator's state and its seed sequence, so that generators it spawns are the same on both sides.

What is received is bounded before a constructor runs: the kind of bit generator, the seed sequence's
entropy, spawn key, pool size and children spawned (building one costs its entropy times its pool, squared).
Shared by both sides and sent into the kernel as source: standard library and numpy only.
"""

from __future__ import annotations

import numpy as np

if "WireError" not in globals():  # in the kernel wire's source runs first, in the same namespace
    from grader.boundary.wire import WireError

GENERATOR_KINDS = ("PCG64", "PCG64DXSM", "Philox", "SFC64", "MT19937")
# Bounds of a seed sequence received.
MAX_SEED_WORDS, MAX_SPAWN_KEY, MAX_POOL, MAX_SEED_BITS = 64, 64, 64, 4096


def _bounded_seed(seed: dict):
    entropy, spawn_key = seed.get("entropy"), seed.get("spawn_key")
    pool_size, spawned = seed.get("pool_size"), seed.get("n_children_spawned")
    words = entropy if type(entropy) is list else [] if entropy is None else [entropy]
    if len(words) > MAX_SEED_WORDS or not all(type(w) is int and 0 <= w and w.bit_length() <= MAX_SEED_BITS
                                              for w in words):
        raise WireError("a seed sequence with too much entropy")
    if type(spawn_key) is not list or len(spawn_key) > MAX_SPAWN_KEY or \
            not all(type(k) is int and 0 <= k < 1 << 64 for k in spawn_key):
        raise WireError("a seed sequence with a malformed spawn key")
    if type(pool_size) is not int or not 4 <= pool_size <= MAX_POOL:
        raise WireError("a seed sequence with a pool size out of bounds")
    if type(spawned) is not int or not 0 <= spawned < 1 << 32:
        raise WireError("a seed sequence that spawned too many children")
    return np.random.SeedSequence(entropy=entropy, spawn_key=tuple(spawn_key), pool_size=pool_size,
                                  n_children_spawned=spawned)


def _seed_sequence(gen) -> dict | None:
    """What a Generator's seed sequence is made of (so that generators it spawns are the same here)."""
    seq = getattr(gen.bit_generator, "seed_seq", None)
    if not isinstance(seq, np.random.SeedSequence):
        return None
    entropy = seq.entropy
    return {"entropy": [int(e) for e in entropy] if isinstance(entropy, (list, tuple, np.ndarray)) else
            (None if entropy is None else int(entropy)), "spawn_key": [int(k) for k in seq.spawn_key],
            "pool_size": int(seq.pool_size), "n_children_spawned": int(seq.n_children_spawned)}


def _generator_from_state(state, seed=None):
    kind = state.get("bit_generator") if type(state) is dict else None
    if kind not in GENERATOR_KINDS:
        raise WireError(f"a generator of an unknown kind {kind!r}")
    try:
        sequence = _bounded_seed(seed) if type(seed) is dict else None
    except (TypeError, ValueError, KeyError) as exc:
        raise WireError(f"a malformed seed sequence: {exc}") from None
    bit_generator = getattr(np.random, kind)(sequence)
    try:
        bit_generator.state = state
    except (TypeError, ValueError, KeyError) as exc:
        raise WireError(f"a malformed generator state: {exc}") from None
    return np.random.Generator(bit_generator)
