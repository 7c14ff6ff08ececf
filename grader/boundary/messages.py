"""The boundary's messages as records: one type per kind, named fields, one table from a kind to its record.

Shared by both sides and sent into the kernel as source, like grader.boundary.wire (standard library only).
A message is one wire document (wire.pack): a request names its kind ("q") and carries its values, encoded
by the endpoint (they may hold references), in "a", in the order of the record's VALUES, and its plain
options under short keys; an answer is "ok" (with what the call changed) or "err". Every message also
carries the sender's syncs ("s") and releases ("r"), which the endpoint adds and reads itself.

Who sends what (docs/grading-security.md): the grader sends every request kind; the kernel's agent sends
only what student code does to a test's objects (Call, GetAttr, SetAttr, DelAttr, Operator, Builtin), and
the grader refuses any other kind (Policy.serves). Each side answers each request with an Answer or a Failure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

if "WireError" not in globals():  # in the kernel wire's source runs first, in the same namespace
    from grader.boundary.wire import WireError


@dataclass
class Lookup:
    """What the kernel holds under a name (the agent answers {"value", "module", "origin"})."""
    KIND = "lookup"
    VALUES = ("name",)
    name: str


@dataclass
class Call:
    """Call an object the other side lent. `shared`: position -> id for mutable arguments the callee may
    keep shared; `declared`: the positions whose changes may come back (None: all of them); `check`: also
    check the global random state and mutable defaults (a graded function)."""
    KIND = "call"
    VALUES = ("target", "args", "kwargs", "shared")
    target: object
    args: tuple
    kwargs: dict
    shared: dict
    declared: list | None = None
    check: bool = False


@dataclass
class GetAttr:
    KIND = "getattr"
    VALUES = ("target", "name")
    target: object
    name: str


@dataclass
class SetAttr:
    KIND = "setattr"
    VALUES = ("target", "name", "value")
    target: object
    name: str
    value: object


@dataclass
class DelAttr:
    KIND = "delattr"
    VALUES = ("target", "name")
    target: object
    name: str


@dataclass
class Operator:
    """operator.<name>(*operands), one of endpoint.OPERATORS, on at least one object the receiver lent."""
    KIND = "op"
    VALUES = ("name", "operands")
    name: str
    operands: tuple


@dataclass
class Builtin:
    """One of endpoint.BUILTINS applied to an object the receiver lent (operands[0]) and plain values."""
    KIND = "builtin"
    VALUES = ("name", "operands")
    name: str
    operands: tuple


@dataclass
class Done:
    """The test cell is over: the agent stops serving."""
    KIND = "done"
    VALUES = ()


REQUESTS = {kind.KIND: kind for kind in (Lookup, Call, GetAttr, SetAttr, DelAttr, Operator, Builtin, Done)}
# What each decoded field must be; a request that breaks it is refused (WireError).
_FIELD_TYPES = {"name": str, "args": tuple, "kwargs": dict, "shared": dict, "operands": tuple}


def request_document(request, encode) -> dict:
    document = {"q": request.KIND, "a": [encode(getattr(request, name)) for name in request.VALUES]}
    if isinstance(request, Call):
        if request.declared is not None:
            document["d"] = list(request.declared)
        if request.check:
            document["c"] = 1
    return document


def read_request(document: dict, decode):
    """The request a document holds, its values decoded with `decode`; WireError if it is malformed."""
    kind = REQUESTS.get(document.get("q"))
    if kind is None:
        raise WireError(f"an unknown request {str(document.get('q'))[:40]!r}")
    trees = document.get("a") or []
    if type(trees) is not list or len(trees) != len(kind.VALUES):
        raise WireError(f"a malformed {kind.KIND} request")
    values = {name: decode(tree) for name, tree in zip(kind.VALUES, trees)}
    for name, value in values.items():
        wanted = _FIELD_TYPES.get(name)
        if wanted is not None and type(value) is not wanted:
            raise WireError(f"a malformed {kind.KIND} request ({name})")
    if kind is Call:
        declared = document.get("d")
        if declared is not None and (type(declared) is not list or
                                     not all(type(p) in (int, str) for p in declared)):
            raise WireError("a malformed call (declared positions)")
        values.update(declared=declared, check=bool(document.get("c")))
    return kind(**values)


@dataclass
class Answer:
    """A request's result, as wire trees (values encoded by the answering endpoint, in this order: the
    changes, then the value). `changes`: [position, value] for each changed argument the caller declared and
    [position] for any other; `broken`: the contracts a checked call broke ([["rng"]], [["default", name]]);
    `kept`: ids of the arguments the callee keeps shared (what it returned lives on)."""
    value: object = None
    changes: list = field(default_factory=list)
    broken: list | None = None
    kept: list | None = None

    def document(self) -> dict:
        out = {"ok": self.value, "wb": self.changes}
        if self.broken is not None:
            out["k"] = self.broken
        if self.kept is not None:
            out["kept"] = self.kept
        return out

    @classmethod
    def read(cls, document: dict) -> "Answer":
        changes, broken, kept = document.get("wb") or [], document.get("k"), document.get("kept")
        if type(changes) is not list or broken is not None and type(broken) is not list or \
                kept is not None and type(kept) is not list:
            raise WireError("a malformed answer")
        return cls(document.get("ok"), changes, broken, kept)


@dataclass
class Failure:
    """The request raised: the exception's type name, message and (the kernel's) traceback of student code."""
    type_name: str
    message: str = ""
    detail: str = ""

    def document(self) -> dict:
        return {"err": {"type": self.type_name, "message": self.message, "detail": self.detail}}

    @classmethod
    def read(cls, document: dict) -> "Failure":
        err = document.get("err")
        if type(err) is not dict:
            raise WireError("a malformed error")
        return cls(str(err.get("type", "Exception"))[:200], str(err.get("message", ""))[:20_000],
                   str(err.get("detail", ""))[:20_000])
