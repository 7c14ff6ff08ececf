"""The course as its users meet it: JupyterLab in headless Chromium, driven through Playwright.

A student opens each lesson and runs it up to the first exercise; finishes it (the solution's code typed
into the answer cells), drags a slider of the lesson's widget and sees the figure redrawn; presses nbgrader's
Validate button. An instructor opens the formgrader on the demo course and finds the sample class graded.
Every test of this file shares one JupyterLab server per role, so they must run in one process (they do
under `pytest -n 2 --dist loadfile`: one file, one worker).
"""

from __future__ import annotations

import dataclasses
import time

import pytest
from nbgrader.api import Gradebook

from grader.pipeline.outcomes import Ledger

import synthetic_widgets
import tally
from lab_page import error_outputs, png_of, seconds_taken
from student_files import answer_cells, has_solution, lesson_names

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LESSONS = lesson_names()
FINISHED = [name for name in LESSONS if has_solution(name)]
RUN_TIMEOUT_S = 900       # a whole lesson, live widgets and progress bars included, on two busy cores
REDRAW_TIMEOUT_S = 300    # one widget recomputation (some train a small network)
VALIDATE_TIMEOUT_S = 900  # nbgrader re-executes the whole notebook on the server

def _slowest(cells: list[dict]) -> str:
    timed = [(seconds_taken(c), c["index"]) for c in cells if c["type"] == "code" and seconds_taken(c) is not None]
    if not timed:
        return "no timings"
    seconds, index = max(timed)
    return f"slowest cell {index + 1}: {seconds:.1f} s"


def _no_errors(lab, cells: list[dict], what: str) -> None:
    problems = error_outputs(cells)
    assert not problems, f"{what}: error output in the notebook:\n" + "\n".join(problems)
    assert not lab.console.errors, f"{what}: errors in the browser console:\n" + "\n".join(lab.console.errors)


@pytest.mark.parametrize("lesson", LESSONS)
def test_lesson_opens_and_runs_up_to_its_first_exercise(lesson, student):
    student.open_notebook(f"{lesson}.ipynb")
    tally.add("lessons opened")
    stop = student.first_exercise()
    started = time.monotonic()
    state = student.run_all_above(stop, RUN_TIMEOUT_S)
    elapsed = time.monotonic() - started
    tally.note(f"{lesson}: {stop} cells above the first exercise ran in {elapsed:.0f} s ({_slowest(state['cells'])})")
    _no_errors(student, state["cells"], f"{lesson} up to its first exercise")


@pytest.mark.parametrize("lesson", FINISHED)
def test_finished_lesson_redraws_its_widget_when_a_slider_moves(lesson, student):
    student.open_notebook(f"filled/{lesson}.ipynb")
    started = time.monotonic()
    state = student.run_all(RUN_TIMEOUT_S)
    elapsed = time.monotonic() - started
    problems = error_outputs(state["cells"])
    assert not problems, f"{lesson} finished, Run All: error output in the notebook:\n" + "\n".join(problems)

    index, widget = student.main_widget()
    assert widget is not None, f"{lesson}: no widget with a slider appeared after Run All"
    before = png_of(widget)
    assert before, f"{lesson}: the widget in cell {index + 1} shows no figure"
    tally.ARTIFACTS.mkdir(parents=True, exist_ok=True)
    widget.screenshot(path=str(tally.ARTIFACTS / f"{lesson}.png"))
    blemishes = {kind: set(found) for kind, found in student.widget_blemishes(widget).items()}

    move = student.move_first_slider(widget)
    tally.add("widgets moved")
    moved_at = time.monotonic()
    after = before
    while time.monotonic() - moved_at < REDRAW_TIMEOUT_S and after in (before, b""):
        time.sleep(0.5)
        after = png_of(widget)
    redraw = time.monotonic() - moved_at
    assert after not in (before, b""), (f"{lesson}: slider {move.label!r} moved {move.before} -> {move.after} "
                                        f"but the figure did not change within {REDRAW_TIMEOUT_S} s")
    widget.screenshot(path=str(tally.ARTIFACTS / f"{lesson}-moved.png"))
    shown = widget.locator(".widget-output [data-mime-type='application/vnd.jupyter.stderr']")
    assert not shown.count(), f"{lesson}: the widget printed an error after the move:\n{shown.first.inner_text()}"
    tally.note(f"{lesson}: finished notebook ran in {elapsed:.0f} s ({_slowest(state['cells'])}); "
               f"slider {move.label!r} {move.before} -> {move.after} redrew the figure in {redraw:.1f} s")
    for kind, found in student.widget_blemishes(widget).items():
        blemishes.setdefault(kind, set()).update(found)
    _no_blemishes(lesson, student, blemishes)


def _no_blemishes(lesson, lab, blemishes: dict) -> None:
    """A widget reads cleanly: no names cut short, no placeholder left where a bar was, a quiet console."""
    assert not lab.console.errors, f"{lesson}: errors in the browser console:\n" + "\n".join(lab.console.errors)
    found = {kind: sorted(items) for kind, items in blemishes.items() if items}
    assert not found, f"{lesson}: the widget shows " + "; ".join(f"{k}: {', '.join(v)}" for k, v in found.items())


def test_a_live_figure_updates_in_place_and_answers_the_keyboard(student, student_root):
    """course_lib.widgets' in-place figure, on a notebook of its own: one picture element whose image is
    replaced, a readout that follows the slider, arrow keys to move it, Tab and Enter to reset it."""
    path = synthetic_widgets.write_notebooks(student_root)[synthetic_widgets.IN_PLACE_NAME]
    student.open_notebook(path.name)
    state = student.run_all(RUN_TIMEOUT_S)
    problems = error_outputs(state["cells"])
    assert not problems, "the in-place widget's notebook failed:\n" + "\n".join(problems)
    index, widget = student.main_widget()
    assert widget is not None, "no widget with a slider appeared"
    image = widget.locator("img.course-live-image")
    image.first.wait_for()
    image.first.evaluate("(img) => { img.dataset.seen = 'before'; }")  # the same element must stay
    slider = widget.locator(".course-main-slider").first
    value = slider.locator(".widget-readout").first
    start, picture = value.inner_text().strip(), png_of(widget)

    slider.locator(".noUi-handle").first.focus()
    student.page.keyboard.press("ArrowRight")
    deadline = time.monotonic() + REDRAW_TIMEOUT_S
    while png_of(widget) == picture and time.monotonic() < deadline:
        time.sleep(0.2)
    moved = value.inner_text().strip()
    assert moved != start, f"the arrow key did not move the slider ({start})"
    assert png_of(widget) != picture, f"slider {start} -> {moved}: the picture did not change"
    assert image.count() == 1 and image.first.evaluate("(img) => img.dataset.seen") == "before", \
        "the picture was rebuilt instead of updated in place"
    readout = widget.locator(".course-readout")
    deadline = time.monotonic() + REDRAW_TIMEOUT_S
    while _readout_row(readout, "lr") != moved and time.monotonic() < deadline:
        time.sleep(0.2)
    assert float(_readout_row(readout, "lr")) == pytest.approx(float(moved), rel=1e-2), \
        f"the readout shows lr {_readout_row(readout, 'lr')}, the slider {moved}"
    tally.ARTIFACTS.mkdir(parents=True, exist_ok=True)
    widget.screenshot(path=str(tally.ARTIFACTS / "live-figure.png"))

    for _ in range(4):  # from the slider's handle, past its editable readout, to the reset button
        student.page.keyboard.press("Tab")
        if student.page.evaluate("() => document.activeElement.classList.contains('course-reset')"):
            break
    assert student.page.evaluate("() => document.activeElement.classList.contains('course-reset')"), \
        "Tab does not reach the reset button"
    student.page.keyboard.press("Enter")
    deadline = time.monotonic() + REDRAW_TIMEOUT_S
    while value.inner_text().strip() == moved and time.monotonic() < deadline:
        time.sleep(0.2)
    assert float(value.inner_text().strip()) == pytest.approx(float(start), rel=1e-2), \
        f"reset left the slider at {value.inner_text().strip()}, it started at {start}"
    shown = widget.locator("[data-mime-type='application/vnd.jupyter.stderr']")
    assert not shown.count(), f"the widget printed an error:\n{shown.first.inner_text()}"
    assert not student.console.errors, "\n".join(student.console.errors)
    tally.add("widgets moved")
    tally.note(f"live figure: lr {start} -> {moved} by keyboard, the picture replaced in place, reset by keyboard")


def _readout_row(readout, label: str) -> str | None:
    return readout.evaluate("""(root, label) => {
        for (const row of root.querySelectorAll('tr')) {
          const th = row.querySelector('th'), td = row.querySelector('td');
          if (th && td && th.textContent.trim() === label) return td.textContent.trim();
        }
        return null; }""", label)


@pytest.mark.parametrize("lesson", FINISHED)
def test_validate_passes_on_a_finished_lesson(lesson, student):
    student.open_notebook(f"filled/{lesson}.ipynb")
    result = student.validate(VALIDATE_TIMEOUT_S)
    tally.add("Validate runs")
    assert result.success, f"{lesson}: Validate on the finished notebook said {result.title!r}:\n{result.text[:3000]}"
    assert "passes all the tests" in result.text
    assert not student.console.errors, "\n".join(student.console.errors)


@pytest.mark.parametrize("lesson", LESSONS)
def test_validate_names_the_failures_of_a_blank_lesson(lesson, student):
    student.open_notebook(f"{lesson}.ipynb")
    result = student.validate(VALIDATE_TIMEOUT_S)
    tally.add("Validate runs")
    assert not result.success, f"{lesson}: Validate passed a notebook with no answers"
    first = answer_cells(lesson)[0]
    assert first in result.text, (f"{lesson}: Validate failed without naming {first}, the first exercise:\n"
                                  f"{result.text[:2000]}")
    assert "NotImplementedError" in result.text, result.text[:2000]
    tally.note(f"{lesson}: Validate on the blank notebook: {result.title!r}, {result.failed_cells} failing cell(s)")


def _ledger(course_dir) -> dict:
    """The demo's outcomes as plain dicts, keyed as the ledger keys them."""
    return {key: dataclasses.asdict(o) for key, o in Ledger(course_dir).load().items()}


def test_formgrader_shows_the_sample_class_graded(instructor, demo_course):
    outcomes = _ledger(demo_course)
    lesson = next(iter(outcomes.values()))["lesson"]
    instructor.open_lab()
    page = instructor.page
    page.locator("#jp-mainmenu-nbgrader, .lm-MenuBar-itemLabel:text-is('Nbgrader')").first.click()
    page.locator(".lm-Menu-itemLabel:text-is('Formgrader')").first.click()
    formgrader = page.frame_locator("iframe").first
    row = formgrader.locator("tr").filter(has=formgrader.locator("td.name", has_text=lesson))
    row.wait_for()
    submissions = row.locator("td.num-submissions a")
    assert submissions.inner_text().strip() == str(len(outcomes)), row.inner_text()
    submissions.click()
    formgrader.locator("#main-table tr td.student-id").first.wait_for()
    seen = {}
    for tr in formgrader.locator("#main-table tr").all():
        seen[tr.locator("td.student-id").inner_text().strip()] = (tr.locator("td.status").inner_text().strip(),
                                                                   tr.locator("td.score").inner_text().strip())
    tally.ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(tally.ARTIFACTS / "formgrader-submissions.png"))
    for outcome in outcomes.values():
        status, score = seen.get(outcome["student"], ("missing", ""))
        if outcome["score"] is None:  # unreadable or withheld for review: never a score in the gradebook
            assert status != "graded" and not score, f"{outcome['student']}: formgrader shows {status} {score}"
        else:
            expected = f"{outcome['score']:g} / {outcome['max_score']:g}"
            # Answers in words wait for the instructor: the formgrader says so, beside the automatic score.
            wanted = "needs manual grading" if outcome.get("pending") else "graded"
            assert (status, score) == (wanted, expected), f"{outcome['student']}: formgrader shows {status} " \
                                                              f"{score}, the grader said {expected}"
        tally.add("formgrader submissions checked")
    assert not instructor.console.errors, "\n".join(instructor.console.errors)
    tally.note(f"formgrader: {lesson}: " + ", ".join(f"{s} {v[0]} {v[1]}".strip() for s, v in sorted(seen.items())))


def test_answers_in_words_wait_for_the_instructor_in_the_formgrader(instructor, demo_course):
    outcomes = _ledger(demo_course)
    waiting = [o for o in outcomes.values() if o.get("pending") and o["score"] is not None]
    assert waiting, "the demo class has no answer in words left for the formgrader"
    outcome = waiting[0]
    lesson, student = outcome["lesson"], outcome["student"]
    with Gradebook(f"sqlite:///{demo_course / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission_notebook(lesson, lesson, student)
        submission_id = submission.id
        waiting = {g.name for g in submission.grades if g.needs_manual_grade}
    assert set(outcome["pending"]) <= waiting, f"the gradebook does not ask for {outcome['pending']} by hand"
    page = instructor.page
    page.goto(instructor.server.url(f"formgrader/submissions/{submission_id}"))
    for grade_id in outcome["pending"]:
        # The question's cell is on the page with a score box, empty until the instructor fills it.
        box = page.locator(f"input.score[id='{grade_id}']")
        box.wait_for(state="attached")
        assert box.input_value() == "", f"{student}: {grade_id} already has a score in the formgrader"
        box.scroll_into_view_if_needed()
    tally.ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(tally.ARTIFACTS / "formgrader-manual-grading.png"), full_page=True)
    tally.note(f"formgrader: {student}'s {lesson}: {', '.join(outcome['pending'])} wait for a grade by hand")
