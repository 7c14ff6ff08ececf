"""Submissions that hold a WRONG answer plus code that tries to pass anyway, or that misbehave: each gets
its expected score and status, and the rest of the class is graded as if nothing happened.

Part 1 grades with everything on (static check + sandbox). Part 2 turns the static check off and shows that
the sandbox alone contains what reaches files, the gradebook, the network or the process table.
"""

from __future__ import annotations

import copy
import socket
import subprocess
import threading
import time
import uuid
from pathlib import Path

import nbformat
import pytest

from grader import outcomes as st
from grader import samples, sandbox
from grader.autograde import autograde
from grader.course import Course
from grader.limits import Limits
from grader.outcomes import Ledger
from grader.release import prepare_assignments
from minicourse import LESSON, make_repo

pytestmark = pytest.mark.slow
WRONG = "def double(x):\n    return x + 1\n"  # double(3) = 4: every test of the lesson fails
RIGHT = "def double(x):\n    return 2 * x\n"
LIMITS = Limits(cell_timeout=10, notebook_timeout=60, memory_mb=2048, max_cell_output=100_000)
FULL, NONE = 3.0, 0.0

# name: (code appended to the answer cell after a wrong double, expected status, expected score)
TAMPER = {
    "patch_numpy_allclose": ("np.allclose = lambda *a, **k: True", st.TAMPER, None),
    "patch_numpy_max_abs_norm": ("import numpy\nnumpy.max = numpy.abs = numpy.linalg.norm = lambda *a, **k: 0.0",
                                 st.TAMPER, None),
    "patch_builtins_module": ("import builtins\nbuiltins.AssertionError = type(None)", st.TAMPER, None),
    "rebind_name_the_tests_use": ("class FakeNumpy:\n    def arange(self, n):\n        return [0, 2, 4]\n"
                                  "np = FakeNumpy()", st.TAMPER, None),
    "patch_course_lib": ("import course_lib.checks\ncourse_lib.checks.assert_close = lambda *a, **k: None",
                         st.TAMPER, None),
    "patch_course_lib_through_alias": ("from course_lib import checks as c\nc.assert_close = print", st.TAMPER, None),
    "ipython_input_transformer": ("get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])",
                                  st.TAMPER, None),
    "ipython_transformer_base64_exec": ("import base64\nexec(base64.b64decode('cGFzcw=='))", st.TAMPER, None),
    "ipython_custom_exception_handler": ("ip = get_ipython()\nip.set_custom_exc((AssertionError,), lambda *a, **k: None)",
                                         st.TAMPER, None),
    "ipython_showtraceback": ("get_ipython().showtraceback = lambda *a, **k: None", st.TAMPER, None),
    "line_magic": ("%config IPCompleter.greedy=True", st.TAMPER, None),
    "eval_hidden_code": ("secret = eval('2 * 3')", st.TAMPER, None),
    "ndarray_subclass_lies": ("class Liar(np.ndarray):\n    def __eq__(self, other):\n        return True",
                              st.TAMPER, None),
    "object_fakes_equality": ("class Anything:\n    def __eq__(self, other):\n        return True\n"
                              "    def __float__(self):\n        return 6.0\n"
                              "def double(x):\n    return Anything()", st.TAMPER, None),
    "read_caller_frame": ("import sys\ndef double(x):\n    return sys._getframe(1).f_locals.get('expected', 2 * x)",
                          st.TAMPER, None),
    "frame_through_traceback": ("def double(x):\n    try:\n        raise ValueError\n    except ValueError as e:\n"
                                "        return e.__traceback__.tb_frame.f_back.f_locals", st.TAMPER, None),
    "read_instructor_files": ("src = open('../../source/00_mini/00_mini.ipynb').read()", st.TAMPER, None),
    "read_files_with_numpy": ("text = np.loadtxt('/etc/hostname', dtype=str)", st.TAMPER, None),
    "write_gradebook": ("import sqlite3\nsqlite3.connect('gradebook.db').execute('UPDATE grade SET auto_score=1000')",
                        st.TAMPER, None),
    "write_other_students_files": ("import pathlib\npathlib.Path('../../submitted/ada/x').write_text('hi')",
                                   st.TAMPER, None),
    "network_access": ("import urllib.request\nurllib.request.urlopen('http://127.0.0.1:9/')", st.TAMPER, None),
    "module_through_allowed_module": ("import matplotlib\nmatplotlib.os.system('true')", st.TAMPER, None),
    "sys_exit": ("import sys\nsys.exit(0)", st.TAMPER, None),
    "os_exit": ("import os\nos._exit(0)", st.TAMPER, None),
    "raise_system_exit": ("def double(x):\n    raise SystemExit", st.TAMPER, None),
    "settrace_hook": ("import sys\nsys.settrace(lambda *a: None)", st.TAMPER, None),
    "fork_bomb": ("import os\nwhile True:\n    os.fork()", st.TAMPER, None),
    "format_string_reads_attributes": ("leak = '{0.__globals__}'.format(double)", st.TAMPER, None),
    "computed_getattr": ("f = getattr(np, 'all' + 'close')", st.TAMPER, None),
}

# Faults with honest vocabulary: a RIGHT answer followed by trouble. Status names the cause; points that
# were earned are kept.
FAULTS = {
    "endless_loop_at_import": ("while True:\n    pass", st.TIMED_OUT, FULL),
    "memory_blow_up_numpy": ("big = np.ones(10**10)", st.OUT_OF_MEMORY, FULL),
    "memory_blow_up_list": ("big = [0.0] * 10**10", st.OUT_OF_MEMORY, FULL),
    "hundred_mb_of_output": ("print('x' * 10**8)", st.OUTPUT_TOO_LARGE, FULL),
    "prints_while_debugging": ("print('debug: double(3) =', double(3))", st.OK, FULL),
}


def _cell_edits(correct, blank):
    """Structural edits of locked cells, each paired with the expected status and score."""
    def first_test(nb):
        return next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade"))

    deleted = samples.without_first_test(samples.plant(blank, "double", WRONG))
    duplicated = copy.deepcopy(correct)
    duplicated.cells.insert(first_test(duplicated), copy.deepcopy(duplicated.cells[first_test(duplicated)]))
    retyped = samples.plant(blank, "double", WRONG)
    retyped.cells[first_test(retyped)].cell_type = "markdown"
    retyped.cells[first_test(retyped)].pop("outputs", None)
    retyped.cells[first_test(retyped)].pop("execution_count", None)
    edited = samples.plant(blank, "double", WRONG)
    edited.cells[first_test(edited)].source = "pass  # the test, edited away"
    claims = samples.plant(blank, "double", WRONG)
    fake = nbformat.v4.new_code_cell("print('my own test')")
    fake.metadata["nbgrader"] = {"grade": True, "grade_id": "bonus", "points": 1000, "locked": True,
                                 "solution": False, "schema_version": 3, "task": False}
    claims.cells.append(fake)
    answer_deleted = copy.deepcopy(correct)
    answer_deleted.cells = [c for c in answer_deleted.cells if not c.metadata.get("nbgrader", {}).get("solution")]
    return {
        "deleted_test_cell": (deleted, st.CELLS_RESTORED, NONE),
        "duplicated_test_cell": (duplicated, st.CELLS_RESTORED, FULL),
        "retyped_test_cell": (retyped, st.CELLS_RESTORED, NONE),
        "edited_test_cell": (edited, st.CELLS_RESTORED, NONE),
        "cell_claiming_1000_points": (claims, st.OK, NONE),
        "deleted_answer_cell": (answer_deleted, st.CELLS_RESTORED, NONE),
    }


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    root = tmp_path_factory.mktemp("tamper")
    course = Course.at(make_repo(root / "repo"), root / "course")
    prepare_assignments(course, [LESSON])
    blank = samples.blank(course, LESSON)
    correct = samples.filled_in(course, LESSON)
    expected = {"ada": (st.OK, FULL), "bob": (st.OK, NONE)}
    samples.write(correct, course.submitted_notebook("ada", LESSON))
    samples.write(samples.plant(blank, "double", WRONG), course.submitted_notebook("bob", LESSON))
    for name, (code, status, score) in TAMPER.items():
        samples.write(samples.plant(blank, "double", WRONG + "\n" + code), course.submitted_notebook(name, LESSON))
        expected[name] = (status, score)
    for name, (code, status, score) in FAULTS.items():
        samples.write(samples.plant(blank, "double", RIGHT + "\n" + code), course.submitted_notebook(name, LESSON))
        expected[name] = (status, score)
    for name, (nb, status, score) in _cell_edits(correct, blank).items():
        samples.write(nb, course.submitted_notebook(name, LESSON))
        expected[name] = (status, score)
    outcomes = {o.student: o for o in autograde(course, [LESSON], limits=LIMITS)}
    return course, outcomes, expected


def test_suite_has_at_least_25_distinct_attempts():
    assert len(TAMPER) + len(FAULTS) + 6 >= 25


@pytest.mark.parametrize("name", ["ada", "bob", *TAMPER, *FAULTS, "deleted_test_cell", "duplicated_test_cell",
                                  "retyped_test_cell", "edited_test_cell", "cell_claiming_1000_points",
                                  "deleted_answer_cell"])
def test_each_attempt_gets_its_expected_status_and_score(suite, name):
    _, outcomes, expected = suite
    outcome = outcomes[name]
    status, score = expected[name]
    assert (outcome.status, outcome.score) == (status, score), outcome.describe()
    assert outcome.max_score == FULL
    if outcome.status == st.TAMPER:
        assert " in double, line " in outcome.reason, "a flag names the cell and the line"


def test_scores_stay_within_bounds_and_reasons_are_sentences(suite):
    _, outcomes, _ = suite
    for o in outcomes.values():
        for got, most in o.cells.values():
            assert 0 <= got <= most
        if o.status != st.OK:
            assert o.reason and "see the" not in o.reason.lower(), o.describe()
        if o.status == st.TIMED_OUT:
            assert "10 s" in o.reason or "60 s" in o.reason


def test_withheld_scores_are_out_of_the_gradebook_and_in_the_reports(suite):
    from nbgrader.api import Gradebook, MissingEntry

    from grader.report import write_reports
    import csv

    course, outcomes, _ = suite
    with Gradebook(course.gradebook_url) as gb:
        with pytest.raises(MissingEntry):
            gb.find_submission_notebook(LESSON, LESSON, "patch_numpy_allclose")
        assert gb.find_submission_notebook(LESSON, LESSON, "ada").score == FULL
    paths = write_reports(course)
    rows = {r["student_id"]: r for r in csv.DictReader(paths["lms_grades.csv"].open())}
    assert rows["patch_numpy_allclose"]["total"] == "" and rows["patch_numpy_allclose"]["percent"] == ""
    assert "tamper suspected" in rows["patch_numpy_allclose"]["needs_attention"]
    assert rows["ada"]["total"] == "3.0"


def test_regrading_gives_the_same_scores_and_statuses(suite):
    course, outcomes, _ = suite
    again = ["ada", "patch_numpy_allclose", "edited_test_cell", "hundred_mb_of_output", "memory_blow_up_numpy"]
    regraded = {o.student: o for o in autograde(course, [LESSON], again, limits=LIMITS)}
    for name in again:
        assert (regraded[name].status, regraded[name].score, regraded[name].reason) == \
               (outcomes[name].status, outcomes[name].score, outcomes[name].reason)


# --- part 2: the sandbox alone (static check off) ----------------------------------------------------------

class _Listener:
    """A TCP server on 127.0.0.1 that records whether anything connected."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
                self.connections += 1
                conn.close()
            except OSError:
                pass

    def close(self):
        self.running = False
        self.thread.join()
        self.sock.close()


def _processes_in(folders: list[str]) -> list[str]:
    """Command lines of running processes that belong to one of these sandboxes (other graders may run)."""
    out = subprocess.run(["ps", "-e", "-o", "args="], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if any(f in line for f in folders)]


@pytest.fixture(scope="module")
def contained(tmp_path_factory):
    root = tmp_path_factory.mktemp("contained")
    course = Course.at(make_repo(root / "repo"), root / "course")
    prepare_assignments(course, [LESSON])
    blank = samples.blank(course, LESSON)
    samples.write(samples.filled_in(course, LESSON), course.submitted_notebook("ada", LESSON))
    autograde(course, [LESSON], ["ada"], limits=LIMITS)
    listener = _Listener()
    marker = root / f"escaped-{uuid.uuid4().hex}"
    attacks = {
        # Each swallows its own failure, so only the sandbox (not an error) stops it.
        "gradebook": f"import sqlite3, glob\nfor p in [{str(course.course_dir / 'gradebook.db')!r}] + "
                     "[f for top in ('/tmp', '/work', '/root', '/home') for f in glob.glob(top + '/**/gradebook.db', recursive=True)]:\n"
                     "    try:\n        sqlite3.connect(p).execute('UPDATE grade SET auto_score=1000').connection.commit()\n"
                     "    except Exception:\n        pass",
        "source": f"try:\n    exec(open({str(course.source_notebook(LESSON))!r}).read())\nexcept Exception:\n    pass",
        "solutions": f"import os\nif os.path.exists({str(course.repo / 'solutions')!r} + '/00_mini.ipynb'):\n"
                     "    def double(x):\n        return 2 * x",
        "write_outside": f"try:\n    open({str(marker)!r}, 'w').write('out')\nexcept Exception:\n    pass",
        "network": f"import socket\ntry:\n    socket.create_connection(('127.0.0.1', {listener.port}), timeout=2)\nexcept Exception:\n    pass",
        "fork_bomb": "import os\ntry:\n    while True:\n        os.fork()\nexcept Exception:\n    pass",
        "os_exit": "import os\nos._exit(3)",
    }
    for name, code in attacks.items():
        samples.write(samples.plant(blank, "double", WRONG + "\n" + code), course.submitted_notebook(name, LESSON))
    trusting = Limits(cell_timeout=5, notebook_timeout=40, memory_mb=2048, static_check=False)
    sandboxes = []
    real_make_workdir = sandbox.make_workdir

    def recording_make_workdir(source, uid):
        sandboxes.append(str(real_make_workdir(source, uid)))
        return Path(sandboxes[-1])

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sandbox, "make_workdir", recording_make_workdir)
        outcomes = {o.student: o for o in autograde(course, [LESSON], list(attacks), limits=trusting)}
    listener.close()
    yield course, outcomes, listener, marker, sandboxes
    if marker.exists():
        marker.unlink()


def test_sandbox_keeps_the_gradebook_and_other_scores_safe(contained):
    from nbgrader.api import Gradebook

    course, outcomes, _, _, _ = contained
    assert outcomes["gradebook"].score == NONE and outcomes["gradebook"].status in (st.OK, st.TIMED_OUT)
    with Gradebook(course.gradebook_url) as gb:
        assert gb.find_submission_notebook(LESSON, LESSON, "ada").score == FULL
        for name in outcomes:
            if outcomes[name].score is not None:
                assert 0 <= gb.find_submission_notebook(LESSON, LESSON, name).score <= FULL
    assert Ledger(course.course_dir).load()[f"ada/{LESSON}"].score == FULL


def test_sandbox_hides_the_instructors_files(contained):
    _, outcomes, _, _, _ = contained
    assert outcomes["source"].score == NONE, "executing the instructor's source would have given full marks"
    assert outcomes["solutions"].score == NONE and outcomes["solutions"].status == st.OK


def test_sandbox_allows_no_writes_outside_and_no_network(contained):
    _, outcomes, listener, marker, _ = contained
    assert not marker.exists()
    assert listener.connections == 0
    assert outcomes["network"].score == NONE


def test_sandbox_contains_a_fork_bomb_and_an_exiting_kernel(contained):
    _, outcomes, _, _, sandboxes = contained
    assert outcomes["fork_bomb"].score in (None, NONE)
    assert outcomes["os_exit"].status == st.KERNEL_DIED and outcomes["os_exit"].score is None
    assert "exited" in outcomes["os_exit"].reason
    # One sandbox per submission, or more: a kernel started ahead for work another worker took goes unused.
    assert len(sandboxes) >= 7
    deadline = time.monotonic() + 15  # SIGKILLed namespaces take a moment to be reaped
    while _processes_in(sandboxes) and time.monotonic() < deadline:
        time.sleep(0.5)
    survivors = _processes_in(sandboxes)
    assert survivors == [], "processes of a graded kernel survived it:\n" + "\n".join(survivors)
    assert not any(Path(s).exists() for s in sandboxes), "a scratch folder was left behind"
