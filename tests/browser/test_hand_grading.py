"""An answer in words goes from pending to graded through the formgrader, and every report follows (issue 35).

ada hands in the mini lesson with a question answered in words; the grader grades it. `grader report`
shows that answer pending in every report (never as a 0) and leaves the lesson's cell of canvas_import.csv
empty. An instructor then opens her submission in the formgrader in headless Chromium and types a score into
the answer's box; once the gradebook holds it, the old reports are marked stale (STALE.txt names the hand
grade and `grader report`), and `grader report` again makes every report and the Canvas export show it.
"""

from __future__ import annotations

import pytest

import tally
from hand_grading_course import (LESSON, STUDENT, WORDS_ID, WORDS_POINTS, graded_course, read_standing,
                                 submission_id, wait_for_hand_grade, words_grade)
from lab_server import LabServer

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")]  # nbgrader's own add_submission
VIEWPORT = {"width": 1280, "height": 900}
PAGE_TIMEOUT_MS = 180_000   # two busy cores: the formgrader's first page can take a while
HAND_SCORE = 1.5            # what the instructor gives the answer in words (of WORDS_POINTS)
# The formgrader's own scripts have run and fetched the grades (an autograded test's box shows its score).
FORMGRADER_READY_JS = ("() => window.jQuery && window.submission_id && "
                       "[...document.querySelectorAll('input.score')].some(i => i.placeholder)")


@pytest.fixture(scope="module")
def graded(browser, tmp_path_factory):  # (browser: no grading when the suite is skipped for want of one)
    course, outcome = graded_course(tmp_path_factory.mktemp("hand-grading"))
    assert outcome.status == "ok", outcome.reason
    assert WORDS_ID in outcome.pending, f"autograde did not leave {WORDS_ID} to grade by hand: {outcome}"
    return course


@pytest.fixture(scope="module")
def formgrader(graded, tmp_path_factory):
    server = LabServer(graded.course_dir, tmp_path_factory.mktemp("hand-grading-lab"), "formgrader").start(timeout=240)
    yield server
    server.stop()


def _report(course, capsys) -> str:
    """`grader report` as an instructor runs it; its stderr lines."""
    from grader.cli import main

    capsys.readouterr()
    code = main(["--repo", str(course.repo), "--course-dir", str(course.course_dir), "report"])
    err = capsys.readouterr().err
    assert code == 0, err
    return err


def _grade_in_the_formgrader(browser, server, course) -> None:
    """Open ada's submission, type HAND_SCORE into the answer's box, leave the box (the formgrader saves on
    change), and keep a screenshot of the page with the typed score."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        page.goto(server.url("api/status"))  # a login cookie: the formgrader's own API calls need one
        page.goto(server.url(f"formgrader/submissions/{submission_id(course)}"))
        page.wait_for_function(FORMGRADER_READY_JS, timeout=PAGE_TIMEOUT_MS)
        box = page.locator(f"input.score[id='{WORDS_ID}']")
        box.wait_for(state="visible")
        assert box.input_value() == "", "the answer in words already has a score in the formgrader"
        box.scroll_into_view_if_needed()
        box.click()
        box.fill(f"{HAND_SCORE:g}")
        box.press("Tab")  # a change event: the formgrader's Grade model saves itself to the gradebook
        held = wait_for_hand_grade(course, HAND_SCORE)
        assert held == (HAND_SCORE, False), f"the gradebook holds {held} after typing {HAND_SCORE:g}"
        assert box.input_value() == f"{HAND_SCORE:g}"
        box.evaluate("e => { e.scrollIntoView({block: 'center'}); }")
        tally.ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(tally.ARTIFACTS / "hand_grading.png"))
    except Exception:
        tally.ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(tally.ARTIFACTS / "FAILED-hand_grading.png"))
        raise
    finally:
        context.close()


def test_a_hand_grade_in_the_formgrader_reaches_every_report(browser, graded, formgrader, capsys):
    from grader.reports import freshness

    course = graded
    assert words_grade(course) == (None, True), "the answer in words should wait for the instructor"

    # Before: the answer is pending everywhere, and Canvas gets no partial score as if it were final.
    lines = _report(course, capsys)
    before = read_standing(course)
    assert before.pending_points == WORDS_POINTS and before.to_grade_by_hand == WORDS_ID, before
    assert (before.words_pending, before.words_mean) == (1, ""), f"exercises.csv counts the pending answer: {before}"
    assert before.total == before.score and before.total_pending == WORDS_POINTS, before
    assert before.canvas == "", f"canvas_import.csv sent {before.canvas!r} for {LESSON} with an answer pending"
    held = [line for line in lines.splitlines() if "canvas_import.csv" in line and "left out" in line]
    assert len(held) == 1 and f"{STUDENT} {LESSON}" in held[0], lines
    old_grades = (course.reports_dir / "grades.csv").read_text()

    _grade_in_the_formgrader(browser, formgrader, course)

    # Between: the reports were made before the hand grade; the next grader command marks them stale (every
    # command that derives files ends with this sweep: collect, feedback, report).
    freshness.sweep(course)
    marker = course.reports_dir / freshness.MARKER
    assert marker.exists(), "the reports were not marked stale after the hand grade"
    stale_text = marker.read_text()
    assert "graded by hand in the formgrader" in stale_text and "`grader report`" in stale_text, stale_text
    for name in ("grades.csv", "totals.csv", "exercises.csv", "canvas_import.csv"):
        assert f"reports/{name}" in stale_text, f"{name} not named stale:\n{stale_text}"
    assert (course.reports_dir / "grades.csv").read_text() == old_grades, "nothing regenerated the reports yet"

    # After: every report and the Canvas export show the hand grade; nothing is stale any more.
    _report(course, capsys)
    after = read_standing(course)
    expected = before.score + HAND_SCORE
    assert after.pending_points == 0 and after.to_grade_by_hand == "", after
    assert after.score == pytest.approx(expected) and after.max_score == before.max_score, after
    assert after.words_pending == 0 and float(after.words_mean) == pytest.approx(HAND_SCORE), after
    assert after.total == pytest.approx(expected) and after.total_pending == 0, after
    assert after.canvas != "" and float(after.canvas) == pytest.approx(expected), after
    assert not marker.exists(), f"STALE.txt left after `grader report`:\n{marker.read_text()}"
    tally.add("formgrader submissions checked")
    tally.note(f"hand grading: {STUDENT}'s {LESSON}: {before.score:g} (+{before.pending_points:g} pending) "
               f"-> {after.score:g} / {after.max_score:g} after {HAND_SCORE:g} typed in the formgrader; "
               f"Canvas {before.canvas or 'empty'} -> {after.canvas}")
