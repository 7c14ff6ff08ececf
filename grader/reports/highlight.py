"""Python code as light HTML: colour for keywords, strings, comments and numbers, nothing for the rest.

nbconvert's highlighting wraps every token in a span (a name, a dot, a space), which made about half of a
feedback page's bytes. Four kinds of token carry most of what colour tells a reader; names, operators and
punctuation are plain text. The colours are in the feedback template's style.
"""

from __future__ import annotations

import html

from pygments.lexers import PythonLexer
from pygments.token import Comment, Keyword, Number, String

KINDS = ((Comment, "c"), (String, "s"), (Keyword, "k"), (Number, "m"))

_LEXER = PythonLexer(stripnl=False, ensurenl=False)


def _kind(token_type) -> str | None:
    for parent, name in KINDS:
        if token_type in parent:
            return name
    return None


def code_html(source: str) -> str:
    """`source` as escaped HTML with a span per run of keyword, string, comment or number."""
    parts: list[str] = []
    run_kind, run = None, []

    def flush():
        text = html.escape("".join(run), quote=False)
        parts.append(f'<span class="{run_kind}">{text}</span>' if run_kind and text.strip() else text)

    for token_type, text in _LEXER.get_tokens(str(source)):
        kind = _kind(token_type)
        if kind != run_kind:
            flush()
            run_kind, run = kind, []
        run.append(text)
    flush()
    return f'<pre class="code">{"".join(parts)}</pre>'
