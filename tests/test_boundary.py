"""The boundary between the grader and the student's kernel (grader.boundary), rule by rule, both ends in
one process: only plain data crosses, of exact types; everything else stays behind a proxy that cannot
lie about equality; mutation of declared state, writable attributes and generators is carried back (the
contracts themselves: tests/test_boundary_contracts.py); the grader's side refuses what would reach the
hidden tests; a malformed message ends the session instead of the grader."""

from __future__ import annotations

import math
import socket
import struct

import numpy as np
import pytest

from boundary_pair import Pair
from course_lib.contracts import ContractError
from grader.boundary import wire
from grader.boundary.endpoint import BoundaryError, Endpoint, Interrupted, PeerError, PeerGone, Proxy, sync_into
from grader.boundary.session import TrustedPolicy


@pytest.fixture
def pair():
    p = Pair()
    yield p
    p.close()


def echo(pair, value):
    pair.kernel("def echo(v):\n    return v")
    return pair.get("echo")(value)


PLAIN = [None, True, False, 0, -7, 2**80, -(2**70), 1.5, -0.0, math.inf, -math.inf, 1e-300, complex(1, -2), "",
         "ünïcode ✓", b"\x00bytes", [1, [2, (3, {"k": None})]], (), {1: "a", (2, 3): [4.0], "s": {5}},
         frozenset({1, 2}), {1.5, "x"}, slice(1, None, -2), Ellipsis, np.float64(0.25), np.int32(-3),
         np.bool_(True), np.complex128(1j), np.uint8(255), np.dtype("float32")]


@pytest.mark.parametrize("value", PLAIN, ids=lambda v: type(v).__name__)
def test_plain_values_cross_with_their_exact_types(pair, value):
    got = echo(pair, value)
    assert type(got) is type(value)
    assert got == value or (isinstance(value, float) and math.isnan(value))
    if isinstance(value, float):
        assert math.copysign(1, got) == math.copysign(1, value)


def test_nan_and_containers_of_arrays(pair):
    assert math.isnan(echo(pair, math.nan))
    arrays = {"f": np.arange(12.0).reshape(3, 4)[:, ::2], "i": np.arange(5, dtype=np.int16), "b": np.ones(3, bool),
              "c": np.array([1 + 2j]), "u": np.array(["ab", "c"]), "empty": np.zeros((0, 4)), "0d": np.array(3.5),
              "be": np.arange(3, dtype=">f8")}
    got = echo(pair, arrays)
    for key, value in arrays.items():
        assert type(got[key]) is np.ndarray and got[key].dtype == value.dtype and got[key].shape == value.shape
        assert np.array_equal(got[key], value) and got[key].flags.writeable and got[key].flags.owndata


def test_a_freed_temporary_is_never_taken_for_the_next_value():
    encoder = wire.Encoder(lambda obj: None)  # one encoder, many values: a temporary's id is reused at once
    trees = [encoder.encode({"v": float(i)}) for i in range(5)]
    assert [t["@"] for t in trees] == ["dict"] * 5, "a later value sent as an alias of a freed one"
    arrays = [encoder.encode(np.full(3, float(i))) for i in range(5)]
    assert [t["@"] for t in arrays] == ["array"] * 5


def test_aliases_and_cycles_survive(pair):
    a = np.ones(3)
    loop: list = [a, a]
    loop.append(loop)
    got = echo(pair, loop)
    assert got[0] is got[1] and got[2] is got


def test_subclasses_arrive_as_their_base_type_and_cannot_lie(pair):
    pair.kernel(
        "import collections, typing\nimport numpy as np\n"
        "class Liar(str):\n    def __eq__(self, other):\n        return True\n    __hash__ = str.__hash__\n"
        "class F(float):\n    def __eq__(self, other):\n        return True\n"
        "class P(typing.NamedTuple):\n    out: float\n    cache: tuple\n"
        "class A(np.ndarray):\n    def __eq__(self, other):\n        return True\n"
        "def make():\n    return [Liar('wrong'), F(1.0), P(2.0, (1,)), collections.OrderedDict(a=1),\n"
        "            collections.defaultdict(int, b=2), np.str_('s'), np.zeros(2).view(A), type(str)('X', (str,), {'__eq__': lambda s, o: True})('also wrong')]")
    liar, f, p, od, dd, s, a, made = pair.get("make")()
    assert type(liar) is str and liar != "right" and liar == "wrong"
    assert type(f) is float and f != 2.0
    assert type(p) is tuple and p == (2.0, (1,))
    assert type(od) is dict and type(dd) is dict and od == {"a": 1} and dd == {"b": 2}
    assert type(s) is str and type(a) is np.ndarray
    assert type(made) is str and made != "right"


def test_other_objects_stay_behind_a_proxy_that_refuses_equality(pair):
    pair.kernel("class Anything:\n    def __eq__(self, o):\n        return True\n    def __lt__(self, o):\n        return True\n"
                "    def __float__(self):\n        return 6.0\n    def __repr__(self):\n        return 'Anything()'\n"
                "def make():\n    return Anything()")
    obj = pair.get("make")()
    assert isinstance(obj, Proxy)
    with pytest.raises(BoundaryError):
        assert obj == 6
    with pytest.raises(BoundaryError):
        assert obj != 5
    with pytest.raises(BoundaryError):
        assert obj < 1
    assert obj == obj and float(obj) == 6.0 and repr(obj) == "Anything()"
    assert obj in {obj} and obj is pair.trusted._proxies[object.__getattribute__(obj, "_id")]


def test_a_lying_conversion_must_still_give_the_exact_type(pair):
    pair.kernel("class S:\n    def __str__(self):\n        return type(str)('T', (str,), {'__eq__': lambda s, o: True})('x')\n"
                "    def __len__(self):\n        return 3\n"
                "    def __array__(self, dtype=None, copy=None):\n        import numpy as np\n        return np.ones(2)\n"
                "def make():\n    return S()")
    obj = pair.get("make")()
    assert type(str(obj)) is str and str(obj) != "y"
    assert len(obj) == 3 and np.asarray(obj).tolist() == [1.0, 1.0]


def test_operators_attributes_and_methods_work_on_proxies(pair):
    pair.kernel(
        "class V:\n    def __init__(self, data):\n        self.data, self.grad, self._prev = data, 0.0, set()\n"
        "    def __add__(self, o):\n        o = o if isinstance(o, V) else V(o)\n        return V(self.data + o.data)\n"
        "    __radd__ = __add__\n    def __mul__(self, o):\n        return V(self.data * (o.data if isinstance(o, V) else o))\n"
        "    def __rmul__(self, o):\n        return self * o\n    def __neg__(self):\n        return self * -1\n"
        "    def __pow__(self, k):\n        return V(self.data ** k)\n    def exp(self):\n        import math\n        return V(math.exp(self.data))\n")
    V = pair.get("V")
    a, b = V(2.0), V(-3.0)
    out = (a + b) * 2 + 1.5 - (-a) ** 0 if False else (a + b) * 2 + 1.5
    assert float(out.data) == -0.5
    assert float((3 * a).data) == 6.0 and float((1 + a).data) == 3.0 and float((-a).data) == -2.0
    assert float((a ** 3).data) == 8.0 and float(a.exp().data) == pytest.approx(math.exp(2.0))
    assert float(sum([a, b, a]).data) == 1.0
    a.grad = 5.0
    assert a.grad == 5.0 and a._prev == set()


def test_declared_state_is_written_back_in_place_and_nothing_else(pair):
    pair.kernel("import numpy as np\n"
                "def relu_inplace(x):\n    x[x < 0] = 0\n    return x\n"
                "def sgd(w, dw, config=None):\n    config = {} if config is None else config\n"
                "    config.setdefault('learning_rate', 0.1)\n    config['velocity'] = config.get('velocity', 0) + dw\n"
                "    return w - config['learning_rate'] * dw, config\n"
                "def bn(x, bn_param):\n    bn_param['running_mean'] = 0.9 * bn_param.get('running_mean', 0) + 0.1 * x.mean(0)\n"
                "    return x\n")
    x = np.array([-1.0, 2.0])
    with pytest.raises(ContractError, match="relu_inplace modified its input `x` in place"):
        pair.graded("relu_inplace", ("x",))(x)
    assert x.tolist() == [-1.0, 2.0]
    config = {"learning_rate": 0.5}
    velocity_dict = config
    w, config_back = pair.graded("sgd", ("w", "dw", "config"))(np.ones(2), np.ones(2), config)
    assert velocity_dict is config and config["velocity"].tolist() == [1.0, 1.0]
    assert config_back == config and config_back is not config
    bn_param = {"mode": "train"}
    pair.graded("bn", ("x", "bn_param"), {"bn_param"})(np.ones((4, 2)), bn_param=bn_param)
    assert bn_param["running_mean"].tolist() == [0.1, 0.1]


def test_generators_keep_one_stream_across_calls_and_lazy_iteration(pair):
    """A generator function that shuffles its declared argument as it is iterated: the change arrives."""
    pair.kernel("def draw(rng):\n    return rng.standard_normal(3)\n"
                "def batches(X, rng):\n    order = rng.permutation(len(X))\n    X[:] = X[order]\n"
                "    for i in range(0, len(X), 2):\n        yield X[i:i + 2]\n")
    rng, mirror = np.random.default_rng(1), np.random.default_rng(1)
    first, second = pair.get("draw")(rng), pair.get("draw")(rng)
    assert first.tolist() == mirror.standard_normal(3).tolist() and second.tolist() == mirror.standard_normal(3).tolist()
    X = np.arange(6.0)
    out = list(pair.graded("batches", ("X", "rng"), {"X"})(X, rng))
    order = mirror.permutation(6)
    assert X.tolist() == np.arange(6.0)[order].tolist() and len(out) == 3
    assert rng.standard_normal() == mirror.standard_normal()


def test_attributes_read_through_a_proxy_stay_in_step_both_ways(pair):
    pair.kernel("import numpy as np\nclass Net:\n    def __init__(self):\n        self.params = {'W': np.zeros(2)}\n"
                "    def loss(self):\n        return float(self.params['W'].sum())\n"
                "    def grow(self):\n        self.params['W'] += 1\n")
    net = pair.get("Net")()
    net.params["W"] = np.array([3.0, 4.0])
    assert net.loss() == 7.0
    params = net.params
    params["W"][0] = 10.0  # in place, through a copy held since before
    assert net.loss() == 14.0
    net.grow()
    assert params["W"].tolist() == [11.0, 5.0]


def test_student_code_calling_back_into_a_test_object(pair):
    pair.kernel("def train(make_model, steps, lr):\n    model = make_model()\n    out = []\n"
                "    for _ in range(steps):\n        loss, grads = model.loss()\n        out.append(loss)\n"
                "        for name, p in model.params.items():\n            p -= lr * grads[name]\n    return out\n")

    class Quadratic:
        course_writable = ("params",)  # the training loop updates them in place

        def __init__(self):
            self.params = {"w": np.array([1.0])}

        def loss(self):
            w = self.params["w"]
            return float(0.5 * (w[0] - 3) ** 2), {"w": w - 3.0}

    made = []
    history = pair.get("train")(lambda: made.append(Quadratic()) or made[-1], 3, 0.5)
    assert history == [2.0, 0.5, 0.125] and made[0].params["w"].tolist() == [2.75]


def test_the_grader_refuses_what_would_reach_the_hidden_tests(pair):
    secret = {"expected": 42}

    def reference(x):
        return secret["expected"] + x

    class Fixture:
        value = 1

    pair.kernel("def peek(f):\n    return f.__globals__\n"
                "def private(o):\n    return o._hidden\n"
                "def patch(cls):\n    cls.value = 'student'\n"
                "def replace_method(obj):\n    obj.loss = print\n"
                "def call(f):\n    return f(1)\n")
    with pytest.raises(AttributeError):
        pair.get("peek")(reference)
    obj = Fixture()
    obj._hidden = "no"
    with pytest.raises(AttributeError):
        pair.get("private")(obj)
    with pytest.raises(ContractError, match="changed `value` of the test's class"):
        pair.get("patch")(Fixture)
    assert Fixture.value == 1
    with pytest.raises(ContractError, match="changed `loss` of the test's `Fixture` object"):
        pair.get("replace_method")(obj)
    assert "loss" not in vars(obj)
    with pytest.raises(BoundaryError):
        pair.get("call")(math)
    assert pair.get("call")(reference) == 43


def test_exceptions_cross_as_builtin_types_or_named_peer_errors(pair):
    pair.kernel("class ShapeError(ValueError):\n    pass\n"
                "def bad(kind):\n    if kind == 1:\n        raise ValueError('shape (2,) vs (3,)')\n"
                "    if kind == 2:\n        raise ShapeError('mine')\n    if kind == 3:\n        raise KeyboardInterrupt\n"
                "    raise NotImplementedError()\n")
    bad = pair.get("bad")
    with pytest.raises(ValueError, match=r"shape \(2,\) vs \(3,\)"):
        bad(1)
    with pytest.raises(PeerError, match="ShapeError: mine"):
        bad(2)
    with pytest.raises(Interrupted):
        bad(3)
    with pytest.raises(NotImplementedError):
        bad(4)
    with pytest.raises(NameError):
        pair.get("undefined_name")


def test_values_too_big_or_too_deep_do_not_cross(pair):
    pair.kernel("import numpy as np\ndef big():\n    return np.zeros(wire_max + 1)\n"
                "def deep():\n    v = []\n    for _ in range(500):\n        v = [v]\n    return v\n")
    pair.namespace["wire_max"] = wire.MAX_ITEMS
    with pytest.raises(BoundaryError):
        pair.get("big")()
    with pytest.raises(BoundaryError):
        pair.get("deep")()
    assert echo(pair, [1]) == [1]  # the session goes on


def test_a_dead_proxy_releases_the_object_it_held(pair):
    pair.kernel("class O:\n    pass\ndef make():\n    return O()\n")
    before = len(pair.kernel_end._owned)
    for _ in range(20):
        pair.get("make")()
    echo(pair, 0)  # one more message carries the releases
    assert len(pair.kernel_end._owned) <= before + 2


def _fake_kernel_replies(payload: bytes):
    a, b = socket.socketpair()
    end = Endpoint(TrustedPolicy())
    end.attach(a)
    b.sendall(payload)
    b.shutdown(socket.SHUT_WR)
    return end, b


@pytest.mark.parametrize("payload", [
    b"\x00" * 16,                                                       # an empty JSON document
    struct.pack("!QQ", 4, 0) + b"[1,2",                               # cut off
    struct.pack("!QQ", 1 << 40, 0),                                   # claims a terabyte
    struct.pack("!QQ", 20010, 0) + b"[" * 10005 + b"]" * 10005,       # nested past any recursion limit
    wire.pack({"ok": {"@": "array", "dtype": "O", "shape": [1], "b": 0}}, [b"x" * 8]),
    wire.pack({"ok": {"@": "array", "dtype": "<f8", "shape": [3], "b": 0}}, [b"x" * 8]),
    wire.pack({"ok": {"@": "back", "id": 999}}, []),
    wire.pack({"ok": {"@": "alias", "n": 5}}, []),
    wire.pack({"ok": {"@": "rng", "owner": "me", "id": 1, "state": {"bit_generator": "os.system"}}}, []),
    wire.pack({"err": "not a dict"}, []),
    wire.pack({"ok": 1, "s": [["attr", "mine", 1, "x"], 5]}, []),
])
def test_a_malformed_message_from_the_kernel_ends_the_session_not_the_grader(payload):
    end, _kernel = _fake_kernel_replies(payload)
    with pytest.raises(PeerGone):
        end.request("lookup", "anything")


def test_sync_into_keeps_identity_where_it_can():
    inner = np.zeros(2)
    target = {"a": inner, "b": [1, 2, 3], "c": (np.ones(1),)}
    assert sync_into(target, {"a": np.array([1.0, 2.0]), "b": [4], "c": (np.array([5.0]),), "d": "new"})
    assert target["a"] is inner and inner.tolist() == [1.0, 2.0] and target["b"] == [4] and target["d"] == "new"
    assert not sync_into(np.zeros(2), np.zeros(2, dtype=np.int64))
    assert not sync_into(1.0, 2.0)


def test_an_argument_kept_shared_and_passed_again_after_a_change(pair):
    """check_gradient nudges x in place and calls again: x is both a new argument and a shared copy (its
    first call returned an object that may keep it): the two must not be mixed up in one message."""
    pair.kernel("class Cache:\n    pass\ndef forward(x):\n    c = Cache()\n    c.x = x\n    return float(x.sum()), c\n")
    forward = pair.get("forward")
    x = np.ones(3)
    assert forward(x)[0] == 3.0
    x[0] = 5.0
    total, cache = forward(x)
    assert total == 7.0 and np.asarray(cache.x).tolist() == [5.0, 1.0, 1.0]


def test_a_subclass_value_goes_back_to_the_students_code_as_itself(pair):
    """A NamedTuple or defaultdict cache arrives as a plain tuple or dict, yet the student's backward gets its
    own object back (unless the test changed it); a dict subclass of params is updated in place."""
    pair.kernel("import collections, typing\nimport numpy as np\n"
                "class Cache(typing.NamedTuple):\n    x: np.ndarray\n    scale: float\n"
                "def forward(x):\n    return x * 2, Cache(x, 2.0)\n"
                "def backward(dout, cache):\n    return dout * cache.scale\n"
                "def counts():\n    d = collections.defaultdict(int)\n    d['a'] += 1\n    return d\n"
                "def kind(d):\n    return type(d).__name__\n"
                "class Params(dict):\n    __getattr__ = dict.__getitem__\n"
                "class Net:\n    def __init__(self):\n        self.params = Params(W=np.zeros(2))\n"
                "    def total(self):\n        return float(self.params.W.sum())\n")
    out, cache = pair.get("forward")(np.ones(2))
    assert type(cache) is tuple and cache[1] == 2.0
    assert pair.get("backward")(np.ones(2), cache).tolist() == [2.0, 2.0]
    d = pair.get("counts")()
    assert type(d) is dict and pair.get("kind")(d) == "defaultdict"
    net = pair.get("Net")()
    net.params["W"] = np.array([1.0, 2.0])
    assert net.total() == 3.0


def test_spawned_generators_are_reproducible(pair):
    pair.kernel("def children(rng):\n    return [c.standard_normal() for c in rng.spawn(2)]\n")
    a = pair.get("children")(np.random.default_rng(5))
    b = pair.get("children")(np.random.default_rng(5))
    assert a == b == [c.standard_normal() for c in np.random.default_rng(5).spawn(2)]


def test_a_tests_function_tells_its_name(pair):
    pair.kernel("def name(f):\n    return f.__name__\n"
                "def describe(f):\n    return f.__name__, f.__qualname__\n"
                "def docs(f):\n    return f.__doc__\n")

    def loss_fn(W):
        """Sum of squares."""
        return float(np.sum(W ** 2))

    assert pair.get("name")(loss_fn) == "loss_fn"
    with pytest.raises(AttributeError):  # a qualified name would name the hidden test that made it
        pair.get("describe")(loss_fn)
    assert pair.get("docs")(loss_fn) != "Sum of squares."  # a docstring of the hidden tests stays theirs
