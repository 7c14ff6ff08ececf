"""Plumbing of the differential check (tests/test_differential.py): forked processes that talk in JSON lines,
the verdicts they report, and the IPython shell that runs a student's cells as a kernel does."""

from __future__ import annotations

import contextlib
import io
import json
import os
import select
import signal
import socket
import sys
import time
from dataclasses import dataclass, field

CELL_LIMIT = 60.0        # seconds a cell may take (a stuck variant fails, it does not stop the check)
VARIANT_LIMIT = 240      # seconds a variant's process may live at all
COSTLY = 0.15            # CPU seconds of a test cell, in the solution's run, that make it costly


@dataclass
class Verdicts:
    """grade id -> (passed, first line of the failure) for one variant run one way; `broken`: the run died."""
    cells: dict[str, tuple[bool, str]] = field(default_factory=dict)
    broken: str = ""
    seconds: dict[str, float] = field(default_factory=dict)  # CPU time of each test cell (the student's run)


class Lines:
    """JSON documents, one a line, over a socket; receive() waits at most `timeout` seconds."""

    def __init__(self, sock: socket.socket):
        self.sock, self.buffer = sock, b""

    def send(self, document) -> None:
        self.sock.sendall(json.dumps(document).encode() + b"\n")

    def receive(self, timeout: float | None = None):
        end = None if timeout is None else time.monotonic() + timeout
        while b"\n" not in self.buffer:
            wait = None if end is None else max(0.0, end - time.monotonic())
            ready, _, _ = select.select([self.sock], [], [], wait)
            if not ready:
                return None
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise EOFError("the other process closed the connection")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)


def quiet_child(limit: int) -> None:
    """A forked child writes nothing to the test's terminal, and cannot outlive its limit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.alarm(limit)


def fork_child(child, limit: int = VARIANT_LIMIT) -> int:
    """Fork; the child runs child() and exits without running the parent's clean-up (pytest's, atexit)."""
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            quiet_child(limit)
            child()
        except BaseException:  # noqa: BLE001 - reported through the pipe by child() where it matters
            code = 1
        finally:
            os._exit(code)
    return pid


def reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def first_line(exc: BaseException | None) -> str:
    if exc is None:
        return ""
    text = f"{type(exc).__name__}: {exc}".strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__


# --- a kernel's shell, without a kernel ---------------------------------------------------------------------

def kernel_shell():
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False  # a kernel's history is not what is compared
    shell = InteractiveShell.instance(config=config)
    # Nobody reads the tracebacks here (each run keeps the exception itself), and formatting them with
    # their source context is most of the cost of a failing cell.
    shell.showtraceback = lambda *args, **kwargs: None
    shell.showsyntaxerror = lambda *args, **kwargs: None
    shell._format_exception_for_storage = lambda *args, **kwargs: {}
    return shell


def run_cell(shell, source: str, silent: bool = False) -> BaseException | None:
    """Run a cell as a kernel does; the exception it ended with, or None."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        result = shell.run_cell(source, store_history=not silent, silent=silent)
    return result.error_before_exec or result.error_in_exec
