"""Markdown as safe HTML with its math already typeset: a page that shows it needs no script and no network.

nbconvert's renderer leaves `$...$` for MathJax, which a page would fetch from a CDN (offline it stays raw
LaTeX) and which is a script the page would have to allow. Here each formula becomes MathML on the server
(latex2mathml), which browsers draw themselves. A formula it cannot convert is shown as its LaTeX source.
The result goes through grader.reports.sanitize, so markup a student wrote around the math cannot run.

The course's claim markers (`<!-- claim: ... -->`, course_lib.claims) are removed before rendering: in
markdown a line that starts with an HTML comment starts a block of raw HTML, which ended the paragraph beside
the checked number.
"""

from __future__ import annotations

import html

from course_lib.claims import MARKER
from grader.reports.sanitize import clean_html


def tex_to_mathml(tex: str, display: bool) -> str:
    """MathML for one formula, or its source in a code span when it cannot be converted."""
    from latex2mathml.converter import convert

    # latex2mathml knows align* but not aligned, which means the same inside a formula
    tex = tex.replace("{aligned}", "{align*}")
    try:
        return convert(tex.strip(), display="block" if display else "inline")
    except Exception:  # latex2mathml raises many kinds (its own, IndexError, KeyError) on TeX it does not know
        return f'<code class="tex">{html.escape(tex)}</code>'


def _environment_as_tex(name: str, body: str) -> str:
    """\\begin{name}...\\end{name} as latex2mathml reads it (an equation is its body)."""
    if name.rstrip("*") == "equation":
        return body
    return f"\\begin{{{name}}}{body}\\end{{{name}}}"


def _renderer_class():
    from nbconvert.filters.markdown_mistune import IPythonRenderer

    class MathMLRenderer(IPythonRenderer):
        def block_math(self, body: str) -> str:
            return tex_to_mathml(body, display=True)

        def inline_math(self, body: str) -> str:
            return tex_to_mathml(body, display=False)

        def latex_environment(self, name: str, body: str) -> str:
            return tex_to_mathml(_environment_as_tex(name, body), display=True)

    return MathMLRenderer


_RENDERER = None


def without_claim_markers(source: str) -> str:
    return MARKER.sub("", source)


def markdown_to_html(source: str, attachments: dict | None = None) -> str:
    """`source` (markdown with math) as sanitized HTML; attachments: the cell's, for `attachment:` images."""
    global _RENDERER
    from nbconvert.filters.markdown_mistune import MarkdownWithMath

    if _RENDERER is None:
        _RENDERER = _renderer_class()
    # anchors off: the heading ids they need are removed by the sanitizer anyway
    renderer = _RENDERER(escape=False, attachments=attachments or {}, exclude_anchor_links=True)
    try:
        rendered = MarkdownWithMath(renderer=renderer).render(without_claim_markers(source))
    except Exception:  # a missing attachment or a parser error: the text as it was written
        rendered = f"<pre>{html.escape(source)}</pre>"
    return clean_html(rendered)
