"""One end of the boundary: requests on the other side's objects, answers to its requests, and the syncing
that keeps copies honest about mutation.

Shared by both sides, like grader.boundary.wire (and, like it, sent as source into the kernel: standard
library and numpy only). Between the grader and the student's kernel only plain data travels (wire);
every other object stays where it lives, and the other side holds a Proxy to it. A proxy forwards calls,
attribute reads, item access and operators as requests; what comes back is again plain data or a proxy.

Values are copied, so mutation has to be carried across explicitly:
- arguments: after a call the callee sends back the arguments it changed, and the caller writes them into
  its own objects in place (so an input-mutation check sees it, and a config or bn_param dict is updated);
- attributes: a mutable attribute read through a proxy (`net.params`) is a copy that both sides keep in step
  at every crossing until the session ends: changes to the copy reach the owner before the next request
  or answer leaves, changes made by the owner reach the copy when the answer comes back;
- numpy Generators are mirrored the same way, so a generator shared by several calls keeps one stream.
What a side may do with the other's requests is its Policy's decision (the grader refuses private
attributes and modules; the kernel serves anything, inside its sandbox).
"""

from __future__ import annotations

import builtins
import hashlib
import operator
import sys
import traceback
import weakref

import numpy as np

if "Encoder" not in globals():  # in the kernel the agent runs wire's source first, in the same namespace
    from grader.boundary.wire import Decoder, Encoder, WireError, pack, unpack


class BoundaryError(TypeError):
    """Something a test did with a student's object that cannot be done across the boundary."""


class Interrupted(BaseException):
    """The other side was interrupted (its time ran out) while it served a request."""


class PeerGone(BaseException):
    """The other side went away: the connection closed, or it broke the protocol."""


class PeerError(Exception):
    """An exception raised on the other side that has no builtin counterpart here."""

    def __init__(self, type_name: str, message: str, detail: str = ""):
        super().__init__(f"{type_name}: {message}" if message else type_name)
        self.type_name, self.message, self.detail = type_name, message, detail


# Exceptions rebuilt as themselves when they cross (message kept); others become PeerError.
BUILTIN_EXCEPTIONS = {name: getattr(builtins, name) for name in (
    "ArithmeticError", "AssertionError", "AttributeError", "FloatingPointError", "IndexError", "KeyError",
    "LookupError", "MemoryError", "NameError", "NotImplementedError", "OverflowError", "RecursionError",
    "RuntimeError", "StopIteration", "TypeError", "UnboundLocalError", "ValueError", "ZeroDivisionError",
)}

OPERATORS = frozenset((
    "add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and_", "or_", "xor", "lshift",
    "rshift", "neg", "pos", "abs", "invert", "getitem", "setitem", "delitem", "contains", "iadd", "isub",
    "imul", "itruediv", "ifloordiv", "imod", "ipow", "imatmul", "iand", "ior", "ixor", "ilshift", "irshift",
))
BUILTINS = {
    "len": len, "iter": iter, "next": next, "str": str, "repr": repr, "bool": bool, "float": float, "int": int,
    "complex": complex, "format": format, "round": round, "divmod": divmod, "index": operator.index,
    "asarray": np.asarray,
}
# What each builtin must give back, checked by the side that asked.
RESULT_TYPES = {"len": int, "str": str, "repr": str, "bool": bool, "float": float, "int": int, "complex": complex,
                "format": str, "index": int, "asarray": np.ndarray}
GENERATOR_KINDS = ("PCG64", "PCG64DXSM", "Philox", "SFC64", "MT19937")
# The dunders an object's proxy forwards: names only (a log line with a callback's __name__).
NAME_DUNDERS = frozenset({"__name__", "__qualname__"})


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


class Policy:
    """What this side serves. The kernel's agent serves anything (subclass hooks refine it)."""

    answers_interrupts = False  # True: a KeyboardInterrupt while serving is answered as an error

    def check_attribute(self, obj, name: str) -> None:
        pass

    def check_setattr(self, obj, name: str) -> None:
        self.check_attribute(obj, name)

    def check_send(self, obj) -> None:
        pass

    def lookup(self, name: str):
        raise NameError(f"name {name!r} is not served here")

    def describe(self, exc: BaseException) -> str:
        """More about an exception this side raised while serving (the kernel sends the student's traceback)."""
        return ""

    def wait(self, endpoint) -> None:
        """Called before each blocking read; may raise to give up (the grader's time limit)."""


class Endpoint:
    def __init__(self, policy: Policy | None = None):
        self.policy = policy or Policy()
        self.sock = None
        self._owned: dict[int, object] = {}       # id -> object of ours the peer holds a proxy to
        self._owned_ids: dict[int, int] = {}      # id(object) -> id
        self._next_id = 1
        self._proxies = weakref.WeakValueDictionary()  # peer's id -> our proxy
        self._released: list[int] = []            # peer ids whose proxies died here
        self._next_arg = 1                        # ids of mutable arguments a call may keep shared
        self._reset_shared()

    # --- sessions: one connection per test cell; objects outlive it, shared copies do not --------------
    def attach(self, sock) -> None:
        self.sock = sock
        self._reset_shared()

    def detach(self) -> None:
        self.sock = None
        self._reset_shared()

    def _reset_shared(self) -> None:
        # key -> [local object, fingerprint]; keys: ("attr", owner, id, name) / ("rng", owner, id); owner is
        # "mine" when this side owns the original, "peer" when this side holds the copy.
        self._shared: dict[tuple, list] = {}
        # id(received copy) -> [copy, peer's id of the original, fingerprint]: subclass values (a NamedTuple,
        # a defaultdict) that go back to the peer as their original while unchanged; released with the session.
        for _, n, _ in getattr(self, "_based", {}).values():
            self._released.append(n)
        self._based: dict[int, list] = {}

    # --- references ----------------------------------------------------------------------------------
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

    # --- encoding helpers ----------------------------------------------------------------------------
    def _encoder(self) -> Encoder:
        return Encoder(self._refer, plain_base, self._lend_original, self._returning)

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

    def _plain_fingerprint(self, value) -> bytes:
        enc = Encoder(self._refer, plain_base)  # the value itself, never a back reference
        tree = enc.encode(value)
        digest = hashlib.blake2b(pack({"v": tree}, []), digest_size=16)
        for b in enc.buffers:
            digest.update(b)
        return digest.digest()

    def _encode_nested(self, value):
        enc = Encoder(lambda obj: (_ for _ in ()).throw(WireError("a generator's state is plain data")))
        tree = enc.encode(value)
        if enc.buffers:
            raise WireError("a generator's state is plain data")
        return tree

    def _fingerprint(self, value) -> bytes:
        enc = self._encoder()
        tree = enc.encode(value)
        digest = hashlib.blake2b(pack({"v": tree}, []), digest_size=16)
        for b in enc.buffers:
            digest.update(len(b).to_bytes(8, "big"))
            digest.update(b)
        return digest.digest()

    # --- shared copies: kept in step at every crossing -----------------------------------------------
    def _current(self, key, entry):
        if key[0] == "attr" and key[1] == "mine":
            obj = self._owned.get(key[2])
            return getattr(obj, key[3]) if obj is not None else None
        if key[0] == "rng":
            return entry[0].bit_generator.state
        return entry[0]

    def _outgoing_syncs(self, enc: Encoder) -> list:
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
                if not sync_into(entry[0], value) and key[1] == "peer":
                    entry[0] = value
                entry[1] = self._fingerprint(entry[0])
            elif key[1] == "mine":
                obj = self._owned[key[2]]
                if not sync_into(getattr(obj, key[3]), value):
                    self.policy.check_setattr(obj, key[3])
                    setattr(obj, key[3], value)
                entry[1] = self._fingerprint(getattr(obj, key[3]))
            else:
                if not sync_into(entry[0], value):
                    entry[0] = value
                entry[1] = self._fingerprint(entry[0])

    # --- messages ------------------------------------------------------------------------------------
    def _send(self, document: dict, enc: Encoder) -> None:
        document["s"] = self._outgoing_syncs(enc)
        if self._released:
            document["r"], self._released = self._released, []
            for n in document["r"]:
                self._forget_shared("peer", n)
        message = pack(document, enc.buffers)
        try:
            self.sock.sendall(message)
        except OSError as exc:
            raise PeerGone(f"the connection closed ({type(exc).__name__})") from None

    def _receive(self):
        self.policy.wait(self)
        try:
            document, buffers = unpack(self.sock.recv_into)
        except (EOFError, OSError) as exc:
            raise PeerGone(f"the connection closed ({type(exc).__name__})") from None
        except WireError as exc:
            raise PeerGone(f"a malformed message: {exc}") from None
        decoder = Decoder(buffers, lambda tag: self._resolve(tag, decoder), self._on_based)
        return document, decoder

    def _settle(self, document, decoder: Decoder) -> None:
        """Apply a message's syncs and releases, after its payload was decoded: values are decoded in the
        order they were encoded (payload, then syncs), or an alias between them would point nowhere."""
        try:
            self._apply_syncs(document.get("s") or [], decoder)  # before the releases: a sync may be their last word
        except WireError as exc:
            raise PeerGone(f"a malformed message: {exc}") from None
        released = document.get("r") or []
        for n in released if type(released) is list else []:
            if type(n) is int and n in self._owned:
                self._owned_ids.pop(id(self._owned.pop(n)), None)
                self._forget_shared("mine", n)

    def _forget_shared(self, owner: str, n: int) -> None:
        for key in [k for k in self._shared if k[1] == owner and k[2] == n]:
            del self._shared[key]

    def request(self, kind: str, *parts, writeback=None):
        """Ask the other side for something; serve its own requests until the answer comes."""
        if self.sock is None:
            raise PeerGone("no connection to the other side")
        enc = self._encoder()
        try:
            self._send({"q": kind, "a": [enc.encode(p) for p in parts]}, enc)
        except WireError as exc:
            raise BoundaryError(str(exc)) from None
        while True:
            document, decoder = self._receive()
            if "q" in document:
                self._serve(document, decoder)
                if document.get("q") == "done":
                    raise PeerGone("the other side ended the session")
                continue
            try:
                if "err" in document:
                    self._settle(document, decoder)
                    raise self._rebuild_error(document["err"])
                if writeback is not None:
                    self._write_back(writeback, document.get("wb") or [], decoder)
                    self._keep_arguments(writeback, document.get("kept") or [])
                value = decoder.decode(document.get("ok"))
                self._settle(document, decoder)
                return value
            except WireError as exc:
                raise PeerGone(f"a malformed answer: {exc}") from None

    def call(self, proxy, args: tuple, kwargs: dict):
        """Call the other side's object. Mutable arguments get ids, so that the callee can keep them shared
        when what it returns lives on (a generator, an object) and may change them later."""
        positions = [p for p, v in list(enumerate(args)) + list(kwargs.items()) if is_mutable(v)]
        ids = {}
        for p in positions:
            ids[str(p)] = self._next_arg
            self._next_arg += 1
        return self.request("call", proxy, args, kwargs, ids, writeback=(args, kwargs, ids))

    def _argument(self, arguments, position):
        args, kwargs = arguments[0], arguments[1]
        if type(position) is int:
            return args[position] if 0 <= position < len(args) else None
        return kwargs.get(position) if type(position) is str else None

    def _write_back(self, arguments, changes, decoder: Decoder) -> None:
        for item in changes:
            if type(item) is list and len(item) == 2:
                target = self._argument(arguments, item[0])
                if target is not None:
                    sync_into(target, decoder.decode(item[1]))

    def _keep_arguments(self, arguments, kept) -> None:
        by_id = {n: p for p, n in arguments[2].items()}
        for n in kept if type(kept) is list else []:
            position = by_id.get(n)
            if position is None:
                continue
            target = self._argument(arguments, int(position) if position.isdigit() else position)
            if target is not None:
                self._shared[("arg", "mine", n)] = [target, self._fingerprint(target)]

    def _rebuild_error(self, err):
        if type(err) is not dict:
            raise WireError("a malformed error")
        name, message = str(err.get("type", "Exception"))[:200], str(err.get("message", ""))[:20_000]
        if name == "KeyboardInterrupt":
            return Interrupted(message or "interrupted")
        if name == "BoundaryError":  # what the other side could not send: the value, not the test, is at fault
            return BoundaryError(message)
        if name in BUILTIN_EXCEPTIONS:
            exc = BUILTIN_EXCEPTIONS[name](message) if message else BUILTIN_EXCEPTIONS[name]()
            exc.peer_detail = str(err.get("detail", ""))[:20_000]
            return exc
        return PeerError(name, message, str(err.get("detail", ""))[:20_000])

    # --- serving the other side's requests -----------------------------------------------------------
    def serve_one(self) -> bool:
        """Wait for one request and answer it; False once the other side said it is done."""
        document, decoder = self._receive()
        if "q" not in document:
            raise PeerGone("an answer where a request was expected")
        self._serve(document, decoder)
        return document.get("q") != "done"

    def _serve(self, document, decoder: Decoder) -> None:
        enc = self._encoder()
        args, changes = (), []
        try:
            try:
                parts = [decoder.decode(p) for p in (document.get("a") or [])]
            finally:
                self._settle(document, decoder)
            kind = document.get("q")
            before = None
            if kind == "call":
                if len(parts) != 4 or type(parts[3]) is not dict:
                    raise WireError("a malformed call")
                args = (parts[1], parts[2])
                before = self._snapshots(args)
            result = self._perform(kind, parts[:3] if kind == "call" else parts)
            if before is not None:
                changes = self._changes(args, before, enc)
            reply = {"ok": enc.encode(result), "wb": changes}
            if before is not None and enc.references:
                reply["kept"] = self._share_arguments(args, parts[3])
        except BaseException as exc:  # noqa: BLE001 - any failure is the answer, but see _passes_through
            if self._passes_through(exc):
                raise
            if isinstance(exc, WireError):
                exc = BoundaryError(str(exc))
            enc = self._encoder()
            reply = {"err": self._describe_error(exc)}
        self._send(reply, enc)

    def _passes_through(self, exc: BaseException) -> bool:
        """Exceptions that end this side's serving instead of becoming the answer: a lost peer always; on the
        grader's side also an instructor's Ctrl-C (the kernel's agent answers an interrupt as an error)."""
        if isinstance(exc, (PeerGone, Interrupted)):
            return True
        return not self.policy.answers_interrupts and not isinstance(exc, Exception)

    def _share_arguments(self, arguments, ids: dict) -> list:
        """What a call returned lives on and may still change its arguments: keep them shared."""
        args, kwargs = arguments
        kept = []
        for position, n in ids.items():
            if type(n) is not int or type(position) is not str:
                continue
            value = args[int(position)] if position.isdigit() and int(position) < len(args) else kwargs.get(position)
            if value is not None and is_mutable(value):
                self._shared[("arg", "peer", n)] = [value, self._fingerprint(value)]
                kept.append(n)
        return kept

    def _snapshots(self, arguments):
        args, kwargs = arguments
        items = list(enumerate(args)) + list(kwargs.items())
        return {pos: self._fingerprint(v) for pos, v in items if is_mutable(v)}

    def _changes(self, arguments, before, enc):
        args, kwargs = arguments
        out = []
        for pos, fp in before.items():
            value = args[pos] if type(pos) is int else kwargs[pos]
            if self._fingerprint(value) != fp:
                out.append([pos, enc.encode(value)])
        return out

    def _describe_error(self, exc) -> dict:
        if isinstance(exc, MemoryError):
            name = "MemoryError"
        else:
            name = type(exc).__name__
        try:
            message = str(exc)
        except Exception:  # noqa: BLE001 - an exception whose str fails still has a name
            message = ""
        return {"type": name, "message": message, "detail": self._detail(exc)}

    def _detail(self, exc) -> str:
        return self.policy.describe(exc)

    def _perform(self, kind, parts):
        if kind == "call":
            target, args, kwargs = parts
            if type(args) is not tuple or type(kwargs) is not dict:
                raise WireError("a malformed call")
            self._check_owned(target)
            return target(*args, **kwargs)
        if kind == "getattr":
            target, name = parts
            self._check_owned(target)
            self._check_name(target, name)
            value = getattr(target, name)
            if is_mutable(value):
                self._shared[("attr", "mine", self._lend(target), name)] = [None, self._fingerprint(value)]
            return value
        if kind in ("setattr", "delattr"):
            target, name = parts[0], parts[1]
            self._check_owned(target)
            self._check_name(target, name)
            self.policy.check_setattr(target, name)
            self._shared.pop(("attr", "mine", self._lend(target), name), None)
            return setattr(target, name, parts[2]) if kind == "setattr" else delattr(target, name)
        if kind == "op":
            name, operands = parts
            if name not in OPERATORS or type(operands) is not tuple:
                raise WireError(f"an unknown operator {name!r}")
            if not any(self._is_owned(o) for o in operands):
                raise WireError("an operator on none of this side's objects")
            return getattr(operator, name)(*operands)
        if kind == "builtin":
            name, operands = parts
            if name not in BUILTINS or type(operands) is not tuple or not operands:
                raise WireError(f"an unknown builtin {name!r}")
            self._check_owned(operands[0])
            return BUILTINS[name](*operands)
        if kind == "lookup":
            return self.policy.lookup(parts[0])
        if kind == "done":
            return None
        raise WireError(f"an unknown request {kind!r}")

    def _is_owned(self, obj) -> bool:
        return id(obj) in self._owned_ids

    def _check_owned(self, obj) -> None:
        if not self._is_owned(obj):
            raise WireError("a request about an object this side did not lend")

    def _check_name(self, obj, name) -> None:
        if type(name) is not str:
            raise WireError("an attribute name that is not a string")
        self.policy.check_attribute(obj, name)

    # --- what a proxy asks for -----------------------------------------------------------------------
    def proxy_getattr(self, proxy, name: str):
        n = object.__getattribute__(proxy, "_id")
        entry = self._shared.get(("attr", "peer", n, name))
        if entry is not None:
            return entry[0]
        value = self.request("getattr", proxy, name)
        if is_mutable(value):
            self._shared[("attr", "peer", n, name)] = [value, self._fingerprint(value)]
        return value

    def proxy_setattr(self, proxy, name: str, value, delete=False) -> None:
        n = object.__getattribute__(proxy, "_id")
        self._shared.pop(("attr", "peer", n, name), None)
        if delete:
            self.request("delattr", proxy, name)
        else:
            self.request("setattr", proxy, name, value)


def _peer_view(key: tuple) -> list:
    """The same shared value as the other side names it (its owner is seen from there)."""
    flipped = "peer" if key[1] == "mine" else "mine"
    return [key[0], flipped, *key[2:]]


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
        sequence = np.random.SeedSequence(entropy=seed["entropy"], spawn_key=tuple(seed["spawn_key"]),
                                          pool_size=seed["pool_size"],
                                          n_children_spawned=seed["n_children_spawned"]) if type(seed) is dict else None
    except (TypeError, ValueError, KeyError) as exc:
        raise WireError(f"a malformed seed sequence: {exc}") from None
    bit_generator = getattr(np.random, kind)(sequence)
    try:
        bit_generator.state = state
    except (TypeError, ValueError, KeyError) as exc:
        raise WireError(f"a malformed generator state: {exc}") from None
    return np.random.Generator(bit_generator)


# --- proxies ------------------------------------------------------------------------------------------

class Proxy:
    """An object of the other side. Everything done to it is a request; what comes back is plain data or a
    proxy. It compares only by identity: equality and ordering are refused, because a verdict computed by
    the other side's __eq__ would be that side's to choose. Convert first: float(p), str(p), np.asarray(p)."""

    __slots__ = ("_ep", "_id", "__weakref__")

    @classmethod
    def _make(cls, endpoint: Endpoint, n: int) -> "Proxy":
        proxy = object.__new__(cls)
        object.__setattr__(proxy, "_ep", endpoint)
        object.__setattr__(proxy, "_id", n)
        return proxy

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__") and name not in NAME_DUNDERS:
            raise AttributeError(name)
        return object.__getattribute__(self, "_ep").proxy_getattr(self, name)

    def __setattr__(self, name, value):
        object.__getattribute__(self, "_ep").proxy_setattr(self, name, value)

    def __delattr__(self, name):
        object.__getattribute__(self, "_ep").proxy_setattr(self, name, None, delete=True)

    def __call__(self, *args, **kwargs):
        return object.__getattribute__(self, "_ep").call(self, args, kwargs)

    def __del__(self):
        try:
            object.__getattribute__(self, "_ep")._released_by_proxy(object.__getattribute__(self, "_id"))
        except Exception:  # noqa: BLE001 - at interpreter exit the endpoint may be gone already
            pass

    def _builtin(self, name, *more):
        value = object.__getattribute__(self, "_ep").request("builtin", name, (self, *more))
        wanted = RESULT_TYPES.get(name)
        if wanted is not None and type(value) is not wanted:
            raise BoundaryError(f"{name}() of a student's object gave {type(value).__name__}, not {wanted.__name__}")
        return value

    def __repr__(self):
        try:
            return self._builtin("repr")
        except Exception as exc:  # noqa: BLE001 - repr is for messages: never fail them
            return f"<object of the other side ({type(exc).__name__} in its repr)>"

    def __str__(self):
        return self._builtin("str")

    def __format__(self, spec):
        return self._builtin("format", spec)

    def __bool__(self):
        return self._builtin("bool")

    def __float__(self):
        return self._builtin("float")

    def __int__(self):
        return self._builtin("int")

    def __index__(self):
        return self._builtin("index")

    def __complex__(self):
        return self._builtin("complex")

    def __len__(self):
        return self._builtin("len")

    def __round__(self, ndigits=None):
        return self._builtin("round") if ndigits is None else self._builtin("round", ndigits)

    def __divmod__(self, other):
        return self._builtin("divmod", other)

    def __array__(self, dtype=None, copy=None):
        array = self._builtin("asarray")
        return array if dtype is None else array.astype(dtype)

    def __iter__(self):
        return _ProxyIterator(self._builtin("iter"))

    def __hash__(self):
        return object.__hash__(self)

    def __eq__(self, other):
        if other is self:
            return True
        raise BoundaryError("a student's object cannot be compared with ==: compare plain values "
                            "(float(x), str(x), np.asarray(x)) or use `is`")

    def __ne__(self, other):
        return not self.__eq__(other)

    def _refuse_order(self, other):
        raise BoundaryError("a student's object cannot be ordered with < or >: compare plain values")

    __lt__ = __le__ = __gt__ = __ge__ = _refuse_order


class _ProxyIterator:
    def __init__(self, remote):
        self._remote = remote

    def __iter__(self):
        return self

    def __next__(self):
        return object.__getattribute__(self._remote, "_ep").request("builtin", "next", (self._remote,))


def _operator_method(name, reflected=False):
    def method(self, *others):
        operands = (others[0], self) if reflected else (self, *others)
        return object.__getattribute__(self, "_ep").request("op", name, operands)
    method.__name__ = f"__{'r' if reflected else ''}{name.rstrip('_')}__"
    return method


for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and_", "or_", "xor",
              "lshift", "rshift"):
    _dunder = _name.rstrip("_")
    setattr(Proxy, f"__{_dunder}__", _operator_method(_name))
    setattr(Proxy, f"__r{_dunder}__", _operator_method(_name, reflected=True))
    setattr(Proxy, f"__i{_dunder}__", _operator_method(f"i{_dunder}"))
for _name in ("neg", "pos", "abs", "invert", "getitem", "setitem", "delitem", "contains"):
    setattr(Proxy, f"__{_name}__", _operator_method(_name))
del _name, _dunder
