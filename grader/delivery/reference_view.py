"""Copies of course_lib without the answers someone may not have: for a graded lesson's sandbox, and for
the student bundle.

course_lib.reference holds the instructor's reference implementations, one module per lesson, and
course_lib.reference.TWINS says which graded functions each one implements (a lesson's softmax_loss is
also the answer to a later lesson's cross_entropy_loss). Two views are made from it:

- `for_grading(lesson)`: what the sandboxed kernel grading `lesson` sees: no reference module of that
  lesson or a later one, no function that implements one of that lesson's graded functions, and no course_lib
  tool that does that function's job with parts the caller brings (TOOL_TWINS: the training loop, when the
  capstone's train_network is graded), so an answer that reaches for the course's own answer finds nothing;
- `for_students(published)`: course_lib with the reference modules of the published lessons only.
"""

from __future__ import annotations

import ast
import hashlib
import shutil
import tempfile
import threading
from pathlib import Path

import course_lib
from course_lib.reference import MODULES, TOOL_TWINS, TWINS, lesson_number

from grader.course.cellcode import AST_LOCK, parse

COURSE_LIB = Path(course_lib.__file__).resolve().parent
_lock = threading.Lock()
_made: dict[tuple, Path] = {}


def _source_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(COURSE_LIB.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(COURSE_LIB)).encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def twins_of(lesson: str, twins: dict = TWINS) -> dict[str, list[str]]:
    """Module (of course_lib.reference, or of course_lib with twins=TOOL_TWINS) -> names in it that implement
    a function graded in `lesson`."""
    out: dict[str, list[str]] = {}
    for qualified, graded in twins.items():
        if any(owner == lesson for owner, _ in graded):
            module, name = qualified.split(".")
            out.setdefault(module, []).append(name)
    return out


def _without(source: str, names: set[str]) -> str:
    """A module's source without its top-level definitions of `names` (the rest unchanged)."""
    with AST_LOCK:  # CPython 3.11/3.12 (issue 106905): no AST work beside another thread's
        tree = parse(source)
        tree.body = [node for node in tree.body
                     if not (isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in names)]
        return ast.unparse(tree) + "\n"


def _copy(target: Path, keep_module, drop_names: dict[str, list[str]],
          drop_tools: dict[str, list[str]] | None = None) -> Path:
    """course_lib copied to target/course_lib: reference modules kept only where keep_module(name) says,
    and without the named definitions (drop_names in reference modules, drop_tools in course_lib's own)."""
    out = target / "course_lib"
    shutil.copytree(COURSE_LIB, out, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for module, names in (drop_tools or {}).items():
        path = out / f"{module}.py"
        path.write_text(_without(path.read_text(encoding="utf-8"), set(names)), encoding="utf-8")
    for module in MODULES:
        path = out / "reference" / f"{module}.py"
        if not keep_module(module):
            path.unlink()
        elif drop_names.get(module):
            path.write_text(_without(path.read_text(encoding="utf-8"), set(drop_names[module])), encoding="utf-8")
    return out


def for_grading(lesson: str) -> Path:
    """The course_lib folder a kernel grading `lesson` mounts in place of the real one (made once per process)."""
    number = lesson_number(lesson)
    key = ("grading", lesson, _source_digest())
    with _lock:
        if key not in _made or not _made[key].exists():
            folder = Path(tempfile.mkdtemp(prefix=f"grader-course-lib-{number:02d}-"))
            _made[key] = _copy(folder, lambda m: lesson_number(MODULES[m]) < number, twins_of(lesson),
                               twins_of(lesson, TOOL_TWINS))
        return _made[key]


def for_students(target: Path, published: list[str]) -> Path:
    """course_lib for a graded class, written to target/course_lib: references of published lessons only."""
    return _copy(Path(target), lambda m: MODULES[m] in set(published), {})


def published_twins(published: list[str]) -> list[str]:
    """Sentences naming what publishing these lessons also reveals: a reference that is the answer to a
    graded function of a lesson not published (its use there is still refused at grading)."""
    notes = []
    for qualified, graded in TWINS.items():
        module, name = qualified.split(".")
        if MODULES[module] in published:
            for lesson, function in graded:
                if lesson not in published:
                    notes.append(f"{MODULES[module]}'s {name} is also the answer to {lesson}'s {function}, which "
                                 "is not published: its use in that lesson's answers is refused at grading")
    return notes
