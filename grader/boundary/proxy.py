"""An object of the other side (a Proxy): everything done to it is a request to the side that owns it, and what
comes back is plain data or another proxy. The operators and builtins a proxy forwards are listed here, with
the exact type each builtin must give back.

Shared by both sides and sent into the kernel as source: standard library and numpy only. A proxy asks its
endpoint (grader.boundary.endpoint) through four methods: request, call, proxy_getattr, proxy_setattr.
"""

from __future__ import annotations

import operator

import numpy as np

if "Builtin" not in globals():  # in the kernel the message records' source runs first, in the same namespace
    from grader.boundary.messages import Builtin, Operator
if "BoundaryError" not in globals():  # the same for the boundary's exceptions
    from grader.boundary.failures import BoundaryError

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
# The dunders an object's proxy forwards: names only (a log line with a callback's __name__).
NAME_DUNDERS = frozenset({"__name__", "__qualname__"})


class Proxy:
    """An object of the other side. Everything done to it is a request; what comes back is plain data or a
    proxy. It compares only by identity: equality and ordering are refused, because a verdict computed by
    the other side's __eq__ would be that side's to choose. Convert first: float(p), str(p), np.asarray(p)."""

    __slots__ = ("_ep", "_id", "__weakref__")

    @classmethod
    def _make(cls, endpoint, n: int) -> "Proxy":
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
        value = object.__getattribute__(self, "_ep").request(Builtin(name, (self, *more)))
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
        return object.__getattribute__(self._remote, "_ep").request(Builtin("next", (self._remote,)))


def _operator_method(name, reflected=False):
    def method(self, *others):
        operands = (others[0], self) if reflected else (self, *others)
        return object.__getattribute__(self, "_ep").request(Operator(name, operands))
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
