"""Scale: the parent's CPU per submission at 100, 1,000 and 3,000 submissions, and the boundary's round trip.

Kernels do not change with the class size, and a real class of 3,000 would take hours on two cores, so the
kernels are left out: what is measured is the parent's work that could grow with the class, on a course
(tests/minicourse.py) whose gradebook and ledger hold that many submissions. Per submission: its ledger
record and its gradebook write (the student, the submission with its grades, the commit, as nbgrader's
SaveAutoGrades leaves them); per run, divided by the class: the one read of the ledger (a resumed run's).
Goal: within 1.2x of the 100-submission figure at every size.

The boundary: a call through grader.boundary's Endpoint pair over a socket pair in one process
(tests/boundary_pair.py) against a raw echo of the same socket pair. Goal: within 3x.
"""

from __future__ import annotations

import socket
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from nbgrader.api import Gradebook

from grader.course.folder import Course, ensure_tools_on_path
from grader.delivery.release import prepare_assignments
from grader.patches import gradebook_engine
from grader.pipeline import record_log
from grader.pipeline.outcomes import Ledger, Outcome

TESTS = Path(__file__).resolve().parent.parent / "tests"
SIZES = (100, 1000, 3000)
MEASURED = 50     # submissions timed at each size (the last ones that make up the class)
ROUND_TRIPS = 500
BATCHES = 8
GOAL = 1.2


def _outcome(n: int, lesson: str) -> Outcome:
    return Outcome(f"student{n:05d}", lesson, "ok", score=2.0, max_score=3.0,
                   cells={"test_double": [2.0, 2.0], "test_double__arrays": [0.0, 1.0]},
                   submission_sha=f"{n:064x}", notes=[])


def _gradebook_write(gb: Gradebook, n: int, lesson: str) -> None:
    """One submission's gradebook rows: the student, the submission with its grades, the commit."""
    student = f"student{n:05d}"
    gb.update_or_create_student(student)
    submission = gb.add_submission(lesson, student)
    for notebook in submission.notebooks:
        for grade in notebook.grades:
            grade.auto_score = 1.0
    gb.db.commit()


@dataclass
class PerSubmission:
    """CPU seconds of the parent per submission at one class size."""
    ledger: float     # its ledger record, and its share of the run's one read of the ledger
    gradebook: float  # its gradebook write

    @property
    def total(self) -> float:
        return self.ledger + self.gradebook


def class_sizes() -> dict[int, PerSubmission]:
    sys.path.insert(0, str(TESTS))
    from minicourse import LESSON, make_repo

    root = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    course = Course(make_repo(root / "repo"), root / "course")
    prepare_assignments(course, [LESSON])
    ledger = Ledger(course.course_dir)
    costs, done = {}, 0
    with gradebook_engine.grading_run(course.gradebook_url), Gradebook(course.gradebook_url) as gb:
        for size in SIZES:
            while done < size - MEASURED:  # the class so far, not timed
                _gradebook_write(gb, done, LESSON)
                ledger.record(_outcome(done, LESSON))
                done += 1
            in_gradebook = in_ledger = 0.0
            for n in range(done, size):
                start = time.process_time()
                _gradebook_write(gb, n, LESSON)
                middle = time.process_time()
                ledger.record(_outcome(n, LESSON))
                in_gradebook += middle - start
                in_ledger += time.process_time() - middle
            done = size
            record_log._SEEN.clear()  # as a new run finds it: nothing read yet
            start = time.process_time()
            assert len(Ledger(course.course_dir).load()) == size
            read = time.process_time() - start
            costs[size] = PerSubmission(in_ledger / MEASURED + read / size, in_gradebook / MEASURED)
    return costs


def _echo(sock: socket.socket) -> None:
    while data := sock.recv(65536):
        sock.sendall(data)


def _batch(call) -> float:
    """Wall seconds per call over one batch."""
    start = time.perf_counter()
    for n in range(ROUND_TRIPS):
        call(n)
    return (time.perf_counter() - start) / ROUND_TRIPS


def round_trips() -> tuple[float, float]:
    """Seconds of one small message to a thread and back over a socket pair, and of one call of a
    kernel-side function through the boundary's Endpoint pair (tests/boundary_pair.py): the fastest of
    alternating batches of each (the machine's other load only adds time)."""
    sys.path.insert(0, str(TESTS))
    from boundary_pair import Pair

    a, b = socket.socketpair()
    thread = threading.Thread(target=_echo, args=(b,), daemon=True)
    thread.start()
    message = b"x" * 64

    def echo(_):
        a.sendall(message)
        got = 0
        while got < len(message):
            got += len(a.recv(65536))

    pair = Pair()
    try:
        pair.kernel("def double(x):\n    return 2 * x\n")
        double = pair.graded("double", ("x",), declared=())
        assert double(3) == 6
        echo_best = call_best = float("inf")
        for _ in range(BATCHES):
            echo_best = min(echo_best, _batch(echo))
            call_best = min(call_best, _batch(double))
    finally:
        pair.close()
        a.close()
        thread.join(5)
        b.close()
    return echo_best, call_best


def main() -> None:
    ensure_tools_on_path()
    costs = class_sizes()
    base = costs[SIZES[0]].total
    print(f"parent CPU per submission, kernels left out (goal: <= {GOAL}x the {SIZES[0]}-submission figure)")
    print("   class    ledger  gradebook    total  ratio")
    for size in SIZES:
        c = costs[size]
        ratio = c.total / base
        print(f"  {size:6d}  {1000 * c.ledger:6.2f} ms  {1000 * c.gradebook:6.2f} ms  {1000 * c.total:6.2f} ms  "
              f"{ratio:4.2f}x {'ok' if ratio <= GOAL else 'ABOVE GOAL'}")
    echo, call = round_trips()
    print(f"boundary round trip (fastest of {BATCHES} batches of {ROUND_TRIPS}): a call {1e6 * call:6.1f} us, "
          f"a raw socket echo {1e6 * echo:6.1f} us: {call / echo:5.1f}x (goal <= 3x)")


if __name__ == "__main__":
    main()
