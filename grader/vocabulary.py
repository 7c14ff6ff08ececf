"""The vocabulary student code may use: what the static check allows and what it refuses, in one place.

An honest solution to any exercise of this course needs numpy, math, a little of the standard library and
the student's own functions and classes. Everything listed here as refused is what tampering needs:
reaching the interpreter (exec, frames, dunders), the file system, other modules, or the objects the tests
use. `docs/writing-lessons.md` states the same rules for lesson authors.
"""

from __future__ import annotations

import re

ALLOWED_MODULES = frozenset({
    "numpy", "math", "cmath", "random", "time", "itertools", "functools", "operator", "collections",
    "dataclasses", "typing", "statistics", "copy", "numbers", "heapq", "bisect", "fractions", "decimal",
    "matplotlib", "course_lib", "abc", "enum",
})

FORBIDDEN_NAMES = frozenset({
    "exec", "eval", "compile", "open", "__import__", "globals", "locals", "vars", "get_ipython", "setattr",
    "delattr", "breakpoint", "input", "exit", "quit", "help", "memoryview", "__builtins__", "__loader__",
    "__spec__", "SystemExit", "KeyboardInterrupt", "BaseException", "GeneratorExit", "classmethod.__get__",
})
# Allowed only as a call with a literal attribute name that does not start with an underscore.
LITERAL_NAME_ONLY = frozenset({"getattr", "hasattr"})

_OPERATORS = ("add sub mul truediv floordiv mod pow matmul and or xor lshift rshift divmod").split()
OPERATOR_DUNDERS = frozenset(
    [f"__{op}__" for op in _OPERATORS] + [f"__r{op}__" for op in _OPERATORS] + [f"__i{op}__" for op in _OPERATORS]
    + ["__neg__", "__pos__", "__abs__", "__invert__", "__lt__", "__le__", "__gt__", "__ge__", "__round__"])
# Dunders a class may define, and attributes code may read.
ALLOWED_DUNDER_DEFS = OPERATOR_DUNDERS | {
    "__init__", "__repr__", "__str__", "__hash__", "__len__", "__iter__", "__next__", "__getitem__",
    "__setitem__", "__contains__", "__call__", "__slots__", "__doc__", "__enter__", "__exit__", "__post_init__",
}
ALLOWED_DUNDER_ATTRS = ALLOWED_DUNDER_DEFS | {"__name__"}
ALLOWED_DUNDER_NAMES = frozenset({"__name__", "__doc__"})
ALLOWED_DUNDER_STRINGS = frozenset({"__main__"}) | ALLOWED_DUNDER_ATTRS

# Attributes that reach frames, code objects or raw memory, whatever object they are read from.
FORBIDDEN_ATTRS = frozenset({
    "f_back", "f_globals", "f_locals", "f_builtins", "f_code", "f_trace", "f_lasti", "tb_frame", "tb_next",
    "gi_frame", "gi_code", "cr_frame", "cr_code", "ag_frame", "ag_code", "co_code", "co_consts", "co_names",
    "func_globals", "func_code", "gi_yieldfrom", "cr_await", "tofile", "dump", "ctypes", "ctypeslib",
    "attrgetter", "methodcaller",
})
# Functions (by name) that read or write files or change process-wide numeric state, reached through a module.
FORBIDDEN_FUNCTIONS = frozenset({
    "load", "loadtxt", "genfromtxt", "fromfile", "fromregex", "memmap", "open_memmap", "save", "savez",
    "savez_compressed", "savetxt", "seterr", "seterrcall", "setbufsize", "DataSource", "open", "exec", "eval",
    "compile", "__import__", "system", "popen",
})
FORBIDDEN_MODULE_PARTS = ("npyio", "ctypeslib", "f2py", "distutils", "numpy.lib.format")

DUNDER = re.compile(r"__[A-Za-z_][A-Za-z0-9_]*__")
FRAME_WORDS = re.compile(r"\b(f_back|f_globals|f_locals|tb_frame|gi_frame|co_code|func_globals)\b")
# A replacement field of str.format that reads an attribute or an item: "{0.x}", "{0[k]}".
FORMAT_FIELD_ACCESS = re.compile(r"\{[^{}:!]*[.\[][^{}]*\}")


def is_dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")
