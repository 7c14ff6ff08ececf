"""The lessons in an order that needs nothing later: no lesson's code names a function, a reference or an
idea that a later lesson introduces. What each lesson introduces: its graded functions (its answer cells),
its reference module (course_lib.reference), and the ideas listed in IDEAS, found in code as keyword
arguments, attribute names or string constants."""

from __future__ import annotations

import ast

import pytest

from course_lib.reference import MODULES, lesson_number
from grader.boundary.plan import bound_at_top
from grader.course.cellcode import parse_cell, to_python
from grader.course.folder import Course
from grader.course.notebooks import nbgrader_meta, read_notebook
from grader.delivery.bundle import needed_references

COURSE = Course.at()
LESSONS = COURSE.lesson_names()

# Ideas a lesson introduces that code elsewhere can name: keyword "kw:NAME", string "str:TEXT".
IDEAS = {
    "kw:lr_decay": "04_optimizers",        # learning-rate decay
    "kw:momentum": "04_optimizers",
    "kw:beta1": "04_optimizers",
    "kw:beta2": "04_optimizers",
    "kw:batchnorm": "06_batchnorm",
    "kw:bn_param": "06_batchnorm",
    "kw:dropout_keep": "07_regularization_and_init",
    "str:he": "07_regularization_and_init",      # He / Xavier initialization by name
    "str:xavier": "07_regularization_and_init",
}


def _graded(lesson):
    nb = read_notebook(COURSE.solutions_dir / f"{lesson}.ipynb")
    names = set()
    for cell in nb.cells:
        if nbgrader_meta(cell).get("solution") and cell.cell_type == "code":
            tree = parse_cell(cell.source)
            names |= bound_at_top(tree) if tree else set()
    return names


INTRODUCED = {}
for _lesson in LESSONS:  # the first lesson that defines a name introduces it (the capstone defines them again)
    for _name in _graded(_lesson):
        INTRODUCED.setdefault(_name, _lesson)


def _uses(tree) -> set[str]:
    """Names, attributes, keyword arguments and short strings the code uses."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            out.add(node.id)
        elif isinstance(node, ast.Attribute):
            out.add(node.attr)
        elif isinstance(node, ast.keyword) and node.arg:
            out.add(f"kw:{node.arg}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) < 20:
            out.add(f"str:{node.value}")
    return out


def _mlp_without_init(tree) -> bool:
    """An MLP(...) built with its default initialization, which is lesson 07's He scaling."""
    return any(isinstance(n, ast.Call) and getattr(n.func, "id", getattr(n.func, "attr", "")) == "MLP"
               and not any(k.arg == "init" for k in n.keywords) for n in ast.walk(tree))


@pytest.mark.parametrize("lesson", LESSONS)
def test_no_lesson_uses_what_a_later_lesson_introduces(lesson):
    number = lesson_number(lesson)
    later = {name: owner for name, owner in {**INTRODUCED, **IDEAS}.items() if lesson_number(owner) > number}
    nb = read_notebook(COURSE.solutions_dir / f"{lesson}.ipynb")
    found = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tree = parse_cell(cell.source)
        if tree is None:
            continue
        label = nbgrader_meta(cell).get("grade_id")
        found += [f"{label}: {name} ({later[name]})" for name in sorted(_uses(tree) & set(later))]
        for module in MODULES:
            if f"course_lib.reference.{module}" in to_python(cell.source) and lesson_number(MODULES[module]) >= number:
                found.append(f"{label}: course_lib.reference.{module} ({MODULES[module]})")
        if number < lesson_number("07_regularization_and_init") and _mlp_without_init(tree):
            found.append(f"{label}: MLP with its default (He) initialization (07_regularization_and_init)")
    assert not found, f"{lesson} uses what later lessons introduce: {found}"


@pytest.mark.parametrize("lesson", LESSONS)
def test_published_references_a_lesson_uses_are_of_earlier_lessons(lesson):
    nb = read_notebook(COURSE.solutions_dir / f"{lesson}.ipynb")
    assert all(lesson_number(owner) < lesson_number(lesson) for owner in needed_references(nb))
