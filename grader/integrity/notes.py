"""Notes for the instructor on what a student's cells reach for: never a verdict, never a withheld score.

The verdict is computed where student code cannot reach it (grader.boundary), and the sandbox contains
what the code does to the machine. So nothing here protects a score; it tells the instructor, beside a
counted score, that a submission reached for the interpreter's or the grader's internals, for processes
or the network: things no exercise needs, worth a look. Honest styles (getattr with a computed name,
setattr, locals(), NamedTuple or exception subclasses, warnings, np.seterr, __future__ imports) get no note.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from grader.course.cellcode import bound_names, parse_cell
from grader.course.notebooks import nbgrader_meta

# Modules an exercise never needs and a tamperer reaches for (a course that needs one allows it).
MODULES = frozenset({"subprocess", "socket", "ctypes", "pty", "multiprocessing", "signal", "urllib", "http",
                     "requests", "builtins", "marshal", "zmq", "ipykernel", "jupyter_client", "nbformat", "nbgrader",
                     "grader"})
# Attributes that reach frames, code or globals, whatever object they are read from.
ATTRIBUTES = frozenset({"f_back", "f_globals", "f_locals", "f_builtins", "f_code", "tb_frame", "tb_next",
                        "gi_frame", "cr_frame", "ag_frame", "__globals__", "__builtins__", "__code__",
                        "__closure__", "_getframe", "settrace", "setprofile", "displayhook", "excepthook",
                        "get_referrers", "get_objects", "currentframe"})
# Functions of the os module that start, replace or end processes (only read from os itself: platform.system is fine).
OS_PROCESS = frozenset({"system", "popen", "execv", "execve", "execl", "execlp", "execvp", "fork", "forkpty",
                        "kill", "killpg", "_exit", "spawnv", "spawnl", "posix_spawn"})
# Names of the kernel's own machinery: IPython's shell and input history, the grader's agent (unless the
# student's cells define such a name themselves).
NAMES = frozenset({"get_ipython", "In", "Out", "_ih", "_oh", "_ii", "_iii", "__builtins__", "_course_boundary"})


@dataclass(frozen=True)
class Note:
    cell: str   # grade id of the cell, or "cell N" (1-based position in the submission)
    line: int
    what: str

    def describe(self) -> str:
        return f"{self.what}, in {self.cell}, line {self.line}"


def student_cells(submitted_nb, source_nb, release_nb) -> list[tuple[str, str]]:
    """(label, source) of the code cells the student wrote or changed: answers and cells they added."""
    locked = {nbgrader_meta(c)["grade_id"] for c in source_nb.cells
              if nbgrader_meta(c).get("grade_id") and not nbgrader_meta(c).get("solution")}
    released = {c.source for c in release_nb.cells if c.cell_type == "code"}
    out = []
    for i, cell in enumerate(submitted_nb.cells):
        grade_id = nbgrader_meta(cell).get("grade_id")
        if cell.get("cell_type") != "code" or grade_id in locked or cell.get("source") in released:
            continue  # locked cells are put back from the source before grading
        out.append((grade_id or f"cell {i + 1}", cell.get("source", "")))
    return out


def _notes_in(tree: ast.AST, source: str, label: str, allowed: frozenset[str], own: set[str]) -> list[Note]:
    out = []

    def note(node, what):
        out.append(Note(label, getattr(node, "lineno", 0), what))

    os_names = {(a.asname or a.name) for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
                if a.name == "os"}
    for node in ast.walk(tree):  # ast.walk is iterative: no recursion, however deep the tree
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                if top in MODULES and top not in allowed:
                    note(node, f"imports {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.module:
            top = node.module.split(".")[0]
            if node.level == 0 and top in MODULES and top not in allowed:
                note(node, f"imports from {node.module}")
            elif node.module == "os" and any(a.name in OS_PROCESS for a in node.names):
                note(node, "imports a process function of os")
        elif isinstance(node, ast.Attribute):
            if node.attr in ATTRIBUTES:
                note(node, f"reads `.{node.attr}`")
            elif node.attr in OS_PROCESS and isinstance(node.value, ast.Name) and node.value.id in os_names:
                note(node, f"calls os.{node.attr}")
        elif isinstance(node, ast.Name) and node.id in NAMES and node.id not in own:
            # A magic (%timeit) becomes get_ipython() in the parsed cell: only a name the student wrote counts.
            if node.id != "get_ipython" or "get_ipython" in source:
                note(node, f"uses `{node.id}`")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and "_course_boundary" in node.value:
            note(node, "names the grader's agent")
    return out


def notes_for(submitted_nb, source_nb, release_nb, allowed_imports=()) -> list[Note]:
    """Every note on the student's cells, in notebook order (none for honest work)."""
    allowed = frozenset(allowed_imports)
    cells = [(label, source, parse_cell(source)) for label, source in student_cells(submitted_nb, source_nb, release_nb)]
    own = set().union(*(bound_names(tree) for _, _, tree in cells if tree is not None))
    notes = []
    for label, source, tree in cells:
        if tree is None:
            if source.count("(") + source.count("[") > 500 or len(source) > 200_000:
                notes.append(Note(label, 0, "a cell too large or deeply nested to read"))
            continue  # a syntax error fails when the cell runs
        notes += _notes_in(tree, source, label, allowed, own)
    return notes
