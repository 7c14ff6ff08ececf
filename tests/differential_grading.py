"""The grader's side of the differential check: the student's cells run in a forked child that plays the kernel
(an IPython shell executing what it is sent, the grader's real agent booted in it for each test cell), and the
test cells run here, in the grader's own namespace, through grader.boundary.runner.run_test_cell and a
grader.boundary.session.KernelBoundary whose kernel client is a pipe to that child."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import tempfile
import time
from pathlib import Path

from differential_process import CELL_LIMIT, Lines, Verdicts, fork_child, reap, run_cell
from differential_variants import Variant

def kernel_loop(shell, channel: Lines) -> None:
    """Execute what the grader sends (a student's cell, or the boot request of the boundary's agent)."""
    while True:
        try:
            request = channel.receive()
        except EOFError:
            return
        error = run_cell(shell, request["code"], silent=request["silent"])
        content = {"status": "error", "ename": type(error).__name__, "evalue": str(error)[:300]} if error \
            else {"status": "ok"}
        channel.send({"parent_header": {"msg_id": request["id"]}, "content": content})


class ChildClient:
    """The part of a Jupyter kernel client the boundary uses: execute() sends code to the child kernel."""

    def __init__(self, channel: Lines):
        self.channel, self.count = channel, 0

    def execute(self, code: str, silent: bool = False, **_) -> str:
        self.count += 1
        msg_id = f"m{self.count}"
        self.channel.send({"id": msg_id, "code": code, "silent": silent})
        return msg_id


def child_boundary(folder: Path, channel: Lines, pid: int):
    """grader.boundary.session.KernelBoundary over a child process in place of a Jupyter kernel."""
    from grader.boundary.session import KernelBoundary

    class ChildBoundary(KernelBoundary):
        def _reply(self, timeout: float):
            reply = channel.receive(timeout)
            while reply is not None and reply.get("parent_header", {}).get("msg_id") != self._msg_id:
                reply = channel.receive(timeout)
            return reply

    def alive() -> bool:
        try:
            return os.waitpid(pid, os.WNOHANG) == (0, 0)
        except ChildProcessError:
            return False

    return ChildBoundary(folder, ChildClient(channel), lambda: os.kill(pid, signal.SIGINT), alive=alive)


def grader_run(shell, variant: Variant, plan) -> Verdicts:
    """The student's cells in a forked kernel, the test cells here across the boundary."""
    from grader.boundary.runner import TestNamespace, run_test_cell

    here, there = socket.socketpair()
    pid = fork_child(lambda: (here.close(), kernel_loop(shell, Lines(there))))
    there.close()
    channel, out = Lines(here), Verdicts()
    folder = Path(tempfile.mkdtemp(prefix="differential-"))
    boundary = child_boundary(folder, channel, pid)
    tests = TestNamespace(boundary, plan)
    try:
        for cell in variant.cells:
            if cell.grade_id is not None and not variant.runs(cell):
                continue
            if cell.grade_id is None:
                msg_id = boundary.kc.execute(cell.source)
                reply = channel.receive(CELL_LIMIT)
                if reply is None or reply["parent_header"]["msg_id"] != msg_id:
                    out.broken = f"the kernel did not finish {cell.label}"
                    break
                continue
            outputs, _ = run_test_cell(boundary, tests, cell.source, cell.grade_id, time.monotonic() + CELL_LIMIT)
            errors = [o for o in outputs if o["output_type"] == "error"]
            out.cells[cell.grade_id] = (not errors, f"{errors[0]['ename']}: {errors[0]['evalue']}".splitlines()[0][:300]
                                        if errors else "")
    except EOFError as exc:
        out.broken = f"the kernel stopped: {exc}"
    finally:
        boundary.close()
        here.close()
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        reap(pid)
        with contextlib.suppress(OSError):
            folder.rmdir()
    return out
