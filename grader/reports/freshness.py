"""Which derived files still show the grades as they are, and which were made before the grades changed.

Every file the grader derives from grades (the reports, the feedback pages, Canvas's feedback zips) shows
some rows: a report shows every submission, a feedback page one, a Canvas zip one lesson's. A row's
fingerprint joins three things that change it: its outcome in the ledger (autograde, regrade, resume),
the hand grades the formgrader wrote into the gradebook, and the submitted file itself (a late collect). A
report also shows course.toml and which due dates have passed.

`.grader/freshness.json` in the course folder keeps, per derived file, its size and time (to know it is
still the file that was made) and the fingerprints of the rows it was made from. A file the grader made
without recording it (or that changed since) is taken as made from the rows seen by the previous sweep
(rows new since then: as they are), so a change between two sweeps is never called fresh on a guess. `sweep` compares every derived file with the rows as they are now, writes
STALE.txt beside the stale ones (each file, why, and the command that refreshes it; removed once nothing
there is stale) and returns one line for the command's output.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from grader.course.folder import Course
from grader.pipeline.outcomes import Ledger

STATE = Path(".grader") / "freshness.json"
MARKER = "STALE.txt"
REPORT, PAGE, ZIP = "report", "feedback page", "Canvas zip"
COURSE_ROW = "course.toml"
_PARTS = {"o": "graded again", "h": "graded by hand in the formgrader"}  # what changed; a new file: NOT_GRADED
NOT_GRADED = "collected, not graded yet"


@dataclass
class Stale:
    """A derived file that no longer shows the grades as they are."""
    path: Path
    kind: str                                     # REPORT, PAGE or ZIP
    rows: list[str] = field(default_factory=list)  # the rows that changed since it was made
    causes: list[str] = field(default_factory=list)
    missing: bool = False                          # deleted (a regrade removes the lesson's feedback pages)
    waiting: list[str] = field(default_factory=list)  # rows whose submitted file is not graded yet


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _stamp(path: Path) -> list[int] | None:
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return [info.st_size, info.st_mtime_ns]


def _submitted(course: Course) -> dict[str, Path]:
    """student/unit -> its submitted notebook."""
    root = course.course_dir / "submitted"
    found = {}
    for notebook in sorted(root.glob("*/*/*.ipynb")) if root.is_dir() else []:
        student, lesson = notebook.parent.parent.name, notebook.parent.name
        found[f"{student}/{lesson if notebook.stem == lesson else f'{lesson}/{notebook.stem}'}"] = notebook
    return found


def _shas(files: dict[str, Path], cache: dict) -> dict[str, str]:
    """row -> sha256 of its submitted file, read again only when the file's size or time changed."""
    from grader.pipeline.prepare import sha_of

    shas = {}
    for key, path in files.items():
        stamp = _stamp(path)
        known = cache.get(key)
        if not known or known[0] != stamp:
            known = cache[key] = [stamp, sha_of(path)]
        shas[key] = known[1]
    for key in set(cache) - set(files):
        del cache[key]
    return shas


def _course_row(course: Course, now: dt.datetime) -> str:
    """What every report shows beside the rows: course.toml, the roster, and which due dates have passed."""
    config = course.config()
    files = [course.course_dir / "course.toml"] + ([config.canvas_roster] if config.canvas_roster else [])
    passed = sorted(lesson for lesson, due in config.due.items() if due <= now)
    extended = sorted(f"{s}/{lesson}" for (s, lesson), given in config.extensions.items() if lesson in config.due
                      and (given if isinstance(given, dt.datetime) else config.due[lesson] + given) <= now)
    return _digest([[p.read_bytes().hex() if p.exists() else "" for p in files], passed, extended])


def current_rows(course: Course, now: dt.datetime | None = None, cache: dict | None = None) -> dict[str, str]:
    """row -> fingerprint "o:<outcome>|h:<hand grades>|s:<- or new:<sha>>", and the course row. The s part is
    "-" while the submitted file is the one graded, "new:..." for a file collected and not graded yet.
    `cache`: the shas of submitted files already read (kept between sweeps)."""
    from grader.reports.standing import hand_grades

    now = now or dt.datetime.now(dt.timezone.utc)
    outcomes = Ledger(course.course_dir).load()
    hands = hand_grades(course)
    shas = _shas(_submitted(course), cache if cache is not None else {})
    rows = {}
    for key in sorted(set(outcomes) | set(shas)):
        o = outcomes.get(key)
        hand = hands.get((o.student, o.lesson, o.notebook or o.lesson), {}) if o else {}
        waiting = key in shas and (o is None or o.submission_sha != shas[key])
        rows[key] = "|".join([f"o:{_digest(asdict(o)) if o else '-'}",
                              f"h:{_digest({g: asdict(h) for g, h in hand.items()}) if hand else '-'}",
                              f"s:new:{shas[key][:16]}" if waiting else "s:-"])
    rows[COURSE_ROW] = _course_row(course, now)
    return rows


def _rel(course: Course, path: Path) -> str:
    path = Path(path).resolve()
    return str(path.relative_to(course.course_dir)) if path.is_relative_to(course.course_dir) else str(path)


def _kind_and_rows(course: Course, rel: str, rows: dict[str, str]) -> tuple[str, dict[str, str]]:
    """What a derived file is, and the rows it shows, as they are now."""
    parts = Path(rel).parts
    if len(parts) == 4 and parts[0] == "feedback" and parts[3].endswith(".html"):
        student, lesson, page = parts[1], parts[2], Path(parts[3]).stem
        key = f"{student}/{lesson if page == lesson else f'{lesson}/{page}'}"
        return PAGE, {key: rows[key]} if key in rows else {}
    if parts[:2] == ("feedback_packages", "canvas") and rel.endswith(".zip"):
        lesson = Path(rel).stem
        return ZIP, {k: v for k, v in rows.items() if k.split("/")[1:2] == [lesson]}
    return REPORT, dict(rows)


def _inventory(course: Course, made: dict) -> list[str]:
    from grader.reports.grades import REPORT_FILES

    found = set(made)
    found |= {_rel(course, course.reports_dir / name) for name in REPORT_FILES if (course.reports_dir / name).exists()}
    found |= {_rel(course, p) for p in (course.course_dir / "feedback").glob("*/*/*.html")}
    found |= {_rel(course, p) for p in (course.course_dir / "feedback_packages" / "canvas").glob("*.zip")}
    return sorted(found)


def _load(course: Course) -> dict:
    path = course.course_dir / STATE
    try:
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except ValueError:
        return {}


def _save(course: Course, state: dict) -> None:
    path = course.course_dir / STATE
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def record(course: Course, paths: list[Path], now: dt.datetime | None = None, rows: dict[str, str] | None = None) -> None:
    """Files just made from the grades as they are now (a command that derives files calls this)."""
    state = _load(course)
    rows = rows or current_rows(course, now, state.setdefault("shas", {}))
    made = state.setdefault("made", {})
    for path in paths:
        rel = _rel(course, path)
        _, shown = _kind_and_rows(course, rel, rows)
        made[rel] = {"stamp": _stamp(Path(path)), "rows": shown}
    _save(course, state)


def _compare(rel: str, kind: str, course: Course, was: dict[str, str], now_rows: dict[str, str]) -> Stale | None:
    """Stale when a row it shows changed since it was made, or waits for grading (a file collected since)."""
    changed = sorted(r for r in set(was) | set(now_rows) if was.get(r) != now_rows.get(r))
    waiting = sorted(r for r, v in now_rows.items() if "|s:new:" in v)
    if not changed and not waiting:
        return None
    causes = []
    for r in changed:
        if r == COURSE_ROW:
            causes.append("course.toml or a due date passed")
        elif r not in now_rows:
            causes.append("no longer graded")
        elif r in was:
            old, new = (dict(p.split(":", 1) for p in v.split("|")) for v in (was[r], now_rows[r]))
            causes += [_PARTS[k] for k in _PARTS if old.get(k) != new.get(k)]
        elif not now_rows[r].startswith("o:-"):
            causes.append("graded since")
    causes += [NOT_GRADED] if waiting else []
    return Stale(Path(rel) if Path(rel).is_absolute() else course.course_dir / rel, kind,
                 sorted(set(changed) | set(waiting)), list(dict.fromkeys(causes)), waiting=waiting)


def check(course: Course, now: dt.datetime | None = None, rows: dict[str, str] | None = None) -> tuple[list[Stale], dict]:
    """(every stale derived file, the state to keep): compares each file with the rows as they are now."""
    state = _load(course)
    shas = state.get("shas", {})
    rows = rows or current_rows(course, now, shas)
    seen, made = state.get("seen"), dict(state.get("made", {}))
    stale = []
    for rel in _inventory(course, made):
        path = Path(rel) if Path(rel).is_absolute() else course.course_dir / rel
        kind, shown = _kind_and_rows(course, rel, rows)
        stamp, rec = _stamp(path), made.get(rel)
        if stamp is None:
            if rec and shown and kind != REPORT:
                stale.append(Stale(path, kind, sorted(shown), ["deleted since it was made"], missing=True))
            else:
                made.pop(rel, None)
            continue
        if not rec or rec["stamp"] != stamp:
            # Made without a record: from the rows as the last sweep saw them; a row that appeared since
            # (a submission graded after it) was there before anything could show it.
            _, was = _kind_and_rows(course, rel, {**rows, **(seen or {})})
            rec = made[rel] = {"stamp": stamp, "rows": was}
        found = _compare(rel, kind, course, rec["rows"], shown)
        if found:
            stale.append(found)
    return stale, {"seen": rows, "made": made, "shas": shas}


def _lessons(stale: list[Stale]) -> list[str]:
    return sorted({r.split("/")[1] for s in stale for r in s.rows if "/" in r})


def refresh_commands(stale: list[Stale], course: Course) -> list[str]:
    """The commands that make these files current again."""
    commands = []
    ungraded = sorted({r.split("/")[1] for s in stale for r in s.waiting})
    if ungraded:
        commands.append(f"grader autograde {' '.join(ungraded)}")
    if any(s.kind == REPORT for s in stale):
        outside = [s.path.parent for s in stale if s.kind == REPORT and s.path.parent != course.reports_dir]
        commands.append("grader report" + (f" --out {outside[0]}" if outside else ""))
    pages = [s for s in stale if s.kind in (PAGE, ZIP)]
    if pages:
        commands.append(f"grader feedback {' '.join(_lessons(pages))}".rstrip()
                        + (" --package canvas" if any(s.kind == ZIP for s in pages) else ""))
    return commands


def _write_markers(course: Course, stale: list[Stale]) -> None:
    folders: dict[Path, list[Stale]] = {}
    for s in stale:
        folder = course.course_dir / "feedback" if s.kind == PAGE else s.path.parent
        folders.setdefault(folder, []).append(s)
    candidates = set(folders) | {course.reports_dir, course.course_dir / "feedback",
                                 course.course_dir / "feedback_packages" / "canvas"}
    for folder in candidates:
        marker = folder / MARKER
        items = folders.get(folder)
        if not items:
            marker.unlink(missing_ok=True)
            continue
        lines = ["These files were made before the grades they show changed; they are out of date.",
                 "Refresh them with: " + " ; ".join(f"`{c}`" for c in refresh_commands(items, course)), ""]
        for s in sorted(items, key=lambda s: str(s.path)):
            shown = ", ".join(s.rows[:5]) + (f" (+{len(s.rows) - 5} more)" if len(s.rows) > 5 else "")
            lines.append(f"{_rel(course, s.path)}: {'; '.join(s.causes)} ({shown})")
        marker.write_text("\n".join(lines) + "\n", encoding="utf-8")


def summary(stale: list[Stale], course: Course) -> str:
    """One line for a command's output ('' when everything is current)."""
    if not stale:
        return ""
    counts = {}
    for s in stale:
        counts[s.kind] = counts.get(s.kind, 0) + 1
    what = ", ".join(f"{n} {kind}{'s' if n > 1 else ''}" for kind, n in counts.items())
    causes = ", ".join(dict.fromkeys(c for s in stale for c in s.causes))
    return (f"stale: {what} (changed since they were made: {causes}); refresh with "
            + " and ".join(f"`{c}`" for c in refresh_commands(stale, course)) + f" (see {MARKER} beside them)")


def sweep(course: Course, now: dt.datetime | None = None) -> str:
    """Mark every stale derived file (STALE.txt beside it), clear the marks of current ones; one line or ''."""
    if not course.course_dir.is_dir():
        return ""
    stale, state = check(course, now)
    _save(course, state)
    _write_markers(course, stale)
    return summary(stale, course)


def after_grading(course: Course, now: dt.datetime | None = None) -> list[str]:
    """What autograde and regrade do once grades changed: the reports made again when there were reports (they
    are quick: the ledger and the gradebook), every other derived file checked and marked stale. Lines to print."""
    lines = []
    if (course.reports_dir / "grades.csv").exists():
        from grader.errors import GraderError
        from grader.reports.grades import make_reports

        try:
            run = make_reports(course, now=now)
            return [f"reports regenerated in {course.reports_dir}", *run.notes]
        except GraderError as exc:  # the grading stands; the reports are then marked stale below
            lines.append(f"reports not regenerated: {exc}")
    line = sweep(course, now)
    return lines + ([line] if line else [])
