"""Values across the sandbox boundary: a plain-data encoding both sides share, and its framing. No pickle.

This module runs on both sides: the grader imports it, and its source is sent into the student's kernel
(grader.boundary.agent). So it imports only the standard library and numpy, and defines nothing that
trusts what it decodes: a decoded value is built here from JSON and raw bytes, of exact builtin types
(None, bool, int, float, complex, str, bytes, list, tuple, dict, set, frozenset, slice), fresh base
numpy arrays and scalars of numeric or fixed-width text dtypes, numpy dtypes and Generators rebuilt from
their state. Anything else is referred to, never sent: the endpoint (grader.boundary.endpoint) turns it
into a reference tag and the peer into a proxy.

A message is one JSON document plus raw buffers: 8-byte header (JSON length, buffer count), the JSON,
then each buffer with an 8-byte length. Sizes, depth and item counts are bounded (on receipt too: the
JSON's size and its count of separators before it is parsed, each container and array as it is built), so
a message can cost the receiver a bounded amount of memory and no recursion past MAX_DEPTH.

A decoded string is interned as CPython interns an identifier-like literal, so `mode is "train"` holds
across the boundary as it does in one process (the student's own JupyterLab).
"""

from __future__ import annotations

import json
import struct
import sys

import numpy as np

MAX_DEPTH = 60             # nesting of containers in one value
MAX_ITEMS = 2_000_000      # container entries and array elements... of one message
MAX_MESSAGE = 256 << 20    # bytes of one message
MAX_JSON = 64 << 20        # bytes of its JSON part (arrays travel as buffers)
MAX_INTERNED = 40          # longest identifier-like string interned on receipt
ARRAY_KINDS = "biufcUS"    # bool, integers, floats, complex, fixed-width text and bytes
TAG = "@"


class WireError(Exception):
    """A value that cannot cross, or a message that breaks the format."""


# --- encoding ----------------------------------------------------------------------------------------

class Encoder:
    """Turns one value into (JSON-able tree, buffers). `refer(obj)` gives the tag of an object that is not
    plain data (a reference); `base` converts subclasses of plain types (see values.plain_base), and
    `lend(obj)` then gives the id under which the original stays here (a NamedTuple cache goes back to the
    student's function as itself); `returning(value)` gives the tag of a received copy going back unchanged."""

    def __init__(self, refer, base=None, lend=None, returning=None, opaque=()):
        self.refer, self.base, self.lend, self.returning = refer, base, lend, returning
        self.opaque = opaque              # types never plain data, referred to at once (the endpoint's Proxy)
        self.buffers: list[bytes] = []
        self.items = 0
        self.references = 0               # objects referred to, not sent
        self._seen: dict[int, int] = {}   # id(container) -> position, for aliases and cycles
        self._keep: list = []             # keeps every value whose id is in _seen alive (ids are reused)

    def _buffer(self, data: bytes) -> int:
        self.buffers.append(data)
        return len(self.buffers) - 1

    def _count(self, n: int) -> None:
        self.items += n
        if self.items > MAX_ITEMS:
            raise WireError(f"the value is too large to cross the boundary (more than {MAX_ITEMS:,} items)")

    def encode(self, value, depth: int = 0):
        if depth > MAX_DEPTH:
            raise WireError(f"the value is nested more than {MAX_DEPTH} levels deep")
        kind = type(value)
        if value is None or kind is bool or kind is str:
            return value
        if kind is int:
            return value if abs(value) < 1 << 53 else {TAG: "int", "v": str(value)}
        if kind is float:
            return value if value == value and value not in (float("inf"), float("-inf")) else {TAG: "float", "v": repr(value)}
        if kind in _CONTAINERS:  # the common case first: exact containers and arrays
            if id(value) in self._seen:
                return {TAG: "alias", "n": self._seen[id(value)]}
            back = self.returning(value) if self.returning else None
            if back is not None:
                return back
            return self._array(value) if kind is np.ndarray else self._container(value, kind, depth)
        if kind in self.opaque:
            self.references += 1
            return self.refer(value)
        return self._other(value, kind, depth)

    def _other(self, value, kind, depth):
        """Any value but None, bool, str, int, float and the exact containers and arrays."""
        if kind is complex:
            return {TAG: "complex", "v": [self.encode(value.real), self.encode(value.imag)]}
        if kind is bytes:
            return {TAG: "bytes", "b": self._buffer(value)}
        if isinstance(value, np.generic) and type(value) in _SCALAR_TYPES:
            return {TAG: "scalar", "dtype": value.dtype.str, "b": self._buffer(value.tobytes())}
        if kind is np.dtype or isinstance(value, np.dtype):
            if value.kind not in ARRAY_KINDS:
                self.references += 1
                return self.refer(value)
            return {TAG: "dtype", "v": value.str}
        if kind is slice:
            return {TAG: "slice", "v": [self.encode(value.start, depth + 1), self.encode(value.stop, depth + 1),
                                        self.encode(value.step, depth + 1)]}
        if value is Ellipsis:
            return {TAG: "ellipsis"}
        if kind is np.random.Generator:
            self.references += 1
            return self.refer(value)  # Generators travel as mirrors; the endpoint decides
        converted = self.base(value) if self.base else None
        if converted is not None:
            self._keep.append(converted)
            if self.lend and type(converted) in _CONTAINERS:
                return {TAG: "based", "id": self.lend(value), "v": self.encode(converted, depth)}
            return self.encode(converted, depth)
        self.references += 1
        return self.refer(value)

    def _array(self, value):
        if value.dtype.kind not in ARRAY_KINDS or value.dtype.fields is not None:
            self.references += 1
            return self.refer(value)
        self._count(value.size)
        self._seen[id(value)] = len(self._seen)
        self._keep.append(value)  # alive while its id means it: a freed temporary's id goes to the next value
        data = value.tobytes()  # C order, whatever the layout
        return {TAG: "array", "dtype": value.dtype.str, "shape": list(value.shape), "b": self._buffer(data)}

    def _container(self, value, kind, depth):
        self._count(len(value))
        self._seen[id(value)] = len(self._seen)
        self._keep.append(value)
        if kind is dict:
            return {TAG: "dict", "k": [self.encode(k, depth + 1) for k in value],
                    "v": [self.encode(v, depth + 1) for v in value.values()]}
        items = list(value) if kind in (set, frozenset) else value
        return {TAG: kind.__name__, "v": [self.encode(v, depth + 1) for v in items]}


_CONTAINERS = frozenset((list, tuple, set, frozenset, dict, np.ndarray))
_SCALAR_TYPES = frozenset(t for t in (
    np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64,
    np.float16, np.float32, np.float64, np.longdouble, np.complex64, np.complex128, np.clongdouble,
    np.intc, np.uintc, np.longlong, np.ulonglong))


# --- decoding ----------------------------------------------------------------------------------------

class Decoder:
    """Builds a value from (JSON tree, buffers). `resolve(tag)` turns a reference tag into an object."""

    def __init__(self, buffers: list[bytes], resolve, on_based=None):
        self.buffers, self.resolve, self.on_based = buffers, resolve, on_based
        self._made: list = []
        self.items = 0  # container entries and array elements built, for all values of one message

    def _count(self, n: int) -> None:
        self.items += n
        if self.items > MAX_ITEMS:
            raise WireError(f"a message of more than {MAX_ITEMS:,} items")

    def _buffer(self, index) -> bytes:
        if type(index) is not int or not 0 <= index < len(self.buffers):
            raise WireError("a value refers to a buffer that is not in the message")
        return self.buffers[index]

    def decode(self, tree, depth: int = 0):
        if depth > MAX_DEPTH:
            raise WireError(f"the value is nested more than {MAX_DEPTH} levels deep")
        kind = type(tree)
        if kind is str:
            return _as_literal(tree)
        if tree is None or kind in (bool, int, float):
            return tree
        if kind is list:
            raise WireError("a bare JSON list is not a value")
        if kind is not dict or type(tree.get(TAG)) is not str:
            raise WireError("a value without a type tag")
        tag = tree[TAG]
        handler = _DECODERS.get(tag)
        if handler is None:
            return self.resolve(tree)
        return handler(self, tree, depth)

    def _items(self, tree, key="v"):
        items = tree.get(key)
        if type(items) is not list:
            raise WireError("a container without its items")
        self._count(len(items))
        return items

    def _list(self, tree, depth):
        out: list = []
        self._made.append(out)
        out.extend(self.decode(v, depth + 1) for v in self._items(tree))
        return out

    def _tuple(self, tree, depth):
        slot = len(self._made)
        self._made.append(None)  # a tuple cannot contain itself; the slot keeps positions in order
        out = tuple(self.decode(v, depth + 1) for v in self._items(tree))
        self._made[slot] = out
        return out

    def _set(self, tree, depth, kind=set):
        slot = len(self._made)
        self._made.append(None)
        try:
            out = kind(self.decode(v, depth + 1) for v in self._items(tree))
        except TypeError as exc:
            raise WireError(f"a set with an unhashable member: {exc}") from None
        self._made[slot] = out
        return out

    def _dict(self, tree, depth):
        out: dict = {}
        self._made.append(out)
        keys, values = self._items(tree, "k"), self._items(tree, "v")
        if len(keys) != len(values):
            raise WireError("a dict whose keys and values differ in number")
        for k, v in zip(keys, values):
            key = self.decode(k, depth + 1)
            try:
                out[key] = self.decode(v, depth + 1)
            except TypeError as exc:
                raise WireError(f"a dict with an unhashable key: {exc}") from None
        return out

    def _array(self, tree, depth):
        dtype = _dtype(tree.get("dtype"))
        shape = tree.get("shape")
        if type(shape) is not list or len(shape) > 32 or not all(type(n) is int and 0 <= n < 1 << 40 for n in shape):
            raise WireError("an array with a malformed shape")
        data = self._buffer(tree.get("b"))
        size = 1
        for n in shape:
            size *= n
        if size * dtype.itemsize != len(data):
            raise WireError("an array whose data does not match its shape")
        self._count(size)
        try:
            out = np.frombuffer(data, dtype=dtype).reshape(shape).copy() if size else np.empty(shape, dtype=dtype)
        except (ValueError, MemoryError) as exc:
            raise WireError(f"an array that cannot be built ({type(exc).__name__})") from None
        self._made.append(out)
        return out

    def _scalar(self, tree, depth):
        dtype = _dtype(tree.get("dtype"))
        data = self._buffer(tree.get("b"))
        if len(data) != dtype.itemsize or dtype.kind in "US":
            raise WireError("a numpy scalar whose data does not match its dtype")
        return np.frombuffer(data, dtype=dtype)[0].copy()

    def _alias(self, tree, depth):
        n = tree.get("n")
        if type(n) is not int or not 0 <= n < len(self._made) or self._made[n] is None:
            raise WireError("an alias to a value not decoded yet")
        return self._made[n]

    def _int(self, tree, depth):
        text = tree.get("v")
        if type(text) is not str or len(text) > 4300:  # Python's own bound on int(str) (quadratic beyond)
            raise WireError("a malformed integer")
        try:
            return int(text)
        except ValueError:
            raise WireError("a malformed integer") from None

    def _float(self, tree, depth):
        text = tree.get("v")
        if text not in ("nan", "inf", "-inf"):
            raise WireError("a malformed special float")
        return float(text)

    def _complex(self, tree, depth):
        parts = self._items(tree)
        if len(parts) != 2:
            raise WireError("a malformed complex number")
        re, im = (self.decode(p, depth + 1) for p in parts)
        if type(re) is not float or type(im) is not float:
            raise WireError("a malformed complex number")
        return complex(re, im)

    def _bytes(self, tree, depth):
        return bytes(self._buffer(tree.get("b")))

    def _slice(self, tree, depth):
        parts = self._items(tree)
        if len(parts) != 3:
            raise WireError("a malformed slice")
        return slice(*(self.decode(p, depth + 1) for p in parts))

    def _dtype_value(self, tree, depth):
        return _dtype(tree.get("v"))

    def _based(self, tree, depth):
        value = self.decode(tree.get("v"), depth)
        n = tree.get("id")
        if type(n) is not int or type(value) not in (list, tuple, set, frozenset, dict, np.ndarray):
            raise WireError("a malformed subclass value")
        if self.on_based:
            self.on_based(value, n)
        return value


_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def _as_literal(text: str) -> str:
    """The string as a literal of the same text is in one CPython process: made only of identifier
    characters, it is interned (so `is` between two such literals holds), else it is a string of its own."""
    if len(text) <= MAX_INTERNED and _NAME_CHARS.issuperset(text):
        return sys.intern(text)
    return text


def _dtype(text):
    if type(text) is not str or len(text) > 16:
        raise WireError("a malformed dtype")
    try:
        dtype = np.dtype(text)
    except TypeError:
        raise WireError(f"an unknown dtype {text!r}") from None
    if dtype.kind not in ARRAY_KINDS or dtype.fields is not None or dtype.subdtype is not None:
        raise WireError(f"dtype {text!r} cannot cross the boundary")
    return dtype


_DECODERS = {
    "list": Decoder._list, "tuple": Decoder._tuple, "set": Decoder._set,
    "frozenset": lambda self, tree, depth: self._set(tree, depth, frozenset), "dict": Decoder._dict,
    "array": Decoder._array, "scalar": Decoder._scalar, "alias": Decoder._alias, "int": Decoder._int,
    "float": Decoder._float, "complex": Decoder._complex, "bytes": Decoder._bytes, "slice": Decoder._slice,
    "dtype": Decoder._dtype_value, "ellipsis": lambda self, tree, depth: Ellipsis, "based": Decoder._based,
}


# --- framing -----------------------------------------------------------------------------------------

_HEADER = struct.Struct("!QQ")
_LENGTH = struct.Struct("!Q")


# Made once (json.dumps makes one per call). A document is a tree the Encoder built, which is never circular
# (a value met twice is an alias tag), so the check for cycles is left out.
_JSON = json.JSONEncoder(separators=(",", ":"), allow_nan=False, check_circular=False)


def json_text(document: dict) -> bytes:
    """A document's JSON, as it is sent (WireError past MAX_JSON)."""
    text = _JSON.encode(document).encode()
    if len(text) > MAX_JSON:
        raise WireError(f"a value of {len(text) >> 20} MiB of plain data is more than the boundary carries")
    return text


def pack(document: dict, buffers: list[bytes]) -> bytes:
    text = json_text(document)
    parts = [_HEADER.pack(len(text), len(buffers)), text]
    for b in buffers:
        parts += [_LENGTH.pack(len(b)), b]
    message = b"".join(parts)
    if len(message) > MAX_MESSAGE:
        raise WireError(f"a message of {len(message) >> 20} MiB is more than the boundary carries")
    return message


READ_AHEAD = 256 << 10     # bytes a Receiver asks for at once: a small message arrives in one read


class Receiver:
    """Reads messages from one connection with `recv_into(buffer) -> bytes read` (a socket's recv_into),
    taking whatever has arrived, up to READ_AHEAD bytes at a time, so that a message's header, JSON and small
    buffers usually cost one read, not two per part. A part larger than that is read straight into its own
    buffer. What is read ahead of a message is the next message's beginning, kept for it."""

    def __init__(self, recv_into, read_ahead: int = READ_AHEAD):
        self.recv_into = recv_into
        self._chunk = bytearray(read_ahead)
        self._view = memoryview(self._chunk)
        self._start = self._end = 0  # the bytes read but not taken: _chunk[_start:_end]

    def _read(self, n: int):
        """The next n bytes (bytes, or a bytearray of its own for a part larger than the read-ahead)."""
        start, end = self._start, self._end
        if end - start >= n:
            self._start = start + n
            return bytes(self._view[start:start + n])
        if n > len(self._chunk):
            out = bytearray(n)
            view, got = memoryview(out), end - start
            view[:got] = self._view[start:end]
            self._start = self._end = 0
            while got < n:
                k = self.recv_into(view[got:])
                if not k:
                    raise EOFError("the other side closed the connection")
                got += k
            return out
        if start:  # what is left goes to the front, then the chunk fills behind it
            self._view[:end - start] = self._view[start:end]  # a memoryview copies overlapping bytes safely
            start, end = 0, end - start
        while end < n:
            k = self.recv_into(self._view[end:])
            if not k:
                raise EOFError("the other side closed the connection")
            end += k
        self._start, self._end = n, end
        return bytes(self._view[:n])

    def message(self) -> tuple[dict, list]:
        """Read one message: its document and its buffers (bytes-like)."""
        length, count = _HEADER.unpack(self._read(_HEADER.size))
        if length > MAX_JSON or count > MAX_ITEMS:
            raise WireError("a message larger than the boundary carries")
        total = length
        text = self._read(length)
        # Parsing builds every value of the JSON at once: bound them first (each needs a separator or bracket).
        if text.count(b",") + text.count(b"[") + text.count(b"{") > 4 * MAX_ITEMS:
            raise WireError("a message of more items than the boundary carries")
        try:
            document = json.loads(_json_str(text))
        except (ValueError, RecursionError) as exc:
            raise WireError(f"a message that is not valid JSON ({type(exc).__name__})") from None
        buffers = []
        for _ in range(count):
            (n,) = _LENGTH.unpack(self._read(_LENGTH.size))
            total += n
            if total > MAX_MESSAGE:
                raise WireError("a message larger than the boundary carries")
            buffers.append(self._read(n))
        if type(document) is not dict:
            raise WireError("a message that is not a JSON object")
        return document, buffers


def _json_str(text):
    """The text json.loads would parse: JSON sent by an Encoder starts with `{` and is ASCII, which json.loads
    would detect as UTF-8 (it checks the first bytes for a BOM or a zero); decoded here, that detection, which
    costs more than parsing a small message, is skipped. Anything else is left to json.loads as it is."""
    if len(text) >= 2 and text[0] == 0x7B and text[1]:
        return text.decode("utf-8", "surrogatepass")
    return text


def unpack(recv_into) -> tuple[dict, list]:
    """Read one message with `recv_into`, nothing beyond it (a Receiver that reads no further ahead)."""
    return Receiver(recv_into, read_ahead=0).message()
