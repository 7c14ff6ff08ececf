"""Read every cell a student wrote before it runs, and flag code that could bend a verdict.

The tests run in the same kernel as the student's code, so an answer cell could patch numpy, rebind a
name the tests use, read the hidden tests' variables or change how later cells run. This check parses the
student's cells (IPython syntax included) and refuses the vocabulary such tricks need (grader.vocabulary);
a flagged submission is still graded in the sandbox, but its score is withheld for the instructor.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import re
import types
from dataclasses import dataclass, field

from grader import vocabulary as V
from grader.notebooks import nbgrader_meta


@dataclass(frozen=True)
class Finding:
    cell: str   # grade id of the cell, or "cell N" (1-based position in the submission)
    line: int
    what: str

    def describe(self) -> str:
        return f"{self.what}, in {self.cell}, line {self.line}"


@dataclass
class LessonNames:
    """What the lesson's own cells bind and read, from the instructor's source notebook."""
    protected: set[str] = field(default_factory=set)    # globals that test cells read (builtins included)
    hidden_only: set[str] = field(default_factory=set)  # names that only hidden tests define
    imported: set[str] = field(default_factory=set)     # names bound by import statements in locked cells


def to_python(source: str) -> str:
    """IPython cell syntax (magics, !shell) as the Python it runs; magics become get_ipython() calls."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


# A first line IPython would rewrite even when the cell is valid Python: an indent, a >>> or In [1]: prompt.
_IPYTHON_FIRST_LINE = re.compile(r"\s|>>>|\.\.\.|In \[")


def _as_ipython_runs_it(source: str) -> ast.Module:
    """The cell's AST as the kernel runs it. IPython changes plain Python only by dropping leading blank
    lines and the cases _IPYTHON_FIRST_LINE matches; its transforms of magics, !shell and help? apply only to
    text that is not Python. So a cell that parses as Python is parsed directly, which is several times
    faster than IPython's tokenizing transformer (tests/test_static_check.py compares the two on every cell
    of the course and its bug banks)."""
    lines = source.splitlines(keepends=True)
    first = next((i for i, line in enumerate(lines) if line and not line.isspace()), 0)
    if not lines or not _IPYTHON_FIRST_LINE.match(lines[first]):
        try:
            return ast.parse("".join(lines[first:]))
        except (SyntaxError, ValueError):
            pass  # IPython syntax, or an error for the transformer to report
    return ast.parse(to_python(source))


def _parse(source: str, tries: int = 3) -> ast.Module | None:
    try:
        return _as_ipython_runs_it(source)
    except (SyntaxError, ValueError, IndentationError):
        return None  # not flagged: the cell fails when it runs
    except SystemError:
        # CPython 3.11/3.12 (issue 106905): another thread parsing at the same moment upsets the parser's
        # shared depth count; the source is not at fault and parses when tried again.
        if tries <= 1:
            raise
        return _parse(source, tries - 1)


# --- names bound and read ----------------------------------------------------------------------------

@dataclass(frozen=True)
class _TreeNames:
    bound: set[str]  # assigned, deleted, defined, imported, parameters, caught exceptions
    loaded: set[str]
    imported: set[str]


def _tree_names(tree: ast.AST) -> _TreeNames:
    """What a tree binds, reads and imports, in one walk (walking is most of a lesson's static analysis)."""
    bound, loaded, imported = set(), set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            imported.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    return _TreeNames(bound | imported, loaded, imported)


def _bound_names(tree: ast.AST) -> set[str]:
    return _tree_names(tree).bound


def _local_names(func: ast.AST) -> set[str]:
    """Names a function binds for itself (parameters, assignments, loops), minus those it declares global."""
    declared = {n for node in ast.walk(func) if isinstance(node, (ast.Global, ast.Nonlocal)) for n in node.names}
    return _bound_names(func) - declared


def _is_test_cell(cell) -> bool:
    meta = nbgrader_meta(cell)
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def lesson_names(source_nb, release_nb) -> LessonNames:
    """Names the lesson's test cells depend on, and names only its hidden tests define."""
    answers, protected, imported, hidden = set(), set(), set(), set()
    for cell in source_nb.cells:
        tree = _parse(cell.source) if cell.cell_type == "code" else None
        if tree is None:
            continue
        if nbgrader_meta(cell).get("solution"):
            answers |= {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
            continue
        names = _tree_names(tree)
        imported |= names.imported
        if _is_test_cell(cell):
            protected |= names.loaded - names.bound
            hidden |= names.bound - names.imported
    visible = set()
    for cell in release_nb.cells:
        tree = _parse(cell.source) if cell.cell_type == "code" else None
        if tree is not None:
            names = _tree_names(tree)
            visible |= names.bound | names.loaded
    return LessonNames(protected=protected - answers, hidden_only=hidden - visible - answers, imported=imported)


# --- resolving what a dotted name reaches -----------------------------------------------------------------

_EXTRA_MODULES: frozenset[str] = frozenset()  # set for one check by check_submission(allowed_imports=...)


def _allowed_module(name: str) -> bool:
    return name.split(".")[0] in V.ALLOWED_MODULES | _EXTRA_MODULES


def _import(name: str):
    try:
        return importlib.import_module(name)
    except Exception:  # noqa: BLE001 - an import that fails in the grader fails in the kernel too
        return None


def _refused_object(obj) -> str | None:
    """Why an object reached through an allowed module is refused, or None."""
    if isinstance(obj, types.ModuleType):
        if not _allowed_module(obj.__name__):
            return f"reaches the module {obj.__name__}"
        if any(part in obj.__name__ for part in V.FORBIDDEN_MODULE_PARTS):
            return f"reaches {obj.__name__} (file access)"
        return None
    if obj is getattr(builtins, getattr(obj, "__name__", ""), None) and getattr(obj, "__name__", "") in V.FORBIDDEN_NAMES:
        return f"reaches the builtin {obj.__name__}"
    name = getattr(obj, "__name__", None)
    if isinstance(name, str) and name in V.FORBIDDEN_FUNCTIONS and callable(obj):
        return f"reaches {getattr(obj, '__module__', '') or ''}.{name} (files or process-wide state)".replace(" .", " ")
    return None


def _resolve_chain(module: str, attrs: list[str]) -> str | None:
    obj = _import(module)
    if obj is None:
        return None
    for attr in attrs:
        if V.is_dunder(attr) or attr.startswith("_"):
            return None  # reported by the attribute rules
        if isinstance(obj, types.ModuleType) and _import(f"{obj.__name__}.{attr}") is not None and not hasattr(obj, attr):
            obj = _import(f"{obj.__name__}.{attr}")
        else:
            try:
                obj = getattr(obj, attr)
            except Exception:  # noqa: BLE001 - a missing attribute fails in the kernel too
                return None
        why = _refused_object(obj)
        if why:
            return why
    return None


def _chain(node: ast.AST) -> tuple[ast.AST, list[str]]:
    """Base node and attribute names of a.b.c (subscripts are walked through, their names dropped)."""
    attrs = []
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        if isinstance(node, ast.Attribute):
            attrs.append(node.attr)
        node = node.value
    return node, list(reversed(attrs))


# --- the check -------------------------------------------------------------------------------------------

class _CellChecker(ast.NodeVisitor):
    def __init__(self, label: str, names: LessonNames, modules: dict[str, str], own_classes: set[str]):
        self.label, self.names, self.modules, self.own_classes = label, names, modules, own_classes
        self.findings: list[Finding] = []
        self.depth = 0          # > 0 inside a function or class body
        self.scopes: list[set[str]] = []  # names local to each enclosing function
        self.aliases: set[str] = set()

    def flag(self, node: ast.AST, what: str) -> None:
        self.findings.append(Finding(self.label, getattr(node, "lineno", 0), what))

    # imports
    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if not _allowed_module(alias.name):
                self.flag(node, f"imports {alias.name} (not needed in this course)")
            else:
                self.modules[(alias.asname or alias.name).split(".")[0]] = alias.name if alias.asname else alias.name.split(".")[0]
                why = _resolve_chain(alias.name.split(".")[0], alias.name.split(".")[1:])
                if why:
                    self.flag(node, f"imports {alias.name}, which {why}")
            self._binds(node, (alias.asname or alias.name).split(".")[0])
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        if node.level or not _allowed_module(module):
            self.flag(node, f"imports from {'.' * node.level}{module} (not needed in this course)")
            return
        for alias in node.names:
            if alias.name == "*":
                exported = set(getattr(_import(module), "__all__", []) or [])
                clash = exported & self.names.protected
                if clash:
                    self.flag(node, f"`from {module} import *` rebinds {', '.join(sorted(clash)[:3])}, used by the tests")
                continue
            if V.is_dunder(alias.name) or alias.name.startswith("_"):
                self.flag(node, f"imports the private name {alias.name} from {module}")
                continue
            if alias.name in V.FORBIDDEN_ATTRS or alias.name in V.FORBIDDEN_FUNCTIONS:
                self.flag(node, f"imports {module}.{alias.name}")
                continue
            why = _resolve_chain(module, [alias.name])
            if why:
                self.flag(node, f"imports {module}.{alias.name}, which {why}")
            target = alias.asname or alias.name
            if isinstance(getattr(_import(module), alias.name, None), types.ModuleType):
                self.modules[target] = f"{module}.{alias.name}"
            self._binds(node, target)

    # names
    def _binds(self, node: ast.AST, name: str) -> None:
        if self.depth == 0 and name in self.names.protected:
            self.flag(node, f"rebinds `{name}`, which the tests use")

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            if node.id in V.FORBIDDEN_NAMES:
                self.flag(node, f"uses `{node.id}`")
            elif V.is_dunder(node.id) and node.id not in V.ALLOWED_DUNDER_NAMES | V.ALLOWED_DUNDER_DEFS:
                self.flag(node, f"uses `{node.id}`")
            elif node.id in self.names.hidden_only and self._global_at_call_time(node.id):
                self.flag(node, f"reads `{node.id}`, a name only the hidden tests define")
            elif node.id in V.LITERAL_NAME_ONLY and not getattr(node, "_literal_call", False):
                self.flag(node, f"uses `{node.id}` with a computed name")
            elif node.id in self.modules and not getattr(node, "_attribute_base", False):
                self.flag(node, f"passes the module `{node.id}` around as a value")
        else:
            self._binds(node, node.id)
            if V.is_dunder(node.id) and node.id not in V.ALLOWED_DUNDER_DEFS:
                self.flag(node, f"defines `{node.id}`")

    def visit_Global(self, node: ast.Global) -> None:
        for name in node.names:
            if name in self.names.protected:
                self.flag(node, f"rebinds `{name}` (global), which the tests use")

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Name) and func.id in V.LITERAL_NAME_ONLY:
            name = node.args[1] if len(node.args) > 1 else None
            if isinstance(name, ast.Constant) and isinstance(name.value, str) and not name.value.startswith("_"):
                func._literal_call = True
                node.args[0]._attribute_base = True  # getattr(np, "pi") reads an attribute, like np.pi
        if isinstance(func, ast.Name) and func.id == "type" and len(node.args) == 3:
            self.flag(node, "creates a class with type(name, bases, namespace)")
        if isinstance(func, ast.Attribute) and func.attr in ("format", "format_map"):
            fmt = func.value
            if not (isinstance(fmt, ast.Constant) and isinstance(fmt.value, str)):
                self.flag(node, "calls .format on a computed string")
            elif V.FORMAT_FIELD_ACCESS.search(fmt.value):
                self.flag(node, "reads attributes through a format string")
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        base, attrs = _chain(node)
        if isinstance(node.value, ast.Name):
            node.value._attribute_base = True
        attr = node.attr
        if V.is_dunder(attr) and attr not in V.ALLOWED_DUNDER_ATTRS:
            parent_is_name = getattr(node, "_read_name_of_class", False)
            if not (attr == "__class__" and parent_is_name):
                self.flag(node, f"reads the attribute `{attr}`")
        elif attr in V.FORBIDDEN_ATTRS:
            self.flag(node, f"uses the attribute `{attr}`")
        if attr == "__name__" and isinstance(node.value, ast.Attribute) and node.value.attr == "__class__":
            node.value._read_name_of_class = True  # self.__class__.__name__ in a __repr__ is fine
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            self._check_target(node)
        elif isinstance(base, ast.Name) and base.id in self.modules and node is not None:
            if attr.startswith("_") and not V.is_dunder(attr):
                self.flag(node, f"reads the private attribute {base.id}.{attr}")
            elif getattr(node, "_outermost", True):
                why = _resolve_chain(self.modules[base.id], attrs)
                if why:
                    self.flag(node, f"{base.id}.{'.'.join(attrs)} {why}")
        if isinstance(node.value, ast.Attribute):
            node.value._outermost = False
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            self._check_target(node)
        self.generic_visit(node)

    def _check_target(self, node: ast.AST) -> None:
        base, attrs = _chain(node)
        if "__class__" in attrs:
            self.flag(node, "assigns through __class__")
        if isinstance(base, ast.Name):
            if base.id in self.modules or base.id in self.names.imported or base.id in self.aliases:
                self.flag(node, f"changes {base.id}.{'.'.join(attrs)}, which belongs to a module or a library class")
        elif isinstance(base, ast.Call) and isinstance(base.func, ast.Name) and base.func.id == "type":
            self.flag(node, "changes a class through type(...)")
        elif not isinstance(base, ast.Call):
            self.flag(node, "assigns an attribute of a computed object")

    def visit_Assign(self, node: ast.Assign) -> None:
        # x = np.something / x = InputGuard: x is an alias whose attributes must not be changed either.
        base, _ = _chain(node.value)
        if isinstance(base, ast.Name) and (base.id in self.modules or base.id in self.names.imported
                                           or base.id in self.aliases) and not isinstance(node.value, ast.Subscript):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self.aliases.add(target.id)
        self.generic_visit(node)

    def _global_at_call_time(self, name: str) -> bool:
        """A name read inside a function, not local to it: looked up in the globals when the tests call it."""
        return bool(self.scopes) and not any(name in scope for scope in self.scopes)

    # definitions
    def _enter(self, node: ast.AST, local: set[str] | None = None) -> None:
        self.depth += 1
        if local is not None:
            self.scopes.append(local)
        self.generic_visit(node)
        if local is not None:
            self.scopes.pop()
        self.depth -= 1

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._binds(node, node.name)
        self._enter(node, _local_names(node))

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._enter(node, _local_names(node))

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._binds(node, node.name)
        for base in node.bases:
            if not (isinstance(base, ast.Name) and (base.id == "object" or base.id in self.own_classes)):
                self.flag(base, f"class {node.name} inherits from {ast.unparse(base)}")
        for keyword in node.keywords:
            self.flag(keyword, f"class {node.name} sets {keyword.arg}=")
        for item in node.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and V.is_dunder(item.name) \
                    and item.name not in V.ALLOWED_DUNDER_DEFS:
                self.flag(item, f"class {node.name} defines {item.name}")
        self._enter(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str):
            for match in V.DUNDER.findall(node.value):
                if match not in V.ALLOWED_DUNDER_STRINGS:
                    self.flag(node, f"a string names {match}")
                    break
            if V.FRAME_WORDS.search(node.value):
                self.flag(node, "a string names a frame attribute")


def _module_names(nb) -> dict[str, str]:
    """Names the notebook's own cells bind to modules (np -> numpy, plt -> matplotlib.pyplot)."""
    modules = {}
    for cell in nb.cells:
        tree = _parse(cell.source) if cell.cell_type == "code" else None
        for node in ast.walk(tree) if tree else ():
            if isinstance(node, ast.Import):
                for a in node.names:
                    modules[(a.asname or a.name).split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for a in node.names:
                    if isinstance(getattr(_import(node.module), a.name, None), types.ModuleType):
                        modules[a.asname or a.name] = f"{node.module}.{a.name}"
    return modules


def student_cells(submitted_nb, source_nb, release_nb) -> list[tuple[str, str]]:
    """(label, source) of the code cells the student controls and changed: answers and cells they added."""
    locked = {nbgrader_meta(c)["grade_id"] for c in source_nb.cells
              if nbgrader_meta(c).get("grade_id") and not nbgrader_meta(c).get("solution")}
    released = {c.source for c in release_nb.cells if c.cell_type == "code"}
    out = []
    for i, cell in enumerate(submitted_nb.cells):
        grade_id = nbgrader_meta(cell).get("grade_id")
        if cell.cell_type != "code" or grade_id in locked or cell.source in released:
            continue  # locked cells are put back from the source before grading
        out.append((grade_id or f"cell {i + 1}", cell.source))
    return out


@dataclass
class LessonContext:
    """What the check reads from a lesson's own notebooks: the same for every submission, so a class's
    grading works it out once (grader.autograde.LessonFacts) instead of once per submission."""
    names: LessonNames
    modules: dict[str, str]


def lesson_context(source_nb, release_nb) -> LessonContext:
    return LessonContext(lesson_names(source_nb, release_nb), _module_names(source_nb))


def check_submission(submitted_nb, source_nb, release_nb, allowed_imports=(),
                     context: LessonContext | None = None) -> list[Finding]:
    """Every finding in the student's cells, in notebook order (empty for honest work).

    allowed_imports: more top-level modules a course allows (say pandas), beside the course's vocabulary.
    context: lesson_context(source_nb, release_nb), when the caller has it already.
    """
    global _EXTRA_MODULES
    _EXTRA_MODULES = frozenset(allowed_imports)
    context = context or lesson_context(source_nb, release_nb)
    cells = student_cells(submitted_nb, source_nb, release_nb)
    trees = [(label, _parse(src)) for label, src in cells]
    own_classes = {n.name for _, t in trees if t for n in ast.walk(t) if isinstance(n, ast.ClassDef)}
    findings = []
    for label, tree in trees:
        if tree is None:
            continue
        checker = _CellChecker(label, context.names, dict(context.modules), own_classes)
        checker.visit(tree)
        findings += checker.findings
    return findings
