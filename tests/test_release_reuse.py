"""prepare_assignments regenerates a lesson only when something it depends on changed (it runs on every
autograde, and nbgrader's generate_assignment costs about a second per lesson)."""

from __future__ import annotations

import nbformat
import pytest
from minicourse import LESSON, make_repo
from nbgrader.api import Gradebook

from grader.course.folder import Course
from grader.delivery import release
from grader.delivery.release import prepare_assignments

pytestmark = pytest.mark.slow  # runs nbgrader's generate_assignment


@pytest.fixture
def generations(monkeypatch):
    """Counts generate_assignment calls, still made for real."""
    calls = []
    real = release.make_api

    def counting_api(course, **kw):
        api = real(course, **kw)
        generate = api.generate_assignment

        def counted(lesson, *a, **k):
            calls.append(lesson)
            return generate(lesson, *a, **k)

        api.generate_assignment = counted
        return api

    monkeypatch.setattr(release, "make_api", counting_api)
    return calls


def test_unchanged_lesson_is_not_generated_again(tmp_path, generations):
    course = Course.at(make_repo(tmp_path / "repo"), tmp_path / "course")
    prepare_assignments(course, [LESSON])
    prepare_assignments(course, [LESSON])
    assert generations == [LESSON]


def test_a_changed_source_is_generated_again(tmp_path, generations):
    repo = make_repo(tmp_path / "repo")
    course = Course.at(repo, tmp_path / "course")
    prepare_assignments(course, [LESSON])
    solution = repo / "solutions" / f"{LESSON}.ipynb"
    nb = nbformat.read(solution, 4)
    nb.cells[0].source += "\nA sentence added."
    nbformat.write(nb, solution)
    prepare_assignments(course, [LESSON])
    assert generations == [LESSON, LESSON]
    assert "A sentence added." in course.release_notebook(LESSON).read_text()


@pytest.mark.parametrize("loss", ["release deleted", "gradebook deleted", "assignment removed from gradebook"])
def test_a_lost_release_or_gradebook_entry_is_generated_again(tmp_path, generations, loss):
    course = Course.at(make_repo(tmp_path / "repo"), tmp_path / "course")
    prepare_assignments(course, [LESSON])
    if loss == "release deleted":
        course.release_notebook(LESSON).unlink()
    elif loss == "gradebook deleted":
        (course.course_dir / "gradebook.db").unlink()
    else:
        with Gradebook(course.gradebook_url) as gb:
            gb.remove_assignment(LESSON)
    prepare_assignments(course, [LESSON])
    assert generations == [LESSON, LESSON]
    assert course.release_notebook(LESSON).exists()
    with Gradebook(course.gradebook_url) as gb:
        assert [n.name for n in gb.find_assignment(LESSON).notebooks] == [LESSON]
