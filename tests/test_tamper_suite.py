"""Submissions that hold a WRONG answer plus code that tries to pass anyway, or that misbehave: each gets
its expected score and status, and the rest of the class is graded as if nothing happened.

Every case names what defeats it: the boundary (the tests run in the grader's process, the kernel answers
with plain data: grader.boundary), the sandbox (grader.isolation.sandbox), the files rule (only what the release ships
travels with a notebook, links never followed: grader.isolation.submission_files), the rebuild from the source
(grader.integrity.rebuild) or the per-submission guards (grader.pipeline.autograde). None is defeated by the static check,
which only writes notes for the instructor: part 1 grades the class twice, with the notes and without them,
and every verdict is the same. Part 2 shows the sandbox alone keeps files, gradebook, network and processes.
Collecting one student's files as another's is refused by collect itself (tests/test_grader_cli.py).
Issue 34's classes (poisoning the test's data, student markup, attacks on the grader process, tests that
differ across the boundary, imports the kernel chooses, answers from course_lib) are in
tests/test_tamper_contracts.py (the minicourse's contracts lesson) and tests/test_tamper_lessons.py.
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
from minicourse import LESSON, make_repo

from grader.course import samples
from grader.course.folder import Course
from grader.course.limits import Limits
from grader.delivery.release import prepare_assignments
from grader.isolation import sandbox
from grader.pipeline import outcomes as st
from grader.pipeline.autograde import autograde
from grader.pipeline.outcomes import Ledger
from grader.reports.feedback import generate_feedback

pytestmark = pytest.mark.slow
WRONG = "def double(x):\n    return x + 1\n"  # double(3) = 4: every test of the lesson fails
RIGHT = "def double(x):\n    return 2 * x\n"
LIMITS = Limits(cell_timeout=8, notebook_timeout=40, memory_mb=2048, max_cell_output=100_000)
FULL, NONE = 3.0, 0.0
BOUNDARY, SANDBOX, FILES, REBUILD, GUARDS = "boundary", "sandbox", "files rule", "rebuild", "per-submission guards"

# name: (answer, code appended to it, expected status, expected score, what defeats it)
CASES = {
    # A forged output: nbgrader scores a test cell by its outputs, but the kernel never runs a test cell.
    "displayhook_through_sys": (WRONG, "import sys\nsys.displayhook = lambda v: print(20)", st.OK, NONE, BOUNDARY),
    "displayhook_without_import": (WRONG, "getattr(__builtins__, '__import__')('sys').displayhook = print",
                                   st.OK, NONE, BOUNDARY),
    "display_a_score_while_tested": (WRONG.replace("return", "from IPython.display import display\n    display(20)\n    return"),
                                     "", st.OK, NONE, BOUNDARY),
    "ipython_displayhook_while_tested": (WRONG.replace("return", "get_ipython().displayhook(20)\n    return"), "",
                                         st.OK, NONE, BOUNDARY),
    "publish_an_execute_result": (WRONG.replace("return", "get_ipython().display_pub.publish({'text/plain': '20'})\n    return"),
                                  "", st.OK, NONE, BOUNDARY),
    "prints_a_number_while_tested": (WRONG.replace("return", "print(3)\n    return"), "", st.OK, NONE, BOUNDARY),
    # Arbitrary code through helpers that evaluate strings: it runs, in the kernel, where no verdict is.
    "numpy_testing_measure": (WRONG, "import numpy as np\nnp.testing.measure('import course_lib.checks as c; "
                                     "c.assert_close = lambda *a, **k: None', 1)", st.OK, NONE, BOUNDARY),
    "timeit_runs_a_string": (WRONG, "import timeit\ntimeit.timeit('import numpy; numpy.allclose = lambda *a, **k: True', "
                                    "number=1)", st.OK, NONE, BOUNDARY),
    "code_interpreter": (WRONG, "import code\ncode.InteractiveInterpreter().runsource('import builtins; "
                                "builtins.AssertionError = type(None)')", st.OK, NONE, BOUNDARY),
    "exec_base64": (WRONG, "import base64\nexec(base64.b64decode('aW1wb3J0IG51bXB5OyBudW1weS50ZXN0aW5nLmFzc2VydF9hbGxjbG9zZSA9IGxhbWJkYSAqYSwgKiprOiBOb25l'))",
                    st.OK, NONE, BOUNDARY),
    # Objects that lie, made without a class statement: only their plain base value crosses.
    "str_subclass_from_type": ("def double(x):\n    S = type(str)('S', (str,), {'__eq__': lambda s, o: True, "
                               "'__hash__': str.__hash__})\n    return S('anything')", "", st.OK, NONE, BOUNDARY),
    "float_subclass_from_make_dataclass": ("import dataclasses\ndef double(x):\n    D = dataclasses.make_dataclass('D', [], "
                                           "bases=(float,), namespace={'__eq__': lambda s, o: True})\n    return D(0.5)",
                                           "", st.OK, NONE, BOUNDARY),
    "ndarray_subclass_from_type": ("import numpy as np\ndef double(x):\n    A = type(np.ndarray)('A', (np.ndarray,), "
                                   "{'__eq__': lambda s, o: np.ones(np.shape(o), bool), 'tolist': lambda s: [0, 2, 4], "
                                   "'__float__': lambda s: 6.0})\n    return np.zeros(np.shape(x)).view(A)",
                                   "", st.OK, NONE, BOUNDARY),
    "tuple_subclass_from_namedtuple": ("import collections\ndef double(x):\n    T = collections.namedtuple('T', 'v')\n"
                                       "    T.__eq__ = lambda s, o: True\n    return T(0)", "", st.OK, NONE, BOUNDARY),
    "object_that_equals_everything": ("def double(x):\n    class Anything:\n        def __eq__(self, o):\n            return True\n"
                                      "        def __float__(self):\n            return 0.0\n    return Anything()",
                                      "", st.OK, NONE, BOUNDARY),
    # Hidden tests read at run time: they never enter the kernel, so there is nothing to read.
    "generator_looks_up_the_oracle": ("import sys\nlate = (sys.modules['__main__'].__dict__.get(n) for n in ['reference_double'])\n"
                                      "def double(x):\n    ref = next(late, None)\n    return ref(x) if ref else x + 1",
                                      "", st.OK, NONE, BOUNDARY),
    "input_history_raised": ("def double(x):\n    raise ValueError(repr(In[-1]) + repr(_ih[-4:]))", "", st.OK, NONE, BOUNDARY),
    "frames_walked_for_the_answer": ("import sys\ndef double(x):\n    f = sys._getframe()\n    while f is not None:\n"
                                     "        for v in list(f.f_locals.values()):\n"
                                     "            if type(v) in (int, float) and v != x and v == 2 * x:\n                return v\n"
                                     "        f = f.f_back\n    return x + 1", "", st.OK, NONE, BOUNDARY),
    "gc_scanned_for_hidden_text": ("import gc\ndef double(x):\n    for o in gc.get_objects():\n"
                                   "        if type(o) is str and ('reference_double' in o or '[hidden]' in o):\n"
                                   "            raise ValueError(o)\n    return x + 1", "", st.OK, NONE, BOUNDARY),
    "history_manager_raised": ("def double(x):\n    raise ValueError(str(list(get_ipython().history_manager.get_range())))",
                               "", st.OK, NONE, BOUNDARY),
    "agent_module_rewritten": ("import sys\ndef double(x):\n    m = sys.modules.get('_course_boundary')\n"
                               "    if m is not None:\n        m.plain_base = lambda v: 6\n    return x + 1", "", st.OK, NONE, BOUNDARY),
    # The old kinds: patches and escapes that only ever reach the student's own kernel.
    "patch_numpy_allclose": (WRONG, "np.allclose = lambda *a, **k: True", st.OK, NONE, BOUNDARY),
    "patch_builtins_module": (WRONG, "import builtins\nbuiltins.AssertionError = type(None)", st.OK, NONE, BOUNDARY),
    "rebind_name_the_tests_use": (WRONG, "class FakeNumpy:\n    def arange(self, n):\n        return [0, 2, 4]\nnp = FakeNumpy()",
                                  st.OK, NONE, BOUNDARY),
    "rebind_assert_close": (WRONG, "assert_close = print\nlen = lambda *a: 0", st.OK, NONE, BOUNDARY),
    "patch_course_lib": (WRONG, "import course_lib.checks\ncourse_lib.checks.assert_close = lambda *a, **k: None",
                         st.OK, NONE, BOUNDARY),
    "ipython_input_transformer": (WRONG, "get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])",
                                  st.OK, NONE, BOUNDARY),
    "ipython_custom_exception_handler": (WRONG, "ip = get_ipython()\nip.set_custom_exc((AssertionError,), lambda *a, **k: None)",
                                         st.OK, NONE, BOUNDARY),
    "read_caller_frame": ("import sys\ndef double(x):\n    return sys._getframe(1).f_locals.get('expected', x + 1)", "",
                          st.OK, NONE, BOUNDARY),
    "read_instructor_files": (WRONG, "try:\n    src = open('../../source/00_mini/00_mini.ipynb').read()\nexcept OSError:\n    pass",
                              st.OK, NONE, SANDBOX),
    "sys_exit": (WRONG, "import sys\nsys.exit(0)", st.OK, NONE, BOUNDARY),
    "raise_system_exit_when_tested": ("def double(x):\n    raise SystemExit", "", st.OK, NONE, BOUNDARY),
    # Files beside the notebook: see BESIDE below for what each one puts there.
    "numpy_py_beside_the_notebook": (RIGHT, "", st.OK, FULL, FILES),
    "course_lib_package_beside_it": (RIGHT, "", st.OK, FULL, FILES),
    "sitecustomize_beside_it": (RIGHT, "", st.OK, FULL, FILES),
    "link_to_the_instructors_source": (WRONG, "import json\ntry:\n    SOURCE = open('linked.ipynb').read()\nexcept OSError:\n"
                                       "    SOURCE = ''\nif 'reference_double' in SOURCE:\n    def double(x):\n        return 2 * x",
                                       st.OK, NONE, FILES),
    "link_to_etc_shadow": (WRONG, "try:\n    open('shadow').read()\nexcept OSError:\n    pass", st.OK, NONE, FILES),
    # Notebooks that used to stop the whole class: each gets its own status.
    "expression_of_700_terms": (RIGHT, "y = " + "1 + " * 700 + "1", st.OK, FULL, GUARDS),
    # Faults with honest vocabulary: the status names the cause; points that were earned are kept.
    "endless_loop_at_import": (RIGHT, "while True:\n    pass", st.TIMED_OUT, FULL, SANDBOX),
    "memory_blow_up_numpy": (RIGHT, "big = np.ones(10**10)", st.OUT_OF_MEMORY, FULL, SANDBOX),
    "memory_blow_up_list": (RIGHT, "big = [0.0] * 10**10", st.OUT_OF_MEMORY, FULL, SANDBOX),
    "hundred_mb_of_output": (RIGHT, "print('x' * 10**8)", st.OUTPUT_TOO_LARGE, FULL, SANDBOX),
    "prints_while_debugging": (RIGHT, "print('debug: double(3) =', double(3))", st.OK, FULL, BOUNDARY),
    "hangs_when_tested": ("def double(x):\n    import time\n    time.sleep(10_000)", "", st.TIMED_OUT, NONE, BOUNDARY),
    "ignores_the_interrupt_when_tested": ("def double(x):\n    while True:\n        try:\n            while True:\n"
                                          "                pass\n        except KeyboardInterrupt:\n            pass",
                                          "", st.TIMED_OUT, NONE, BOUNDARY),
    "kernel_exits_when_tested": ("def double(x):\n    import os\n    os._exit(1)", "", st.KERNEL_DIED, NONE, BOUNDARY),
    "returns_more_than_crosses": ("def double(x):\n    import numpy as np\n    return np.zeros(10**7)", "", st.OK, NONE, BOUNDARY),
    "returns_a_value_nested_too_deep": ("def double(x):\n    v = []\n    for _ in range(10_000):\n        v = [v]\n    return v", "",
                                        st.OK, NONE, BOUNDARY),
    "out_of_memory_when_tested": ("def double(x):\n    return [0.0] * 10**10", "", st.OUT_OF_MEMORY, NONE, SANDBOX),
}

# Files a case leaves beside its notebook: name -> {relative path: text, or ("link", target)}.
BESIDE = {
    "numpy_py_beside_the_notebook": {"numpy.py": "raise SystemExit('a shadow numpy was imported')"},
    "course_lib_package_beside_it": {"course_lib/__init__.py": "raise SystemExit('a shadow course_lib')",
                                     "course_lib/checks.py": "def assert_close(*a, **k):\n    pass"},
    "sitecustomize_beside_it": {"sitecustomize.py": "raise SystemExit('sitecustomize ran')",
                                "evil.pth": "import os; os._exit(3)"},
    "link_to_the_instructors_source": {"linked.ipynb": ("link", "../../../source/00_mini/00_mini.ipynb")},
    "link_to_etc_shadow": {"shadow": ("link", "/etc/shadow")},
}
# Cases whose notes say what they reached for (in the run with notes; the verdict is the same without).
NOTED = {"displayhook_without_import", "ipython_displayhook_while_tested", "publish_an_execute_result",
         "input_history_raised", "frames_walked_for_the_answer", "history_manager_raised", "agent_module_rewritten",
         "patch_builtins_module", "ipython_input_transformer", "ipython_custom_exception_handler", "read_caller_frame",
         "gc_scanned_for_hidden_text"}


def _cell_edits(correct, blank):
    """Structural edits of locked cells and unreadable notebooks, each with the expected status, score and defence."""
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
    # Written as text: nbformat (and json) cannot even write metadata nested this deep.
    deep_metadata = nbformat.writes(correct).replace('"metadata": {', '"metadata": {"deep": ' + '{"k": ' * 5000
                                                     + "{}" + "}" * 5000 + ", ", 1)
    deep_expression = copy.deepcopy(correct)
    deep_expression.cells.append(nbformat.v4.new_code_cell("y = " + "(" * 3000 + "1" + ")" * 3000))
    return {
        "deleted_test_cell": (deleted, st.CELLS_RESTORED, NONE, REBUILD),
        "duplicated_test_cell": (duplicated, st.CELLS_RESTORED, FULL, REBUILD),
        "retyped_test_cell": (retyped, st.CELLS_RESTORED, NONE, REBUILD),
        "edited_test_cell": (edited, st.CELLS_RESTORED, NONE, REBUILD),
        "cell_claiming_1000_points": (claims, st.OK, NONE, REBUILD),
        "deleted_answer_cell": (answer_deleted, st.CELLS_RESTORED, NONE, REBUILD),
        "metadata_nested_5000_deep": (deep_metadata, st.UNREADABLE, None, GUARDS),
        "expression_nested_3000_deep": (deep_expression, st.OK, FULL, GUARDS),
    }


def _write_files(folder: Path, files: dict) -> None:
    for rel, content in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, tuple):
            path.symlink_to(content[1])
        else:
            path.write_text(content)


def _grade_class(root: Path, static_check: bool):
    course = Course.at(make_repo(root / "repo"), root / "course")
    prepare_assignments(course, [LESSON])
    blank = samples.blank(course, LESSON)
    correct = samples.filled_in(course, LESSON)
    expected = {"ada": (st.OK, FULL, "-"), "bob": (st.OK, NONE, "-")}
    samples.write(correct, course.submitted_notebook("ada", LESSON))
    samples.write(samples.plant(blank, "double", WRONG), course.submitted_notebook("bob", LESSON))
    for name, (answer, code, status, score, defence) in CASES.items():
        path = samples.write(samples.plant(blank, "double", answer + "\n" + code), course.submitted_notebook(name, LESSON))
        _write_files(path.parent, BESIDE.get(name, {}))
        expected[name] = (status, score, defence)
    for name, (nb, status, score, defence) in _cell_edits(correct, blank).items():
        if isinstance(nb, str):
            course.submitted_notebook(name, LESSON).parent.mkdir(parents=True, exist_ok=True)
            course.submitted_notebook(name, LESSON).write_text(nb, encoding="utf-8")
        else:
            samples.write(nb, course.submitted_notebook(name, LESSON))
        expected[name] = (status, score, defence)
    limits = Limits(**{**LIMITS.__dict__, "static_check": static_check})
    outcomes = {o.student: o for o in autograde(course, [LESSON], limits=limits)}
    return course, outcomes, expected


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    return _grade_class(tmp_path_factory.mktemp("tamper"), static_check=True)


@pytest.fixture(scope="module")
def without_notes(tmp_path_factory):
    return _grade_class(tmp_path_factory.mktemp("tamper-no-notes"), static_check=False)


def test_suite_has_every_kind_of_attempt():
    defences = {d for *_, d in CASES.values()}
    assert len(CASES) + 8 >= 55 and {BOUNDARY, SANDBOX, FILES} <= defences


ALL = ["ada", "bob", *CASES, "deleted_test_cell", "duplicated_test_cell", "retyped_test_cell", "edited_test_cell",
       "cell_claiming_1000_points", "deleted_answer_cell", "metadata_nested_5000_deep", "expression_nested_3000_deep"]


@pytest.mark.parametrize("name", ALL)
def test_each_attempt_gets_its_expected_status_and_score(suite, name):
    _, outcomes, expected = suite
    outcome = outcomes[name]
    status, score, _ = expected[name]
    assert (outcome.status, outcome.score) == (status, score), outcome.describe()
    assert outcome.max_score == FULL and outcome.withheld_score is None


@pytest.mark.parametrize("name", ALL)
def test_the_boundary_alone_gives_the_same_verdict(suite, without_notes, name):
    first, second = suite[1][name], without_notes[1][name]
    assert (second.status, second.score, second.cells) == (first.status, first.score, first.cells), second.describe()
    assert second.notes == []


def test_notes_say_what_was_reached_for_beside_a_counted_score(suite):
    _, outcomes, _ = suite
    for name in NOTED:
        assert outcomes[name].notes and outcomes[name].score is not None, (name, outcomes[name].notes)
    assert outcomes["ada"].notes == [] and outcomes["bob"].notes == []


def test_scores_stay_within_bounds_and_reasons_are_sentences(suite):
    _, outcomes, _ = suite
    for o in outcomes.values():
        for got, most in o.cells.values():
            assert 0 <= got <= most
        if o.status != st.OK:
            assert o.reason and "see the" not in o.reason.lower(), o.describe()
        if o.status == st.TIMED_OUT:
            assert "8 s" in o.reason or "40 s" in o.reason, o.describe()


def test_feedback_never_shows_the_hidden_tests(suite):
    course, outcomes, _ = suite
    pages = generate_feedback(course, [LESSON])
    assert len(pages) == len(outcomes)
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "reference_double(-2.5)" not in text and "the hidden oracle" not in text, page


def test_regrading_gives_the_same_scores_and_statuses(suite):
    course, outcomes, _ = suite
    again = ["ada", "patch_numpy_allclose", "edited_test_cell", "hundred_mb_of_output", "memory_blow_up_numpy",
             "kernel_exits_when_tested"]
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
    assert outcomes["os_exit"].status == st.KERNEL_DIED and outcomes["os_exit"].score == NONE
    assert "exited" in outcomes["os_exit"].reason
    # One sandbox per submission, or more: a kernel started ahead for work another worker took goes unused.
    assert len(sandboxes) >= 7
    deadline = time.monotonic() + 15  # SIGKILLed namespaces take a moment to be reaped
    while _processes_in(sandboxes) and time.monotonic() < deadline:
        time.sleep(0.5)
    survivors = _processes_in(sandboxes)
    assert survivors == [], "processes of a graded kernel survived it:\n" + "\n".join(survivors)
    assert not any(Path(s).exists() for s in sandboxes), "a scratch folder was left behind"
