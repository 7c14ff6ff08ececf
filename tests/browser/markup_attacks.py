"""A graded course whose one student, mallory, puts every kind of markup attack into her submission.

Each attack, if it ran, would set `window.__pwned` (or the page title) in the browser of whoever opens the
page; beside them she shows a plot (a PNG output) and math, which must still be seen. The course is the
mini course of tests/minicourse.py with an answer in words added, graded by the grader itself.
"""

from __future__ import annotations

import sys
from pathlib import Path

from nbformat.v4 import new_code_cell, new_markdown_cell

TESTS = Path(__file__).resolve().parent.parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

import minicourse  # noqa: E402

STUDENT = "mallory"
LESSON = minicourse.LESSON
MARKER = "window.__pwned"
WORDS_ID = "q_why_double"

# Code appended to her answer cell: a wrong answer for negative inputs (a hidden test fails, so her page has
# a failing message), every output type a page might run, then a plot and a formula.
ATTACK_OUTPUTS = r'''
def double(x):
    return 2 * x + (x < 0)

from IPython.display import HTML, SVG, Image, Javascript, Latex, Markdown, Math, display

display(HTML("<script>window.__pwned = 'html script'</script><b>bold from HTML</b>"
             "<img src=x onerror=\"window.__pwned = 'html onerror'\">"))
display(Javascript("window.__pwned = 'javascript output'"))
display(Markdown("<img src=x onerror=\"window.__pwned = 'markdown onerror'\"> markdown output with "
                 "$\\frac{a}{b}$ [a link](javascript:window.__pwned='markdown link')"))
display(SVG('<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20" '
            'onload="window.__pwned = \'svg onload\'"><rect width="20" height="20"/></svg>'))
display(HTML('<iframe srcdoc="<script>parent.__pwned = 1</script>"></iframe>'
             '<details open ontoggle="window.__pwned = \'details\'">x</details>'))
display({"application/vnd.jupyter.widget-view+json": {"model_id": "x", "version_major": 2,
         "version_minor": 0}, "text/plain": "a widget"}, raw=True)
display(Math(r"\sum_{i=1}^{n} x_i^2"))

import io
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

figure, axes = plt.subplots(figsize=(3, 2), dpi=60)
axes.plot([0, 1, 2], [0, 1, 4])
buffer = io.BytesIO()
figure.savefig(buffer, format="png")
plt.close(figure)
display(Image(data=buffer.getvalue()))
'''

# Her answer in words: raw HTML in markdown, with math.
ANSWER_IN_WORDS = (
    "Doubling is linear: $f(x) = 2x$, so $$\\frac{\\partial f}{\\partial x} = 2.$$\n\n"
    "<img src=x onerror=\"document.title = 'pwned by answer'\">\n"
    "<script>window.__pwned = 'answer script'</script>\n"
    "<a href=\"data:text/html,<script>alert(1)</script>\">data link</a>\n"
)

# A markdown cell she added herself.
ADDED_CELL = (
    "## My notes\n\n"
    "<svg><script>window.__pwned = 'svg script'</script></svg>\n"
    "<input autofocus onfocus=\"window.__pwned = 'autofocus'\">\n"
    "<object data=\"javascript:window.__pwned = 'object'\"></object>"
    "<embed src=\"javascript:window.__pwned = 'embed'\">\n"
    "<form action=\"javascript:window.__pwned = 'form'\"><button>send</button></form>\n"
    "<base href=\"http://attacker.invalid/\">\n"
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:window.__pwned = 'meta'\">\n"
    "<div style=\"width: expression(window.__pwned = 'css'); position: fixed\">styled</div>\n"
    "[click me](javascript:window.__pwned='link')\n"
)


def _words_cell():
    meta = {"nbgrader": {"grade": True, "grade_id": WORDS_ID, "locked": False, "schema_version": 3,
                         "solution": True, "task": False, "points": 1}}
    return new_markdown_cell("Why does `double` have the same gradient everywhere?\n\n"
                             "### BEGIN SOLUTION\nBecause it is linear.\n### END SOLUTION", metadata=meta)


def make_repo(root: Path) -> Path:
    repo = minicourse.make_repo(root)
    import nbformat

    path = repo / "solutions" / f"{minicourse.LESSON}.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    nb.cells.append(_words_cell())
    nbformat.write(nb, str(path))
    return repo


def attack_submission(course):
    """Mallory's notebook: the released lesson answered right, with every attack beside the answer."""
    from grader.course import samples
    from grader.course.notebooks import nbgrader_meta

    nb = samples.plant(samples.filled_in(course, minicourse.LESSON), "double", ATTACK_OUTPUTS)
    for cell in nb.cells:
        if nbgrader_meta(cell).get("grade_id") == WORDS_ID:
            cell.source = ANSWER_IN_WORDS
    nb.cells.append(new_markdown_cell(ADDED_CELL))
    nb.cells.append(new_code_cell("1 + 1"))
    return nb


def graded_course(root: Path):
    """The course released, mallory's submission collected and graded, her feedback page written."""
    from grader.course import samples
    from grader.course.folder import Course
    from grader.course.limits import Limits
    from grader.delivery.release import prepare_assignments
    from grader.pipeline.autograde import autograde
    from grader.reports.feedback import generate_feedback

    repo = make_repo(root / "repo")
    course = Course(Course.at(repo).repo, root / "course")
    prepare_assignments(course, course.resolve_lessons())
    samples.write(attack_submission(course), course.submitted_notebook(STUDENT, minicourse.LESSON))
    (outcome,) = autograde(course, students=[STUDENT], limits=Limits(cell_timeout=60))
    pages = generate_feedback(course, students=[STUDENT])
    return course, outcome, pages
