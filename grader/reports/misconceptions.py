"""What the class got wrong: for every exercise, the share of submissions per diagnosed cause.

The cause comes from the same diagnosis the feedback shows: the "Likely cause: ..." that course_lib's
checks and gradient checker put into a failing test's message. Numbers of two digits or more are blurred (1257x -> Nx) so one
mistake made on different data counts as one cause.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path

from grader.course.folder import Course
from grader.course.notebooks import UnreadableNotebook, nbgrader_meta, read_notebook
from grader.pipeline import outcomes as st
from grader.pipeline.outcomes import Outcome

NOT_ATTEMPTED = "not attempted (raise NotImplementedError left in)"
NO_PATTERN = "wrong result, no known pattern"
_CAUSE = re.compile(r"Likely cause: (.+)", re.S)
_NUMBER = re.compile(r"\d{2,}(\.\d+)?")  # data-dependent counts (1257x); keeps "2x" and "half"
# The checked quantity when it is a plain name (db, dW, grads['b1']), to say which output had the fault;
# labels such as "double(3)" carry test inputs and would split one mistake into many rows.
_QUANTITY = re.compile(r"^([A-Za-z_][\w\[\]'\"]*)(?: \([^)]*\))?: ")


def cause_of(output: dict) -> str:
    """A short, comparable label for one error output of a test cell."""
    ename, evalue = output.get("ename", ""), str(output.get("evalue", ""))
    if ename == "NotImplementedError" or "NotImplementedError" in evalue:
        return NOT_ATTEMPTED
    found = _CAUSE.search(evalue)
    if found:
        text = found.group(1).strip().split("\n")[0]
        label = _NUMBER.sub("N", text.split(":")[0].rstrip(". "))
        quantity = _QUANTITY.match(evalue)
        return f"{quantity.group(1)}: {label}" if quantity else label
    if ename in ("AssertionError", "GradientCheckError"):
        return NO_PATTERN
    return f"{ename} raised"


def _causes_in(notebook_path: Path) -> dict[str, str]:
    """grade id -> cause for every failing test cell of an autograded notebook."""
    try:
        nb = read_notebook(notebook_path)
    except (UnreadableNotebook, Exception):  # noqa: BLE001 - a missing copy just contributes nothing
        return {}
    found = {}
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
            continue
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if errors:
            found[meta["grade_id"]] = cause_of(errors[0])
    return found


def misconception_rows(course: Course, outcomes: list[Outcome]) -> list[dict]:
    """One row per (lesson, exercise, cause): how many scored submissions failed that way, and their share."""
    scored = [o for o in outcomes if o.status in st.SCORED_STATUSES and o.score is not None]
    counts: dict[tuple[str, str], Counter] = defaultdict(Counter)
    per_lesson = Counter(o.unit for o in scored)
    for o in scored:
        for grade_id, cause in _causes_in(course.autograded_notebook(o.student, o.lesson, o.notebook)).items():
            counts[(o.unit, grade_id)][cause] += 1
    rows = []
    for (lesson, exercise), causes in sorted(counts.items()):
        for cause, n in causes.most_common():
            rows.append({"lesson": lesson, "exercise": exercise, "cause": cause, "submissions": n,
                         "of": per_lesson[lesson], "share_pct": round(100.0 * n / per_lesson[lesson], 1)})
    return rows


def top_lines(rows: list[dict], limit: int = 8, skip_blank: bool = True) -> list[str]:
    """The most common diagnosed mistakes, as sentences for a terminal."""
    ranked = sorted((r for r in rows if not (skip_blank and r["cause"] == NOT_ATTEMPTED)),
                    key=lambda r: (-r["share_pct"], r["lesson"], r["exercise"]))
    return [f"{r['exercise']} ({r['lesson']}): {r['share_pct']:g}% {r['cause']}" for r in ranked[:limit]]


def plot_misconceptions(rows: list[dict], path: Path) -> None:
    """Stacked horizontal bars: per exercise, the share of submissions per cause (largest causes labelled)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    exercises = sorted({(r["lesson"], r["exercise"]) for r in rows})
    totals = Counter()
    for r in rows:
        totals[r["cause"]] += r["submissions"]
    causes = [c for c, _ in totals.most_common()]
    height = max(2.5, 0.45 * len(exercises) + 1.5)
    fig, ax = plt.subplots(figsize=(9, height))
    left = {e: 0.0 for e in exercises}
    colors = plt.get_cmap("tab20")
    for k, cause in enumerate(causes):
        widths = [next((r["share_pct"] for r in rows if (r["lesson"], r["exercise"]) == e and r["cause"] == cause), 0.0)
                  for e in exercises]
        ax.barh(range(len(exercises)), widths, left=[left[e] for e in exercises], color=colors(k % 20),
                label=cause[:60], edgecolor="white")
        for e, w in zip(exercises, widths):
            left[e] += w
    ax.set_yticks(range(len(exercises)), [f"{e[1]}" for e in exercises], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("share of scored submissions (%)")
    ax.set_title("What the class got wrong, per exercise", fontsize=10)
    if causes:
        ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.12 - 0.2 / height), ncol=2, frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
