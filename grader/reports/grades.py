"""Reports from the ledger and the gradebook's hand grades: a CSV per submission, totals over the lessons due
(and what they cover), a CSV for the LMS, a per-exercise table, a histogram, the class's common mistakes.
Answers still to grade by hand are pending everywhere, never 0 (grader.reports.standing)."""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from grader.course.folder import Course
from grader.errors import GraderError
from grader.pipeline.outcomes import Outcome
from grader.reports.misconceptions import misconception_rows, plot_misconceptions
from grader.reports.standing import assignment_points, current_outcomes, pending_points
from grader.reports.totals import NOT_DUE, StudentTotal, cover_line, coverage, lesson_points, student_totals


def _pct(score, max_score) -> str:
    return f"{100.0 * score / max_score:.1f}" if score is not None and max_score else ""


def exercise_rows(outcomes: list[Outcome]) -> list[dict]:
    """Per test cell: mean points and the share of full marks over the submissions graded on it; answers
    still to grade by hand are counted apart (pending), never as zeros."""
    table, waiting = defaultdict(list), defaultdict(int)
    for o in outcomes:
        for grade_id, (score, max_score) in o.cells.items():
            key = (o.unit, grade_id, max_score)
            if grade_id in o.pending:
                waiting[key] += 1
            else:
                table[key].append(score)
    return [{"lesson": lesson, "exercise": grade_id, "max_points": max_score, "submissions": len(scores),
             "mean_points": round(sum(scores) / len(scores), 3) if scores else "",
             "full_marks_pct": round(100.0 * sum(s >= max_score for s in scores) / len(scores), 1) if scores else "",
             "pending": waiting[(lesson, grade_id, max_score)]}
            for (lesson, grade_id, max_score), scores in sorted({**{k: [] for k in waiting}, **table}.items())]


def format_exercise_table(rows: list[dict]) -> str:
    """The per-exercise rows as aligned text: where the class lost its points."""
    header = ["lesson", "exercise", "mean / max", "full marks"]
    lines = []
    for r in rows:
        mean = "pending" if r["mean_points"] == "" else f"{r['mean_points']:g}"
        marks = f"{r['full_marks_pct']:g}% of {r['submissions']}" if r["submissions"] else "none graded yet"
        if r.get("pending"):
            marks += f", {r['pending']} to grade by hand"
        lines.append([r["lesson"], r["exercise"], f"{mean} / {r['max_points']:g}", marks])
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


def _canvas_scores(outcomes: list[Outcome], with_pending: bool) -> tuple[dict[str, dict], list[str]]:
    """student -> lesson -> the score Canvas gets (None: left out), and the lessons held back as pending."""
    by_lesson: dict[tuple[str, str], list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_lesson[(o.student, o.lesson)].append(o)
    scores: dict[str, dict] = defaultdict(dict)
    held = []
    for (student, lesson), parts in sorted(by_lesson.items()):
        value = sum(o.score for o in parts) if all(o.score is not None for o in parts) else None
        if value is not None and any(o.pending for o in parts):
            held.append(f"{student} {lesson}")
            if not with_pending:
                value = None  # a partial score would read as final: it waits for the formgrader
        scores[student][lesson] = None if value is None else round(value, 6)
    return scores, held


def _pending_line(held: list[str], with_pending: bool) -> str:
    shown = ", ".join(held[:6]) + (f" (+{len(held) - 6} more)" if len(held) > 6 else "")
    if with_pending:
        return (f"canvas_import.csv: {len(held)} lesson score(s) sent without their answers still to grade by "
                f"hand, as --with-pending asks: {shown}")
    return (f"canvas_import.csv: {len(held)} lesson score(s) left out, answers still to grade by hand: {shown}; "
            "grade them in the formgrader, then `grader report` (or `grader report --with-pending` to send the "
            "autograded part now)")


def _canvas_csv(course: Course, outcomes: list[Outcome], scores: dict) -> tuple[str, list[str]]:
    from grader.delivery.collect import read_manifest
    from grader.reports.canvas import gradebook_csv, read_roster

    units = {(o.lesson, o.unit): o.max_score for o in outcomes}  # an assignment's points: all its notebooks'
    max_points: dict[str, float] = {}
    for (lesson, _), most in units.items():
        max_points[lesson] = max_points.get(lesson, 0.0) + most
    manifest = read_manifest(course)
    ids = {key.split("/")[0]: info.get("canvas_id") for key, info in manifest.items() if info.get("canvas_id")}
    roster_path = course.config().canvas_roster
    text, unmatched = gradebook_csv(scores, max_points, ids, read_roster(roster_path) if roster_path else None)
    notes = [f"not in the Canvas roster, left out of canvas_import.csv: {', '.join(unmatched)}"] if unmatched else []
    return text, notes


REPORT_FILES = ("grades.csv", "totals.csv", "coverage.csv", "canvas_import.csv", "exercises.csv",
                "grade_histogram.png", "misconceptions.csv", "misconceptions.png")


@dataclass
class ReportRun:
    """What `grader report` wrote, and the lines it has to say about it (pending grades, what totals cover)."""
    paths: dict[str, Path]
    notes: list[str] = field(default_factory=list)


def _grade_rows(outcomes: list[Outcome]) -> list[dict]:
    return [{"student_id": o.student, "lesson": o.unit, "score": "" if o.score is None else o.score,
             "raw_score": "" if o.raw_score is None else o.raw_score, "late_penalty": o.penalty or "",
             "days_late": o.days_late or "", "max_score": o.max_score, "percent": _pct(o.score, o.max_score),
             "pending_points": pending_points(o) or "", "to_grade_by_hand": " ".join(o.pending),
             "status": o.status, "reason": o.reason, "notes": "; ".join(o.notes),
             "withheld_score": "" if o.withheld_score is None else o.withheld_score}
            for o in outcomes]


GRADE_FIELDS = ["student_id", "lesson", "score", "raw_score", "late_penalty", "days_late", "max_score", "percent",
                "pending_points", "to_grade_by_hand", "status", "reason", "notes", "withheld_score"]


def _total_rows(totals: list[StudentTotal], lessons: list[str]) -> list[dict]:
    rows = []
    for t in totals:
        row = {"student_id": t.student}
        for lesson in lessons:
            mark = t.marks[lesson]
            row[lesson] = "" if mark.score is None else mark.score
        total = t.total
        row.update({"total": "" if total is None else total, "max_total": t.max_total,
                    "percent": "" if t.percent is None else f"{t.percent:.1f}", "pending_points": t.pending or "",
                    "counted": " ".join(t.counted),
                    "needs_attention": "; ".join(f"{lesson}: {m.reason}" for lesson, m in t.marks.items()
                                                 if m.reason and m.state != NOT_DUE)})
        rows.append(row)
    return rows


def make_reports(course: Course, out_dir: Path | None = None, *, with_pending: bool = False,
                 now: dt.datetime | None = None) -> ReportRun:
    """Every report from the outcomes as they stand (hand grades applied), and a freshness record of what
    they were made from (grader.reports.freshness)."""
    from grader.reports.freshness import record, sweep

    now = now or dt.datetime.now(dt.timezone.utc)
    outcomes = current_outcomes(course)
    if not outcomes:
        raise GraderError("nothing to report: run `grader autograde` first")
    out_dir = Path(out_dir) if out_dir else course.reports_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {name: out_dir / name for name in REPORT_FILES}
    config = course.config()
    _write_csv(paths["grades.csv"], _grade_rows(outcomes), GRADE_FIELDS)

    all_lessons = course.lesson_names()
    points = lesson_points(outcomes, config, assignment_points(course))
    covers = coverage(all_lessons, outcomes, config, points, now)
    shown = [c.lesson for c in covers if c.counted or c.due is not None or any(o.lesson == c.lesson for o in outcomes)]
    students = sorted({o.student for o in outcomes} | set(course.students()))
    totals = student_totals(students, shown, outcomes, config, [c for c in covers if c.lesson in shown], now)
    _write_csv(paths["totals.csv"], _total_rows(totals, shown),
               ["student_id", *shown, "total", "max_total", "percent", "pending_points", "counted", "needs_attention"])
    _write_csv(paths["coverage.csv"], [{"lesson": c.lesson, "due": "" if c.due is None else c.due.isoformat(),
                                        "points": "" if c.points is None else c.points, "counted": "yes" if c.counted else "no",
                                        "why": c.why} for c in covers], ["lesson", "due", "points", "counted", "why"])
    notes = [cover_line([c for c in covers if c.lesson in shown])]

    scores, held = _canvas_scores(outcomes, with_pending)
    text, roster_notes = _canvas_csv(course, outcomes, scores)
    paths["canvas_import.csv"].write_text(text, encoding="utf-8")
    notes += roster_notes + ([_pending_line(held, with_pending)] if held else [])

    _write_csv(paths["exercises.csv"], exercise_rows(outcomes),
               ["lesson", "exercise", "max_points", "submissions", "mean_points", "full_marks_pct", "pending"])
    percents = [t.percent for t in totals if t.percent is not None]
    _histogram(paths["grade_histogram.png"], percents, sum(t.total is None for t in totals))
    rows = misconception_rows(course, outcomes)
    _write_csv(paths["misconceptions.csv"], rows, ["lesson", "exercise", "cause", "submissions", "of", "share_pct"])
    plot_misconceptions(rows, paths["misconceptions.png"])
    record(course, list(paths.values()), now)
    stale = sweep(course, now)  # the reports are current now; feedback and Canvas zips may not be
    return ReportRun(paths, notes + ([stale] if stale else []))


def write_reports(course: Course, out_dir: Path | None = None, *, with_pending: bool = False,
                  now: dt.datetime | None = None) -> dict[str, Path]:
    """make_reports, its lines on stderr; the paths written, by file name."""
    import sys

    run = make_reports(course, out_dir, with_pending=with_pending, now=now)
    for line in run.notes:
        print(f"grader: {line}", file=sys.stderr)
    return run.paths
