"""The grader as a Python library: everything the `grader` command does, one function per command.

    from grader import api

    course = api.course(course_dir="course")            # the repository's lessons, graded in ./course
    api.release(course)                                 # exchange=True: also into a JupyterHub's exchange
    api.collect(course, "canvas_export.zip")            # or api.collect(course, exchange=True)
    outcomes = api.autograde(course, workers=2)         # limits: course.toml's, or limits=api.limits_for(course, cell_timeout=120)
    api.regrade(course, "03_layers_and_networks", ["test_affine_backward"])
    api.feedback(course, package="canvas", release=True)
    api.report(course)
    api.similarity(course)

Every function raises grader.errors.GraderError, with one sentence, for a mistake of the caller or the
course folder (an unknown lesson, a bad course.toml); a submission's problems are its Outcome's status.
docs/api.md describes each function.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from grader.course.folder import Course
from grader.course.limits import Limits
from grader.errors import GraderError
from grader.pipeline.outcomes import OK, Outcome

__all__ = ["course", "limits_for", "workers_for", "release", "stale", "publish", "bundle", "collect", "collect_and_mark",
           "autograde", "regrade",
           "feedback", "report", "similarity", "needs_attention", "GraderError"]


def course(repo: Path | str | None = None, course_dir: Path | str | None = None, db_url: str = "") -> Course:
    """The course: this repository's lessons graded in course_dir (default <repo>/course), or, when
    course_dir is an nbgrader course folder of its own, that course."""
    return Course.at(repo, course_dir, db_url)


_LIMIT_FIELDS = {"cell_timeout": "cell_timeout", "notebook_timeout": "notebook_timeout", "memory_mb": "memory_mb",
                 "max_output": "max_cell_output", "skip_ungraded": "skip_ungraded", "allowed_imports": "allowed_imports",
                 "max_cell_traffic_mb": "max_cell_traffic_mb"}


def limits_for(course: Course, **overrides) -> Limits:
    """The limits a grading run uses: Limits' defaults, then course.toml's [limits], then `overrides`
    (Limits' field names; None means "not given")."""
    values = {}
    for key, value in course.config().limits.items():
        if key in _LIMIT_FIELDS:
            values[_LIMIT_FIELDS[key]] = tuple(value) if key == "allowed_imports" else value
    values.update({k: (tuple(v) if k == "allowed_imports" else v) for k, v in overrides.items() if v is not None})
    unknown = set(values) - {f.name for f in dataclasses.fields(Limits)}
    if unknown:
        raise GraderError(f"unknown limit(s): {', '.join(sorted(unknown))}")
    return Limits(**values)


def workers_for(course: Course, given: int | None = None) -> int | None:
    """Notebooks graded at once: given, else course.toml's [limits] workers, else one per core."""
    chosen = given if given is not None else course.config().limits.get("workers")
    if chosen is not None and chosen < 1:
        raise GraderError("workers must be at least 1")
    return chosen


def release(course: Course, lessons=None, exchange: bool = False, regenerate_lessons: bool = False) -> list[Path]:
    """The student copies in the course folder's release/, from solutions/ (or a folder course's source/);
    `exchange=True`: also into nbgrader's exchange (course.toml [exchange]); `regenerate_lessons=True`: also
    the repository's lessons/ (the one step that writes into the repository)."""
    from grader.delivery.release import regenerate_lessons as write_lessons
    from grader.delivery.release import release as run
    from grader.pipeline.stages import write_config_file

    written = run(course, lessons)
    if regenerate_lessons:
        written += write_lessons(course, lessons)
    write_config_file(course)  # plain nbgrader commands in the folder then grade as `grader` does
    if exchange:
        from grader.delivery.exchange import release_to_exchange

        release_to_exchange(course, course.resolve_lessons(lessons))
    return written


def stale(course: Course) -> list[str]:
    from grader.delivery.release import stale_lessons

    return stale_lessons(course)


def publish(course: Course, lessons) -> list[str]:
    from grader.delivery.bundle import publish as run

    return run(course, lessons)


def bundle(course: Course, out: Path | str, lessons=None, published=None) -> dict:
    from grader.delivery.bundle import build

    return build(course, Path(out), lessons, published)


def collect(course: Course, source: Path | str | None = None, regex: str | None = None, exchange: bool = False):
    """Submissions into submitted/: from a folder or an LMS zip, or (`exchange=True`, no source) the latest of
    each student's in nbgrader's exchange. Derived files that a new submission makes out of date (reports,
    feedback pages, Canvas zips) are then marked stale (STALE.txt beside them; grader.reports.freshness)."""
    return collect_and_mark(course, source, regex, exchange)[0]


def collect_and_mark(course: Course, source: Path | str | None = None, regex: str | None = None,
                     exchange: bool = False) -> tuple:
    """`collect`, and the one line that says which derived files it made stale ('' when none did)."""
    from grader.delivery.collect import DEFAULT_FILENAME_REGEX
    from grader.delivery.collect import collect as run
    from grader.reports.freshness import sweep

    if exchange == (source is not None):
        raise GraderError("collect takes a folder or zip, or the exchange (--exchange), one of the two")
    if not exchange:
        result = run(course, Path(source), regex or DEFAULT_FILENAME_REGEX)
    else:
        import tempfile

        from grader.delivery.collect import NotTaken, Why
        from grader.delivery.exchange import stage_inbound

        with tempfile.TemporaryDirectory(prefix="grader-exchange-") as tmp:
            staged, skipped = stage_inbound(course, Path(tmp))
            refused = [NotTaken(name, Why.EXCHANGE, why) for name, _, why in (line.partition(": ") for line in skipped)]
            result = run(course, staged, earlier=refused)
    return result, sweep(course)


def autograde(course: Course, lessons=None, students=None, *, limits: Limits | None = None, workers: int | None = None,
              resume: bool = False, scheduler: str | None = None) -> list[Outcome]:
    from grader.pipeline.autograde import autograde as run

    return run(course, lessons, students, limits=limits or limits_for(course),
               workers=workers_for(course, workers), resume=resume, scheduler=scheduler)


def regrade(course: Course, lesson: str, tests: list[str], students=None, *, limits: Limits | None = None,
            workers: int | None = None) -> list[Outcome]:
    """Run again, for the whole class, the test cells `tests` of `lesson` after they were fixed in the
    source; the other test cells keep their verdicts."""
    from grader.pipeline.autograde import autograde as run

    if not tests:
        raise GraderError("regrade needs the test cells to run again (their grade ids)")
    return run(course, [lesson], students, limits=limits or limits_for(course),
               workers=workers_for(course, workers), regrade=list(tests))


def feedback(course: Course, lessons=None, students=None, *, package: str | None = None,
             release: bool = False) -> dict:
    """HTML feedback per submission; `package="canvas"`: also Canvas's re-upload zips; `release=True`: also
    nbgrader's feedback release into the JupyterHub exchange (course.toml [exchange] root). The pages and
    zips are recorded as made from the grades as they are now; "stale" is the line about derived files
    still out of date ('' when none is; grader.reports.freshness)."""
    from grader.reports.feedback import generate_feedback, package_feedback, release_feedback
    from grader.reports.freshness import record, sweep

    if package not in (None, "canvas"):
        raise GraderError(f"unknown feedback package {package!r} (known: canvas)")
    pages = generate_feedback(course, lessons, students)
    out = {"pages": pages, "packages": [], "released": 0, "not_released": [], "stale": ""}
    if package == "canvas":
        out["packages"] = package_feedback(course, pages)
    record(course, list(pages) + list(out["packages"]))
    out["stale"] = sweep(course)
    if release:
        out["released"], out["not_released"] = release_feedback(course, lessons, students)
    return out


def report(course: Course, out: Path | str | None = None, with_pending: bool = False) -> dict[str, Path]:
    """Every report, from the ledger and the formgrader's hand grades. A lesson with answers still to grade by
    hand is left out of canvas_import.csv unless `with_pending` (then its autograded part is sent)."""
    from grader.reports.grades import write_reports

    return write_reports(course, Path(out) if out else None, with_pending=with_pending)


def similarity(course: Course, lessons=None, threshold: float | None = None) -> dict[str, list]:
    """Pairs of students whose answers are alike, per lesson (reports/similarity_<lesson>.csv and .html)."""
    from grader.delivery.release import prepare_assignments
    from grader.reports.similarity import DEFAULT_THRESHOLD, compare

    lessons = course.resolve_lessons(lessons)
    unreleased = [lesson for lesson in lessons
                  if not all(course.release_notebook(lesson, nb).exists() for nb in course.notebooks(lesson))]
    if unreleased:  # the comparison removes the release's given code: make it, as autograde would
        prepare_assignments(course, unreleased)
    return {lesson: compare(course, lesson, threshold if threshold is not None else DEFAULT_THRESHOLD)
            for lesson in lessons}


def needs_attention(outcomes: list[Outcome]) -> bool:
    """Whether any submission is not ok (the command then exits with 1)."""
    return any(o.status != OK for o in outcomes)
