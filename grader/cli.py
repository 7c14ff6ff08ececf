"""`grader` / `python -m grader`: the instructor's commands. Problems print one line, never a traceback."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grader.course import DEFAULT_CELL_TIMEOUT, Course
from grader.errors import GraderError
from grader.limits import Limits


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="grader", description="Release, collect, autograde, feedback and report "
                                "for the course, on top of nbgrader.")
    p.add_argument("--repo", type=Path, help="course repository holding solutions/ and lessons/ (default: this one)")
    p.add_argument("--course-dir", type=Path, help="nbgrader course folder: gradebook, submissions, feedback, "
                   "reports (default: <repo>/course)")
    p.add_argument("--db-url", default="", help="the gradebook's SQLAlchemy URL, e.g. "
                   "postgresql+psycopg://user@host/gradebook (default: SQLite in the course folder)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    r = sub.add_parser("release", help="regenerate lessons/ from solutions/ (solutions and hidden tests stripped)")
    r.add_argument("lessons", nargs="*", help="lesson names (default: all)")
    r.add_argument("--check", action="store_true", help="only report lessons whose lessons/ copy is stale (exit 1)")

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
    c.add_argument("source", type=Path, help="a folder (<student>/<lesson>.ipynb or LMS file names) or a .zip")
    c.add_argument("--regex", help="named regex with (?P<student_id>...) and (?P<file_id>...) for file names")

    a = sub.add_parser("autograde", help="grade submissions; a status beside every score")
    a.add_argument("lessons", nargs="*", help="lesson names (default: all)")
    a.add_argument("--student", action="append", help="only this student (repeatable)")
    a.add_argument("--cell-timeout", type=int, default=DEFAULT_CELL_TIMEOUT, help="seconds per cell (default: %(default)s)")
    a.add_argument("--notebook-timeout", type=int, default=Limits.notebook_timeout,
                   help="seconds for a whole notebook (default: %(default)s)")
    a.add_argument("--memory-mb", type=int, default=Limits.memory_mb, help="memory limit of a kernel in MiB "
                   "(default: %(default)s)")
    a.add_argument("--max-output", type=int, default=Limits.max_cell_output, help="bytes of output kept per cell "
                   "(default: %(default)s)")
    a.add_argument("--skip-ungraded", action="store_true", help="skip cells the lesson marks as not needed "
                   "for grading (plots, demos, widgets)")
    a.add_argument("--no-static-check", action="store_true", help="no notes for the instructor on what student "
                   "code reaches for (processes, frames, the grader's agent)")
    a.add_argument("--allow-import", action="append", default=[], metavar="MODULE",
                   help="a module this course's students use, which gets no note (repeatable)")
    a.add_argument("--tests-in-kernel", action="store_true", help="run test cells in the student's kernel, as "
                   "plain nbgrader does (for comparison only: the verdicts are then within the student's reach)")
    a.add_argument("--no-sandbox", action="store_true", help="run kernels without bubblewrap (trusted code only)")
    a.add_argument("--no-start-ahead", action="store_true", help="start each kernel when its notebook is taken, "
                   "not while the worker's previous notebook runs")
    a.add_argument("--workers", type=int, default=None, help="notebooks executed at once (default: the number "
                   "of cores)")
    a.add_argument("--scheduler", help="address of a Dask distributed scheduler (tcp://host:8786): its workers "
                   "execute the notebooks, each in its sandbox")
    a.add_argument("--resume", action="store_true", help="keep submissions already graded from the same file "
                   "(after an interrupted run)")

    f = sub.add_parser("feedback", help="HTML feedback per submission, hidden tests removed")
    f.add_argument("lessons", nargs="*", help="lesson names (default: all)")
    f.add_argument("--student", action="append", help="only this student (repeatable)")

    rep = sub.add_parser("report", help="grades.csv, totals.csv, canvas_import.csv, exercises.csv, misconceptions "
                         "and a grade histogram")
    rep.add_argument("--out", type=Path, help="output folder (default: <course-dir>/reports)")

    d = sub.add_parser("demo", help="release, grade a sample class, feedback, report, and print the results")
    d.add_argument("--cell-timeout", type=int, default=20, help="seconds per cell (default: %(default)s)")
    return p


def _run(args) -> int:
    if args.command == "demo":
        from grader.demo import run_demo

        run_demo(args.repo, args.course_dir, cell_timeout=args.cell_timeout)
        return 0
    course = Course.at(args.repo, args.course_dir, args.db_url)
    if args.command == "release":
        from grader.release import release, stale_lessons

        if args.check:
            course.resolve_lessons(args.lessons)
            stale = [s for s in stale_lessons(course) if not args.lessons or s in args.lessons]
            for lesson in stale:
                print(f"stale: lessons/{lesson}.ipynb differs from a fresh release of solutions/{lesson}.ipynb")
            print("lessons/ is up to date" if not stale else "run `grader release` (or `make release`) to regenerate")
            return 1 if stale else 0
        for path in release(course, args.lessons):
            print(f"wrote {path}")
    elif args.command == "publish":
        from grader.bundle import publish

        print("published: " + ", ".join(publish(course, args.lessons)))
    elif args.command == "bundle":
        from grader.bundle import build

        made = build(course, args.out, args.lesson, args.published)
        print(f"wrote {args.out}: {len(made['lessons'])} lesson(s), references of "
              f"{', '.join(made['published']) or 'no lesson'}")
        for lesson, why in made["left_out"].items():
            print(f"left out {lesson}: {why}", file=sys.stderr)
        for note in made["notes"]:
            print(f"note: {note}", file=sys.stderr)
    elif args.command == "collect":
        from grader.collect import DEFAULT_FILENAME_REGEX, collect

        result = collect(course, args.source, args.regex or DEFAULT_FILENAME_REGEX)
        for reason in result.skipped:
            print(f"skipped {reason}", file=sys.stderr)
        for conflict in result.conflicts:
            print(f"not collected: {conflict}", file=sys.stderr)
        print(f"collected {len(result.collected)} notebook(s) into {course.course_dir / 'submitted'}")
        return 1 if result.conflicts else 0
    elif args.command == "autograde":
        from grader.autograde import autograde
        from grader.demo import format_table

        limits = Limits(cell_timeout=args.cell_timeout, notebook_timeout=args.notebook_timeout,
                        memory_mb=args.memory_mb, max_cell_output=args.max_output, sandbox=not args.no_sandbox,
                        static_check=not args.no_static_check, skip_ungraded=args.skip_ungraded,
                        allowed_imports=tuple(args.allow_import), start_ahead=not args.no_start_ahead,
                        trusted_tests=not args.tests_in_kernel)
        if args.workers is not None and args.workers < 1:
            raise GraderError("--workers must be at least 1")
        print(format_table(autograde(course, args.lessons, args.student, limits=limits, workers=args.workers,
                                     resume=args.resume, scheduler=args.scheduler)))
    elif args.command == "feedback":
        from grader.feedback import generate_feedback

        pages = generate_feedback(course, args.lessons, args.student)
        print(f"wrote {len(pages)} feedback page(s) under {course.course_dir / 'feedback'}")
    elif args.command == "report":
        from grader.outcomes import Ledger
        from grader.report import exercise_rows, format_exercise_table, write_reports

        for path in write_reports(course, args.out).values():
            print(f"wrote {path}")
        print()
        outcomes = list(Ledger(course.course_dir).load().values())
        print(format_exercise_table(exercise_rows(outcomes)))
        from grader.misconceptions import misconception_rows, top_lines

        top = top_lines(misconception_rows(course, outcomes))
        if top:
            print("\nWhat the class got wrong:")
            print("\n".join(f"  {line}" for line in top))
    return 0


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except GraderError as exc:
        print(f"grader: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("grader: interrupted; finished submissions are kept in outcomes.json "
              "(`grader autograde --resume` carries on)", file=sys.stderr)
        return 130
