"""What a graded class receives: the student notebooks, the data and the course_lib helpers, with no answer
the instructor has not published, and an install of its own.

The repository (solutions/, the bug bank, grader/, course_lib.reference) is the instructor's. `grader
bundle OUT` writes a folder a class can be given as it is: `lessons/`, `course_lib/` (the helpers, and the
reference modules of published lessons only: grader.delivery.reference_view), a `pyproject.toml` and a README
with the two commands that install and open it. A lesson that uses the references of an unpublished lesson
(its notebook's metadata `course.uses_published` says which) is left out, saying which lesson to publish
first. `grader publish LESSON` records that a
lesson's answers are published (the bundle then carries its references for the lessons after it).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from course_lib.reference import MODULES
from grader.course.folder import Course
from grader.course.notebooks import read_notebook, write_notebook
from grader.delivery.reference_view import for_students, published_twins
from grader.errors import GraderError

PUBLISHED_FILE = "published.json"
_REFERENCE_IMPORT = re.compile(r"course_lib\.reference\.(lesson\d\d)")

PYPROJECT = """\
[build-system]
requires = ["setuptools>=64"]
build-backend = "setuptools.build_meta"

[project]
name = "nn-training-course-student"
version = "{version}"
description = "How neural networks are trained: the student notebooks and their helper library."
requires-python = ">=3.10"
dependencies = [{dependencies}]

[tool.setuptools.packages.find]
include = ["course_lib*"]

[tool.setuptools.package-data]
course_lib = ["datasets/*.csv.gz", "datasets/*.txt"]
"""
# What the student notebooks need (the instructor's grading tools are not among them).
DEPENDENCIES = ["numpy>=1.26", "matplotlib>=3.8", "ipywidgets>=8.1", "jupyterlab>=4.2", "notebook>=7.2",
                "nbgrader>=0.9.6", "ipykernel>=6.29", "tqdm>=4.66", "threadpoolctl>=3.1"]

README = """\
# How neural networks are trained: your course notebooks

```bash
python3 -m venv .venv && .venv/bin/pip install .      # once: installs the notebooks' library and JupyterLab
.venv/bin/jupyter lab lessons/                          # then: open the lessons
```

Work through `lessons/` in order. Each exercise is a function with a docstring: replace
`raise NotImplementedError()` with your code and run the test cell below it. The tests you see tell you
what differed and a likely cause; the grader runs more tests of the same contract when you hand in.

Lessons in this copy: {lessons}.
"""


def published(course: Course) -> list[str]:
    path = course.course_dir / PUBLISHED_FILE
    if not path.exists():
        return []
    try:
        names = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        raise GraderError(f"{path}: not valid JSON; it should list the published lessons") from None
    return course.resolve_lessons(names) if names else []


def publish(course: Course, lessons) -> list[str]:
    """Record that these lessons' answers are published; returns every published lesson."""
    names = sorted(set(published(course)) | set(course.resolve_lessons(lessons)))
    course.course_dir.mkdir(parents=True, exist_ok=True)
    (course.course_dir / PUBLISHED_FILE).write_text(json.dumps(names, indent=1) + "\n", encoding="utf-8")
    return names


def needed_references(notebook) -> set[str]:
    """The lessons whose references a notebook uses: what it declares (metadata course.uses_published, kept
    honest by tests/test_student_bundle.py), and any reference module it imports by name."""
    declared = set(notebook.metadata.get("course", {}).get("uses_published", []))
    modules = {m for cell in notebook.cells if cell.cell_type == "code" for m in _REFERENCE_IMPORT.findall(cell.source)}
    return declared | {MODULES[m] for m in modules if m in MODULES}


def build(course: Course, out: Path, lessons=None, published_lessons=None) -> dict:
    """Write the bundle to `out` (which must not exist or be empty). Returns {"lessons", "left_out", "notes"}."""
    from grader.delivery.release import prepare_assignments

    if course.is_folder_course:
        raise GraderError("a student bundle is made from this repository's lessons, not a folder course")
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise GraderError(f"{out} is not empty: give a new folder for the bundle")
    chosen = course.resolve_lessons(lessons)
    if published_lessons is None:
        done = published(course)
    else:
        done = course.resolve_lessons(published_lessons) if published_lessons else []
    prepare_assignments(course, chosen)
    included, left_out = [], {}
    for lesson in chosen:
        missing = sorted(needed_references(read_notebook(course.release_notebook(lesson))) - set(done))
        if missing:
            left_out[lesson] = f"it uses the references of {', '.join(missing)}: publish {missing[0]} first"
        else:
            included.append(lesson)
    if not included:
        raise GraderError("no lesson can go into the bundle: " + "; ".join(f"{k}: {v}" for k, v in left_out.items()))
    out.mkdir(parents=True, exist_ok=True)
    for lesson in included:
        write_notebook(read_notebook(course.release_notebook(lesson)), out / "lessons" / f"{lesson}.ipynb")
    for_students(out, done)
    from importlib.metadata import PackageNotFoundError, version

    try:
        own_version = version("nn-training-course")
    except PackageNotFoundError:
        own_version = "0.1.0"
    (out / "pyproject.toml").write_text(PYPROJECT.format(
        version=own_version, dependencies=", ".join(f'"{d}"' for d in DEPENDENCIES)), encoding="utf-8")
    (out / "README.md").write_text(README.format(lessons=", ".join(included)), encoding="utf-8")
    shutil.copy(course.repo / "course_lib" / "datasets" / "DIGITS_LICENSE.txt", out / "DIGITS_LICENSE.txt")
    return {"lessons": included, "left_out": left_out, "notes": published_twins(done), "published": done}
