"""What a grading kernel's course_lib holds (grader.delivery.reference_view.for_grading): no reference module of
the lesson graded or a later one, and no twin of a function graded in that lesson."""

from __future__ import annotations

import ast
import json
import os
import sys

import pytest

from course_lib.reference import MODULES, TOOL_TWINS, TWINS, lesson_number
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


def test_a_sandboxed_kernel_imports_the_course_lib_the_grader_mounted(tmp_path):
    """Whatever course_lib the installed package points at, the kernel's is the grading view mounted for it."""
    import shutil
    import subprocess

    from grader.isolation.bwrap import bwrap_command, course_lib_dir, exposed_paths, hidden_paths
    from grader.isolation.scratch import kernel_env

    lesson = "03_layers_and_networks"
    probe = ("import json, os, course_lib, course_lib.reference as r\n"
             "print(json.dumps([os.path.dirname(course_lib.__file__), sorted(os.listdir(os.path.dirname(r.__file__)))]))")
    cmd = bwrap_command(shutil.which("bwrap"), tmp_path, [sys.executable, "-c", probe], hide=hidden_paths([]),
                        expose=exposed_paths(), memory_mb=2048, max_processes=64, max_file_mb=16, uid=os.getuid(),
                        replace={course_lib_dir(): for_grading(lesson)})[:-1]  # no kernel: no kernel's option
    run = subprocess.run(cmd, capture_output=True, text=True, env=kernel_env(tmp_path), timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    folder, reference = json.loads(run.stdout)
    assert folder == str(course_lib_dir())
    assert "lesson01.py" in reference and "lesson03.py" not in reference, reference


def test_the_kernel_grading_the_capstone_has_no_training_loop_and_the_others_keep_it():
    """course_lib.training.train does train_network's job with the caller's parts (TOOL_TWINS): lessons 03-08
    train with it; the kernel grading lesson 09 gets course_lib without it, the rest of training.py intact."""
    for lesson in LESSONS:
        tree = ast.parse((for_grading(lesson) / "training.py").read_text())
        defined = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        dropped = {q.split(".")[1] for q, graded in TOOL_TWINS.items()
                   if q.startswith("training.") and any(owner == lesson for owner, _ in graded)}
        assert "accuracy" in defined and "History" in defined
        assert ("train" in defined) == ("train" not in dropped), lesson
    assert {"train"} == {q.split(".")[1] for q, graded in TOOL_TWINS.items()
                         if any(owner == "09_capstone" for owner, _ in graded)}
