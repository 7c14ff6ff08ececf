"""What a grading kernel's course_lib holds (grader.delivery.reference_view.for_grading): no reference module of
the lesson graded or a later one, and no twin of a function graded in that lesson."""

from __future__ import annotations

import ast

import pytest

from course_lib.reference import MODULES, TWINS, lesson_number
from grader.course.folder import Course
from grader.delivery.reference_view import for_grading, for_students, published_twins

LESSONS = Course.at().lesson_names()


@pytest.mark.parametrize("lesson", LESSONS)
def test_a_grading_kernel_has_no_answer_of_its_lesson_in_reach(lesson):
    view = for_grading(lesson) / "reference"
    present = {p.stem for p in view.glob("lesson*.py")}
    assert present == {m for m, owner in MODULES.items() if lesson_number(owner) < lesson_number(lesson)}
    for qualified, graded in TWINS.items():
        module, name = qualified.split(".")
        if any(owner == lesson for owner, _ in graded) and module in present:
            tree = ast.parse((view / f"{module}.py").read_text())
            assert name not in {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}, qualified
    assert (view.parent / "checks.py").exists() and (view.parent / "datasets").is_dir()


def test_the_view_is_made_once_per_lesson():
    assert for_grading(LESSONS[0]) == for_grading(LESSONS[0])


def test_a_students_copy_has_the_published_references_only(tmp_path):
    view = for_students(tmp_path, ["03_layers_and_networks"])
    assert {p.stem for p in (view / "reference").glob("lesson*.py")} == {"lesson03"}
    notes = published_twins(["03_layers_and_networks"])
    assert any("softmax_loss" in n and "cross_entropy_loss" in n for n in notes)
    assert published_twins(["03_layers_and_networks", "05_loss_choice", "09_capstone"]) == []
    # the capstone asks for the same layers again: publishing lesson 03 alone reveals its answers too
    assert all("09_capstone" in n for n in published_twins(["03_layers_and_networks", "05_loss_choice"]))
