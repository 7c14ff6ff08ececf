"""Run one graded test cell in the grader's process, against the student's kernel, and give it the outputs
nbgrader scores: what the test printed, a number if its last expression is one (partial credit), and an
error when it failed. Nothing the kernel prints or returns is written into these outputs unchecked.

The test cells of a notebook share one namespace (TestNamespace): what they define, the imports of the
lesson's locked cells, and, for every other name, the student's kernel through the boundary.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import linecache
import numbers
import re
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from course_lib.contracts import declared_state
from grader.boundary.endpoint import BoundaryError, CallContract, Interrupted, PeerError, PeerGone, Proxy, TrafficLimit
from grader.boundary.plan import TestPlan
from grader.course.cellcode import AST_LOCK, compile_code, parse, parse_cell, to_python

_BOUNDARY_DIR = str(Path(__file__).resolve().parent)
TIMEOUT_NAME = "CellTimeoutError"   # the name nbgrader and the run log give a cell stopped for time
KERNEL_GONE_NAME = "DeadKernelError"


class KernelGone(Exception):
    """The kernel stopped (exited, crashed or was killed) while a test used it."""


@dataclass
class CellRecord:
    """What one trusted test cell did, for the run log and the report."""
    kernel_names: list[str] = field(default_factory=list)   # names read from the kernel that are not graded
    timed_out: bool = False
    kernel_gone: bool = False


# Modules the trusted side may import because the kernel names them (besides the lesson's set-up imports).
TRUSTED_MODULES = ("numpy", "math", "course_lib")


class TestNamespace(dict):
    """Globals of a notebook's test cells. A name they did not bind comes from the builtins, else from the
    kernel: the student's value or a proxy to it (a graded name always so, and calls to it follow its
    contract: course_lib.contracts.DECLARED_STATE, by the source's signature). A module or a library function
    the kernel names is imported here instead, only from an allow-list (TRUSTED_MODULES and the modules of
    the set-up imports), so no test calls the kernel's numpy and the kernel chooses no import of the grader."""

    def __init__(self, boundary, plan: TestPlan):
        super().__init__(__name__="__course_tests__", __builtins__=builtins, __annotations__={})
        self._boundary, self._plan = boundary, plan
        self._trusted_roots = frozenset(TRUSTED_MODULES) | setup_modules(plan.setup_imports)
        self._from_kernel: dict[str, object] = {}
        self.record = CellRecord()
        for statement in plan.setup_imports:
            try:
                exec(compile_code(statement, "<set-up import>"), self)
            except Exception:  # noqa: BLE001 - an import the grader cannot do is then looked up in the kernel
                pass
        for name in plan.graded_names:
            self.pop(name, None)  # a star import must not stand in for the student's answer

    def new_cell(self) -> CellRecord:
        # The kernel ran the student's cells since: what was read from it before is read again.
        for name, value in self._from_kernel.items():
            if dict.get(self, name) is value:
                del self[name]
        self._from_kernel = {}
        self.record = CellRecord()
        return self.record

    def __missing__(self, name):
        if name.startswith("__") or hasattr(builtins, name):
            raise KeyError(name)
        try:
            value, module, origin = self._boundary.lookup(name)
        except NameError:
            raise KeyError(name) from None
        if name in self._plan.graded_names:
            if isinstance(value, Proxy):
                self._boundary.declare(value, CallContract(name, self._plan.signatures.get(name, ()),
                                                           declared_state(name)))
        else:
            trusted = _trusted_twin(module, origin, self._trusted_roots)
            if trusted is not None:
                value = trusted
            else:
                self.record.kernel_names.append(name)
        self[name] = self._from_kernel[name] = value
        return value


def setup_modules(statements) -> frozenset[str]:
    """The top-level packages the lesson's set-up cells import (`import numpy as np` -> numpy)."""
    roots = set()
    for statement in statements:
        tree = parse_cell(statement)
        for node in tree.body if tree else []:
            if isinstance(node, ast.Import):
                roots |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                roots.add(node.module.split(".")[0])
    return frozenset(roots)


def _trusted_twin(module: str | None, origin, roots=frozenset(TRUSTED_MODULES)):
    """The grader's own module, or function/class of a library module, that the kernel names: only from a
    module under one of `roots`; anything else stays the kernel's object."""
    name = module or (origin[0] if origin else None)
    if not name or name.split(".")[0] not in roots:
        return None
    try:
        if module:
            return importlib.import_module(module)
        if origin:
            obj = importlib.import_module(origin[0])
            for part in origin[1].split("."):
                obj = getattr(obj, part)
            return obj
    except Exception:  # noqa: BLE001 - not importable here: the kernel's object is used
        return None
    return None


class _Printer:
    """print() for the test cells: into the cell's output, never the grader's stdout."""

    def __init__(self, limit: int):
        self.parts: list[str] = []
        self.size, self.limit, self.cut = 0, limit, False

    def __call__(self, *values, sep=" ", end="\n", file=None, flush=False):
        if file is not None:
            return builtins.print(*values, sep=sep, end=end, file=file, flush=flush)
        text = (sep if sep is not None else " ").join(str(v) for v in values) + (end if end is not None else "\n")
        if self.size + len(text) > self.limit:
            self.cut = True
            text = text[: max(0, self.limit - self.size)]
        self.parts.append(text)
        self.size += len(text)

    def text(self) -> str:
        return "".join(self.parts)


def _compile_cell(source: str, filename: str):
    """(body code, last expression code or None): nbgrader counts the value of a last expression."""
    tree = parse(to_python(source), filename)
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        with AST_LOCK:  # CPython 3.11/3.12: no AST work beside another thread's (see cellcode)
            last = ast.Expression(tree.body.pop().value)
    body = compile_code(tree, filename, "exec")
    return body, (compile_code(last, filename, "eval") if last is not None else None)


def _partial_credit(value) -> str | None:
    """The text nbgrader reads as a score: only a number the test computed here."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.number)) or isinstance(value, np.bool_):
        return None
    return repr(float(value)) if isinstance(value, (float, np.floating)) else repr(int(value))


def _traceback_lines(exc: BaseException) -> list[str]:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not f.filename.startswith(_BOUNDARY_DIR)]
    lines = ["Traceback (most recent call last):\n", *traceback.format_list(frames)]
    detail = getattr(exc, "peer_detail", "") or getattr(exc, "detail", "")
    if detail:
        lines += ["In the student's code:\n", detail]
    return [line.rstrip("\n") for line in lines]


def _error(ename: str, evalue: str, lines: list[str]) -> dict:
    return {"output_type": "error", "ename": ename, "evalue": evalue, "traceback": [*lines, f"{ename}: {evalue}"]}


HIDDEN_REGION = re.compile(r"### BEGIN HIDDEN TESTS.*?(### END HIDDEN TESTS|\Z)", re.DOTALL)


def visible_imports(source: str) -> str:
    """The imports a test cell's visible part makes, each guarded, as code for the student's kernel: there
    the cell ran while they worked, so a cell of theirs after it may use what it imported."""
    tree = parse_cell(HIDDEN_REGION.sub("", source))
    with AST_LOCK:
        statements = [ast.unparse(node) for node in (tree.body if tree else [])
                      if isinstance(node, (ast.Import, ast.ImportFrom))]
    return "\n".join(f"try:\n    {line}\nexcept Exception:\n    pass" for line in statements)


def run_test_cell(boundary, namespace: TestNamespace, source: str, label: str, deadline: float,
                  max_output: int = 1_000_000) -> tuple[list[dict], CellRecord]:
    """Execute one test cell here; its outputs (nbformat dicts) and what happened."""
    record = namespace.new_cell()
    filename = f"<{label}>"
    printer = _Printer(max_output)
    namespace["print"] = printer
    outputs: list[dict] = []
    error = None
    try:
        body, last = _compile_cell(source, filename)
        linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    except SyntaxError as exc:
        return [_error("SyntaxError", str(exc), [])], record
    value, broken = None, False
    try:
        boundary.open_cell(deadline, visible_imports(source))
        exec(body, namespace)
        if last is not None:
            value = eval(last, namespace)
        if boundary.violations:  # raised where it happened, and caught there: the test still fails
            raise boundary.violations[0]
    except TrafficLimit as exc:  # what the grader would have to hold: reported as the memory limit
        broken = True
        error = _error("MemoryError", str(exc), _traceback_lines(exc))
    except Interrupted as exc:
        broken = record.timed_out = True
        error = _error(TIMEOUT_NAME, str(exc), _traceback_lines(exc))
    except PeerGone as exc:
        broken = True
        record.kernel_gone = boundary.kernel_gone()
        name = KERNEL_GONE_NAME if record.kernel_gone else "BoundaryError"
        error = _error(name, "the kernel stopped during the test" if record.kernel_gone else str(exc),
                       _traceback_lines(exc))
    except Exception as exc:  # noqa: BLE001 - a failing test is its output
        error = _describe(exc if not boundary.violations else boundary.violations[0])
    finally:
        boundary.close_cell(broken=broken or boundary.interrupted_at is not None)
    text = printer.text() + ("\n[output cut by the grader]\n" if printer.cut else "")
    if text:
        outputs.append({"output_type": "stream", "name": "stdout", "text": text})
    if error is not None:
        outputs.append(error)
    else:
        credit = _partial_credit(value)
        if credit is not None:
            outputs.append({"output_type": "execute_result", "execution_count": None, "metadata": {},
                            "data": {"text/plain": credit}})
    return outputs, record


def _describe(exc: BaseException) -> dict:
    if isinstance(exc, PeerError):
        return _error(exc.type_name, exc.message, _traceback_lines(exc))
    if isinstance(exc, BoundaryError):
        return _error("BoundaryError", str(exc), _traceback_lines(exc))
    name = "MemoryError" if isinstance(exc, MemoryError) else type(exc).__name__
    return _error(name, str(exc), _traceback_lines(exc))
