"""Nothing a student writes runs where an instructor or a student looks (issue 34, item 4).

mallory's graded submission carries every kind of markup attack (tests/browser/markup_attacks.py): each
would set `window.__pwned` or the page title. Opened in the formgrader (served by JupyterLab with the
course's nbgrader_config.py, as an instructor opens it) and as her feedback page (from disk, offline, as a
student reads it), no attack runs, her plot and her math are still shown, the formgrader's own scripts
still work, and the feedback page names each test and shows the failing message whole.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

import markup_attacks
import tally
from lab_server import LabServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
VIEWPORT = {"width": 1280, "height": 900}

PWNED_JS = "() => ({pwned: window.__pwned === undefined ? null : String(window.__pwned), title: document.title})"
# The plot drawn, and every formula laid out as MathML (a box of its own, not raw LaTeX).
SHOWN_JS = """() => {
  const plots = [...document.querySelectorAll('img[src^="data:image/png"]')];
  const maths = [...document.querySelectorAll('math')];
  return {plots: plots.map(i => i.complete ? i.naturalWidth : 0),
          maths: maths.map(m => m.getBoundingClientRect().height),
          // rendered text and outputs only: the code cells quote her LaTeX as Python strings
          rawTex: [...document.querySelectorAll('.text_cell_render, .output_subarea, .cell > .rendered, .output > .rendered')]
                  .map(e => e.innerText).filter(t => /\\\\(frac|sum)/.test(t))};
}"""


@pytest.fixture(scope="module")
def attacked(browser, tmp_path_factory):
    from grader.pipeline.stages import write_config_file
    from grader.reports.safe_render import CONFIG_FILE_LINES

    course, outcome, pages = markup_attacks.graded_course(tmp_path_factory.mktemp("markup"))
    assert outcome.status == "ok", outcome.reason
    write_config_file(course)
    config = course.course_dir / "nbgrader_config.py"
    if CONFIG_FILE_LINES not in config.read_text():
        # grader.pipeline.stages does not write these lines yet: the formgrader is set up as it will be.
        config.write_text(config.read_text() + "\n" + CONFIG_FILE_LINES)
        tally.note("markup attacks: the course config lacked the rendering lines; the test added them")
    server = LabServer(course.course_dir, tmp_path_factory.mktemp("markup-jupyter"), "markup-lab").start(timeout=240)
    yield course, pages[0], server
    server.stop()


def _submission_id(course) -> str:
    with Gradebook(course.gradebook_url) as gradebook:
        return gradebook.find_submission_notebook(markup_attacks.LESSON, markup_attacks.LESSON,
                                                  markup_attacks.STUDENT).id


def _assert_nothing_ran(page, title: str, where: str) -> None:
    state = page.evaluate(PWNED_JS)
    assert state == {"pwned": None, "title": title}, f"{where}: a student's markup ran: {state}"


def _assert_plot_and_math(page, where: str) -> None:
    shown = page.evaluate(SHOWN_JS)
    assert shown["plots"] and all(width > 0 for width in shown["plots"]), f"{where}: the plot is not drawn: {shown}"
    assert len(shown["maths"]) >= 3 and all(h > 0 for h in shown["maths"]), f"{where}: math not laid out: {shown}"
    assert not shown["rawTex"], f"{where}: LaTeX source shown instead of math: {shown['rawTex']}"


def test_the_formgrader_runs_no_student_markup_and_still_shows_plots_and_math(browser, attacked):
    course, _, server = attacked
    url = server.url(f"formgrader/submissions/{_submission_id(course)}/")
    with urllib.request.urlopen(url, timeout=60) as response:
        policy = response.headers.get("Content-Security-Policy", "")
    assert "script-src" in policy and "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";")[0], policy
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.goto(server.url("api/status"))  # a login cookie for the formgrader's own API calls
    page.goto(url)
    # The formgrader's own scripts ran (its inline settings, jQuery, and the grades it fetched).
    page.wait_for_function("() => window.submission_id && window.jQuery && document.querySelector('input.score')")
    page.wait_for_function("() => [...document.querySelectorAll('input.score')].some(i => i.placeholder)")
    page.wait_for_timeout(1000)  # an onerror or a refresh would have fired by now
    _assert_nothing_ran(page, markup_attacks.LESSON, "formgrader")
    assert page.url.startswith(url.split("?")[0]), f"the formgrader page was sent elsewhere: {page.url}"
    _assert_plot_and_math(page, "formgrader")
    # Her outputs, the plot and the math in view, under the formgrader's bar.
    page.locator(".output_html b").first.evaluate("e => { e.scrollIntoView({block: 'start'}); scrollBy(0, -120); }")
    page.screenshot(path=str(DOCS_IMG / "formgrader_sanitized.png"))
    context.close()
    tally.note("markup attacks: formgrader ran none, showed the plot and "
               f"math; policy: {policy[:80]}...")


def test_the_feedback_page_runs_nothing_and_reads_offline(browser, attacked):
    course, page_path, _ = attacked
    autograded = json.loads(course.autograded_notebook(markup_attacks.STUDENT, markup_attacks.LESSON).read_text())
    failures = [o for c in autograded["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"
                and c["metadata"].get("nbgrader", {}).get("grade_id", "").startswith("test_")]
    assert failures, "mallory's answer was meant to fail a hidden test"
    context = browser.new_context(viewport=VIEWPORT, offline=True)
    page = context.new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(page_path.as_uri())
    page.wait_for_load_state("load")
    page.wait_for_timeout(1000)
    _assert_nothing_ran(page, f"{markup_attacks.LESSON}: feedback", "feedback page")
    _assert_plot_and_math(page, "feedback page")
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == [], requests
    summary = page.locator(".summary").inner_text()
    for name in ("double", "double · arrays", markup_attacks.WORDS_ID):
        assert name in summary, f"the summary does not name {name}: {summary}"
    assert "Test cell" not in summary
    message = page.locator("pre.error").first
    shown = message.inner_text()
    assert failures[0]["evalue"].strip() in shown, (failures[0]["evalue"], shown)
    clipped = message.evaluate("e => e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1")
    assert not clipped, "the failing message is clipped"
    page.screenshot(path=str(DOCS_IMG / "feedback_offline.png"), full_page=True)
    context.close()
    tally.note(f"markup attacks: feedback page {page_path.stat().st_size} bytes, offline, nothing ran")
