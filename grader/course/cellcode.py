"""Code cells as the Python the kernel runs: IPython's syntax (magics, !shell) turned into an AST.

Parsing never stops a grading run: a cell that does not parse, or is too deeply nested for Python's
parser (a 700-term expression), gives None, and the caller treats it as code it cannot read.
"""

from __future__ import annotations

import ast
import re
import threading

# CPython 3.11/3.12 (issue 106905): two threads building or compiling an AST at the same moment can fail
# ("AST constructor recursion depth mismatch"), and the grader's worker threads compile test cells while
# its main thread reads submissions. Every parse and compile of the grader goes through this lock.
AST_LOCK = threading.RLock()


def parse(source: str, filename: str = "<unknown>") -> ast.Module:
    """ast.parse, one thread at a time."""
    with AST_LOCK:
        return ast.parse(source, filename)


def compile_code(source, filename: str, mode: str = "exec"):
    """compile(), one thread at a time."""
    with AST_LOCK:
        return compile(source, filename, mode)


def to_python(source: str) -> str:
    """IPython cell syntax as the Python it runs; magics become get_ipython() calls."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


# A first line IPython would rewrite even when the cell is valid Python: an indent, a >>> or In [1]: prompt.
_IPYTHON_FIRST_LINE = re.compile(r"\s|>>>|\.\.\.|In \[")


def as_ipython_runs_it(source: str) -> ast.Module:
    """The cell's AST as the kernel runs it. IPython changes plain Python only by dropping leading blank
    lines and the cases _IPYTHON_FIRST_LINE matches; its transforms of magics, !shell and help? apply only to
    text that is not Python. So a cell that parses as Python is parsed directly, which is several times
    faster than IPython's tokenizing transformer (tests/test_cellcode.py compares the two on every cell of
    the course and its bug banks)."""
    lines = source.splitlines(keepends=True)
    first = next((i for i, line in enumerate(lines) if line and not line.isspace()), 0)
    if not lines or not _IPYTHON_FIRST_LINE.match(lines[first]):
        try:
            return parse("".join(lines[first:]))
        except (SyntaxError, ValueError):
            pass  # IPython syntax, or an error for the transformer to report
    return parse(to_python(source))


def parse_cell(source: str, tries: int = 3) -> ast.Module | None:
    """The cell's AST, or None when it cannot be parsed (a syntax error fails when the cell runs)."""
    try:
        return as_ipython_runs_it(source)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    except SystemError:
        # issue 106905 again, from a parse outside the grader's lock (a library's): tried again
        if tries <= 1:
            return None
        return parse_cell(source, tries - 1)


def bound_names(tree: ast.AST) -> set[str]:
    """Every name a tree binds anywhere: assigned, deleted, defined, imported, parameters, caught exceptions."""
    bound = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            bound.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    return bound
