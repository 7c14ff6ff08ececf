"""A submission made safe to render, for every nbconvert page that shows one (feedback, the formgrader).

Two pieces, set in nbconvert's HTMLExporter by `rendering_config()`:
- SanitizeSubmission, a preprocessor over the outputs: HTML is cleaned (grader.reports.sanitize), markdown
  and LaTeX outputs become cleaned HTML with MathML, and every output kind a page would run or hand to a
  script (application/javascript, widget views, any other type) is dropped, leaving its text/plain. The
  notebook's widget state and an output's request to be shown in an iframe go too.
- `markdown2html`, the filter the templates call on markdown cells: the same rendering as nbconvert's,
  cleaned, with math as MathML (grader.reports.mathml). nbgrader's formgrade and feedback templates call the
  filter without nbconvert's own `sanitize_html` switch, so the filter itself must be safe.
Images (png, jpeg, SVG, which templates show through <img>) and text outputs are kept as they are: the
templates escape text, and an <img> runs no script.
"""

from __future__ import annotations

import html

from jinja2 import pass_context
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool
from traitlets.config import Config

from grader.reports.mathml import markdown_to_html
from grader.reports.sanitize import clean_html

KEPT_AS_IS = {"text/plain", "image/png", "image/jpeg", "image/gif", "image/svg+xml"}
CLAIM_RECORD = "application/vnd.course.claim+json"  # course_lib.claims' record: data, shown by no template
MADE_HTML = ("text/html", "text/markdown", "text/latex")  # the first of these present becomes the output's HTML


def safe_output_data(data: dict) -> dict:
    """An output's mimebundle with only what a page may show, HTML cleaned."""
    kept = {kind: value for kind, value in data.items() if kind in KEPT_AS_IS or kind == CLAIM_RECORD}
    for kind in MADE_HTML:
        if kind in data:
            value = data[kind]
            text = "".join(value) if isinstance(value, list) else str(value)
            kept["text/html"] = clean_html(text) if kind == "text/html" else markdown_to_html(text)
            break
    dropped = sorted(set(data) - set(kept) - set(MADE_HTML))
    if dropped and not (set(kept) - {CLAIM_RECORD}):
        kept["text/plain"] = f"[not shown here: {', '.join(dropped)}]"
    return kept


class SanitizeSubmission(Preprocessor):
    """Every output of a submission reduced to what a page can show without running anything."""

    enabled = Bool(True, help="on unless turned off by name").tag(config=True)

    def preprocess(self, nb, resources):
        nb.metadata.pop("widgets", None)
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        for output in cell.get("outputs", []):
            if "data" in output:
                output["data"] = safe_output_data(output["data"])
                output.get("metadata", {}).pop("text/html", None)  # "isolated": an iframe of the HTML
        if cell.cell_type == "raw":
            cell.source = html.escape(cell.source)
        return cell, resources


@pass_context
def markdown2html(context, source) -> str:
    """Markdown of a cell (with its attachments) or an output, as safe HTML with MathML."""
    cell = context.get("cell") or {}
    return markdown_to_html(str(source), attachments=dict(cell.get("attachments") or {}))


# The lines the course's nbgrader_config.py needs (after its grading config), so that the formgrader and
# nbgrader's own commands render as `grader feedback` does and the formgrader's pages carry the policy.
CONFIG_FILE_LINES = """\
# Submissions render cleaned; feedback uses the grader's page; the formgrader's pages get a CSP.
from grader.patches.formgrader_csp import install as install_formgrader_policy
from grader.reports.feedback import feedback_page_config

c.merge(feedback_page_config())
install_formgrader_policy()
"""


def rendering_config() -> Config:
    """What every HTML rendering of a submission needs (merge it into an nbgrader config)."""
    c = Config()
    c.HTMLExporter.preprocessors = ["grader.reports.safe_render.SanitizeSubmission"]
    c.HTMLExporter.filters = {"markdown2html": "grader.reports.safe_render.markdown2html"}
    return c
