"""Cells marked `course.skip_in_grading` (plots, demos, widgets) can be skipped without changing a score.

Two proofs per lesson: statically, a skipped cell binds nothing that a later cell reads and changes nothing
in place that it did not create; and by grading, the solution and the blank release score the same, cell
by cell, with and without skipping. (The bug bank is graded with skipping in test_lesson_grading.py; by the
static argument, a skipped cell cannot reach the cells those bugs change.)
"""

from __future__ import annotations

import ast

import pytest

from grader.course import samples
from grader.course.cellcode import bound_names, to_python
from grader.course.folder import Course
from grader.course.limits import Limits
from grader.course.notebooks import nbgrader_meta, read_notebook
from grader.delivery.release import prepare_assignments
from grader.pipeline.autograde import autograde
from grader.pipeline.execute import SKIP_KEY

COURSE = Course.at()
LESSONS = COURSE.lesson_names()


def _skipped(cell) -> bool:
    return cell.cell_type == "code" and bool(cell.metadata.get("course", {}).get(SKIP_KEY))


def _tree(cell):
    return ast.parse(to_python(cell.source))


def _stores(tree) -> set[str]:
    return bound_names(tree)


def _in_place_changes(tree, own: set[str]) -> set[str]:
    """Names not created by this cell whose contents it changes (x[i] = ..., x.a = ..., x += ...)."""
    changed = set()
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AugAssign) else []
        for target in targets:
            base = target
            while isinstance(base, (ast.Attribute, ast.Subscript)):
                base = base.value
            if isinstance(base, ast.Name) and (base is not target or isinstance(node, ast.AugAssign)) \
                    and base.id not in own:
                changed.add(base.id)
    return changed


@pytest.mark.parametrize("lesson", LESSONS)
def test_skipped_cells_are_plain_and_feed_nothing_later(lesson):
    nb = read_notebook(COURSE.solutions_dir / f"{lesson}.ipynb")
    for i, cell in enumerate(nb.cells):
        if not _skipped(cell):
            continue
        meta = nbgrader_meta(cell)
        assert meta.get("locked") and not meta.get("grade") and not meta.get("solution"), \
            f"{lesson} cell {i + 1}: only locked, ungraded cells may be skipped"
        tree = _tree(cell)
        bound = _stores(tree)
        later_reads = set()
        for later in nb.cells[i + 1:]:
            if later.cell_type == "code" and not _skipped(later):
                later_tree = _tree(later)
                later_reads |= {n.id for n in ast.walk(later_tree) if isinstance(n, ast.Name)
                                and isinstance(n.ctx, ast.Load)} - _stores(later_tree)
        module_level = {n.id for stmt in tree.body for n in ast.walk(stmt) if isinstance(n, ast.Name)
                        and isinstance(n.ctx, ast.Store)} | {n.name for n in tree.body
                                                             if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        clash = module_level & later_reads
        assert not clash, f"{lesson} {meta.get('grade_id')}: later cells read {clash}, bound here"
        assert not _in_place_changes(tree, bound), \
            f"{lesson} {meta.get('grade_id')}: changes {_in_place_changes(tree, bound)} in place"


@pytest.mark.slow
@pytest.mark.parametrize("lesson", LESSONS)
def test_solution_and_blank_score_the_same_with_and_without_skipping(lesson, tmp_path):
    results = {}
    for skip in (False, True):
        course = Course(COURSE.repo, tmp_path / f"skip-{skip}")
        prepare_assignments(course, [lesson])
        samples.write(samples.filled_in(course, lesson), course.submitted_notebook("solution", lesson))
        samples.write(samples.blank(course, lesson), course.submitted_notebook("blank", lesson))
        outcomes = autograde(course, [lesson], limits=Limits(cell_timeout=120, skip_ungraded=skip), workers=2)
        results[skip] = {o.student: (o.status, o.score, o.cells) for o in outcomes}
    assert results[True] == results[False]
    assert results[True]["solution"][0] == "ok" and results[True]["blank"][1] == 0.0
