"""The formgrader's pages with a Content-Security-Policy under which no script of a student's can run.

The formgrader renders a submission inside the instructor's Jupyter server, where a script would act with
the instructor's token. Its content is cleaned before it is rendered (grader.reports.safe_render); this is
the second wall. Every formgrader page is served with a policy that lets scripts run only from the
formgrader's own static folder, plus the inline scripts and handlers its own templates write, each allowed
by its hash. Which inline scripts are its own is known without trusting the page: for a submission, the
template is rendered once more on an empty notebook with the same settings, and only what that page holds
is allowed, so nothing a submission adds can match. Files of a submission served by the formgrader get a
sandbox, so an HTML file a student handed in runs nothing. The one outside script allowed is the MathJax
the formgrade template itself loads from its CDN (formgrade.js sets up its keyboard shortcuts only once
MathJax is there); the math of a submission is MathML already, so offline nothing is lost but those.

`install()` runs inside the Jupyter server, from the course's nbgrader_config.py (the formgrader loads it
when it starts, and again on many requests: installing is idempotent and does nothing in processes where the
formgrader is not loaded).
"""

from __future__ import annotations

import base64
import copy
import functools
import hashlib
import sys
from html.parser import HTMLParser

from grader.patches.guard import Touch

FORMGRADER_BASE = "nbgrader.server_extensions.formgrader.base"
MATHJAX_CDN = "https://cdnjs.cloudflare.com/ajax/libs/mathjax/"  # nbconvert's mathjax() macro, MathJax files only
FILES_POLICY = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox"


class _InlineScripts(HTMLParser):
    """The text of every <script> without src, and the value of every on* attribute, as the browser hashes them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.handlers: list[str] = []
        self._inline = False
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.handlers += [value or "" for name, value in attrs if name.startswith("on")]
        if tag == "script":
            self._inline = not any(name == "src" for name, _ in attrs)
            self._text = []

    def handle_data(self, data):
        if self._inline:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._inline:
            self.scripts.append("".join(self._text))
            self._inline = False


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def inline_sources(page: str) -> set[str]:
    """CSP sources that allow exactly the inline scripts and handlers of `page` (a formgrader template's own)."""
    parser = _InlineScripts()
    parser.feed(page)
    parser.close()
    sources = {_hash(s) for s in parser.scripts} | {_hash(h) for h in parser.handlers}
    if parser.handlers:
        sources.add("'unsafe-hashes'")  # a hash allows a handler attribute only with this keyword
    return sources


def policy(script_sources) -> str:
    return "; ".join([
        "default-src 'self'",
        "script-src " + " ".join(sorted(script_sources)),
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ])


class _PatchedProperty(property):
    """A property that remembers the one it replaced (grader.patches.guard reads `nbgrader_original`)."""

    nbgrader_original = None


def _static_folder(handler) -> str:
    request = handler.request
    return f"{request.protocol}://{request.host}{handler.base_url}/formgrader/static/"


def _content_security_policy(handler) -> str:
    from tornado.web import StaticFileHandler

    if isinstance(handler, StaticFileHandler):  # a file of a submission, or of the course
        return FILES_POLICY
    return policy({_static_folder(handler), MATHJAX_CDN, *getattr(handler, "_own_inline", set())})


def _trust_own_page(handler, page: str) -> None:
    handler._own_inline = getattr(handler, "_own_inline", set()) | inline_sources(page)
    handler.set_header("Content-Security-Policy", _content_security_policy(handler))


class _OwnScriptsExporter:
    """The formgrader's exporter, which also learns the inline scripts of its template on an empty notebook."""

    def __init__(self, exporter, handler):
        self._exporter, self._handler = exporter, handler

    def from_filename(self, filename, resources=None, **kw):
        from nbformat.v4 import new_notebook

        page, result = self._exporter.from_filename(filename, resources=copy.deepcopy(resources), **kw)
        empty, _ = self._exporter.from_notebook_node(new_notebook(), resources=copy.deepcopy(resources))
        _trust_own_page(self._handler, empty)
        return page, result

    def __getattr__(self, name):
        return getattr(self._exporter, name)


def install() -> bool:
    """Put the policy on the formgrader's handlers of this process; False where the formgrader is not loaded."""
    base = sys.modules.get(FORMGRADER_BASE)
    if base is None:
        return False
    handler_class = base.BaseHandler
    if getattr(handler_class.__dict__.get("render"), "nbgrader_original", None) is not None:
        return True
    original_render = handler_class.render
    original_exporter = handler_class.__dict__["exporter"]

    @functools.wraps(original_render)
    def render(self, name, **ns):
        page = original_render(self, name, **ns)
        _trust_own_page(self, page)  # a formgrader page from its own template and the gradebook's names
        return page

    render.nbgrader_original = original_render

    exporter = _PatchedProperty(lambda self: _OwnScriptsExporter(original_exporter.fget(self), self))
    exporter.nbgrader_original = original_exporter
    csp = _PatchedProperty(_content_security_policy)
    handler_class.render = render
    handler_class.exporter = exporter
    handler_class.content_security_policy = csp
    return True


TOUCHES = [
    Touch("grader.patches.formgrader_csp", "nbgrader.server_extensions.formgrader.base:BaseHandler.render",
          "nbgrader", "0.9.6", "50f74f47da192a35",
          "renders one of the formgrader's templates by name and returns the page"),
    Touch("grader.patches.formgrader_csp", "nbgrader.server_extensions.formgrader.base:BaseHandler.exporter",
          "nbgrader", "0.9.6", "8234b9654af25296",
          "the one HTMLExporter of the server's settings"),
    Touch("grader.patches.formgrader_csp", "nbgrader.server_extensions.formgrader.handlers:SubmissionHandler.get",
          "nbgrader", "0.9.6", "2dcdfe27877cf804",
          "renders the submission with self.exporter.from_filename(filename, resources=resources) and writes it"),
    Touch("grader.patches.formgrader_csp", "jupyter_server.base.handlers:JupyterHandler.set_default_headers",
          "jupyter_server", "2.21.1", "83551593f04b5513",
          "sets the Content-Security-Policy header from self.content_security_policy"),
]
