"""Every lesson's notebooks: the solution runs, the student copy is fresh, stripped and runs to its first exercise."""

from __future__ import annotations

import copy

import nbformat
import pytest
from nbrun import execute, stderr_of

from grader.course.folder import Course
from grader.course.notebooks import nbgrader_meta, read_notebook
from grader.delivery.release import stale_lessons

COURSE = Course.at()
LESSONS = COURSE.lesson_names()
pytestmark = pytest.mark.slow
MARKERS = (("BEGIN SOLUTION", "END SOLUTION"), ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS"))


@pytest.mark.parametrize("lesson", LESSONS)
def test_solution_notebook_runs_top_to_bottom(lesson, tmp_path, monkeypatch):
    """With the references of the lessons it declares (metadata course.uses_published) and no others, as in
    a student bundle where those are published: the declaration is what `grader bundle` relies on."""
    from grader.delivery.bundle import needed_references
    from grader.delivery.reference_view import for_students

    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.delenv("COURSE_QUIET", raising=False)  # the live widgets are built, as for a student
    nb = read_notebook(COURSE.solutions_dir / f"{lesson}.ipynb")
    view = for_students(tmp_path / "view", sorted(needed_references(nb)))
    monkeypatch.setenv("PYTHONPATH", str(view.parent))
    nb.cells.append(nbformat.v4.new_code_cell("import course_lib\nprint(course_lib.__file__)"))
    execute(nb, tmp_path)
    assert not stderr_of(nb), "solution notebook wrote to stderr (a warning?)"
    assert nb.cells[-1].outputs[0]["text"].startswith(str(view)), "the notebook did not run with the restricted course_lib"
    from course_lib.claims import check_notebook

    problems = check_notebook(nb)
    assert not problems, f"{lesson}: the text and its outputs disagree: {problems}"


def test_lessons_folder_is_a_fresh_release():
    assert stale_lessons(COURSE) == [], "lessons/ is stale: run `make release`"


@pytest.mark.parametrize("lesson", LESSONS)
def test_notebooks_are_committed_without_outputs(lesson):
    for folder in (COURSE.solutions_dir, COURSE.lessons_dir):
        nb = read_notebook(folder / f"{lesson}.ipynb")
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert not cell.outputs and cell.execution_count is None, f"{folder.name}/{lesson} has outputs"


def _secret_lines(source) -> set[str]:
    """Substantial lines found only inside solution or hidden-test regions of the source notebook."""
    inside, outside = set(), set()
    for cell in source.cells:
        region = None
        for line in cell.source.splitlines():
            begin = next((end for start, end in MARKERS if start in line), None)
            if begin:
                region = begin
            elif region and region in line:
                region = None
            elif len(line.strip()) > 25:
                (inside if region else outside).add(line.strip())
    return inside - outside


@pytest.mark.parametrize("lesson", LESSONS)
def test_student_notebook_has_no_solution_and_no_hidden_tests(lesson):
    source = read_notebook(COURSE.solutions_dir / f"{lesson}.ipynb")
    student = read_notebook(COURSE.lessons_dir / f"{lesson}.ipynb")
    text = nbformat.writes(student)
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
    secrets = _secret_lines(source)
    assert secrets, "no solution or hidden-test lines found in the source: is the lesson marked up?"
    student_lines = {line.strip() for cell in student.cells for line in cell.source.splitlines()}
    leaked = sorted(secrets & student_lines)
    assert not leaked, f"{lesson}: student notebook contains {leaked[:2]}"


@pytest.mark.parametrize("lesson", LESSONS)
def test_student_notebook_runs_up_to_its_first_exercise(lesson, tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_QUIET", "1")
    nb = read_notebook(COURSE.lessons_dir / f"{lesson}.ipynb")
    first = next(i for i, c in enumerate(nb.cells) if nbgrader_meta(c).get("solution"))
    assert first > 0
    head = copy.deepcopy(nb)
    head.cells = nb.cells[:first]
    execute(head, tmp_path)


def _global_reads(source: str) -> set[str]:
    """Names a cell reads from the notebook's globals (its own module-level assignments excluded)."""
    import symtable

    from grader.course.cellcode import to_python

    top = symtable.symtable(to_python(source), "cell", "exec")
    reads = {s.get_name() for s in top.get_symbols() if s.is_referenced() and not s.is_assigned() and not s.is_imported()}
    pending = list(top.get_children())
    while pending:
        table = pending.pop()
        pending += table.get_children()
        reads |= {s.get_name() for s in table.get_symbols() if s.is_global() and s.is_referenced()
                  and s.get_name() not in {t.get_name() for t in top.get_symbols() if t.is_assigned() or t.is_imported()}}
    return reads


@pytest.mark.parametrize("lesson", LESSONS)
def test_no_other_cell_reads_what_only_a_test_cell_defines(lesson):
    """Test cells run in the grader's process at grading time (grader.boundary), so what they define is not
    in the student's kernel then: a later cell that read it would work for the student and fail in grading."""
    from grader.boundary.plan import bound_at_top
    from grader.course.cellcode import parse_cell
    from grader.course.notebooks import is_test_cell

    nb = read_notebook(COURSE.solutions_dir / f"{lesson}.ipynb")
    trees = [(cell, parse_cell(cell.source)) for cell in nb.cells if cell.cell_type == "code"]
    from_tests = set().union(*(bound_at_top(t) for c, t in trees if t and is_test_cell(c)))
    elsewhere = set().union(*(bound_at_top(t) for c, t in trees if t and not is_test_cell(c)))
    only_tests = from_tests - elsewhere
    assert only_tests, "no test cell defines anything: is the lesson marked up?"
    for cell, tree in trees:
        if tree is None or is_test_cell(cell):
            continue
        read = _global_reads(cell.source) & only_tests
        assert not read, f"{nbgrader_meta(cell).get('grade_id')} reads {sorted(read)}, which only a test cell defines"

