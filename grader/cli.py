"""`grader` / `python -m grader`: the instructor's commands. Problems print one line, never a traceback."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grader.course.folder import Course
from grader.course.limits import Limits
from grader.errors import GraderError

EXIT_CODES = """exit codes: 0 done, every submission ok; 1 done, something needs attention (a submission not ok,
a file not collected, a stale lesson); 2 a mistake in the command or the course folder (one line on stderr);
130 interrupted."""


def _limit_flags(a) -> None:
    """The limits of a grading run; each defaults to course.toml's [limits], then to the grader's own."""
    d = Limits()
    a.add_argument("--cell-timeout", type=int, help=f"seconds per cell (default {d.cell_timeout})")
    a.add_argument("--notebook-timeout", type=int, help=f"seconds for a whole notebook (default {d.notebook_timeout})")
    a.add_argument("--memory-mb", type=int, help=f"memory limit of a kernel in MiB (default {d.memory_mb})")
    a.add_argument("--max-output", type=int, help=f"bytes of output kept per cell (default {d.max_cell_output})")
    a.add_argument("--max-cell-traffic-mb", type=int, help="MiB the grader takes from a kernel during one test cell "
                   f"(default {d.max_cell_traffic_mb})")
    a.add_argument("--skip-ungraded", action="store_true", default=None, help="skip cells the lesson marks as not "
                   "needed for grading (plots, demos, widgets)")
    a.add_argument("--no-static-check", action="store_true", help="no notes for the instructor on what student "
                   "code reaches for, and no refusal of the course's own answers")
    a.add_argument("--allow-import", action="append", metavar="MODULE",
                   help="a module this course's students use, which gets no note (repeatable)")
    a.add_argument("--tests-in-kernel", action="store_true", help="run test cells in the student's kernel, as "
                   "plain nbgrader does (for comparison only: the verdicts are then within the student's reach)")
    a.add_argument("--no-sandbox", action="store_true", help="run kernels without bubblewrap (trusted code only)")
    a.add_argument("--no-start-ahead", action="store_true", help="start each kernel when its notebook is taken, "
                   "not while the worker's previous notebook runs")
    a.add_argument("--workers", type=int, help="notebooks executed at once (default: the number of cores)")
    a.add_argument("--scheduler", help="address of a Dask distributed scheduler (tcp://host:8786): its workers "
                   "execute the notebooks, each in its sandbox")


def _limits(course: Course, args) -> Limits:
    from grader.api import limits_for

    return limits_for(course, cell_timeout=args.cell_timeout, notebook_timeout=args.notebook_timeout,
                      memory_mb=args.memory_mb, max_cell_output=args.max_output, skip_ungraded=args.skip_ungraded,
                      max_cell_traffic_mb=args.max_cell_traffic_mb, allowed_imports=args.allow_import, sandbox=False if args.no_sandbox else None,
                      static_check=False if args.no_static_check else None,
                      spare_kernels=False if args.no_start_ahead else None,
                      trusted_tests=False if args.tests_in_kernel else None)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="grader", description="Release, collect, autograde, feedback and report "
                                "for the course, on top of nbgrader. Settings: <course-dir>/course.toml "
                                "(docs/course-config.md); flags override it.", epilog=EXIT_CODES,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repo", type=Path, help="course repository holding solutions/ and lessons/ (default: this one)")
    p.add_argument("--course-dir", type=Path, help="nbgrader course folder: gradebook, submissions, feedback, "
                   "reports (default: <repo>/course)")
    p.add_argument("--db-url", default="", help="the gradebook's SQLAlchemy URL, e.g. "
                   "postgresql+psycopg://user@host/gradebook (default: SQLite in the course folder)")
    p.add_argument("--log-level", default="WARNING", choices=["DEBUG", "INFO", "WARNING", "ERROR"],
                   help="what the grader and nbgrader log to stderr (default: %(default)s)")
    p.add_argument("--quiet", action="store_true", help="no progress bars, only results and problems")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    r = sub.add_parser("release", help="the student copies in the course folder's release/ (solutions and hidden "
                       "tests stripped)")
    r.add_argument("lessons", nargs="*", help="lesson names (default: all)")
    r.add_argument("--lessons", dest="regenerate_lessons", action="store_true", help="also regenerate the "
                   "repository's lessons/ from them (`make release`; the only step that writes into the repository)")
    r.add_argument("--check", action="store_true", help="only report lessons whose lessons/ copy is stale (exit 1)")
    r.add_argument("--exchange", action="store_true", help="also release them into nbgrader's exchange on a "
                   "JupyterHub (course.toml [exchange])")

    b = sub.add_parser("bundle", help="the copy a graded class gets: lessons, course_lib without unpublished "
                       "answers, its own install")
    b.add_argument("out", type=Path, help="a new folder to write it to")
    b.add_argument("--lesson", action="append", help="only this lesson (repeatable; default: every lesson whose "
                   "prerequisites are published)")
    b.add_argument("--published", action="append", help="treat this lesson as published (repeatable; default: "
                   "what `grader publish` recorded)")

    pub = sub.add_parser("publish", help="record that lessons' answers are published (the bundle then carries "
                         "their references)")
    pub.add_argument("lessons", nargs="+", help="lesson names")

    c = sub.add_parser("collect", help="put a folder of notebooks or an LMS zip into submitted/")
    c.add_argument("source", type=Path, nargs="?", help="a folder (<student>/<lesson>.ipynb or LMS file names) "
                   "or a .zip")
    c.add_argument("--exchange", action="store_true", help="instead: the latest submission of each student in "
                   "nbgrader's exchange (course.toml [exchange])")
    c.add_argument("--regex", help="named regex with (?P<student_id>...) and (?P<file_id>...) for file names")

    a = sub.add_parser("autograde", help="grade submissions; a status beside every score")
    a.add_argument("lessons", nargs="*", help="lesson names (default: all)")
    a.add_argument("--student", action="append", help="only this student (repeatable)")
    _limit_flags(a)
    a.add_argument("--resume", action="store_true", help="keep submissions already graded from the same file "
                   "(after an interrupted run)")

    g = sub.add_parser("regrade", help="after fixing a test in the source: run that test again for the whole class, "
                       "keep every other verdict")
    g.add_argument("lesson", help="the lesson")
    g.add_argument("--test", action="append", required=True, metavar="GRADE_ID", help="a fixed test cell "
                   "(repeatable)")
    g.add_argument("--student", action="append", help="only this student (repeatable)")
    _limit_flags(g)

    sim = sub.add_parser("similarity", help="pairs of students whose answers are alike (reports/similarity_*)")
    sim.add_argument("lessons", nargs="*", help="lesson names (default: all)")
    sim.add_argument("--threshold", type=float, help="share of a student's own code that must match (default 0.6)")

    f = sub.add_parser("feedback", help="HTML feedback per submission, hidden tests removed")
    f.add_argument("lessons", nargs="*", help="lesson names (default: all)")
    f.add_argument("--student", action="append", help="only this student (repeatable)")
    f.add_argument("--package", choices=["canvas"], help="also package it for an LMS's bulk upload "
                   "(feedback_packages/canvas/<lesson>.zip)")
    f.add_argument("--release", action="store_true", help="also release it into nbgrader's exchange on a "
                   "JupyterHub (course.toml [exchange] root)")

    rep = sub.add_parser("report", help="grades.csv, totals.csv, canvas_import.csv, exercises.csv, misconceptions "
                         "and a grade histogram")
    rep.add_argument("--out", type=Path, help="output folder (default: <course-dir>/reports)")
    rep.add_argument("--with-pending", action="store_true", help="send Canvas the autograded part of a lesson whose "
                     "answers in words are still to grade by hand (default: leave that lesson's cell empty)")

    d = sub.add_parser("demo", help="release, grade a sample class, feedback, report, and print the results")
    d.add_argument("--cell-timeout", type=int, default=20, help="seconds per cell (default: %(default)s)")
    return p


def _run(args) -> int:
    if args.command == "demo":
        from grader.demo import run_demo

        run_demo(args.repo, args.course_dir, cell_timeout=args.cell_timeout)
        return 0
    course = Course.at(args.repo, args.course_dir, args.db_url)
    _check_first(course, args)  # every mistake of the command or the course folder, before anything starts
    if course.is_folder_course:
        from grader.pipeline.stages import foreign_config

        if foreign_config(course):
            print("grader: note: your nbgrader_config.py is left as it is; grader's own settings apply to grader's "
                  "commands (plain `nbgrader` commands in this folder keep yours)", file=sys.stderr)
    if args.command == "release":
        from grader.delivery.release import stale_lessons

        if args.check:
            course.resolve_lessons(args.lessons)
            stale = [s for s in stale_lessons(course) if not args.lessons or s in args.lessons]
            for lesson in stale:
                print(f"stale: lessons/{lesson}.ipynb differs from a fresh release of solutions/{lesson}.ipynb")
            print("lessons/ is up to date" if not stale else "run `grader release --lessons` (or `make release`) to "
                                                             "regenerate")
            return 1 if stale else 0
        from grader import api

        written = api.release(course, args.lessons, exchange=args.exchange, regenerate_lessons=args.regenerate_lessons)
        released = [p for p in written if p.is_relative_to(course.course_dir)]
        print(f"released {len(released)} file(s) into {course.course_dir / 'release'}")
        for path in written:
            if path not in released:
                print(f"wrote {path}")
        if not args.regenerate_lessons and not course.is_folder_course:
            print("the repository's lessons/ is left as it is: `grader release --lessons` (`make release`) "
                  "regenerates it")
        if args.exchange:
            print(f"released {', '.join(course.resolve_lessons(args.lessons))} into the exchange")
    elif args.command == "publish":
        from grader.delivery.bundle import publish

        print("published: " + ", ".join(publish(course, args.lessons)))
    elif args.command == "bundle":
        from grader.delivery.bundle import build

        made = build(course, args.out, args.lesson, args.published)
        print(f"wrote {args.out}: {len(made['lessons'])} lesson(s), references of "
              f"{', '.join(made['published']) or 'no lesson'}")
        for lesson, why in made["left_out"].items():
            print(f"left out {lesson}: {why}", file=sys.stderr)
        for note in made["notes"]:
            print(f"note: {note}", file=sys.stderr)
    elif args.command == "collect":
        from grader import api

        result, stale = api.collect_and_mark(course, args.source, args.regex, exchange=args.exchange)
        for item in result.not_taken:
            print(f"not taken: {item.line()}", file=sys.stderr)
        for taken in result.taken:
            if taken.late_rule:
                print(f"late: {taken.student}/{taken.lesson}: {taken.late_rule}", file=sys.stderr)
        print(f"collected {len(result.taken)} notebook(s) into {course.course_dir / 'submitted'}; "
              f"{len(result.not_taken)} file(s) not taken; every file is listed in {result.report}")
        if stale:  # a late collect: reports, feedback and Canvas zips made before it are out of date
            print(f"grader: {stale}", file=sys.stderr)
        return 1 if result.not_taken else 0
    elif args.command in ("autograde", "regrade"):
        from grader import api
        from grader.reports.table import format_table

        if args.command == "autograde":
            outcomes = api.autograde(course, args.lessons, args.student, limits=_limits(course, args),
                                     workers=args.workers, resume=args.resume, scheduler=args.scheduler)
        else:
            outcomes = api.regrade(course, args.lesson, args.test, args.student, limits=_limits(course, args),
                                   workers=args.workers)
        print(format_table(outcomes))
        from grader.pipeline.hand_grades_kept import not_carried_since
        from grader.reports.freshness import after_grading

        for line in not_carried_since(course):  # an answer in words handed in anew: graded by hand again
            print(f"grader: hand grade not kept: {line}", file=sys.stderr)

        for line in after_grading(course):  # reports made again; feedback and Canvas zips marked if stale
            print(f"grader: {line}", file=sys.stderr)
        return 1 if api.needs_attention(outcomes) else 0
    elif args.command == "similarity":
        from grader import api

        found = api.similarity(course, args.lessons, args.threshold)
        for lesson, pairs in found.items():
            for pair in pairs:
                print(f"{lesson}: {pair.first} and {pair.second} ({pair.first_share:.0%} and {pair.second_share:.0%} "
                      "of their own code alike)")
        print(f"wrote reports/similarity_<lesson>.csv and .html under {course.reports_dir}")
        return 1 if any(found.values()) else 0
    elif args.command == "feedback":
        from grader import api

        made = api.feedback(course, args.lessons, args.student, package=args.package, release=args.release)
        print(f"wrote {len(made['pages'])} feedback page(s) under {course.course_dir / 'feedback'}")
        for path in made["packages"]:
            print(f"wrote {path}")
        if made["stale"]:  # what is still out of date (the reports after a hand grade, say)
            print(f"grader: {made['stale']}", file=sys.stderr)
        if args.release:
            print(f"released {made['released']} submission(s)' feedback into the exchange")
            if made["not_released"]:
                print(f"grader: not released (collected from elsewhere, not nbgrader's exchange): "
                      f"{', '.join(made['not_released'])}", file=sys.stderr)
    elif args.command == "report":
        from grader.reports.grades import exercise_rows, format_exercise_table, make_reports
        from grader.reports.standing import current_outcomes

        made = make_reports(course, args.out, with_pending=args.with_pending)
        for path in made.paths.values():
            print(f"wrote {path}")
        for line in made.notes:  # what the totals cover, pending answers held back from Canvas, stale files
            print(f"grader: {line}", file=sys.stderr)
        print()
        outcomes = current_outcomes(course)  # with the formgrader's hand grades
        print(format_exercise_table(exercise_rows(outcomes)))
        from grader.reports.misconceptions import misconception_rows, top_lines

        top = top_lines(misconception_rows(course, outcomes))
        if top:
            print("\nWhat the class got wrong:")
            print("\n".join(f"  {line}" for line in top))
    return 0


NEEDS_FOLDER = ("autograde", "regrade", "feedback", "report", "similarity")


def _check_first(course: Course, args) -> None:
    """The command's arguments and the course folder, checked before nbgrader is imported or anything is
    written: a mistake is one line within a second, and a mistyped --course-dir creates nothing."""
    from grader.course import preflight

    if getattr(args, "lessons", None):
        course.resolve_lessons(args.lessons)
    if args.command == "regrade":
        course.resolve_lessons([args.lesson])
        preflight.known_tests(course, args.lesson, args.test)
    if args.command in NEEDS_FOLDER:
        preflight.existing_folder(course)
    if args.command == "collect":
        from grader.course.config import load
        from grader.delivery.collect import DEFAULT_FILENAME_REGEX, check_source

        load(course.course_dir, course.lesson_names())  # its students are checked with the download's own
        if args.exchange == (args.source is not None):
            raise GraderError("collect takes a folder or zip, or the exchange (--exchange), one of the two")
        if args.source is not None:
            check_source(args.source, args.regex or DEFAULT_FILENAME_REGEX)
    else:
        course.config()  # a mistake in course.toml stops every command, with one line naming the key
    if args.command == "release" and (args.regenerate_lessons or args.check) and course.is_folder_course:
        raise GraderError("a course folder of its own has no lessons/ to regenerate or check: its student copies "
                          "are its release/")
    if args.command in ("autograde", "regrade", "feedback"):
        preflight.known_students(course, args.student)
    if args.command in ("autograde", "regrade"):
        preflight.positive(cell_timeout=args.cell_timeout, notebook_timeout=args.notebook_timeout,
                           memory_mb=args.memory_mb, max_output=args.max_output, workers=args.workers)
    if args.command == "similarity" and args.threshold is not None and not 0 < args.threshold <= 1:
        raise GraderError(f"--threshold is a share of a student's own code, above 0 and at most 1, got {args.threshold}")


def _interrupted_line(command: str) -> str:
    if command == "autograde":
        return ("grader: interrupted; finished submissions are kept in outcomes.jsonl (`grader autograde --resume` "
                "carries on)")
    if command == "regrade":
        return "grader: interrupted; submissions regraded so far are kept (run the regrade again for the rest)"
    return "grader: interrupted"


def _stop_at_once(command: str) -> None:
    """On the command line, Ctrl-C stops now: one line, and no thread or kernel is waited for (the ledger and
    the gradebook are written whole or not at all; sandboxed kernels die with the grader)."""
    import os
    import signal

    def stop(signum, frame):
        bar_showing = "tqdm" in sys.modules and bool(getattr(sys.modules["tqdm"].tqdm, "_instances", None))
        prefix = ("\r\x1b[2K" if sys.stderr.isatty() else "\n") if bar_showing else ""
        try:
            sys.stderr.write(prefix + _interrupted_line(command) + "\n")
            sys.stderr.flush()
        finally:
            os._exit(130)

    signal.signal(signal.SIGINT, stop)


def _quiet_down(args) -> None:
    import logging
    import os

    logging.basicConfig(level=args.log_level, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("traitlets").setLevel(args.log_level)
    if args.quiet:
        os.environ["COURSE_QUIET"] = "1"  # course_lib.progress: no bars


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    if argv is None:  # the real command line (not a caller's Python, whose own Ctrl-C handling stays)
        _stop_at_once(args.command)
    _quiet_down(args)
    try:
        return _run(args)
    except GraderError as exc:
        print(f"grader: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(_interrupted_line(args.command), file=sys.stderr)
        return 130
