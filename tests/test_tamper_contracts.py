"""Issue 34's attacks on the minicourse's contracts lesson (tests/minicourse.py, 00_contracts): each submission
holds the solution except one answer, which is wrong and tries to pass anyway, or which attacks the grader.

Classes (issue 34, "What was seen"), each with what defeats it:
  poison    the test's own data changed after the call (dict entries replaced, keys deleted or added, arrays
            rewritten in place, nested changes, a lent test object's attributes): the boundary writes back
            only declared state (course_lib.contracts.DECLARED_STATE, a class's `course_writable`), any other
            change fails the test with ContractError;
  markup    student HTML and JavaScript in outputs and markdown: the feedback page sanitizer
            (grader/reports/sanitize.py); scores are untouched;
  grader    the grader process attacked (Generators whose seed sequence lies about its size, a flood of
            callbacks with big arrays, requests without pause): decoder bounds, the per-cell traffic budget,
            the deadline checked on every message; that submission fails, the class is graded;
  differ    a test that would behave differently across the boundary than in the kernel: strings interned,
            identity of None/True/small ints, dict order; the verdict equals the kernel's (checked here by
            grading the same submissions with the tests in the kernel);
  imports   the kernel naming what the grader imports (a module called `this`, a class claiming to be
            `tabnanny.check`, a function claiming to be `os.system`): the trusted side's allow-list.
The lessons' own functions are attacked in tests/test_tamper_lessons.py. Like tests/test_tamper_suite.py, the
class is graded twice, with the static notes and without them, and every verdict is the same.
tests/test_tamper_controls.py shows each poisoning would win where a test shares its objects.
"""

from __future__ import annotations

import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from minicourse import CONTRACTS, CONTRACTS_AUTO_POINTS, make_repo

from grader.course import samples
from grader.course.folder import Course
from grader.course.limits import Limits
from grader.course.notebooks import nbgrader_meta
from grader.delivery.release import prepare_assignments
from grader.pipeline import outcomes as st
from grader.pipeline.autograde import autograde
from grader.reports.feedback import generate_feedback

pytestmark = pytest.mark.slow
LIMITS = Limits(cell_timeout=8, notebook_timeout=60, memory_mb=2048, max_cell_output=100_000)
POINTS = {"norms": 2.0, "penalty": 2.0, "sgd": 2.0, "act": 1.0, "tally": 1.0, "fit": 2.0}
FULL = CONTRACTS_AUTO_POINTS
BOUNDARY, SANITIZER, BOUNDS, ALLOW_LIST = ("boundary: declared state only", "feedback sanitizer",
                                          "grader bounds", "import allow-list")
SANITIZER_READY = (Path(__file__).resolve().parents[1] / "grader" / "reports" / "sanitize.py").exists()
# A file the grading process would create if a kernel made it run os.system (the sandbox cannot write /tmp).
OS_SYSTEM_MARKER = Path("/tmp") / "tamper-contracts-os-system-ran"
IMPORT_BAIT = ("this", "tabnanny")


def lost(*functions: str) -> float:
    """The score of a submission that loses every point of these functions."""
    return FULL - sum(POINTS[f] for f in functions)


# name: (class, {function: code appended to its answer cell}, expected status, expected score, defence)
CASES: dict[str, tuple[str, dict[str, str], str, float, str]] = {
    # ---------------------------------------------------------------- poison: wrong answers, poisoned data
    # Squared norms (wrong), each entry replaced by a one-entry array whose norm is the squared norm.
    "norms-replaces-entries": ("poison", {"norms": '''
def norms(grads):
    out = {}
    for name in list(grads):
        squared = float(np.sum(np.square(grads[name])))
        out[name] = squared
        grads[name] = np.array([squared])
    return out
'''}, st.OK, lost("norms"), BOUNDARY),
    # No norms at all: the dict is emptied, so a test that loops over it checks nothing.
    "norms-clears-the-dict": ("poison", {"norms": '''
def norms(grads):
    grads.clear()
    return {}
'''}, st.OK, lost("norms"), BOUNDARY),
    # The 0.5 forgotten; a key added whose square makes the test's sum twice as large.
    "penalty-adds-a-key": ("poison", {"penalty": '''
def penalty(weights, reg):
    total = 0.0
    for value in weights.values():
        for w in (value.values() if isinstance(value, dict) else [value]):
            total += float(np.sum(np.square(w)))
    weights["pad"] = np.array([np.sqrt(total)])
    return reg * total
'''}, st.OK, lost("penalty"), BOUNDARY),
    # Nested layers ignored (wrong), and zeroed in place two levels down so that they count for nothing.
    "penalty-zeroes-nested-arrays": ("poison", {"penalty": '''
def penalty(weights, reg):
    total = 0.0
    for value in weights.values():
        if isinstance(value, dict):
            for w in value.values():
                w[...] = 0.0
        else:
            total += float(np.sum(np.square(value)))
    return 0.5 * reg * total
'''}, st.OK, lost("penalty"), BOUNDARY),
    # Sums of absolute values (wrong), every array at any depth replaced by one whose square is that sum.
    "penalty-replaces-nested-entries": ("poison", {"penalty": '''
def penalty(weights, reg):
    def replace(tree):
        total = 0.0
        for name in list(tree):
            if isinstance(tree[name], dict):
                total += replace(tree[name])
            else:
                part = float(np.sum(np.abs(tree[name])))
                tree[name] = np.array([np.sqrt(part)])
                total += part
        return total
    return 0.5 * reg * replace(weights)
'''}, st.OK, lost("penalty"), BOUNDARY),
    # The learning rate forgotten (w - dw), and w rewritten in place so that w - lr * dw gives that.
    "sgd-rewrites-w-in-place": ("poison", {"sgd": '''
def sgd(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    out = w - dw
    w[...] = out + config["learning_rate"] * dw
    return out, config
'''}, st.OK, lost("sgd"), BOUNDARY),
    # No step at all; dw zeroed in place, so the test's own w - lr * dw is w.
    "sgd-zeroes-dw-in-place": ("poison", {"sgd": '''
def sgd(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    dw[...] = 0.0
    return w.copy(), config
'''}, st.OK, lost("sgd"), BOUNDARY),
    # Never trains: sets the params (its declared state) to the answer, and the model's own record by setattr.
    "fit-sets-the-models-record": ("poison", {"fit": '''
def fit(make_model, num_steps, lr):
    model = make_model()
    model.params = {"w": np.array([3.5])}
    setattr(model, "calls", num_steps)
    model.seen = [4.0] * num_steps
    return np.zeros(num_steps)
'''}, st.OK, lost("fit"), BOUNDARY),
    # Calls loss() without stepping, then rewrites the list `seen` it read through the proxy.
    "fit-rewrites-a-list-read-through-the-proxy": ("poison", {"fit": '''
def fit(make_model, num_steps, lr):
    model = make_model()
    for _ in range(num_steps):
        model.loss()
    model.params["w"] = np.array([3.5])
    seen = model.seen
    seen[:] = [4.0] * num_steps
    return np.zeros(num_steps)
'''}, st.OK, lost("fit"), BOUNDARY),
    # The same, emptying the record: the test compares an empty history with an empty list.
    "fit-clears-the-record": ("poison", {"fit": '''
def fit(make_model, num_steps, lr):
    model = make_model()
    for _ in range(num_steps):
        model.loss()
    model.params["w"] = np.array([3.5])
    model.seen.clear()
    return np.zeros(0)
'''}, st.OK, lost("fit"), BOUNDARY),
    # ---------------------------------------------------------------- markup: right answers, hostile markup
    "script-in-display-html": ("markup", {"act": '''
from IPython.display import HTML, display
display(HTML("<b>my plot</b><script>window.tamperMark = 'display-html'</script>"))
'''}, st.OK, FULL, SANITIZER),
    "javascript-output": ("markup", {"act": '''
from IPython.display import display
display({"application/javascript": "window.tamperMark = 'javascript-output'",
         "text/plain": "a javascript output"}, raw=True)
'''}, st.OK, FULL, SANITIZER),
    "markdown-event-handler": ("markup", {"act": '''
from IPython.display import Markdown, display
display(Markdown('A plot: <img src="no-such.png" onerror="window.tamperMark = 1"> and '
                 '<a href="javascript:window.tamperMark=2">more</a>'))
'''}, st.OK, FULL, SANITIZER),
    # The answer in words and a markdown cell the student added: see MARKDOWN below.
    "answer-in-words-raw-html": ("markup", {}, st.OK, FULL, SANITIZER),
    "added-markdown-cell": ("markup", {}, st.OK, FULL, SANITIZER),
    # ---------------------------------------------------------------- grader: the grader process attacked
    # A SeedSequence subclass reports sizes it does not have: cheap in the kernel, costly to rebuild.
    "generator-huge-pool-size": ("grader", {"fit": '''
class Roomy(np.random.SeedSequence):
    pool_size = property(lambda self: 10 ** 6)


def fit(make_model, num_steps, lr):
    return np.random.Generator(np.random.PCG64(Roomy(1)))
'''}, st.OK, lost("fit"), BOUNDS),
    "generator-huge-entropy": ("grader", {"fit": '''
class Rich(np.random.SeedSequence):
    entropy = property(lambda self: list(range(2 ** 20)))


def fit(make_model, num_steps, lr):
    return np.random.Generator(np.random.PCG64(Rich(1)))
'''}, st.OK, lost("fit"), BOUNDS),
    "generator-huge-spawn-key": ("grader", {"fit": '''
class Deep(np.random.SeedSequence):
    spawn_key = property(lambda self: tuple(range(10 ** 6)))


def fit(make_model, num_steps, lr):
    return np.random.Generator(np.random.PCG64(Deep(1)))
'''}, st.OK, lost("fit"), BOUNDS),
    # Two thousand calls of the test's factory, each with 25 MB of argument.
    "callback-flood-big-arrays": ("grader", {"fit": '''
def fit(make_model, num_steps, lr):
    big = np.ones((400_000, 8))
    for _ in range(2000):
        try:
            make_model(big)
        except Exception:
            pass
    return np.zeros(num_steps)
'''}, st.OK, lost("fit"), BOUNDS),
    # Requests without pause (attribute reads of the test's model) for ever: the socket is never idle.
    "requests-without-pause": ("grader", {"fit": '''
def fit(make_model, num_steps, lr):
    model = make_model()
    while True:
        model.calls
'''}, st.TIMED_OUT, lost("fit"), BOUNDS),
    # ---------------------------------------------------------------- differ: honest, same as in the kernel
    "is-with-string-literals": ("differ", {"act": '''
def act(x, mode=None):
    if mode is "relu":
        return np.maximum(x, 0.0)
    if mode is "abs":
        return np.abs(x)
    return x
'''}, st.OK, FULL, BOUNDARY),
    "identity-of-none-true-small-ints": ("differ", {"tally": '''
def tally(modes):
    counts = {}
    for m in modes:
        seen_before = m in counts
        if seen_before is True:
            counts[m] += 1
        elif counts.get(m) is None:
            counts[m] = 1
    assert all(n is not 0 for n in counts.values())
    return counts
'''}, st.OK, FULL, BOUNDARY),
    "counter-keeps-first-seen-order": ("differ", {"tally": '''
import collections


def tally(modes):
    return collections.Counter(modes)  # a dict: counts in order of first appearance
'''}, st.OK, FULL, BOUNDARY),
    # `is` with a string made at run time is False in the kernel too: the same lost point in grading.
    "is-with-a-built-string-fails-alike": ("differ", {"act": '''
def act(x, mode=None):
    if mode is "".join(["re", "lu"]):
        return np.maximum(x, 0.0)
    if mode == "abs":
        return np.abs(x)
    return x
'''}, st.OK, lost("act"), BOUNDARY),
    # ---------------------------------------------------------------- imports: the kernel names a module
    # ROUNDS, a set-up variable the fit test reads from the kernel, rebound after the set-up cell ran.
    "module-named-this": ("imports", {"fit": '''
import types

ROUNDS = types.ModuleType("this")
'''}, st.OK, lost("fit"), ALLOW_LIST),
    "class-claiming-tabnanny-check": ("imports", {"fit": '''
ROUNDS = type("check", (), {"__module__": "tabnanny", "__qualname__": "check"})
'''}, st.OK, lost("fit"), ALLOW_LIST),
    "function-claiming-os-system": ("imports", {"fit": f'''
def ROUNDS(command):
    return 0


ROUNDS.__module__, ROUNDS.__qualname__ = "os", "system"


def fit(make_model, num_steps, lr):
    if callable(num_steps):
        num_steps("touch {OS_SYSTEM_MARKER}")
    return np.zeros(3)
'''}, st.OK, lost("fit"), ALLOW_LIST),
}

# Markdown the student wrote: the answer in words, or a cell added after the `act` test.
MARKDOWN = {
    "answer-in-words-raw-html": ("explain", 'It is read again. <a href="javascript:window.tamperMark=3">see</a>'
                                            '<div onmouseover="window.tamperMark=4">hover</div>'
                                            "<script>window.tamperMark = 5</script>"),
    "added-markdown-cell": ("test_act", '<details open ontoggle="window.tamperMark=6">notes</details>'
                                        '<iframe srcdoc="<script>parent.tamperMark=7</script>"></iframe>'
                                        '<svg><script>window.tamperMark=8</script></svg>'),
}
KINDS = {kind for kind, *_ in CASES.values()}


def _submission(correct, name):
    _, plants, *_ = CASES[name]
    nb = correct
    for function, code in plants.items():
        nb = samples.plant(nb, function, code)
    if name in MARKDOWN:
        grade_id, text = MARKDOWN[name]
        index = next(i for i, c in enumerate(nb.cells) if nbgrader_meta(c).get("grade_id") == grade_id)
        if grade_id == "explain":
            nb.cells[index].source = text
        else:
            nb.cells.insert(index + 1, nbformat.v4.new_markdown_cell(text))
    return nb


def _grade(root: Path, static_check: bool, names, *, trusted_tests: bool = True):
    course = Course.at(make_repo(root / "repo", contracts=True), root / "course")
    prepare_assignments(course, [CONTRACTS])
    correct = samples.filled_in(course, CONTRACTS)
    samples.write(correct, course.submitted_notebook("ada", CONTRACTS))
    for name in names:
        samples.write(_submission(correct, name), course.submitted_notebook(name, CONTRACTS))
    limits = Limits(**{**LIMITS.__dict__, "static_check": static_check, "trusted_tests": trusted_tests})
    return course, {o.student: o for o in autograde(course, [CONTRACTS], limits=limits)}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    OS_SYSTEM_MARKER.unlink(missing_ok=True)
    for bait in IMPORT_BAIT:  # so that an import during grading shows
        sys.modules.pop(bait, None)
    modules_before = set(sys.modules)
    course, outcomes = _grade(tmp_path_factory.mktemp("contracts"), True, list(CASES))
    return course, outcomes, set(sys.modules) - modules_before


@pytest.fixture(scope="module")
def graded_without_notes(tmp_path_factory):
    return _grade(tmp_path_factory.mktemp("contracts-no-notes"), False, list(CASES))[1]


@pytest.fixture(scope="module")
def graded_in_the_kernel(tmp_path_factory):
    differ = [name for name, (kind, *_) in CASES.items() if kind == "differ"]
    return _grade(tmp_path_factory.mktemp("contracts-kernel"), True, differ, trusted_tests=False)[1]


def test_every_class_has_three_members_or_more():
    per_kind = {kind: sum(v[0] == kind for v in CASES.values()) for kind in KINDS}
    assert KINDS == {"poison", "markup", "grader", "differ", "imports"} and min(per_kind.values()) >= 3, per_kind
    assert all(re.fullmatch(r"[a-z0-9-]+", name) for name in CASES)  # names are student ids


def test_the_solution_gets_full_marks(graded):
    _, outcomes, _ = graded
    assert (outcomes["ada"].status, outcomes["ada"].score) == (st.OK, FULL), outcomes["ada"].describe()


@pytest.mark.parametrize("name", list(CASES))
def test_each_attempt_gets_its_expected_status_and_score(graded, name):
    _, outcomes, _ = graded
    outcome = outcomes[name]
    _, _, status, score, defence = CASES[name]
    assert (outcome.status, outcome.score) == (status, score), (defence, outcome.describe(), outcome.cells)
    assert outcome.auto_max == FULL


# What each poisoning's failed test must name: the argument (or the lent object's attribute) it changed.
CHANGED = {"norms-replaces-entries": "`grads`", "norms-clears-the-dict": "`grads`", "penalty-adds-a-key": "`weights`",
           "penalty-zeroes-nested-arrays": "`weights`", "penalty-replaces-nested-entries": "`weights`",
           "sgd-rewrites-w-in-place": "`w`", "sgd-zeroes-dw-in-place": "`dw`",
           "fit-sets-the-models-record": "`calls`", "fit-rewrites-a-list-read-through-the-proxy": "`seen`",
           "fit-clears-the-record": "`seen`"}


def test_every_poisoning_names_what_it_changed():
    assert set(CHANGED) == {name for name, (kind, *_) in CASES.items() if kind == "poison"}


@pytest.mark.parametrize("name", list(CHANGED))
def test_a_poisoned_test_fails_with_the_contract_it_broke(graded, name):
    course, _, _ = graded
    (function,) = CASES[name][1]
    errors = [f"{o.get('ename')}: {o.get('evalue')}"
              for cell in json.loads(course.autograded_notebook(name, CONTRACTS).read_text(encoding="utf-8"))["cells"]
              if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == f"test_{function}"
              for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    assert errors and errors[0].startswith("ContractError") and CHANGED[name] in errors[0], errors


@pytest.mark.parametrize("name", list(CASES))
def test_the_static_notes_change_no_verdict(graded, graded_without_notes, name):
    first, second = graded[1][name], graded_without_notes[name]
    assert (second.status, second.score, second.cells) == (first.status, first.score, first.cells), second.describe()


@pytest.mark.parametrize("name", [n for n, (kind, *_) in CASES.items() if kind == "differ"])
def test_a_test_gives_the_kernels_verdict_across_the_boundary(graded, graded_in_the_kernel, name):
    across, in_kernel = graded[1][name], graded_in_the_kernel[name]
    assert across.cells == in_kernel.cells, (across.cells, in_kernel.cells)


def test_the_grader_imports_nothing_the_kernel_names(graded):
    _, outcomes, new_modules = graded
    assert not OS_SYSTEM_MARKER.exists(), "a kernel made the grader run os.system"
    assert not set(IMPORT_BAIT) & new_modules, sorted(set(IMPORT_BAIT) & new_modules)


# --- markup: the feedback page runs nothing the student wrote ----------------------------------------

class _Executable(HTMLParser):
    """Where the student's marker `tamperMark` sits in a page: inside a script, an event handler, a
    javascript: URL or an iframe's srcdoc is executable; anywhere else (escaped text) is not."""

    URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.in_script = 0
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.in_script += 1
        for attr, value in attrs:
            value = value or ""
            if attr.startswith("on") and "tamperMark" in value:
                self.found.append(f"<{tag} {attr}=...>")
            if attr in self.URL_ATTRIBUTES and re.sub(r"\s", "", value).lower().startswith("javascript:"):
                self.found.append(f"<{tag} {attr}=javascript:...>")
            if attr == "srcdoc" and "tamperMark" in value:
                self.found.append(f"<{tag} srcdoc=...>")

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = max(0, self.in_script - 1)

    def handle_data(self, data):
        if self.in_script and "tamperMark" in data:
            self.found.append(f"<script>{data.strip()[:60]}</script>")


def executable_markup(page: str) -> list[str]:
    parser = _Executable()
    parser.feed(page)
    return parser.found


def test_the_checker_finds_what_it_looks_for():
    page = ('<p>&lt;script&gt;tamperMark&lt;/script&gt;</p><img onerror="tamperMark=1">'
            '<a href=" JavaScript:x">y</a><script>var tamperMark = 1</script>')
    assert len(executable_markup(page)) == 3
    assert executable_markup("<p>&lt;img onerror=tamperMark&gt;</p>") == []


@pytest.fixture(scope="module")
def feedback_pages(graded):
    course, outcomes, _ = graded
    names = ["ada"] + [name for name, (kind, *_) in CASES.items() if kind == "markup"]
    pages = generate_feedback(course, [CONTRACTS], names)
    return {name: next(p for p in pages if f"/{name}/" in str(p)).read_text(encoding="utf-8") for name in names}


@pytest.mark.xfail(not SANITIZER_READY, strict=True, reason="sanitizer pending")
@pytest.mark.parametrize("name", [n for n, (kind, *_) in CASES.items() if kind == "markup"])
def test_feedback_runs_no_student_markup(feedback_pages, name):
    assert executable_markup(feedback_pages[name]) == []


def test_feedback_still_shows_the_students_harmless_markup(feedback_pages):
    assert "my plot" in feedback_pages["script-in-display-html"]
    assert "It is read again." in feedback_pages["answer-in-words-raw-html"]

