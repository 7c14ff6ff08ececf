"""References across the boundary: what is not plain data stays where it lives, lent to the other side under
an id, and the other side holds a Proxy to it; a numpy Generator is mirrored instead; a subclass value (a
NamedTuple, a defaultdict) crosses as its base value and goes back as its original while unchanged.

Part of the Endpoint (grader.boundary.endpoint: `class Endpoint(References, ...)`), whose state it uses:
`_owned`/`_owned_ids` (objects lent, by id), `_proxies` (the other side's objects, by its id), `_released`
(ids whose proxies died here), `_shared` and `_based` (grader.boundary.sharing). Shared by both sides and sent
into the kernel as source: standard library and numpy only.
"""

from __future__ import annotations

import numpy as np

if "Encoder" not in globals():  # in the kernel the agent runs wire's source first, in the same namespace
    from grader.boundary.wire import Decoder, Encoder, WireError
if "Proxy" not in globals():  # the same for the other parts of the endpoint (session.AGENT_PARTS)
    from grader.boundary.proxy import Proxy
if "plain_base" not in globals():
    from grader.boundary.values import plain_base
if "_generator_from_state" not in globals():
    from grader.boundary.generators import _generator_from_state, _seed_sequence


_PROXY_TYPE = frozenset({Proxy})  # never plain data: the encoder refers to it at once


class References:
    """Lending this side's objects, resolving the other side's references, mirroring generators."""

    def _lend(self, obj) -> int:
        key = id(obj)
        if key in self._owned_ids:
            return self._owned_ids[key]
        n = self._next_id
        self._next_id += 1
        self._owned[n], self._owned_ids[key] = obj, n
        return n

    def _refer(self, obj):
        if isinstance(obj, Proxy) and object.__getattribute__(obj, "_ep") is self:
            return {"@": "back", "id": object.__getattribute__(obj, "_id")}
        if type(obj) is np.random.Generator:
            return self._refer_generator(obj)
        self.policy.check_send(obj)
        return {"@": "obj", "id": self._lend(obj)}

    def _refer_generator(self, gen):
        for key, entry in self._shared.items():
            if key[0] == "rng" and entry[0] is gen:
                return {"@": "rng", "owner": "you" if key[1] == "peer" else "me", "id": key[2]}
        n = self._lend(gen)
        state = gen.bit_generator.state
        self._shared[("rng", "mine", n)] = [gen, self._fingerprint(state)]
        return {"@": "rng", "owner": "me", "id": n, "state": self._encode_nested(state),
                "seed": self._encode_nested(_seed_sequence(gen))}

    def _resolve(self, tag, decoder):
        kind, n = tag.get("@"), tag.get("id")
        if type(n) is not int:
            raise WireError("a reference without an id")
        if kind == "back":
            if n not in self._owned:
                raise WireError("a reference to an object that was released")
            return self._owned[n]
        if kind == "obj":
            if n in self._released:
                self._released.remove(n)
            proxy = self._proxies.get(n)
            if proxy is None:
                proxy = Proxy._make(self, n)
                self._proxies[n] = proxy
            return proxy
        if kind == "rng":
            return self._resolve_generator(tag, n, decoder)
        if kind == "module":
            raise WireError("a module cannot cross the boundary")
        raise WireError(f"an unknown value tag {kind!r}")

    def _resolve_generator(self, tag, n, decoder):
        if tag.get("owner") == "you":
            entry = self._shared.get(("rng", "mine", n))
            if entry is None:
                raise WireError("a generator that is not shared any more")
            return entry[0]
        entry = self._shared.get(("rng", "peer", n))
        if entry is not None:
            return entry[0]
        state = decoder.decode(tag.get("state"))
        gen = _generator_from_state(state, decoder.decode(tag.get("seed")))
        self._shared[("rng", "peer", n)] = [gen, self._fingerprint(gen.bit_generator.state)]
        return gen

    def _released_by_proxy(self, n: int) -> None:
        # Called from Proxy.__del__, possibly in the middle of anything: only append.
        self._released.append(n)

    def _is_owned(self, obj) -> bool:
        return id(obj) in self._owned_ids

    def _check_owned(self, obj) -> None:
        if not self._is_owned(obj):
            raise WireError("a request about an object this side did not lend")

    # --- encoding and decoding with references -------------------------------------------------------
    def _encoder(self) -> Encoder:
        return Encoder(self._refer, plain_base, self._lend_original, self._returning, _PROXY_TYPE)

    def _decoder(self, buffers) -> Decoder:
        decoder = Decoder(buffers, lambda tag: self._resolve(tag, decoder), self._on_based)
        return decoder

    def _lend_original(self, obj) -> int:
        self.policy.check_send(obj)
        return self._lend(obj)

    def _returning(self, value):
        entry = self._based.get(id(value))
        if entry is None or entry[0] is not value:
            return None
        return {"@": "back", "id": entry[1]} if self._plain_fingerprint(value) == entry[2] else None

    def _on_based(self, value, n: int) -> None:
        self._based[id(value)] = [value, n, self._plain_fingerprint(value)]

    def _encode_nested(self, value):
        enc = Encoder(lambda obj: (_ for _ in ()).throw(WireError("a generator's state is plain data")))
        tree = enc.encode(value)
        if enc.buffers:
            raise WireError("a generator's state is plain data")
        return tree
