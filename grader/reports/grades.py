"""Reports from the ledger: a CSV per submission, a CSV for the LMS, a per-exercise table, a histogram."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from grader.course.folder import Course
from grader.errors import GraderError
from grader.pipeline.outcomes import Ledger, Outcome
from grader.reports.misconceptions import misconception_rows, plot_misconceptions


def _pct(score, max_score) -> str:
    return f"{100.0 * score / max_score:.1f}" if score is not None and max_score else ""


def exercise_rows(outcomes: list[Outcome]) -> list[dict]:
    """Per test cell: mean points and the share of full marks over the scored submissions."""
    table = defaultdict(list)
    for o in outcomes:
        for grade_id, (score, max_score) in o.cells.items():
            table[(o.unit, grade_id, max_score)].append(score)
    return [{"lesson": lesson, "exercise": grade_id, "max_points": max_score, "submissions": len(scores),
             "mean_points": round(sum(scores) / len(scores), 3),
             "full_marks_pct": round(100.0 * sum(s >= max_score for s in scores) / len(scores), 1)}
            for (lesson, grade_id, max_score), scores in sorted(table.items())]


def format_exercise_table(rows: list[dict]) -> str:
    """The per-exercise rows as aligned text: where the class lost its points."""
    header = ["lesson", "exercise", "mean / max", "full marks"]
    lines = [[r["lesson"], r["exercise"], f"{r['mean_points']:g} / {r['max_points']:g}",
              f"{r['full_marks_pct']:g}% of {r['submissions']}"] for r in rows]
    widths = [max(len(x[i]) for x in [header, *lines]) for i in range(len(header))]
    return "\n".join("  ".join(v.ljust(w) for v, w in zip(x, widths)).rstrip() for x in [header, *lines])


def _write_csv(path: Path, rows: list[dict], fields: list[str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def _histogram(path: Path, percents: list[float], unscored: int) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.hist(percents, bins=[0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100.001], color="#4472c4", edgecolor="white")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("total score (%)")
    ax.set_ylabel("students")
    title = f"Grade distribution ({len(percents)} students)"
    if unscored:
        title += f"; {unscored} not shown: a lesson could not be scored"
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _canvas_csv(course: Course, outcomes, lesson_scores: dict) -> str:
    from grader.delivery.collect import read_manifest
    from grader.reports.canvas import gradebook_csv, read_roster

    units = {(o.lesson, o.unit): o.max_score for o in outcomes}  # an assignment's points: all its notebooks'
    max_points: dict[str, float] = {}
    for (lesson, _), most in units.items():
        max_points[lesson] = max_points.get(lesson, 0.0) + most
    manifest = read_manifest(course)
    ids = {key.split("/")[0]: info.get("canvas_id") for key, info in manifest.items() if info.get("canvas_id")}
    roster_path = course.config().canvas_roster
    text, unmatched = gradebook_csv(lesson_scores, max_points, ids, read_roster(roster_path) if roster_path else None)
    if unmatched:
        import sys

        print(f"grader: not in the Canvas roster, left out of canvas_import.csv: {', '.join(unmatched)}", file=sys.stderr)
    return text


def write_reports(course: Course, out_dir: Path | None = None) -> dict[str, Path]:
    outcomes = sorted(Ledger(course.course_dir).load().values(), key=lambda o: (o.student, o.unit))
    if not outcomes:
        raise GraderError("nothing to report: run `grader autograde` first")
    out_dir = Path(out_dir) if out_dir else course.reports_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {name: out_dir / name for name in
             ("grades.csv", "totals.csv", "canvas_import.csv", "exercises.csv", "grade_histogram.png",
              "misconceptions.csv", "misconceptions.png")}

    _write_csv(paths["grades.csv"], [
        {"student_id": o.student, "lesson": o.unit, "score": "" if o.score is None else o.score,
         "raw_score": "" if o.raw_score is None else o.raw_score, "late_penalty": o.penalty or "",
         "days_late": o.days_late or "", "max_score": o.max_score, "percent": _pct(o.score, o.max_score),
         "status": o.status, "reason": o.reason, "notes": "; ".join(o.notes),
         "withheld_score": "" if o.withheld_score is None else o.withheld_score}
        for o in outcomes], ["student_id", "lesson", "score", "raw_score", "late_penalty", "days_late", "max_score",
                             "percent", "status", "reason", "notes", "withheld_score"])

    lessons = sorted({o.lesson for o in outcomes})
    by_student = defaultdict(lambda: defaultdict(list))  # student -> lesson -> its notebooks' outcomes
    for o in outcomes:
        by_student[o.student][o.lesson].append(o)
    total_rows, percents, unscored = [], [], 0
    lesson_scores: dict[str, dict] = {}
    for student, lessons_done in sorted(by_student.items()):
        done = [o for parts in lessons_done.values() for o in parts]
        possible = sum(o.max_score for o in done)
        complete = all(o.score is not None for o in done)
        # A lesson that could not be scored leaves the total blank: an LMS would read 0 as a real grade.
        total = sum(o.score for o in done) if complete else None
        if not complete:
            unscored += 1
        elif possible:
            percents.append(100.0 * total / possible)
        row = {"student_id": student, "total": "" if total is None else total, "max_total": possible,
               "percent": _pct(total, possible),
               "needs_attention": "; ".join(f"{o.unit}: {o.describe()}" for o in done if o.status != "ok")}
        lesson_scores[student] = {}
        for lesson in lessons:
            parts = lessons_done.get(lesson, [])
            value = sum(o.score for o in parts) if parts and all(o.score is not None for o in parts) else None
            row[lesson] = "" if value is None else value
            lesson_scores[student][lesson] = value
        total_rows.append(row)
    _write_csv(paths["totals.csv"], total_rows,
               ["student_id", *lessons, "total", "max_total", "percent", "needs_attention"])
    paths["canvas_import.csv"].write_text(_canvas_csv(course, outcomes, lesson_scores), encoding="utf-8")

    _write_csv(paths["exercises.csv"], exercise_rows(outcomes),
               ["lesson", "exercise", "max_points", "submissions", "mean_points", "full_marks_pct"])
    _histogram(paths["grade_histogram.png"], percents, unscored)
    rows = misconception_rows(course, outcomes)
    _write_csv(paths["misconceptions.csv"], rows, ["lesson", "exercise", "cause", "submissions", "of", "share_pct"])
    plot_misconceptions(rows, paths["misconceptions.png"])
    return paths
