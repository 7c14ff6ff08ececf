"""A hand grade outlives a new grading of the same answer: forget() keeps it aside, scores_of() puts it back
when the answer cell's text is unchanged, and a changed answer is pending again with a note that says so.
The feedback pages stay in place for grader.reports.freshness to mark stale.

Built without grading (tests/handgraded_course.py): the gradebook is written through nbgrader's API the way
autograde writes it, and the graded notebook is a small file with the answer cells."""

from __future__ import annotations

import json

import pytest
from nbgrader.api import Gradebook

from grader.pipeline.gradebook_records import forget, scores_of
from grader.pipeline.hand_grades_kept import not_carried_since
from grader.reports import freshness
from handgraded_course import FIRST, TEST, WORDS, Work, grade, hand_grade, make_course, submit

pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")  # nbgrader's own add_submission


def graded_notebook(course, student: str, lesson: str, answer: str) -> None:
    """What autograde leaves in autograded/: the student's answer in words in its cell."""
    cells = [{"cell_type": "code", "source": "double(3)", "metadata": {"nbgrader": {"grade_id": TEST}}},
             {"cell_type": "markdown", "source": answer, "metadata": {"nbgrader": {"grade_id": WORDS}}}]
    path = course.autograded_notebook(student, lesson)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))


def grade_again(course, work: Work, answer: str):
    """What a regrade does around nbgrader's autograde: forget, grade, then read the scores."""
    forget(course, work.student, work.lesson)
    grade(course, work)
    graded_notebook(course, work.student, work.lesson, answer)
    return scores_of(course, work.student, work.lesson, work.lesson)


def words_grade(course, student: str, lesson: str):
    with Gradebook(course.gradebook_url) as gb:
        g = gb.find_grade(WORDS, lesson, lesson, student)
        return g.manual_score, g.needs_manual_grade


@pytest.fixture
def course(tmp_path):
    course = make_course(tmp_path)
    with Gradebook(course.gradebook_url) as gb:  # the answer in words is a solution cell too: it takes comments
        gb.add_solution_cell(WORDS, FIRST, FIRST)
    return course


def test_a_hand_grade_and_its_comment_come_back_for_an_unchanged_answer(course):
    work = Work("ada", FIRST, 1.0)
    submit(course, work)
    graded_notebook(course, "ada", FIRST, "Because ReLU keeps the gradient alive.")
    hand_grade(course, "ada", FIRST, 1.5)
    with Gradebook(course.gradebook_url) as gb:
        gb.find_comment(WORDS, FIRST, FIRST, "ada").manual_comment = "Say which gradient."
        gb.db.commit()
    scores = grade_again(course, Work("ada", FIRST, 2.0), "Because ReLU keeps the gradient alive.")
    assert words_grade(course, "ada", FIRST) == (1.5, False)
    assert scores.pending == [] and scores.notes == []
    assert scores.cells[WORDS] == [1.5, 2.0] and scores.raw == 2.0 + 1.5
    with Gradebook(course.gradebook_url) as gb:
        assert gb.find_comment(WORDS, FIRST, FIRST, "ada").manual_comment == "Say which gradient."
    # and again: a second regrade keeps it too (the grade was kept aside once more)
    scores = grade_again(course, Work("ada", FIRST, 0.0), "Because ReLU keeps the gradient alive.")
    assert scores.cells[WORDS] == [1.5, 2.0] and scores.raw == 1.5


def test_a_changed_answer_is_pending_again_and_a_note_says_so(course):
    submit(course, Work("ben", FIRST, 2.0))
    graded_notebook(course, "ben", FIRST, "first thoughts")
    hand_grade(course, "ben", FIRST, 0.5)
    scores = grade_again(course, Work("ben", FIRST, 2.0), "a better answer, handed in late")
    assert words_grade(course, "ben", FIRST) == (None, True)
    assert scores.pending == [WORDS] and scores.cells[WORDS] == [0.0, 2.0]
    assert len(scores.notes) == 1 and WORDS in scores.notes[0] and "changed" in scores.notes[0] \
        and "pending" in scores.notes[0] and "0.5" in scores.notes[0]
    lines = not_carried_since(course)  # what the command that graded prints, once
    assert len(lines) == 1 and lines[0].startswith(f"ben/{FIRST}: {WORDS}") and not_carried_since(course) == []
    # what was kept for that submission is used up: a later grading does not bring the old grade back
    scores = grade_again(course, Work("ben", FIRST, 2.0), "first thoughts")
    assert scores.pending == [WORDS] and scores.notes == []


def test_a_hand_score_over_a_test_is_not_carried_the_test_ran_again(course):
    submit(course, Work("cy", FIRST, 0.0, answered=False))
    graded_notebook(course, "cy", FIRST, "")
    with Gradebook(course.gradebook_url) as gb:
        gb.find_grade(TEST, FIRST, FIRST, "cy").manual_score = 2.0
        gb.db.commit()
    scores = grade_again(course, Work("cy", FIRST, 1.0, answered=False), "")
    assert scores.cells[TEST] == [1.0, 2.0]
    assert len(scores.notes) == 1 and TEST in scores.notes[0] and "ran again" in scores.notes[0]


def test_the_late_penalty_is_taken_from_the_score_with_the_hand_grade_back(course):
    (course.course_dir / "course.toml").write_text('[late]\npolicy = "per_day"\nper_day = 10\ncap = 50\n'
                                                 f'[lessons."{FIRST}"]\ndue = 2026-10-05T23:59:00+00:00\n')
    work = Work("dee", FIRST, 2.0, days_late=1.5)  # 2 started days: 20 %
    submit(course, work)
    graded_notebook(course, "dee", FIRST, "an answer")
    hand_grade(course, "dee", FIRST, 2.0)
    forget(course, "dee", FIRST)
    grade(course, work)
    graded_notebook(course, "dee", FIRST, "an answer")
    with Gradebook(course.gradebook_url) as gb:  # what nbgrader's late stage left: 20 % of the autograded 2
        gb.find_submission_notebook(FIRST, FIRST, "dee").late_submission_penalty = 0.4
        gb.db.commit()
    scores = scores_of(course, "dee", FIRST, FIRST)
    assert scores.raw == 4.0 and scores.penalty == pytest.approx(0.2 * 4.0) and scores.score == pytest.approx(3.2)


def test_forget_leaves_feedback_pages_for_freshness_to_mark_stale(course):
    submit(course, Work("eve", FIRST, 2.0))
    graded_notebook(course, "eve", FIRST, "an answer")
    page = course.feedback_html("eve", FIRST)
    page.parent.mkdir(parents=True)
    page.write_text("<html>2 / 4</html>")
    freshness.record(course, [page])
    assert freshness.sweep(course) == ""
    forget(course, "eve", FIRST)
    assert page.exists() and not course.autograded_notebook("eve", FIRST).exists()
    grade(course, Work("eve", FIRST, 1.0))  # the regrade's new verdict, in the gradebook and the ledger
    line = freshness.sweep(course)
    assert "feedback page" in line and "graded again" in line
    marker = (course.course_dir / "feedback" / freshness.MARKER).read_text()
    assert f"feedback/eve/{FIRST}/{FIRST}.html" in marker and "grader feedback" in marker


# --- through the real commands: autograde, a hand grade, regrade, a new collect ------------------------------

def _lesson_with_words(repo):
    """The mini lesson with an answer in words (2 points, graded by hand) at its end."""
    import nbformat
    from nbformat.v4 import new_markdown_cell

    from minicourse import LESSON

    path = repo / "solutions" / f"{LESSON}.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    meta = {"grade": True, "grade_id": WORDS, "locked": False, "points": 2, "schema_version": 3,
            "solution": True, "task": False}
    nb.cells.append(new_markdown_cell("A model answer: doubling is linear.", metadata={"nbgrader": meta}))
    nbformat.write(nb, str(path))


def _hand_in(course, folder, student: str, answer: str):
    from grader.course import samples
    from minicourse import LESSON

    nb = samples.filled_in(course, LESSON)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == WORDS)
    cell.source = answer
    samples.write(nb, folder / student / f"{LESSON}.ipynb")


@pytest.mark.slow
def test_a_regrade_keeps_the_hand_grade_and_a_new_answer_is_pending_again(tmp_path, capsys):
    from grader.cli import main
    from grader.course.folder import Course
    from grader.pipeline.outcomes import Ledger
    from minicourse import LESSON, make_repo

    repo = make_repo(tmp_path / "repo")
    _lesson_with_words(repo)
    base = ["--repo", str(repo), "--course-dir", str(tmp_path / "course"), "--quiet"]
    assert main(base + ["release"]) == 0
    course = Course.at(repo, tmp_path / "course")
    _hand_in(course, tmp_path / "first", "ada", "Because doubling is linear.")
    assert main(base + ["collect", str(tmp_path / "first")]) == 0
    assert main(base + ["autograde", "--workers", "1"]) == 0
    assert Ledger(course.course_dir).load()[f"ada/{LESSON}"].pending == [WORDS]
    with Gradebook(course.gradebook_url) as gb:  # what the formgrader writes
        g = gb.find_grade(WORDS, LESSON, LESSON, "ada")
        g.manual_score, g.needs_manual_grade = 1.5, False
        gb.find_comment(WORDS, LESSON, LESSON, "ada").manual_comment = "Say why it matters."
        gb.db.commit()

    capsys.readouterr()
    assert main(base + ["regrade", LESSON, "--test", "test_double", "--workers", "1"]) == 0
    assert "hand grade not kept" not in capsys.readouterr().err
    outcome = Ledger(course.course_dir).load()[f"ada/{LESSON}"]
    assert outcome.pending == [] and outcome.cells[WORDS] == [1.5, 2.0]
    assert outcome.score == outcome.cells["test_double"][0] + outcome.cells["test_double__arrays"][0] + 1.5
    with Gradebook(course.gradebook_url) as gb:
        assert gb.find_comment(WORDS, LESSON, LESSON, "ada").manual_comment == "Say why it matters."

    _hand_in(course, tmp_path / "second", "ada", "Because doubling is linear, and I checked it.")
    main(base + ["collect", str(tmp_path / "second")])
    capsys.readouterr()
    assert main(base + ["autograde", "--workers", "1"]) == 0
    said = [line for line in capsys.readouterr().err.splitlines() if "hand grade not kept" in line]
    assert len(said) == 1 and f"ada/{LESSON}: {WORDS}" in said[0] and "changed" in said[0], said
    outcome = Ledger(course.course_dir).load()[f"ada/{LESSON}"]
    assert outcome.pending == [WORDS] and outcome.cells[WORDS] == [0.0, 2.0]
    with Gradebook(course.gradebook_url) as gb:
        assert gb.find_grade(WORDS, LESSON, LESSON, "ada").manual_score is None
