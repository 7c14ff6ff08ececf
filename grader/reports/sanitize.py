"""The one HTML policy for everything a student wrote or printed, wherever a page shows it.

Student markup (an HTML output, a markdown answer, a cell they added) reaches pages that an instructor opens
with their Jupyter token in reach, and pages other people read. It is cleaned by ammonia (nh3), an allow-list
sanitizer: what is not listed here is dropped. Kept: text formatting, tables, lists, code blocks, images from
data URIs of image types (a plot) or a file beside the page, links to web pages, and MathML (the math that
grader.reports.mathml renders). Dropped: scripts and styles with their content, event handlers, frames,
objects, forms, meta and base elements, inline SVG, ids and names (they could shadow the page's own
elements), and every URL that is not a web link or an image.
"""

from __future__ import annotations

import re

import nh3

TEXT_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del", "details",
    "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strike",
    "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "tt", "u", "ul",
    "var",
}
MATHML_TAGS = {
    "math", "annotation", "menclose", "merror", "mfrac", "mi", "mmultiscripts", "mn", "mo", "mover",
    "mpadded", "mphantom", "mprescripts", "mroot", "mrow", "ms", "mspace", "msqrt", "mstyle", "msub",
    "msubsup", "msup", "mtable", "mtd", "mtext", "mtr", "munder", "munderover", "none", "semantics",
}
ALLOWED_TAGS = TEXT_TAGS | MATHML_TAGS
# Removed with everything inside them: their text is code or style, not prose.
REMOVED_WITH_CONTENT = {"script", "style", "template", "noscript", "iframe", "object", "embed", "svg",
                        "textarea", "select", "title", "xmp", "noembed", "noframes", "plaintext"}

ATTRIBUTES = {
    "*": {"class", "title", "lang", "dir", "style"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align", "valign"},
    "th": {"colspan", "rowspan", "align", "valign", "scope"},
    "col": {"span", "width"},
    "colgroup": {"span", "width"},
    "table": {"border", "cellpadding", "cellspacing"},
    "ol": {"start", "type", "reversed"},
    "li": {"value"},
    "details": {"open"},
    "math": {"display", "xmlns"},
    "mi": {"mathvariant"},
    "mn": {"mathvariant"},
    "mtext": {"mathvariant"},
    "mo": {"stretchy", "fence", "form", "separator", "lspace", "rspace", "largeop", "movablelimits",
           "accent", "minsize", "maxsize", "symmetric", "mathvariant"},
    "mover": {"accent"},
    "munder": {"accentunder"},
    "munderover": {"accent", "accentunder"},
    "mfrac": {"linethickness"},
    "mstyle": {"displaystyle", "scriptlevel", "mathvariant"},
    "mtable": {"columnalign", "rowalign", "columnspacing", "rowspacing", "columnlines", "rowlines", "frame",
               "displaystyle"},
    "mtr": {"columnalign", "rowalign"},
    "mtd": {"columnalign", "rowalign", "columnspan", "rowspan"},
    "mspace": {"width", "height", "depth"},
    "mpadded": {"width", "height", "depth", "lspace", "voffset"},
    "menclose": {"notation"},
    "annotation": {"encoding"},
}
# Properties that change how text looks, never where a box sits (no position, no z-index, no url()).
STYLE_PROPERTIES = {
    "color", "background-color", "text-align", "font-weight", "font-style", "font-size", "text-decoration",
    "vertical-align", "white-space", "width", "max-width", "height", "border", "border-collapse",
    "padding", "margin",
}
IMAGE_DATA_URI = re.compile(r"data:image/(png|jpeg|gif|webp|svg\+xml)(;[\w=.+-]+)*(;base64)?,", re.IGNORECASE)
WEB_LINK = re.compile(r"(https?:|mailto:)", re.IGNORECASE)
STYLE_VALUE = re.compile(r"^[\w\s#%.,+-]*$")  # no function (expression(), url()), escape or comment


def _relative(url: str) -> bool:
    """A path on the page's own site, which names no other host (//host and \\\\host do)."""
    return not re.match(r"^\s*([a-zA-Z][\w+.-]*:|[/\\]{2})", url)


def _keep_url(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        # An image's script never runs (an SVG in <img> is inert); another host would learn who looked.
        return value if IMAGE_DATA_URI.match(value) or (_relative(value) and value.strip()) else None
    if tag == "a" and attribute == "href":
        return value if WEB_LINK.match(value.strip()) or _relative(value) else None
    if attribute == "style":
        return _kept_style(value)
    return value


def _kept_style(value: str) -> str | None:
    kept = []
    for declaration in value.split(";"):
        name, _, setting = declaration.partition(":")
        name, setting = name.strip().lower(), setting.strip()
        if name in STYLE_PROPERTIES and setting and STYLE_VALUE.match(setting):
            kept.append(f"{name}: {setting}")
    return "; ".join(kept) or None


_CLEANER = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags=REMOVED_WITH_CONTENT,
    attributes=ATTRIBUTES,
    attribute_filter=_keep_url,
    url_schemes={"http", "https", "mailto", "data"},
    strip_comments=True,
    link_rel="noopener noreferrer nofollow",
)


def clean_html(fragment: str) -> str:
    """`fragment` with everything that could run, load from elsewhere or mimic the page taken out."""
    return _CLEANER.clean(fragment if isinstance(fragment, str) else str(fragment))
