"""Answers taken from the course: an answer cell that uses a reference implementation of a function graded
in its own lesson, or any reference of that lesson or a later one, is a certain finding (its score is
withheld for the instructor, `tamper suspected`).

Names are resolved as the kernel would resolve them: every `import` or `from ... import` of course_lib in
the student's cells is followed to the object it binds, and attribute chains on those names are followed
too, so a module alias, a re-export (course_lib.debugging.MLP) or an attribute path reaches the same
reference. What this misses (a name built at run time) finds nothing anyway: the kernel grading a lesson
has no such reference in reach (grader.delivery.reference_view).
"""

from __future__ import annotations

import ast
import importlib
import types
from dataclasses import dataclass

from course_lib.reference import MODULES, TWINS, lesson_number
from grader.course.cellcode import parse_cell

REFERENCE_PACKAGE = "course_lib.reference"


@dataclass(frozen=True)
class Refusal:
    cell: str
    line: int
    what: str


def _forbidden(lesson: str) -> tuple[dict[int, str], dict[str, str]]:
    """(id of an object -> what it is, module name -> what it is) that answers of `lesson` may not use."""
    number = lesson_number(lesson)
    objects, modules = {}, {}
    for module, owner in MODULES.items():
        if lesson_number(owner) >= number:
            modules[f"{REFERENCE_PACKAGE}.{module}"] = f"the course's reference implementations of {owner}"
    for qualified, graded in TWINS.items():
        functions = [f for owner, f in graded if owner == lesson]
        if functions:
            module, name = qualified.split(".")
            try:
                obj = getattr(importlib.import_module(f"{REFERENCE_PACKAGE}.{module}"), name)
            except (ImportError, AttributeError):
                continue
            objects[id(obj)] = f"the course's reference implementation of {', '.join(functions)}"
            # The rest of that module reaches it too (a network whose loss is the answer): refused as well.
            modules.setdefault(f"{REFERENCE_PACKAGE}.{module}",
                               f"the course's module that implements {', '.join(functions)}")
    return objects, modules


def _resolve(dotted: str):
    """The object a dotted path names (modules imported as needed), or None."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except Exception:  # noqa: BLE001 - not a module at this length: try a shorter one
            continue
        for attr in parts[cut:]:
            if attr.startswith("__"):
                return None
            try:
                obj = getattr(obj, attr)
            except Exception:  # noqa: BLE001 - a missing attribute fails in the kernel too
                return None
        return obj
    return None


class _Reader:
    """Reads cells in notebook order; names imported in one cell are known in the next. The walk is a loop,
    not a recursion: a cell may nest deeper than Python's recursion limit (a sum of 700 terms)."""

    def __init__(self, objects, modules):
        self.objects, self.modules = objects, modules
        self.label, self.judging = "", True
        self.bound: dict[str, str] = {}   # local name -> dotted path of what it was imported as
        self.found: list[Refusal] = []

    def _judge(self, node, dotted: str) -> None:
        if not self.judging or not dotted.startswith("course_lib"):
            return
        for module, what in self.modules.items():
            if dotted == module or dotted.startswith(module + "."):
                self.found.append(Refusal(self.label, node.lineno, f"uses {what} ({dotted})"))
                return
        obj = _resolve(dotted)
        if obj is None:
            return
        home = obj.__name__ if isinstance(obj, types.ModuleType) else getattr(obj, "__module__", None)
        if id(obj) in self.objects:
            self.found.append(Refusal(self.label, node.lineno, f"uses {self.objects[id(obj)]} ({dotted})"))
        elif home in self.modules:
            self.found.append(Refusal(self.label, node.lineno, f"uses {self.modules[home]} ({dotted})"))
        elif any(part.startswith("_") for part in dotted.split(".")[1:]):
            self.found.append(Refusal(self.label, node.lineno, f"uses the course's internals ({dotted})"))

    def visit(self, tree) -> None:
        stack = [tree]
        while stack:
            node = stack.pop()
            handler = getattr(self, f"visit_{type(node).__name__}", None)
            if handler is None or handler(node):
                stack.extend(reversed(list(ast.iter_child_nodes(node))))  # source order

    # Each visit_<Node> returns whether the walk goes on into the node's children.
    def visit_Import(self, node) -> bool:
        for alias in node.names:
            self._judge(node, alias.name)
            if alias.asname:
                self.bound[alias.asname] = alias.name
            else:
                self.bound[alias.name.split(".")[0]] = alias.name.split(".")[0]
        return False

    def visit_ImportFrom(self, node) -> bool:
        if node.level or not node.module:
            return False
        for alias in node.names:
            dotted = f"{node.module}.{alias.name}" if alias.name != "*" else node.module
            self._judge(node, dotted)
            if alias.name != "*":
                self.bound[alias.asname or alias.name] = dotted
        return False

    def visit_Attribute(self, node) -> bool:
        chain, base = [], node
        while isinstance(base, ast.Attribute):
            chain.append(base.attr)
            base = base.value
        if isinstance(base, ast.Name) and base.id in self.bound:
            self._judge(node, ".".join([self.bound[base.id], *reversed(chain)]))
            return False  # the chain is judged whole; its inner attributes are prefixes of it
        return True

    def visit_Constant(self, node) -> bool:
        if self.judging and isinstance(node.value, str):
            for module, what in self.modules.items():
                if module in node.value:
                    self.found.append(Refusal(self.label, node.lineno, f"names {what} ({module})"))
        return False


def refusals(cells: list[tuple[str, str]], lesson: str, setup_imports=()) -> list[Refusal]:
    """Every use of the course's answers in the student's cells [(label, source)] of a lesson of this
    course; setup_imports: the import statements of the lesson's locked cells (they bind names too)."""
    try:
        objects, modules = _forbidden(lesson)
    except ValueError:  # not a numbered lesson of this course
        return []
    reader = _Reader(objects, modules)
    reader.judging = False
    for statement in setup_imports:
        tree = parse_cell(statement)
        if tree is not None:
            reader.visit(tree)
    reader.judging = True
    for label, source in cells:
        tree = parse_cell(source)
        if tree is not None:
            reader.label = label
            reader.visit(tree)
    return reader.found
