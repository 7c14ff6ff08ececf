"""What the trusted side needs to know about a lesson before its test cells run: read from the source.

- graded names: what the source's answer cells define. A test that reads one of them always gets the
  student's (through the boundary), whatever else would bind that name;
- their signatures, from the source's own `def` (a class: its __init__ without self): the positional
  parameter names that map a call's positions to the parameters course_lib.contracts.DECLARED_STATE names.
  Never the student's signature, which could rename a parameter into the declared state;
- the imports of the locked cells (set-up cells): run in the trusted namespace, so that a test reading `np`
  or `assert_close` without importing it gets the grader's own module, never the kernel's;
- the test cells that run in the kernel instead (grade ids): a foreign course's cells that cannot run across
  the boundary, found by running the course's own solutions (grader.boundary.calibrate). Empty for this course.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from grader.course.cellcode import AST_LOCK, parse_cell
from grader.course.notebooks import is_test_cell, nbgrader_meta

PLAN_KEY = "boundary_plan"  # nbconvert resources key: the lesson's TestPlan, read from its source by the caller


@dataclass(frozen=True)
class TestPlan:
    graded_names: frozenset[str] = frozenset()
    setup_imports: tuple[str, ...] = ()
    in_kernel: frozenset[str] = field(default_factory=frozenset)
    signatures: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False, compare=False)


def positional_parameters(node) -> tuple[str, ...] | None:
    """The positional parameter names of a top-level def, or of a class's __init__ (without self)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return tuple(a.arg for a in (*node.args.posonlyargs, *node.args.args))
    if isinstance(node, ast.ClassDef):
        for item in node.body:
            if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                return positional_parameters(item)[1:]
        return ()
    return None


def bound_at_top(tree: ast.Module) -> set[str]:
    """Names a module's top-level statements bind (function bodies excluded)."""
    names: set[str] = set()
    pending = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names if a.name != "*")
            continue
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store):
                names.add(child.id)
            elif isinstance(child, (ast.stmt, ast.expr, ast.excepthandler, ast.withitem, ast.comprehension)) \
                    and not isinstance(child, ast.Lambda):
                pending.append(child)
        if isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
    return names


def _import_statements(tree: ast.Module) -> list[str]:
    with AST_LOCK:  # CPython 3.11/3.12: no AST work beside another thread's (see cellcode)
        return _import_lines(tree)


def _import_lines(tree: ast.Module) -> list[str]:
    out = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            out += [ast.unparse(ast.Import(names=[a])) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            out += [ast.unparse(ast.ImportFrom(module=node.module, names=[a], level=0)) for a in node.names]
    return out


def plan_from_source(source_nb, in_kernel=()) -> TestPlan:
    graded: set[str] = set()
    imports: list[str] = []
    signatures: dict[str, tuple[str, ...]] = {}
    for cell in source_nb.cells:
        if cell.cell_type != "code":
            continue
        tree = parse_cell(cell.source)
        if tree is None:
            continue
        if nbgrader_meta(cell).get("solution"):
            graded |= bound_at_top(tree)
            for node in tree.body:
                parameters = positional_parameters(node)
                if parameters is not None:
                    signatures[node.name] = parameters
        elif not is_test_cell(cell):
            imports += _import_statements(tree)
    return TestPlan(frozenset(graded), tuple(dict.fromkeys(imports)), frozenset(in_kernel), signatures)
