"""The table a grading command prints: a row per student, a column per lesson, and what needs attention."""

from __future__ import annotations

from grader.pipeline.outcomes import Outcome
from grader.reports.standing import pending_points


def format_table(outcomes: list[Outcome]) -> str:
    """Student rows, a score column per lesson, and the status of anything that was not ok.

    With one lesson the status stands in its column; with several, a row says how many were not ok and
    the statuses follow the table, one line each, so the table stays as wide as its scores. Answers still to
    grade by hand show as pending beside the score, never inside it. Notes for the instructor (beside counted
    scores) follow, one line per submission."""
    lessons = sorted({o.unit for o in outcomes})
    students = sorted({o.student for o in outcomes})
    by_key = {(o.student, o.unit): o for o in outcomes}
    header = ["student", *lessons, "status"]
    rows, below, noted = [], [], []
    any_pending = False
    for student in students:
        cells, problems = [], []
        for lesson in lessons:
            o = by_key.get((student, lesson))
            if o is None:
                cells.append("not submitted")
                continue
            waiting = pending_points(o) if o.score is not None else 0.0
            cells.append(f"{'—' if o.score is None else f'{o.score:g}'} / {o.max_score:g}"
                         + (f" ({waiting:g} pending)" if waiting else ""))
            any_pending |= bool(waiting)
            if o.status != "ok":
                problems.append(o.describe())
                below.append((student, lesson, o.describe()))
            if o.notes:
                noted.append((student, lesson, "; ".join(o.notes[:2]) + (f" (+{len(o.notes) - 2} more)" if len(o.notes) > 2 else "")))
        if len(lessons) == 1:
            rows.append([student, *cells, "; ".join(problems) or "ok"])
        else:
            rows.append([student, *cells, f"{len(problems)} not ok, below" if problems else "ok"])
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
    lines = ["  ".join(v.ljust(w) for v, w in zip(r, widths)) + "  " + r[-1] for r in [header, *rows]]
    if any_pending:
        lines += ["", "pending: points of answers in words still to grade by hand in the formgrader; not in the score "
                  "yet, and every report follows once they are graded"]
    for title, items in (("not ok:", below), ("notes for the instructor (the scores count):", noted)):
        if items:
            lines += ["", title]
            name_w, lesson_w = max(len(b[0]) for b in items), max(len(b[1]) for b in items)
            lines += [f"  {s.ljust(name_w)}  {lesson.ljust(lesson_w)}  {text}" for s, lesson, text in items]
    return "\n".join(lines)
