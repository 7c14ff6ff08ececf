"""Copies kept in step: a mutable attribute read through a proxy (`net.params`), an argument kept shared by
what a call returned (a generator over mini-batches) and a mirrored numpy Generator live on both sides. At
every crossing each side sends the copies that changed since the last one (syncs), and applies the other's;
the owner of the original applies a change only where its Policy allows (the grader: attributes a test
object's class declares writable), and a forbidden change is a contract violation.

Part of the Endpoint (grader.boundary.endpoint: `class Endpoint(SharedCopies, ...)`). Its state: `_shared`,
key -> [local object, fingerprint(, forbidden message)], keys ("attr", owner, id, name), ("rng", owner, id),
("arg", owner, id); owner is "mine" when this side owns the original, "peer" when it holds the copy; and
`_based` (grader.boundary.references). Shared by both sides and sent into the kernel as source.
"""

from __future__ import annotations

import hashlib

if "Encoder" not in globals():  # in the kernel the agent runs wire's source first, in the same namespace
    from grader.boundary.wire import Decoder, Encoder, WireError, json_text
if "GetAttr" not in globals():  # the same for the message records and the other parts of the endpoint
    from grader.boundary.messages import DelAttr, GetAttr, SetAttr
if "sync_into" not in globals():
    from grader.boundary.values import is_mutable, plain_base, sync_into
if "object_label" not in globals():
    from grader.boundary.policy import object_label
if "ContractError" not in globals():  # in the kernel, course_lib.contracts' source runs first
    from course_lib.contracts import ContractError, attribute_message, writable_attributes


class SharedCopies:
    """The shared copies of one session (a test cell), their fingerprints, and the syncs that carry them."""

    def _reset_shared(self) -> None:
        self._shared: dict[tuple, list] = {}
        # id(received copy) -> [copy, peer's id of the original, fingerprint]: subclass values (a NamedTuple,
        # a defaultdict) that go back to the peer as their original while unchanged; released with the session.
        for _, n, _ in getattr(self, "_based", {}).values():
            self._released.append(n)
        self._based: dict[int, list] = {}

    def _forget_shared(self, owner: str, n: int) -> None:
        for key in [k for k in self._shared if k[1] == owner and k[2] == n]:
            del self._shared[key]

    # --- fingerprints: what tells a copy changed -----------------------------------------------------
    def _fingerprint(self, value) -> tuple:
        enc = self._encoder()
        tree = enc.encode(value)
        return encoding_fingerprint(json_text({"v": tree}), enc.buffers)

    def _plain_fingerprint(self, value) -> tuple:
        enc = Encoder(self._refer, plain_base)  # the value itself, never a back reference
        tree = enc.encode(value)
        return encoding_fingerprint(json_text({"v": tree}), enc.buffers)

    # --- syncs: sent with every message, applied from every message ----------------------------------
    def _current(self, key, entry):
        if key[0] == "attr" and key[1] == "mine":
            obj = self._owned.get(key[2])
            return getattr(obj, key[3]) if obj is not None else None
        if key[0] == "rng":
            return entry[0].bit_generator.state
        return entry[0]

    def _outgoing_syncs(self, enc: Encoder) -> list:
        if not self._shared:
            return []
        out = []
        for key, entry in list(self._shared.items()):
            try:
                now = self._current(key, entry)
                fp = self._fingerprint(now)
            except Exception:  # noqa: BLE001 - an attribute that went away or stopped being plain: drop it
                del self._shared[key]
                continue
            if fp != entry[1]:
                entry[1] = fp
                out.append([_peer_view(key), enc.encode(now)])
        return out

    def _apply_syncs(self, syncs, decoder: Decoder) -> None:
        if type(syncs) is not list:
            raise WireError("malformed syncs")
        for item in syncs:
            if type(item) is not list or len(item) != 2 or type(item[0]) is not list:
                raise WireError("a malformed sync entry")
            key = tuple(item[0])
            entry = self._shared.get(key)
            if entry is None:
                continue  # shared by the other side only (a value it sees as mutable and this side not)
            value = decoder.decode(item[1])
            if key[0] == "rng":
                entry[0].bit_generator.state = value
                entry[1] = self._fingerprint(entry[0].bit_generator.state)
            elif key[0] == "arg":
                if len(entry) > 2 and entry[2]:  # an argument the call did not declare as its state
                    self._violation(ContractError(entry[2]))
                    continue
                if not sync_into(entry[0], value) and key[1] == "peer":
                    entry[0] = value
                entry[1] = self._fingerprint(entry[0])
            elif key[1] == "mine":
                obj = self._owned[key[2]]
                if not self.policy.may_change(obj, key[3]):
                    self._violation(ContractError(attribute_message(
                        object_label(obj), key[3], writable_attributes(obj))))
                    continue
                if not sync_into(getattr(obj, key[3]), value):
                    self.policy.check_setattr(obj, key[3])
                    setattr(obj, key[3], value)
                entry[1] = self._fingerprint(getattr(obj, key[3]))
            else:
                if not sync_into(entry[0], value):
                    entry[0] = value
                entry[1] = self._fingerprint(entry[0])

    # --- attributes of the other side's objects, read and set through a proxy ------------------------
    def proxy_getattr(self, proxy, name: str):
        n = object.__getattribute__(proxy, "_id")
        entry = self._shared.get(("attr", "peer", n, name))
        if entry is not None:
            return entry[0]
        value = self.request(GetAttr(proxy, name))
        if is_mutable(value):
            self._shared[("attr", "peer", n, name)] = [value, self._fingerprint(value)]
        return value

    def proxy_setattr(self, proxy, name: str, value, delete=False) -> None:
        n = object.__getattribute__(proxy, "_id")
        self._shared.pop(("attr", "peer", n, name), None)
        if delete:
            self.request(DelAttr(proxy, name))
        else:
            self.request(SetAttr(proxy, name, value))


# A fingerprint is the value's encoding itself: the JSON text of its tree and its buffers, compared byte for
# byte, which is exact and far cheaper than hashing them. Within one fingerprint, the parts past the first
# KEPT_BYTES are kept as their SHA-256 digest instead, so a large shared value costs a digest, not a second
# copy. Which parts are digests depends only on the parts' lengths: two fingerprints of the same length
# profile keep the same parts, and any other two differ because the encodings do.
KEPT_BYTES = 4 << 20


def encoding_fingerprint(text: bytes, buffers) -> tuple:
    budget, parts = KEPT_BYTES, []
    for part in (text, *buffers):
        if len(part) <= budget:
            budget -= len(part)
            parts.append(bytes(part))
        else:
            parts.append((len(part), hashlib.sha256(part).digest()))
    return tuple(parts)


def _peer_view(key: tuple) -> list:
    """The same shared value as the other side names it (its owner is seen from there)."""
    flipped = "peer" if key[1] == "mine" else "mine"
    return [key[0], flipped, *key[2:]]
