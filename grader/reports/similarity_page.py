"""reports/similarity_<lesson>.html: the alike pairs of a lesson by student name, for an instructor to read.

In place of copydetect's stock report (unlabelled axes, the temporary paths it compared, its configuration
as raw JSON): who was compared, a histogram of every pair's overlap with the threshold marked, the pairs
above it, and each pair's code side by side with the shared parts marked. No script, nothing loaded from
elsewhere; the students' code is escaped by copydetect and cleaned again (grader.reports.sanitize).
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

from grader.reports.sanitize import clean_html

STYLE = """body{font:15px/1.5 system-ui,sans-serif;color:#1f2328;max-width:75rem;margin:1.5rem auto;padding:0 1rem}
table{border-collapse:collapse}td,th{border:1px solid #d0d7de;padding:.2rem .6rem;text-align:left}
td.num{text-align:right}.pair{display:grid;grid-template-columns:1fr 1fr;gap:1rem;margin-bottom:2rem}
pre{font:12px/1.4 ui-monospace,monospace;background:#f6f8fa;padding:.5rem;white-space:pre-wrap;overflow-wrap:anywhere}
.highlight-red{background:#ffd7d5}.highlight-green{background:#d2f4d3}"""


def histogram_figure(shares: list[float], threshold: float):
    """How alike every compared pair is, with the threshold drawn: where the flagged pairs stand."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(6, 2.6), dpi=80)
    axes = figure.add_subplot()
    axes.hist(shares, bins=[i / 20 for i in range(21)], color="#57606a")
    axes.axvline(threshold, color="#cf222e", linestyle="--", label=f"threshold {threshold:g}")
    axes.set_xlabel("share of one student's code found in the other's (the larger of the two)")
    axes.set_ylabel("pairs of students")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlim(0, 1)
    axes.legend(loc="upper right")
    figure.tight_layout()
    return figure


def histogram_png(shares: list[float], threshold: float) -> bytes:
    buffer = io.BytesIO()
    histogram_figure(shares, threshold).savefig(buffer, format="png")
    return buffer.getvalue()


def _pair_rows(evidence) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(e.pair.first)}</td><td>{html.escape(e.pair.second)}</td>"
        f"<td class='num'>{e.pair.first_share:.0%}</td><td class='num'>{e.pair.second_share:.0%}</td>"
        f"<td class='num'>{e.tokens}</td></tr>" for e in evidence)
    return ("<table><tr><th>student</th><th>other student</th><th>share of the student's code</th>"
            "<th>share of the other's</th><th>tokens in common</th></tr>" + rows + "</table>")


def _side_by_side(evidence) -> str:
    blocks = []
    for e in evidence:
        first, second = html.escape(e.pair.first), html.escape(e.pair.second)
        blocks.append(f"<h3>{first} and {second}</h3><div class='pair'>"
                      f"<div><b>{first}</b> ({e.pair.first_share:.0%} shared)<pre>{clean_html(e.first_code)}</pre></div>"
                      f"<div><b>{second}</b> ({e.pair.second_share:.0%} shared)<pre>{clean_html(e.second_code)}</pre></div>"
                      "</div>")
    return "".join(blocks)


def _names(students) -> str:
    return ", ".join(html.escape(s) for s in students)


def page_html(lesson: str, detection, threshold: float, min_tokens: int) -> str:
    picture = base64.b64encode(histogram_png(detection.shares, threshold)).decode()
    found = (_pair_rows(detection.evidence) + _side_by_side(detection.evidence) if detection.evidence
             else "<p>No pair is above the threshold.</p>")
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; img-src data:; "
        "style-src 'unsafe-inline'\">",
        f"<title>Alike answers: {html.escape(lesson)}</title><style>{STYLE}</style></head><body>",
        f"<h1>Alike answers: {html.escape(lesson)}</h1>",
        f"<p>{len(detection.students)} students' own code compared (the course's given code, the answer key "
        f"and the known mistakes left out): {_names(detection.students)}.</p>",
    ]
    if detection.only_course_code:
        parts.append(f"<p>Handed in nothing beyond the course's own code: {_names(detection.only_course_code)}.</p>")
    parts += [
        f"<p>A pair is listed when at least {threshold:.0%} of either student's code is found in the other's, "
        f"in at least {min_tokens} tokens. A pair is a reason to look, not a verdict.</p>",
        f"<img alt='histogram of how alike each pair of students is' src='data:image/png;base64,{picture}'>",
        f"<h2>Pairs above the threshold</h2>{found}</body></html>",
    ]
    return "".join(parts)


def write_page(path: Path, lesson: str, detection, threshold: float, min_tokens: int) -> Path:
    path.write_text(page_html(lesson, detection, threshold, min_tokens), encoding="utf-8")
    return path
