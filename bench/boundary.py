"""What one boundary crossing costs against the socket under it (issue 38, item 2): both ends in one process
over a socket pair (tests/boundary_pair.py), the kernel's end serving in a thread, as in the tests.

Printed, all measured in this one run: a raw socket echo (a small message sent and read back by a thread,
the floor of any round trip), a call of a student's function with a scalar, the same call with a 100x100
float64 array (sent and returned), and a graded call (a contract: the kernel also checks the global random
state and the defaults). Each is the median microseconds of many round trips and its ratio to the raw echo.
The kinds are measured in turns, block after block, so that a machine busy with other work weighs on each
alike. Goal: the scalar call within 3x of the echo.
"""

from __future__ import annotations

import socket
import statistics
import sys
import threading
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
BLOCKS = 20            # turns of every kind
ROUNDS = 100           # round trips of one kind in one turn (a quarter of it for the array)
GOAL_RATIO = 3.0
ECHO_MESSAGE = b"x" * 64


class RawEcho:
    """A small message through a socket pair to a thread that sends it back."""

    def __init__(self):
        self.here, self.there = socket.socketpair()
        self.thread = threading.Thread(target=self._echo, daemon=True)
        self.thread.start()
        self.buffer = bytearray(len(ECHO_MESSAGE))

    def _echo(self) -> None:
        while True:
            data = self.there.recv(65536)
            if not data:
                return
            self.there.sendall(data)

    def __call__(self) -> None:
        self.here.sendall(ECHO_MESSAGE)
        view, got = memoryview(self.buffer), 0
        while got < len(self.buffer):
            got += self.here.recv_into(view[got:])

    def close(self) -> None:
        self.here.close()
        self.thread.join(5)
        self.there.close()


def _timed(step, rounds: int, into: list) -> None:
    for _ in range(rounds):
        start = time.perf_counter_ns()
        step()
        into.append(time.perf_counter_ns() - start)


def measure() -> dict[str, float]:
    """Median microseconds of each kind of round trip, measured in turns."""
    if str(REPO / "tests") not in sys.path:
        sys.path.insert(0, str(REPO / "tests"))
    from boundary_pair import Pair

    echo, pair = RawEcho(), Pair()
    try:
        pair.kernel("def echo(v):\n    return v\n")
        student_echo = pair.get("echo")
        graded = pair.graded("echo", ("v",), declared=())
        array = np.random.default_rng(0).standard_normal((100, 100))
        assert float(student_echo(2.5)) == 2.5 and np.array_equal(student_echo(array), array)
        steps = {"raw socket echo": (echo, ROUNDS),
                 "call with a scalar": (lambda: student_echo(2.5), ROUNDS),
                 "call with a 100x100 array": (lambda: student_echo(array), ROUNDS // 4),
                 "graded call with a scalar": (lambda: graded(2.5), ROUNDS)}
        samples: dict[str, list] = {name: [] for name in steps}
        for step, rounds in steps.values():  # warm up: caches, first allocations
            _timed(step, rounds, [])
        for _ in range(BLOCKS):
            for name, (step, rounds) in steps.items():
                _timed(step, rounds, samples[name])
        return {name: statistics.median(times) / 1000 for name, times in samples.items()}
    finally:
        pair.close()
        echo.close()


def main() -> None:
    rows = measure()
    echo = rows["raw socket echo"]
    print(f"{'round trip':<28}{'median us':>10}{'x echo':>8}")
    for name, us in rows.items():
        print(f"{name:<28}{us:>10.1f}{us / echo:>8.1f}")
    ratio = rows["call with a scalar"] / echo
    verdict = "within" if ratio <= GOAL_RATIO else "over"
    print(f"scalar call / raw echo: {ratio:.1f}x ({verdict} the {GOAL_RATIO:.0f}x goal)")


if __name__ == "__main__":
    main()
