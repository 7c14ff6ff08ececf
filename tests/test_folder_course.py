"""Any nbgrader course folder, not only this repository's lessons: a standard layout made here (one
assignment of two notebooks, an image and a data file, a written answer and a task for manual grading, two
students), graded by `grader --course-dir` and by plain nbgrader, notebook by notebook."""

from __future__ import annotations

import copy
import shutil

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader.cli import main
from grader.course.folder import Course
from grader.course.notebooks import nbgrader_meta, read_notebook
from grader.pipeline.outcomes import Ledger

pytestmark = pytest.mark.slow
ASSIGNMENT = "hw1"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def _meta(grade_id, *, solution=False, grade=False, locked=True, points=None, task=False):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution,
            "task": task}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def _nb(cells):
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def part1():
    return _nb([
        new_markdown_cell("# Part 1\n![figure](figure.png)", metadata=_meta("intro1")),
        new_code_cell("import numpy as np\nwith open('data.txt') as f:\n    SCALE = float(f.read())",
                      metadata=_meta("setup1")),
        new_code_cell("def scaled_area(r):\n    ### BEGIN SOLUTION\n    return SCALE * np.pi * r ** 2\n    ### END SOLUTION",
                      metadata=_meta("scaled_area", solution=True, locked=False)),
        new_code_cell("assert abs(scaled_area(1.0) - 3 * np.pi) < 1e-9\n### BEGIN HIDDEN TESTS\n"
                      "assert abs(scaled_area(2.0) - 12 * np.pi) < 1e-9\n### END HIDDEN TESTS",
                      metadata=_meta("test_scaled_area", grade=True, points=2)),
    ])


def part2():
    return _nb([
        new_code_cell("def mean(xs):\n    ### BEGIN SOLUTION\n    return sum(xs) / len(xs)\n    ### END SOLUTION",
                      metadata=_meta("mean", solution=True, locked=False)),
        new_code_cell("assert mean([1, 2, 3]) == 2", metadata=_meta("test_mean", grade=True, points=1)),
        new_markdown_cell("Why can the mean of an empty list not be computed?", metadata=_meta("q")),
        new_markdown_cell("### BEGIN SOLUTION\nIt divides by zero.\n### END SOLUTION",
                          metadata=_meta("why_empty", solution=True, grade=True, locked=False, points=2)),
        new_markdown_cell("Task: plot the data in your own words.", metadata=_meta("task_plot", task=True, points=1)),
        # A test written for the kernel only: it compares objects of a class the set-up cell defines, with ==.
        new_code_cell("class Point:\n    def __init__(self, x, y):\n        self.x, self.y = x, y\n"
                      "    def __eq__(self, other):\n        return (self.x, self.y) == (other.x, other.y)",
                      metadata=_meta("point_setup")),
        new_code_cell("def origin():\n    ### BEGIN SOLUTION\n    return Point(0, 0)\n    ### END SOLUTION",
                      metadata=_meta("origin", solution=True, locked=False)),
        new_code_cell("assert origin() == Point(0, 0)", metadata=_meta("test_origin", grade=True, points=1)),
    ])


def _fill(release_nb, answers: dict[str, str]):
    nb = copy.deepcopy(release_nb)
    for cell in nb.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    return nb


ANSWERS = {
    "alice": {"part1": {"scaled_area": "def scaled_area(r):\n    return SCALE * np.pi * r * r"},
              "part2": {"mean": "def mean(xs):\n    return float(np.mean(xs)) if False else sum(xs) / len(xs)",
                        "why_empty": "Because len([]) is 0.", "origin": "def origin():\n    return Point(0.0, 0)"}},
    "bob": {"part1": {"scaled_area": "def scaled_area(r):\n    return np.pi * r ** 2"},  # forgot SCALE
            "part2": {"mean": "def mean(xs):\n    return sum(xs) / len(xs)", "why_empty": "No idea.",
                      "origin": "def origin():\n    return Point(0, 1)"}},
}


@pytest.fixture(scope="module")
def courses(tmp_path_factory):
    root = tmp_path_factory.mktemp("folder-course")
    ours = root / "ours"
    source = ours / "source" / ASSIGNMENT
    source.mkdir(parents=True)
    nbformat.write(part1(), str(source / "part1.ipynb"))
    nbformat.write(part2(), str(source / "part2.ipynb"))
    (source / "figure.png").write_bytes(PNG)
    (source / "data.txt").write_text("3.0")
    assert main(["--course-dir", str(ours), "release", ASSIGNMENT]) == 0
    for student, parts in ANSWERS.items():
        target = ours / "submitted" / student / ASSIGNMENT
        target.mkdir(parents=True)
        for part, answers in parts.items():
            nbformat.write(_fill(read_notebook(ours / "release" / ASSIGNMENT / f"{part}.ipynb"), answers),
                           str(target / f"{part}.ipynb"))
    plain = root / "plain"
    shutil.copytree(ours, plain, ignore=shutil.ignore_patterns("gradebook.db", "nbgrader_config.py", "release"))
    assert main(["--course-dir", str(ours), "autograde", ASSIGNMENT, "--workers", "2"]) == 0
    return ours, plain


def _plain_nbgrader(plain):
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    c = Config()
    c.CourseDirectory.root = str(plain)
    c.CourseDirectory.db_url = f"sqlite:///{plain / 'gradebook.db'}"
    api = NbGraderAPI(coursedir=CourseDirectory(config=c), config=c)
    assert api.generate_assignment(ASSIGNMENT)["success"]
    for student in ANSWERS:
        assert api.autograde(ASSIGNMENT, student)["success"]
    return c.CourseDirectory.db_url


def _grades(db_url):
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(db_url) as gb:
        for student in ANSWERS:
            for part in ("part1", "part2"):
                nb = gb.find_submission_notebook(part, ASSIGNMENT, student)
                out[(student, part)] = {g.name: (g.auto_score, g.needs_manual_grade, g.max_score) for g in nb.grades}
    return out


def test_the_folder_is_recognised_as_a_course_of_its_own(courses):
    ours, _ = courses
    course = Course.at(None, ours)
    assert course.is_folder_course and course.lesson_names() == [ASSIGNMENT]
    assert course.notebooks(ASSIGNMENT) == ["part1", "part2"]
    released = ours / "release" / ASSIGNMENT
    assert (released / "figure.png").read_bytes() == PNG and (released / "data.txt").exists()
    assert "BEGIN SOLUTION" not in (released / "part1.ipynb").read_text()


def test_auto_scores_equal_plain_nbgrader_notebook_by_notebook(courses):
    ours, plain = courses
    theirs = _grades(_plain_nbgrader(plain))
    mine = _grades(Course.at(None, ours).gradebook_url)
    assert mine == theirs
    assert mine[("alice", "part1")]["test_scaled_area"] == (2.0, False, 2.0)
    assert mine[("bob", "part1")]["test_scaled_area"] == (0.0, False, 2.0)
    assert mine[("bob", "part2")]["why_empty"][1], "the written answer stays for the formgrader"
    assert mine[("alice", "part2")]["test_origin"] == (1.0, False, 1.0)
    assert mine[("bob", "part2")]["test_origin"] == (0.0, False, 1.0)


def test_a_test_that_cannot_cross_is_graded_in_the_kernel_and_says_so(courses):
    ours, _ = courses
    outcomes = Ledger(ours).load()
    for student in ANSWERS:
        notes = outcomes[f"{student}/{ASSIGNMENT}/part2"].notes
        assert any("graded in the student's kernel" in n and "test_origin" in n for n in notes), notes
        assert not any("kernel" in n for n in outcomes[f"{student}/{ASSIGNMENT}/part1"].notes)


def test_outcomes_per_notebook_and_reports(courses):
    ours, _ = courses
    outcomes = Ledger(ours).load()
    assert set(outcomes) == {f"{s}/{ASSIGNMENT}/{p}" for s in ANSWERS for p in ("part1", "part2")}
    assert outcomes[f"alice/{ASSIGNMENT}/part1"].status == "ok"
    assert main(["--course-dir", str(ours), "feedback", ASSIGNMENT]) == 0
    assert main(["--course-dir", str(ours), "report"]) == 0
    assert (ours / "feedback" / "bob" / ASSIGNMENT / "part2.html").exists()
    lms = (ours / "reports" / "totals.csv").read_text().splitlines()
    assert lms[0].startswith(f"student_id,{ASSIGNMENT},total")


def test_the_formgrader_shows_the_model_answer_and_feedback_does_not(courses):
    ours, _ = courses
    course = Course.at(None, ours)
    graded = read_notebook(course.autograded_notebook("alice", ASSIGNMENT, "part2"))
    ids = [nbgrader_meta(c).get("grade_id") for c in graded.cells]
    key = graded.cells[ids.index("why_empty") + 1]
    assert "It divides by zero." in key.source and not nbgrader_meta(key)
    assert main(["--course-dir", str(ours), "feedback", ASSIGNMENT]) == 0
    page = course.feedback_html("alice", ASSIGNMENT, "part2").read_text()
    assert "Because len([]) is 0." in page and "It divides by zero." not in page


INSTRUCTORS_CONFIG = """# my course's settings
c = get_config()  # noqa
c.ExecutePreprocessor.timeout = 999
c.CourseDirectory.course_id = "stat101"
c.ClearSolutions.code_stub = {"python": "# your code here\\nraise NotImplementedError"}
"""


def test_an_instructors_nbgrader_config_keeps_every_line(courses, tmp_path, capsys):
    _, plain = courses
    theirs = tmp_path / "theirs"
    shutil.copytree(plain, theirs, ignore=shutil.ignore_patterns("gradebook.db"))
    (theirs / "nbgrader_config.py").write_text(INSTRUCTORS_CONFIG)
    capsys.readouterr()
    for command in (["release", ASSIGNMENT], ["autograde", ASSIGNMENT], ["feedback", ASSIGNMENT], ["report"]):
        assert main(["--course-dir", str(theirs), *command]) == 0, command
        assert (theirs / "nbgrader_config.py").read_text() == INSTRUCTORS_CONFIG, command
    assert "your nbgrader_config.py is left as it is" in capsys.readouterr().err
    assert Ledger(theirs).load()[f"alice/{ASSIGNMENT}/part1"].score == 2.0
