"""Run a lesson's variants two ways and record each visible test cell's verdict (passed or failed):

- as the student runs it: every cell, test cells included, in one IPython shell in one process;
- as the grader runs it: the student's cells in a child process playing the kernel (an IPython shell that
  executes what it is sent, the grader's real agent started in it per test cell), the test cells in this
  process's own namespace through grader.boundary.runner.run_test_cell.

No nbgrader and no sandbox, so the whole course takes a few minutes. Processes, all made by os.fork:
    the test process -> a lesson server (runs the lesson's set-up once)
        -> per variant: a student run (one shell), and a grader (the trusted side) -> its kernel
The lesson server reports every verdict back to the test process as JSON over a pipe.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
import traceback
from dataclasses import dataclass

from differential_grading import grader_run
from differential_process import COSTLY, VARIANT_LIMIT, Lines, Verdicts, first_line, fork_child, kernel_shell, reap, run_cell
from differential_variants import LessonRun, Variant, source_notebook


# --- the student's side: one IPython shell ------------------------------------------------------------------

def student_run(shell, variant: Variant) -> Verdicts:
    """Every cell in the shell, in order, going on after a failure (as "Run All" then Validate would)."""
    out = Verdicts()
    for cell in variant.cells:
        if cell.grade_id is not None and not variant.runs(cell):
            continue
        started = time.process_time()
        error = run_cell(shell, cell.source)
        if cell.grade_id is not None:
            out.cells[cell.grade_id] = (error is None, first_line(error))
            out.seconds[cell.grade_id] = time.process_time() - started
    return out


# --- a lesson ---------------------------------------------------------------------------------------------

def _in_child(work) -> Verdicts:
    """work() in a forked child; its Verdicts come back through a pipe (a child that dies is `broken`)."""
    here, there = socket.socketpair()

    def child():
        here.close()
        try:
            verdicts = work()
        except BaseException:  # noqa: BLE001 - the run's own failure is its verdict
            verdicts = Verdicts(broken=traceback.format_exc(limit=3)[-600:])
        Lines(there).send({"cells": verdicts.cells, "broken": verdicts.broken, "seconds": verdicts.seconds})

    pid = fork_child(child)
    there.close()
    try:
        document = Lines(here).receive(VARIANT_LIMIT + 10)
    except EOFError:
        document = None
    here.close()
    reap(pid)
    if document is None:
        return Verdicts(broken="the run's process died")
    return Verdicts({k: (bool(v[0]), str(v[1])) for k, v in document["cells"].items()}, document["broken"],
                    document["seconds"])


def _serve_lesson(run: LessonRun, channel: Lines, student_too: bool) -> None:
    """The lesson server: the set-up once, then each variant both ways, each in a fork of this process."""
    import gc

    import grader.boundary.runner  # noqa: F401 - imported once here, not in every fork
    import grader.boundary.session  # noqa: F401
    from grader.boundary.plan import plan_from_source

    os.environ.setdefault("MPLBACKEND", "Agg")
    os.environ.setdefault("COURSE_QUIET", "1")
    plan = plan_from_source(source_notebook(run.lesson))
    shell = kernel_shell()
    for cell in run.setup:
        error = run_cell(shell, cell.source)
        if error is not None:
            channel.send({"setup_error": f"{cell.label}: {first_line(error)}"})
            return
    for statement in plan.setup_imports:  # what every grader's test namespace imports: once, here
        with contextlib.suppress(Exception):
            exec(statement, {})
    gc.freeze()  # the forks share the set-up's memory instead of copying it when they collect garbage
    costly: set[str] = set()  # test cells that take long in the solution's run (the first variant)
    for variant in run.variants:
        variant = variant.without_costly(costly)
        student = _in_child(lambda: student_run(shell, variant)) if student_too else Verdicts()
        if variant.name == "solution":
            costly = {cell for cell, seconds in student.seconds.items() if seconds > COSTLY}
        graded = _in_child(lambda: grader_run(shell, variant, plan))
        channel.send({"variant": variant.name,
                      "student": {"cells": student.cells, "broken": student.broken},
                      "grader": {"cells": graded.cells, "broken": graded.broken}})
    channel.send({"end": True})


@dataclass
class VariantResult:
    name: str
    student: Verdicts
    grader: Verdicts

    def differences(self) -> list[str]:
        """One line per test cell whose verdicts differ (or that one of the runs did not reach)."""
        out = []
        for run_name, verdicts in (("student's run", self.student), ("grading", self.grader)):
            if verdicts.broken:
                out.append(f"{self.name}: {run_name} broke: {verdicts.broken}")
        for grade_id in sorted(set(self.student.cells) | set(self.grader.cells)):
            s, g = self.student.cells.get(grade_id), self.grader.cells.get(grade_id)
            if s is None or g is None or s[0] != g[0]:
                def say(v):
                    return "not run" if v is None else ("passed" if v[0] else f"failed ({v[1]})")
                out.append(f"{self.name} {grade_id}: student's run {say(s)}; grading {say(g)}")
        return out


def run_lesson(run: LessonRun, student_too: bool = True) -> list[VariantResult]:
    """Every variant of the lesson, both ways (or, student_too=False, in grading only); one result per variant."""
    here, there = socket.socketpair()

    def server():
        here.close()
        _serve_lesson(run, Lines(there), student_too)

    pid = fork_child(server, limit=0)  # the server lives as long as its lesson's variants
    there.close()
    channel, results = Lines(here), []
    try:
        while True:
            document = channel.receive(VARIANT_LIMIT * 2 + 30)
            if document is None:
                raise RuntimeError(f"{run.lesson}: the lesson server stopped answering")
            if "setup_error" in document:
                raise RuntimeError(f"{run.lesson}: the set-up failed: {document['setup_error']}")
            if document.get("end"):
                break

            def verdicts(part) -> Verdicts:
                return Verdicts({k: (bool(v[0]), str(v[1])) for k, v in part["cells"].items()}, part["broken"])

            results.append(VariantResult(document["variant"], verdicts(document["student"]),
                                         verdicts(document["grader"])))
    except EOFError:
        raise RuntimeError(f"{run.lesson}: the lesson server died") from None
    finally:
        here.close()
        reap(pid)
    return results
