"""The boundary's contracts (grader.boundary, course_lib.contracts), both ends in one process (no kernel):
a call writes back only the state its graded function declares, by the source's signature; any other change
to an argument, at any depth and by any route (in the call, later through a generator, through a test
object's attributes), leaves the test's objects as they were and fails the test with a ContractError; the
global random state and mutable defaults are checked for every graded call; strings arrive interned as
literals; the grader bounds what it decodes, how long it waits and how much it receives; it imports only
modules of an allow-list."""

from __future__ import annotations

import ast
import importlib
import socket
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from boundary_pair import Pair
from course_lib.contracts import (ContractError, attribute_message, declared_state, defaults_message,
                                  global_rng_message, mutation_message)
from grader.boundary import runner, wire
from grader.boundary.endpoint import Endpoint, Interrupted, PeerGone, TrafficLimit, _bounded_seed
from grader.boundary import plan as plans
from grader.boundary.messages import REQUESTS, Answer, Call, Failure, Lookup, read_request, request_document
from grader.boundary.session import KernelBoundary, TrustedPolicy, _Clocked
from grader.course.limits import Limits


@pytest.fixture
def pair():
    p = Pair()
    yield p
    p.close()


def snapshot(value):
    """A deep copy made here, to compare the test's objects with after the call."""
    if isinstance(value, dict):
        return {k: snapshot(v) for k, v in value.items()}
    if isinstance(value, list):
        return [snapshot(v) for v in value]
    return value.copy() if isinstance(value, np.ndarray) else value


def same(a, b) -> bool:
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and np.array_equal(a, b)
    return a == b


# --- 1. poisoning the test's data after the call ---------------------------------------------------------

POISONERS = {
    "replaces_entries": ("grad_norms", ("grads",), "def grad_norms(grads):\n"
                         "    out = {k: float(np.linalg.norm(v)) for k, v in grads.items()}\n"
                         "    for k in grads:\n        grads[k] = np.zeros_like(grads[k])\n    return out\n",
                         lambda rng: ({"W1": rng.standard_normal((3, 2)), "W2": rng.standard_normal(4)},), "grads"),
    "deletes_keys": ("l2_penalty", ("params", "reg"), "def l2_penalty(params, reg):\n"
                     "    params.pop('W2')\n    return 0.5 * reg * sum(float(np.sum(w * w)) for w in params.values())\n",
                     lambda rng: ({"W1": rng.standard_normal((2, 2)), "W2": rng.standard_normal(3)}, 0.1), "params"),
    "zeroes_dw_beside_declared_config": ("adam", ("w", "dw", "config"), "def adam(w, dw, config=None):\n"
                                         "    config = {} if config is None else config\n    config['t'] = 1\n"
                                         "    dw[...] = 0\n    return w - dw, config\n",
                                         lambda rng: (rng.standard_normal(3), rng.standard_normal(3), {}), "dw"),
    "rescales_x_beside_declared_bn_param": ("batchnorm_forward", ("x", "gamma", "beta", "bn_param"),
                                            "def batchnorm_forward(x, gamma, beta, bn_param):\n"
                                            "    bn_param['running_mean'] = x.mean(0)\n    x *= 0.5\n"
                                            "    return x * gamma + beta, None\n",
                                            lambda rng: (rng.standard_normal((4, 2)), np.ones(2), np.zeros(2),
                                                         {"mode": "train"}), "x"),
    "rewrites_a_nested_label": ("train_network", ("model", "data"), "def train_network(model, data, *, epochs):\n"
                                "    data['val'][1][:] = 0\n    return {}\n",
                                lambda rng: ({"W": np.ones(2)}, {"val": [rng.standard_normal((2, 2)),
                                                                         rng.integers(1, 3, 4)]}), "data"),
}


@pytest.mark.parametrize("case", sorted(POISONERS))
def test_a_change_beyond_the_declared_state_fails_and_never_reaches_the_tests_data(pair, case):
    name, parameters, source, make_args, argument = POISONERS[case]
    pair.kernel("import numpy as np\n" + source)
    args = make_args(np.random.default_rng(7))
    kwargs = {"epochs": 1} if name == "train_network" else {}
    before = snapshot(list(args))
    position = parameters.index(argument)
    with pytest.raises(ContractError) as failed:
        pair.graded(name, parameters)(*args, **kwargs)
    assert str(failed.value) == mutation_message(name, argument, declared_state(name))
    assert same(args[position], before[position]), "the test's own object changed"


def test_the_declared_position_comes_from_the_source_not_the_students_names(pair):
    """The student renamed adam's parameters (config -> dw_state, dw -> config): position 2 is still the
    declared `config`, and a change to position 1 is still a change to `dw`."""
    pair.kernel("def adam(w, config, dw_state=None):\n    dw_state['t'] = dw_state.get('t', 0) + 1\n"
                "    return w, dw_state\n"
                "def adam_bad(w, config, state):\n    config += 1\n    return w, state\n")
    state = {}
    pair.graded("adam", ("w", "dw", "config"))(np.ones(2), np.ones(2), state)
    assert state == {"t": 1}
    dw = np.ones(2)
    with pytest.raises(ContractError, match="adam_bad modified its input `dw` in place"):
        pair.graded("adam_bad", ("w", "dw", "config"), {"config"})(np.ones(2), dw, {})
    assert dw.tolist() == [1.0, 1.0]


def test_declared_state_passed_by_keyword_is_written_back(pair):
    pair.kernel("def sgd(w, dw, config=None):\n    config['seen'] = True\n    return w - dw, config\n")
    config = {"learning_rate": 1.0}
    pair.graded("sgd", ("w", "dw", "config"))(np.ones(2), np.ones(2), config=config)
    assert config == {"learning_rate": 1.0, "seen": True}


def test_a_generator_changing_an_undeclared_argument_later_fails_the_call_that_carried_it(pair):
    pair.kernel("def minibatches(X, rng):\n    rng.shuffle(X)\n    for i in range(0, len(X), 2):\n"
                "        yield X[i:i + 2].copy()\n")
    X = np.arange(6.0)
    batches = pair.graded("minibatches", ("X", "rng"))(X, np.random.default_rng(0))
    with pytest.raises(ContractError, match="modified its input `X` in place"):
        list(batches)
    assert X.tolist() == list(np.arange(6.0))


def test_a_method_or_returned_callable_declares_nothing(pair):
    pair.kernel("class Net:\n    def loss(self, X):\n        X /= 2\n        return 0.0\n")
    X = np.ones(2)
    with pytest.raises(ContractError, match="^loss modified its input `argument 1` in place"):
        pair.get("Net")().loss(X)
    assert X.tolist() == [1.0, 1.0]


class CountingModel:
    """A test's model: student code may update its parameters, never its counters."""

    course_writable = ("params",)

    def __init__(self):
        self.params = {"W": np.ones(2)}
        self.calls = 0

    def loss(self):
        self.calls += 1
        return float(np.sum(self.params["W"] ** 2)), {"W": 2 * self.params["W"]}


def test_a_test_object_changes_only_where_its_class_declares_it(pair):
    pair.kernel("def step(model, lr):\n    loss, grads = model.loss()\n    model.params['W'] -= lr * grads['W']\n"
                "    return loss\n"
                "def reset(model):\n    model.calls = 0\n"
                "def reset_quietly(model):\n    try:\n        model.calls = 0\n    except AssertionError:\n        pass\n"
                "    return 'caught'\n")
    model = CountingModel()
    assert pair.graded("step", ("model", "lr"))(model, 0.25) == 2.0
    assert model.params["W"].tolist() == [0.5, 0.5] and model.calls == 1
    with pytest.raises(ContractError) as failed:
        pair.get("reset")(model)
    assert str(failed.value) == attribute_message("`CountingModel` object", "calls", ("params",))
    assert model.calls == 1
    pair.trusted.violations.clear()
    with pytest.raises(ContractError):  # caught in the student's code, remembered here
        pair.get("reset_quietly")(model)
    assert model.calls == 1 and len(pair.trusted.violations) == 1


def test_an_attribute_copy_changed_in_place_is_refused_unless_writable(pair):
    class Frozen:
        def __init__(self):
            self.data = {"X": np.ones(3)}

    pair.kernel("def poison(obj):\n    obj.data['X'][:] = 0\n    return 1\n")
    obj = Frozen()
    with pytest.raises(ContractError, match="changed `data` of the test's `Frozen` object"):
        pair.get("poison")(obj)
    assert obj.data["X"].tolist() == [1.0, 1.0, 1.0]
    assert not TrustedPolicy().may_change(obj, "data") and TrustedPolicy().may_change(CountingModel(), "params")


def test_a_tests_callable_may_still_change_the_students_copies(pair):
    """The other direction stays: a test's trusted callback mutating what student code gave it is synced
    into the student's objects (a test's update rule updating the config the student's loop holds)."""
    pair.kernel("def loop(update, steps):\n    config = {}\n    w = 0.0\n    for _ in range(steps):\n"
                "        w = update(w, config)\n    return w, config\n")

    def counting_update(w, config):
        config["t"] = config.get("t", 0) + 1
        return w + 1.0

    assert pair.graded("loop", ("update", "steps"))(counting_update, 3) == (3.0, {"t": 3})


# --- 2. the global random state, mutable defaults, a ContractError raised in the kernel -------------------

def test_the_global_random_state_and_mutable_defaults_are_checked_for_graded_calls(pair):
    pair.kernel("import numpy as np\n"
                "def noisy(x):\n    np.random.seed(0)\n    return x + np.random.rand()\n"
                "def remembers(x, seen=[]):\n    seen.append(x)\n    return len(seen)\n"
                "def remembers_too(x, seen=[]):\n    seen.append(x)\n    return len(seen)\n"
                "def fine(x, rng):\n    return x + rng.standard_normal()\n")
    with pytest.raises(ContractError) as failed:
        pair.graded("noisy", ("x",))(1.0)
    assert str(failed.value) == global_rng_message("noisy")
    with pytest.raises(ContractError) as failed:
        pair.graded("remembers", ("x", "seen"))(1.0)
    assert str(failed.value) == defaults_message("remembers", "seen")
    assert isinstance(pair.graded("fine", ("x", "rng"))(1.0, np.random.default_rng(0)), float)
    assert pair.get("remembers_too")(2.0) == 1  # not a graded name: its defaults are not checked


def test_prints_warnings_and_the_students_own_objects_cost_nothing(pair, capsys):
    pair.kernel("import warnings\nimport numpy as np\n"
                "class Helper:\n    def __init__(self, x):\n        self.x = x.copy()\n"
                "def careful(x, reg):\n    h = Helper(x)\n    h.x *= 2\n    print('debug', h.x.sum())\n"
                "    warnings.warn('just so you know')\n    x = x.copy()\n    x[0] = 9\n    return x, h\n")
    x = np.ones(3)
    with pytest.warns(UserWarning):
        out, helper = pair.graded("careful", ("x", "reg"))(x, 0.1)
    assert x.tolist() == [1.0, 1.0, 1.0] and out.tolist() == [9.0, 1.0, 1.0] and not pair.trusted.violations


def test_a_contract_error_raised_in_the_kernel_arrives_as_one(pair):
    pair.kernel("from course_lib.contracts import checked_call\n"
                "def inplace(x):\n    x += 1\n    return x\n"
                "def visible_test(x):\n    return checked_call(inplace, x.copy(), _name='inplace')\n")
    with pytest.raises(ContractError) as failed:
        pair.get("visible_test")(np.ones(2))
    assert str(failed.value) == mutation_message("inplace", "x")


# --- 3. strings as one process sees them ------------------------------------------------------------------

def test_identifier_like_strings_arrive_interned_as_literals_are(pair):
    pair.kernel("def f(mode):\n    return 1 if mode is 'train' else 0\n"
                "def g():\n    return 'train', 'not an identifier!'\n")
    mode = "".join(["tr", "ain"])  # made at run time, not interned here
    assert pair.graded("f", ("mode",))(mode) == 1
    train, other = pair.get("g")()
    assert train is "train"  # noqa: F632 - the point of the test
    assert other == "not an identifier!"


# --- 4. the grader protects itself ------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [
    {"entropy": 1, "spawn_key": [], "pool_size": 1 << 30, "n_children_spawned": 0},
    {"entropy": [1] * 10_000, "spawn_key": [], "pool_size": 4, "n_children_spawned": 0},
    {"entropy": 1 << 100_000, "spawn_key": [], "pool_size": 4, "n_children_spawned": 0},
    {"entropy": 1, "spawn_key": [0] * 10_000, "pool_size": 4, "n_children_spawned": 0},
    {"entropy": 1, "spawn_key": [], "pool_size": 4, "n_children_spawned": 1 << 70},
    {"entropy": -1, "spawn_key": [], "pool_size": 4, "n_children_spawned": 0},
])
def test_a_seed_sequence_out_of_bounds_is_refused(seed):
    with pytest.raises(wire.WireError):
        _bounded_seed(seed)


def test_a_huge_pool_size_from_the_kernel_ends_the_session_at_once():
    state = np.random.default_rng(1).bit_generator.state
    encoder = wire.Encoder(lambda obj: None)
    tag = {"@": "rng", "owner": "me", "id": 1, "state": encoder.encode(state),
           "seed": encoder.encode({"entropy": 1, "spawn_key": [], "pool_size": 1 << 40, "n_children_spawned": 0})}
    a, b = socket.socketpair()
    end = Endpoint(TrustedPolicy())
    end.attach(a)
    b.sendall(wire.pack({"ok": tag}, []))
    with pytest.raises(PeerGone, match="pool size"):
        end.request("lookup", "anything")
    a.close(), b.close()


def test_an_honest_seed_sequence_still_crosses():
    seq = np.random.default_rng(12345).spawn(3)[2].bit_generator.seed_seq
    made = _bounded_seed({"entropy": seq.entropy, "spawn_key": list(seq.spawn_key), "pool_size": seq.pool_size,
                          "n_children_spawned": seq.n_children_spawned})
    assert made.generate_state(4).tolist() == seq.generate_state(4).tolist()


def test_a_message_of_too_many_items_is_refused_before_it_is_parsed():
    text = b"[" + b"0," * (4 * wire.MAX_ITEMS) + b"0]"
    a, b = socket.socketpair()
    threading.Thread(target=lambda: (b.sendall(wire._HEADER.pack(len(text), 0) + text), b.close()),
                     daemon=True).start()
    with pytest.raises(wire.WireError, match="more items"):
        wire.unpack(a.recv_into)
    a.close()


def _flooded_boundary(limit_mb: int, deadline: float, interrupted_at=None):
    """A KernelBoundary's clock and counter over a socket pair, without a kernel."""
    boundary = KernelBoundary.__new__(KernelBoundary)
    boundary.max_traffic, boundary.received = limit_mb << 20, 0
    boundary.deadline, boundary.interrupted_at = deadline, interrupted_at
    boundary.interrupts = []
    boundary._interrupt = lambda: boundary.interrupts.append(True)
    a, b = socket.socketpair()
    end = Endpoint(TrustedPolicy())
    end.attach(_Clocked(a, boundary))

    def flood():  # a kernel that never stops sending: requests of 1 MiB, one after another
        message = wire.pack({"q": "builtin", "a": [{"@": "bytes", "b": 0}]}, [b"x" * (1 << 20)])
        try:
            while True:
                b.sendall(message)
        except OSError:
            pass

    threading.Thread(target=flood, daemon=True).start()
    return boundary, end, (a, b)


def test_a_cell_that_receives_more_than_its_traffic_limit_ends():
    boundary, end, sockets = _flooded_boundary(4, deadline=time.monotonic() + 3600)
    with pytest.raises(TrafficLimit, match="more than 4 MiB"):
        end.request("lookup", "anything")
    assert 4 << 20 < boundary.received <= (4 << 20) + (2 << 20)
    for s in sockets:
        s.close()


def test_the_deadline_is_checked_while_the_kernel_keeps_sending():
    """Past the deadline and its grace period, a kernel that is never idle still ends the test."""
    boundary, end, sockets = _flooded_boundary(1 << 20, deadline=0.0, interrupted_at=-1e9)
    with pytest.raises(Interrupted):
        end.request("lookup", "anything")
    for s in sockets:
        s.close()


def test_the_traffic_limit_is_a_limit_of_the_run():
    assert Limits().max_cell_traffic_mb == 1024


# --- 5. the trusted side imports only from an allow-list --------------------------------------------------

def test_the_trusted_side_imports_no_module_the_kernel_names(monkeypatch):
    imported = []
    real = importlib.import_module
    monkeypatch.setattr(runner.importlib, "import_module", lambda name: imported.append(name) or real(name))
    roots = frozenset(runner.TRUSTED_MODULES) | runner.setup_modules(("import matplotlib.pyplot as plt",))
    assert runner._trusted_twin("this", None, roots) is None
    assert runner._trusted_twin(None, ("this", "s"), roots) is None
    assert runner._trusted_twin("numpy", None, roots) is np
    assert runner._trusted_twin(None, ("numpy", "zeros"), roots) is np.zeros
    assert runner._trusted_twin(None, ("course_lib.contracts", "fingerprint"), roots) is not None
    assert imported == ["numpy", "numpy", "course_lib.contracts"]
    assert "matplotlib" in roots


# --- the runner: contracts by the source's signature, violations fail the cell ----------------------------

class PairBoundary:
    """What run_test_cell uses of a KernelBoundary, over a Pair."""

    interrupted_at = None

    def __init__(self, pair):
        self.pair = pair

    def open_cell(self, deadline, prelude=""):
        self.pair.trusted.violations = []

    def close_cell(self, broken=False):
        pass

    def lookup(self, name):
        return self.pair.trusted.request("lookup", name)["value"], None, None

    def declare(self, proxy, contract):
        self.pair.trusted.set_contract(proxy, contract)

    @property
    def violations(self):
        return self.pair.trusted.violations

    def kernel_gone(self):
        return False


SOURCE = {"cells": [
    {"cell_type": "code", "metadata": {"nbgrader": {"solution": True, "grade": False, "grade_id": "a"}},
     "source": "def sgd(w, dw, config=None):\n    return w, config\n\nclass Model:\n"
               "    def __init__(self, sizes, rng):\n        pass\n", "outputs": [], "execution_count": None},
]}


def test_the_plan_reads_signatures_from_the_source():
    import nbformat

    plan = plans.plan_from_source(nbformat.from_dict({**SOURCE, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    assert plan.signatures == {"sgd": ("w", "dw", "config"), "Model": ("sizes", "rng")}


def test_a_violation_caught_by_the_test_still_fails_the_cell(pair):
    pair.kernel("def sgd(w, dw, config=None):\n    dw *= 0\n    config['t'] = 1\n    return w, config\n"
                "def fine(x):\n    return x\n")
    plan = plans.TestPlan(frozenset({"sgd", "fine"}), (), frozenset(), {"sgd": ("w", "dw", "config"), "fine": ("x",)})
    boundary = PairBoundary(pair)
    namespace = runner.TestNamespace(boundary, plan)
    cell = ("config = {}\ntry:\n    sgd(np.ones(2), np.ones(2), config)\nexcept Exception:\n    pass\n"
            "assert config == {}\n")
    namespace["np"] = np
    outputs, _ = runner.run_test_cell(boundary, namespace, cell, "t1", time.monotonic() + 60)
    (error,) = [o for o in outputs if o["output_type"] == "error"]
    assert error["ename"] == "ContractError"
    assert error["evalue"] == mutation_message("sgd", "dw", {"config"})
    outputs, _ = runner.run_test_cell(boundary, namespace, "assert fine(np.ones(1)).tolist() == [1.0]\n", "t2",
                                      time.monotonic() + 60)
    assert not [o for o in outputs if o["output_type"] == "error"]


def test_the_kernel_gets_the_contract_checks_as_part_of_the_agent():
    from grader.boundary.session import AGENT_PARTS, agent_source

    assert AGENT_PARTS[0].name == "contracts.py" and "def global_rng_fingerprint" in agent_source()
    namespace: dict = {}
    exec(compile(agent_source(), "<course boundary>", "exec"), namespace)
    assert namespace["ContractError"].__mro__[1] is AssertionError and "Endpoint" in namespace
    before = namespace["global_rng_fingerprint"]()
    state = np.random.get_state()
    np.random.rand()
    assert namespace["global_rng_fingerprint"]() != before
    np.random.set_state(state)
    exec("def remembers(x, seen=[]):\n    seen.append(x)\n", namespace)
    assert list(namespace["defaults_fingerprint"](namespace["remembers"])) == ["seen"]
    assert namespace["Decoder"]([], None).decode("train") is "train"  # noqa: F632


def _top_level_names(tree) -> list[str]:
    names = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names += [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
    return names


def test_the_agent_holds_every_endpoint_module_after_those_it_imports():
    """In the kernel the parts run as one module: each must come after the parts it imports from, import
    them only behind a guard that names one of the names it imports (so the part ran), import nothing but
    the standard library and numpy otherwise, and define no name another part defines."""
    import sys

    from grader.boundary.session import AGENT_PARTS

    part_of = {f"grader.boundary.{p.stem}": i for i, p in enumerate(AGENT_PARTS)}
    part_of["course_lib.contracts"] = 0
    defined: dict[str, str] = {}
    for index, path in enumerate(AGENT_PARTS):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.If) and isinstance(node.test, ast.Compare):
                (guarded,) = node.body
                assert isinstance(guarded, ast.ImportFrom) and guarded.module in part_of, (path.name, guarded.module)
                assert part_of[guarded.module] < index, f"{path.name} imports {guarded.module}, which runs later"
                assert node.test.left.value in {a.name for a in guarded.names}, (path.name, node.test.left.value)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
                for module in modules:
                    top = module.split(".")[0]
                    assert top in sys.stdlib_module_names or top in ("numpy", "__future__"), (path.name, module)
        for name in set(_top_level_names(tree)) - {"_name", "_dunder"}:  # loop names, deleted after their loop
            assert name not in defined, f"{name} is defined by {defined[name]} and {path.name}"
            defined[name] = path.name
    endpoint_modules = {p.stem for p in (Path(runner.__file__).parent).glob("*.py")} - {
        "__init__", "agent", "calibrate", "plan", "runner", "session"}
    assert endpoint_modules <= {p.stem for p in AGENT_PARTS}


# --- 7. the messages: typed records, one table, and what each side may send ------------------------------

def test_every_request_kind_round_trips_as_its_record():
    for kind in REQUESTS.values():
        values = {name: {"name": "x", "args": (1,), "kwargs": {"k": 2}, "shared": {"0": 1},
                         "operands": (3,)}.get(name, 5) for name in kind.VALUES}
        record = kind(**values)
        if kind is Call:
            record.declared, record.check = [2, "config"], True
        document = request_document(record, lambda v: v)
        assert read_request(document, lambda v: v) == record
    with pytest.raises(wire.WireError):
        read_request({"q": "lookup", "a": [5]}, lambda v: v)  # a name must be a str
    with pytest.raises(wire.WireError):
        read_request({"q": "exec", "a": []}, lambda v: v)
    assert Answer.read(Answer(1, [[0]], [["rng"]], [3]).document()) == Answer(1, [[0]], [["rng"]], [3])
    assert Failure.read(Failure("ValueError", "m", "d").document()) == Failure("ValueError", "m", "d")


@pytest.mark.parametrize("request_", [Lookup("secret"), REQUESTS["done"]()], ids=["lookup", "done"])
def test_the_grader_serves_student_code_only_what_it_may_ask(request_):
    a, b = socket.socketpair()
    end = Endpoint(TrustedPolicy())
    end.attach(a)
    encoder = wire.Encoder(lambda obj: None)
    b.sendall(wire.pack(request_document(request_, encoder.encode), encoder.buffers))
    end.serve_one()
    document, _ = wire.unpack(b.recv_into)
    failure = Failure.read(document)
    assert failure.type_name == "BoundaryError" and "not served here" in failure.message
    a.close(), b.close()


# --- course_lib.contracts itself: the one implementation both places use ----------------------------------

def test_checked_call_names_each_broken_contract():
    from course_lib.contracts import checked_call, defaults_fingerprint, global_rng_fingerprint

    def sgd(w, dw, config=None):
        config["t"] = 1
        return w - dw, config

    def inplace(w, dw, config=None):
        dw *= 0
        return w, config

    def seeded(x):
        np.random.seed(1)
        return x

    def keeps(x, seen=[]):  # noqa: B006 - the point of the test
        seen.append(x)
        return len(seen)

    config = {}
    checked_call(sgd, np.ones(2), np.ones(2), config)
    assert config == {"t": 1}
    with pytest.raises(ContractError, match="inplace modified its input `dw`"):
        checked_call(inplace, np.ones(2), np.ones(2), {}, _name="inplace")
    state = np.random.get_state()
    try:
        before = global_rng_fingerprint()
        with pytest.raises(ContractError, match="global random state"):
            checked_call(seeded, 1)
        assert global_rng_fingerprint() != before
    finally:
        np.random.set_state(state)
    assert global_rng_fingerprint() == before
    with pytest.raises(ContractError, match="default argument `seen`"):
        checked_call(keeps, 1)
    assert list(defaults_fingerprint(keeps)) == ["seen"] and defaults_fingerprint(len) == {}
