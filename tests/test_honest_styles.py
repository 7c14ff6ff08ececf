"""Honest work is never penalized: correct answers written in unusual but legitimate styles get full marks,
status `ok` and no instructor note, graded by the real grader (test cells in the grader's process, the
student's code in the sandboxed kernel, behind the boundary of grader.boundary).

Each entry of HONEST is one student's submission (its name is the student id): the lesson's solution with one
function (or a few) written another way, and sometimes cells the student added. Every one honours its function's
contract as the lesson states it (docstring, visible and hidden tests, ../shared/COURSE_SPEC.md): no mutation of
inputs beyond the declared state (course_lib.contracts), no global random state, float64 where stated; each also
gets full marks when the tests run in the student's kernel instead (Limits(trusted_tests=False)). What is style
and not contract never costs a point (issue 34): a debugging print or a warning inside a graded function, `is`
with string literals, an own copy changed in place, views returned where the contract allows, a mutable
default never mutated, exceptions of one's own. All submissions are graded in one run.

A source is the code appended to the function's answer cell (shadowing the solution there, as a student's
rewrite does). It may be cut into sections by marker lines:
    #%% answer [function]        appended to that function's answer cell (the entry's function by default)
    #%% replace [function]       the whole answer cell (for a `from __future__` import, which must come first)
    #%% before [grade id]        a new cell the student added just before that cell (the entry's function's)
    #%% after [grade id]         a new cell just after it
"""

from __future__ import annotations

import json
import re

import nbformat
import pytest

from grader.course import samples
from grader.course.folder import Course
from grader.course.limits import Limits
from grader.course.notebooks import nbgrader_meta
from grader.delivery.release import prepare_assignments
from grader.pipeline import outcomes as st
from grader.pipeline.autograde import autograde

COURSE = Course.at()
pytestmark = pytest.mark.slow

L1, L2, L3, L4 = "01_search_strategies", "02_backprop_gates", "03_layers_and_networks", "04_optimizers"
L5, L6, L7, L8 = "05_loss_choice", "06_batchnorm", "07_regularization_and_init", "08_debugging_training"
L9 = "09_capstone"

HONEST: dict[str, tuple[str, str, str]] = {
    # ---------------------------------------------------------------- 01 search strategies
    # `from __future__ import annotations` heading the cell, type hints, a NamedTuple result, np.take_along_axis.
    "future-annotations-namedtuple-loss": (L1, "softmax_loss_and_grad", '''
#%% replace
from __future__ import annotations

import typing

import numpy as np


class LossAndGradient(typing.NamedTuple):
    loss: float
    dW: np.ndarray


def softmax_loss_and_grad(W: np.ndarray, X: np.ndarray, y: np.ndarray, reg: float) -> LossAndGradient:
    """Mean softmax cross-entropy of X @ W plus 0.5 * reg * sum(W**2), and its gradient."""
    N = X.shape[0]
    scores = X @ W
    scores = scores - scores.max(axis=1, keepdims=True)
    log_p = scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
    rows = y.reshape(-1, 1)
    loss = -float(np.take_along_axis(log_p, rows, axis=1).mean()) + 0.5 * reg * float(np.sum(W ** 2))
    P = np.exp(log_p)
    np.put_along_axis(P, rows, np.take_along_axis(P, rows, axis=1) - 1.0, axis=1)
    return LossAndGradient(loss, X.T @ P / N + reg * W)
'''),
    # itertools.repeat and a lazy pipeline, min() with operator.itemgetter as the key, callable() input check.
    "itertools-operator-search": (L1, "random_search", '''
import itertools
import operator


def random_search(loss_fn, sample_fn, num_tries):
    if not (callable(loss_fn) and callable(sample_fn)):
        raise TypeError("random_search: loss_fn and sample_fn must be functions")
    samples = (sample_fn() for _ in itertools.repeat(None, num_tries))
    scored = ((float(loss_fn(W)), k, W) for k, W in enumerate(samples))
    best_loss, _, best_W = min(scored, key=operator.itemgetter(0, 1))  # ties: the earliest sample
    return best_W, best_loss
'''),
    # A logger whose debug line names the callback it was given (loss_fn.__name__), silent by default.
    "logging-callback-name": (L1, "random_search", '''
import logging

search_log = logging.getLogger("search")


def random_search(loss_fn, sample_fn, num_tries):
    search_log.debug("random search: %d tries of %s", num_tries, loss_fn.__name__)
    best_W, best_loss = None, float("inf")
    for _ in range(num_tries):
        W = sample_fn()
        loss = loss_fn(W)
        if loss < best_loss:
            best_W, best_loss = W, loss
    return best_W, best_loss
'''),
    # A generator closing over the state with `nonlocal`, consumed by np.fromiter.
    "generator-nonlocal-fromiter": (L1, "random_local_search", '''
def random_local_search(loss_fn, W0, perturb_fn, num_steps):
    W = np.array(W0, dtype=np.float64, copy=True)
    loss = loss_fn(W)

    def losses():
        nonlocal W, loss
        yield loss
        for _ in range(num_steps):
            candidate = W + perturb_fn(W)
            candidate_loss = loss_fn(candidate)
            if candidate_loss < loss:
                W, loss = candidate, candidate_loss
            yield loss

    history = np.fromiter(losses(), dtype=np.float64, count=num_steps + 1)
    return W, history
'''),
    # np.nditer with readwrite views (the entry is changed through the iterator), context-managed.
    "nditer-readwrite": (L1, "numerical_gradient", '''
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape, dtype=np.float64)
    with np.nditer(x, flags=["multi_index"], op_flags=["readwrite"]) as entries:
        for entry in entries:
            saved = entry.copy()
            entry[...] = saved + h
            f_plus = f(x)
            entry[...] = saved - h
            f_minus = f(x)
            entry[...] = saved  # the very same value back
            grad[entries.multi_index] = (f_plus - f_minus) / (2.0 * h)
    return grad
'''),
    # A DEBUG flag with locals() in a debugging print (off), a preallocated history, in-place steps on a copy.
    "locals-debug-print": (L1, "gradient_descent", '''
DEBUG = False  # True prints every step while I debug


def gradient_descent(loss_and_grad, W0, lr, num_steps):
    W = W0.astype(np.float64, copy=True)
    history = np.empty(num_steps + 1)
    for step in range(num_steps + 1):
        loss, grad = loss_and_grad(W)
        history[step] = loss
        if DEBUG:
            print(f"step {step}:", {k: v for k, v in locals().items() if k in ("loss", "lr", "step")})
        if step < num_steps:
            W -= lr * grad
    return W, history
'''),
    # A cell the student added after the answer: a timed self-check with course_lib's relative_error, printed.
    "self-check-cell-with-print": (L1, "numerical_gradient", '''
#%% after
# My own check before going on: the numerical gradient of sum(x**3) is 3 x**2.
import time

from course_lib.gradcheck import relative_error

x_mine = np.array([0.5, -1.5, 2.0])
start = time.perf_counter()
g_mine = numerical_gradient(lambda v: float(np.sum(v ** 3)), x_mine)
print(f"max relative error {relative_error(g_mine, 3 * x_mine ** 2).max():.1e} "
      f"in {1e3 * (time.perf_counter() - start):.2f} ms")
'''),
    # svm: a Python loop over the classes (the samples stay vectorized), boolean row masks, a count per sample.
    "class-loop-svm": (L1, "svm_loss_and_grad", '''
def svm_loss_and_grad(W, X, y, reg, delta=1.0):
    N, C = X.shape[0], W.shape[1]
    scores = X @ W
    correct = scores[np.arange(N), y]
    data_loss = 0.0
    dW = reg * W                       # a new array, the penalty's share; the hinge terms are added below
    active_terms = np.zeros(N)         # how many of its terms are active, per sample
    for j in range(C):                 # one class at a time, all the samples at once
        margin = scores[:, j] - correct + delta
        active = (margin > 0) & (y != j)
        data_loss += float(np.sum(margin[active]))
        dW[:, j] += X[active].sum(axis=0) / N
        active_terms += active
    for j in range(C):                 # the true class loses X[i] once per active term of sample i
        own = y == j
        dW[:, j] -= active_terms[own] @ X[own] / N
    return data_loss / N + 0.5 * reg * float(np.sum(W ** 2)), dW
'''),
    # svm: one-hot labels from np.eye, np.einsum for every product and reduction, math.fsum for the sums.
    "onehot-einsum-fsum-svm": (L1, "svm_loss_and_grad", '''
import math


def svm_loss_and_grad(W, X, y, reg, delta=1.0):
    N, C = X.shape[0], W.shape[1]
    one_hot = np.eye(C)[y]                                            # (N, C): 1 at each true class
    scores = np.einsum("nd,dc->nc", X, W)
    correct = np.einsum("nc,nc->n", scores, one_hot)[:, None]
    hinge = np.maximum(0.0, scores - correct + delta) * (1.0 - one_hot)  # no term for the true class
    active = (hinge > 0).astype(np.float64)                           # a margin of exactly 0 is inactive
    G = active - one_hot * np.einsum("nc->n", active)[:, None]
    loss = math.fsum(hinge.ravel()) / N + 0.5 * reg * math.fsum(np.ravel(W * W))
    return loss, np.einsum("nd,nc->dc", X, G) / N + reg * W
'''),

    # ---------------------------------------------------------------- 02 backprop gates
    # A list where the pair (dx, dy) is expected (the tests only unpack and count it).
    "list-instead-of-tuple": (L2, "add_gate_backward", '''
def add_gate_backward(dout):
    return [dout] * 2  # the add gate passes dout on to both inputs
'''),
    # A print of a quick try at the bottom of the answer cell (the function itself prints nothing).
    "print-in-answer-cell": (L2, "add_gate_backward", '''
def add_gate_backward(dout):
    dx = dy = dout
    return dx, dy


print("add gate, dout = 2:", add_gate_backward(2.0))
'''),
    # operator.mul and a typing.NamedTuple for (dx, dy).
    "operator-namedtuple-gate": (L2, "mul_gate_backward", '''
import operator
import typing


class GatePair(typing.NamedTuple):
    dx: float
    dy: float


def mul_gate_backward(dout, x, y):
    return GatePair(operator.mul(dout, y), operator.mul(dout, x))
'''),
    # NumPy scalars (np.float64, np.bool_ arithmetic) instead of Python floats.
    "numpy-scalars-gate": (L2, "max_gate_backward", '''
def max_gate_backward(dout, x, y):
    x_won = np.greater_equal(x, y)  # a tie goes to x
    return np.float64(dout) * x_won, np.float64(dout) * (~x_won)
'''),
    # The forward's cache as a dict of named gate outputs, read by key in the backward pass.
    "dict-cache-gates": (L2, "sigmoid_circuit_forward", '''
def sigmoid_circuit_forward(w, x):
    gates = {}
    gates["a"] = w[0] * x[0]
    gates["b"] = w[1] * x[1]
    gates["c"] = gates["a"] + gates["b"]
    gates["s"] = gates["c"] + w[2]
    gates["n"] = -gates["s"]
    gates["e"] = math.exp(gates["n"])
    gates["d"] = 1.0 + gates["e"]
    out = 1.0 / gates["d"]
    return out, {"w": w.copy(), "x": x.copy(), **gates}
#%% answer sigmoid_circuit_backward
def sigmoid_circuit_backward(dout, cache):
    dd = -dout / cache["d"] ** 2
    de = dd
    dn = cache["e"] * de
    ds = -dn
    dc, dw2 = ds, ds
    da, db = dc, dc
    w, x = cache["w"], cache["x"]
    return (np.array([x[0] * da, x[1] * db, dw2], dtype=np.float64),
            np.array([w[0] * da, w[1] * db], dtype=np.float64))
'''),
    # The cache as a typing.NamedTuple, unpacked by position in the backward pass.
    "namedtuple-cache-unpacked": (L2, "sigmoid_circuit_forward", '''
import typing


class CircuitCache(typing.NamedTuple):
    w: np.ndarray
    x: np.ndarray
    e: float
    d: float


def sigmoid_circuit_forward(w, x):
    s = w[0] * x[0] + w[1] * x[1] + w[2]
    e = math.exp(-s)
    d = 1.0 + e
    return 1.0 / d, CircuitCache(w, x, e, d)
#%% answer sigmoid_circuit_backward
def sigmoid_circuit_backward(dout, cache):
    w, x, e, d = cache
    ds = (dout / d ** 2) * e  # through 1/d, 1 + e and exp(-s)
    return np.array([x[0] * ds, x[1] * ds, ds], dtype=np.float64), np.array([w[0] * ds, w[1] * ds], dtype=np.float64)
'''),
    # Value as a dataclass (eq=False), local gradients as lambdas, post-order DFS over child iterators.
    "dataclass-value": (L2, "Value", '''
import dataclasses


@dataclasses.dataclass(eq=False, repr=False)
class Value:
    data: float
    children: tuple = ()
    op: str = ""
    grad: float = dataclasses.field(default=0.0, init=False)
    _backward: object = dataclasses.field(default=None, init=False)

    def __post_init__(self):
        self.data = float(self.data)
        self.children = tuple(self.children)

    def __repr__(self):
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"

    @staticmethod
    def _lift(other):
        return other if isinstance(other, Value) else Value(other)

    def _node(self, data, children, op, locals_):
        # locals_: per child, a function of the output giving d(output)/d(child)
        out = Value(data, children, op)

        def backward():
            for child, local in zip(children, locals_):
                child.grad += local(out) * out.grad

        out._backward = backward
        return out

    def __add__(self, other):
        other = self._lift(other)
        return self._node(self.data + other.data, (self, other), "+", (lambda o: 1.0, lambda o: 1.0))

    def __mul__(self, other):
        other = self._lift(other)
        return self._node(self.data * other.data, (self, other), "*", (lambda o: other.data, lambda o: self.data))

    def __pow__(self, exponent):
        return self._node(self.data ** exponent, (self,), f"**{exponent:g}",
                          (lambda o: exponent * self.data ** (exponent - 1),))

    def exp(self):
        return self._node(math.exp(self.data), (self,), "exp", (lambda o: o.data,))

    def log(self):
        return self._node(math.log(self.data), (self,), "log", (lambda o: 1.0 / self.data,))

    def relu(self):
        return self._node(self.data if self.data > 0 else 0.0, (self,), "relu",
                          (lambda o: 1.0 if self.data > 0 else 0.0,))

    def max(self, other):
        other = self._lift(other)
        mine = self.data >= other.data
        return self._node(self.data if mine else other.data, (self, other), "max",
                          (lambda o: 1.0 if mine else 0.0, lambda o: 0.0 if mine else 1.0))

    def __radd__(self, other):
        return self + other

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return (-self) + other

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        return self * other ** -1

    def __rtruediv__(self, other):
        return self ** -1 * other

    def backward(self):
        order, seen, stack = [], {id(self)}, [(self, iter(self.children))]
        while stack:
            node, pending = stack[-1]
            child = next(pending, None)
            if child is None:
                stack.pop()
                order.append(node)  # after all of its children
            elif id(child) not in seen:
                seen.add(id(child))
                stack.append((child, iter(child.children)))
        for node in order:
            if node.children:
                node.grad = 0.0
        self.grad += 1.0
        for node in reversed(order):
            if node._backward is not None:
                node._backward()
'''),
    # Value with __slots__, its own __eq__, __hash__ and __repr__; backward by Kahn's algorithm (user counts).
    "slots-eq-hash-value": (L2, "Value", '''
class Value:
    __slots__ = ("data", "grad", "children", "op", "_backward")

    def __init__(self, data, children=(), op=""):
        self.data = float(data)
        self.grad = 0.0
        self.children = tuple(children)
        self.op = op
        self._backward = None

    def __repr__(self):
        return f"Value({self.data!r}, grad={self.grad!r}, op={self.op!r})"

    def __eq__(self, other):  # handy in my experiments: Value(2) == Value(2.0)
        return self.data == other.data if isinstance(other, Value) else NotImplemented

    def __hash__(self):  # graph nodes are distinct whatever their data
        return id(self)

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __pow__(self, exponent):
        out = Value(self.data ** exponent, (self,), "**")

        def _backward():
            self.grad += exponent * self.data ** (exponent - 1) * out.grad

        out._backward = _backward
        return out

    def _unary(self, value, local, op):
        out = Value(value, (self,), op)

        def _backward():
            self.grad += local * out.grad

        out._backward = _backward
        return out

    def exp(self):
        e = math.exp(self.data)
        return self._unary(e, e, "exp")

    def log(self):
        return self._unary(math.log(self.data), 1.0 / self.data, "log")

    def relu(self):
        positive = self.data > 0
        return self._unary(self.data if positive else 0.0, 1.0 if positive else 0.0, "relu")

    def max(self, other):
        other = other if isinstance(other, Value) else Value(other)
        winner = self if self.data >= other.data else other
        out = Value(winner.data, (self, other), "max")

        def _backward():
            winner.grad += out.grad

        out._backward = _backward
        return out

    __radd__ = __add__
    __rmul__ = __mul__

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return (-self) + other

    def __truediv__(self, other):
        return self * other ** -1

    def __rtruediv__(self, other):
        return self ** -1 * other

    def backward(self):
        users, nodes, stack = {}, {id(self): self}, [self]
        while stack:
            node = stack.pop()
            for child in node.children:
                users[id(child)] = users.get(id(child), 0) + 1
                if id(child) not in nodes:
                    nodes[id(child)] = child
                    stack.append(child)
        for node in nodes.values():
            if node.children:
                node.grad = 0.0
        self.grad += 1.0
        ready = [self]
        while ready:  # a node passes its gradient on once every node computed from it has
            node = ready.pop()
            if node._backward is not None:
                node._backward()
            for child in node.children:
                users[id(child)] -= 1
                if users[id(child)] == 0:
                    ready.append(child)
'''),
    # exp, log, relu installed after the class with setattr(Value, name, ...), math functions by getattr(math, name).
    "setattr-getattr-value-methods": (L2, "Value", '''
class Value:
    def __init__(self, data, children=(), op=""):
        self.data = float(data)
        self.grad = 0.0
        self.children = tuple(children)
        self.op = op
        self._backward = lambda: None

    def __repr__(self):
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __pow__(self, exponent):
        out = Value(self.data ** exponent, (self,), "**")

        def _backward():
            self.grad += exponent * self.data ** (exponent - 1) * out.grad

        out._backward = _backward
        return out

    def max(self, other):
        other = other if isinstance(other, Value) else Value(other)
        take_self = self.data >= other.data
        out = Value(self.data if take_self else other.data, (self, other), "max")

        def _backward():
            (self if take_self else other).grad += out.grad

        out._backward = _backward
        return out

    def __radd__(self, other):
        return self + other

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return (-self) + other

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        return self * other ** -1

    def __rtruediv__(self, other):
        return self ** -1 * other

    def backward(self):
        order, visited, stack = [], set(), [(self, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
            elif node not in visited:
                visited.add(node)
                stack.append((node, True))
                stack.extend((child, False) for child in node.children)
        for node in order:
            if node.children:
                node.grad = 0.0
        self.grad += 1.0
        for node in reversed(order):
            node._backward()


def _unary(name, forward, local):
    """A method computing forward(x), whose local gradient is local(x, out)."""
    def method(self):
        out = Value(forward(self.data), (self,), name)

        def _backward():
            self.grad += local(self.data, out.data) * out.grad

        out._backward = _backward
        return out

    method.__name__ = name
    return method


for _name, _local in (("exp", lambda x, out: out), ("log", lambda x, out: 1.0 / x)):
    setattr(Value, _name, _unary(_name, getattr(math, _name), _local))
setattr(Value, "relu", _unary("relu", lambda x: x if x > 0 else 0.0, lambda x, out: 1.0 if x > 0 else 0.0))
'''),
    # A helper in a cell the student added, np.einsum and np.tensordot for the two products.
    "helper-cell-einsum-tensordot": (L2, "matmul_backward", '''
#%% before
# Helpers I use in several exercises.
def transpose(a):
    """The matrix transpose, as a new contiguous array."""
    return np.ascontiguousarray(np.swapaxes(a, -1, -2))
#%% answer
def matmul_backward(dout, X, W):
    dX = np.einsum("nm,md->nd", dout, transpose(W))
    dW = np.tensordot(transpose(X), dout, axes=1)
    return dX, dW
'''),
    # train_step through a tiny optimizer object in the style of the frameworks (zero_grad(), step()).
    "optimizer-object-train-step": (L2, "train_step", '''
class SGD:
    """Plain gradient descent over a list of Value leaves, as the frameworks spell it."""

    def __init__(self, params, lr):
        self.params = list(params)
        self.lr = lr

    def __repr__(self):
        return f"SGD({len(self.params)} parameters, lr={self.lr})"

    def zero_grad(self):
        for p in self.params:
            p.grad = 0.0

    def step(self):
        for p in self.params:
            p.data = p.data - self.lr * p.grad


def train_step(params, loss_fn, lr):
    optimizer = SGD(params, lr)
    optimizer.zero_grad()
    loss = loss_fn()
    loss.backward()
    optimizer.step()
    return float(loss.data)
'''),
    # train_step: setattr for the reset, the gradients read into a list first, zip, a NumPy scalar returned.
    "setattr-grads-list-numpy-loss": (L2, "train_step", '''
def train_step(params, loss_fn, lr):
    params = list(params)  # walked three times below
    for p in params:
        setattr(p, "grad", 0.0)
    loss = loss_fn()
    loss.backward()
    grads = [p.grad for p in params]
    for p, g in zip(params, grads):
        p.data -= lr * g
    return np.float64(loss.data)
'''),

    # ---------------------------------------------------------------- 03 layers and networks
    # np.tensordot over x's trailing axes (no flattening) and a typing.NamedTuple (out, cache).
    "tensordot-namedtuple-forward": (L3, "affine_forward", '''
import typing


class Forward(typing.NamedTuple):
    out: np.ndarray
    cache: tuple


def affine_forward(x, w, b):
    trailing = x.shape[1:]
    out = np.tensordot(x, w.reshape(*trailing, w.shape[1]), axes=len(trailing)) + b
    return Forward(out, (x, w, b))
'''),
    # The layer's cache as a frozen dataclass object (with a property) instead of a tuple.
    "dataclass-object-cache": (L3, "affine_forward", '''
import dataclasses


@dataclasses.dataclass(frozen=True)
class AffineCache:
    x: np.ndarray
    w: np.ndarray

    @property
    def rows(self):
        return self.x.reshape(self.x.shape[0], -1)


def affine_forward(x, w, b):
    cache = AffineCache(x, w)
    return cache.rows @ w + b, cache
#%% answer affine_backward
def affine_backward(dout, cache):
    dx = (dout @ cache.w.T).reshape(cache.x.shape)
    return dx, cache.rows.T @ dout, dout.sum(axis=0)
'''),
    # np.maximum, the output itself as ReLU's cache (out > 0 exactly where x > 0), np.where backward.
    "output-as-cache-relu": (L3, "relu_forward", '''
def relu_forward(x):
    out = np.maximum(x, 0.0)
    return out, out
#%% answer relu_backward
def relu_backward(dout, cache):
    return np.where(cache > 0, dout, 0.0)
'''),
    # An abc.ABC layer with classmethods; the graded names bound to those (bound) methods.
    "abc-layer-classmethods": (L3, "relu_forward", '''
import abc


class Layer(abc.ABC):
    @classmethod
    @abc.abstractmethod
    def forward(cls, *inputs):
        """(out, cache)"""

    @classmethod
    @abc.abstractmethod
    def backward(cls, dout, cache):
        """the gradients of the inputs"""


class ReLU(Layer):
    @classmethod
    def forward(cls, x):
        mask = x > 0
        return x * mask, mask

    @classmethod
    def backward(cls, dout, cache):
        return dout * cache


relu_forward = ReLU.forward
#%% answer relu_backward
relu_backward = ReLU.backward
'''),
    # warnings.catch_warnings() turning RuntimeWarnings into errors, np.errstate, a NumPy scalar loss.
    "warnings-errstate-numpy-scalar": (L3, "softmax_loss", '''
import warnings


def softmax_loss(scores, y):
    N = scores.shape[0]
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error", RuntimeWarning)
        shifted = scores - np.max(scores, axis=1, keepdims=True)
        log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    rows = np.arange(N)
    probs = np.exp(log_probs)
    probs[rows, y] -= 1.0
    return -np.mean(log_probs[rows, y]), probs / N
'''),
    # The network as a dataclass (__post_init__ draws W1 then W2), params and grads as OrderedDicts.
    "dataclass-net-ordereddict": (L3, "TwoLayerNet", '''
import collections
import dataclasses


@dataclasses.dataclass(eq=False)
class TwoLayerNet:
    input_dim: int
    hidden_dim: int
    num_classes: int
    weight_scale: float = 1e-3
    reg: float = 0.0
    rng: object = None
    params: dict = dataclasses.field(init=False, repr=False)

    def __post_init__(self):
        rng = np.random.default_rng() if self.rng is None else self.rng
        dims = (self.input_dim, self.hidden_dim, self.num_classes)
        self.params = collections.OrderedDict()
        for layer in (1, 2):
            self.params[f"W{layer}"] = rng.normal(0.0, self.weight_scale, size=dims[layer - 1:layer + 1])
            self.params[f"b{layer}"] = np.zeros(dims[layer])

    def loss(self, X, y=None):
        p = self.params
        hidden, cache1 = affine_forward(X, p["W1"], p["b1"])
        act, relu_cache = relu_forward(hidden)
        scores, cache2 = affine_forward(act, p["W2"], p["b2"])
        if y is None:
            return scores
        data_loss, dscores = softmax_loss(scores, y)
        penalty = 0.5 * self.reg * sum(np.sum(p[k] ** 2) for k in ("W1", "W2"))
        dact, dW2, db2 = affine_backward(dscores, cache2)
        _, dW1, db1 = affine_backward(relu_backward(dact, relu_cache), cache1)
        grads = collections.OrderedDict(W1=dW1 + self.reg * p["W1"], b1=db1, W2=dW2 + self.reg * p["W2"], b2=db2)
        return float(data_loss + penalty), grads
'''),
    # __slots__, setattr(self, ...) in __init__, getattr with computed names in __repr__, a loop over layers.
    "slots-net-getattr": (L3, "TwoLayerNet", '''
class TwoLayerNet:
    __slots__ = ("params", "reg")

    def __init__(self, input_dim, hidden_dim, num_classes, weight_scale=1e-3, reg=0.0, rng=None):
        rng = np.random.default_rng() if rng is None else rng
        setattr(self, "reg", reg)
        dims = (input_dim, hidden_dim, num_classes)
        self.params = {}
        for i in (1, 2):
            self.params[f"W{i}"] = weight_scale * rng.standard_normal((dims[i - 1], dims[i]))
            self.params[f"b{i}"] = np.zeros(dims[i])

    def __repr__(self):
        shapes = {k: v.shape for k, v in self.params.items()}
        return f"TwoLayerNet({', '.join(f'{k}={getattr(self, k)!r}' for k in self.__slots__ if k != 'params')}, {shapes})"

    def loss(self, X, y=None):
        caches, out = [], X
        for i in (1, 2):
            out, cache = affine_forward(out, self.params[f"W{i}"], self.params[f"b{i}"])
            caches.append(cache)
            if i == 1:
                out, relu_cache = relu_forward(out)
        if y is None:
            return out
        loss, dout = softmax_loss(out, y)
        grads = {}
        for i in (2, 1):
            dout, grads[f"W{i}"], grads[f"b{i}"] = affine_backward(dout, caches[i - 1])
            grads[f"W{i}"] = grads[f"W{i}"] + self.reg * self.params[f"W{i}"]
            loss += 0.5 * self.reg * np.sum(self.params[f"W{i}"] ** 2)
            if i == 2:
                dout = relu_backward(dout, relu_cache)
        return float(loss), {k: grads[k] for k in ("W1", "b1", "W2", "b2")}
'''),
    # params as a dict subclass whose entries also read as attributes (params.W1), as in many ML codebases.
    "attribute-dict-params": (L3, "TwoLayerNet", '''
class Params(dict):
    """A dict whose entries can also be read as attributes: params.W1."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


class TwoLayerNet:
    def __init__(self, input_dim, hidden_dim, num_classes, weight_scale=1e-3, reg=0.0, rng=None):
        rng = np.random.default_rng() if rng is None else rng
        self.reg = reg
        self.params = Params(W1=rng.normal(0.0, weight_scale, size=(input_dim, hidden_dim)), b1=np.zeros(hidden_dim),
                             W2=rng.normal(0.0, weight_scale, size=(hidden_dim, num_classes)), b2=np.zeros(num_classes))

    def loss(self, X, y=None):
        p = self.params
        hidden, cache1 = affine_forward(X, p.W1, p.b1)
        act, relu_cache = relu_forward(hidden)
        scores, cache2 = affine_forward(act, p.W2, p.b2)
        if y is None:
            return scores
        loss, dscores = softmax_loss(scores, y)
        loss += 0.5 * self.reg * (np.sum(p.W1 ** 2) + np.sum(p.W2 ** 2))
        dact, dW2, db2 = affine_backward(dscores, cache2)
        _, dW1, db1 = affine_backward(relu_backward(dact, relu_cache), cache1)
        return float(loss), {"W1": dW1 + self.reg * p.W1, "b1": db1, "W2": dW2 + self.reg * p.W2, "b2": db2}
'''),
    # params behind a read-only property over a private dict, its arrays made read-only against my own slips.
    "property-params-readonly-arrays": (L3, "TwoLayerNet", '''
class TwoLayerNet:
    def __init__(self, input_dim, hidden_dim, num_classes, weight_scale=1e-3, reg=0.0, rng=None):
        rng = np.random.default_rng() if rng is None else rng
        self.reg = reg
        self._params = {"W1": rng.normal(0.0, weight_scale, size=(input_dim, hidden_dim)), "b1": np.zeros(hidden_dim),
                        "W2": rng.normal(0.0, weight_scale, size=(hidden_dim, num_classes)), "b2": np.zeros(num_classes)}
        for value in self._params.values():
            value.setflags(write=False)

    @property
    def params(self):
        return self._params

    def loss(self, X, y=None):
        W1, b1, W2, b2 = (self.params[k] for k in ("W1", "b1", "W2", "b2"))
        hidden, cache1 = affine_forward(X, W1, b1)
        act, relu_cache = relu_forward(hidden)
        scores, cache2 = affine_forward(act, W2, b2)
        if y is None:
            return scores
        loss, dscores = softmax_loss(scores, y)
        dact, dW2, db2 = affine_backward(dscores, cache2)
        _, dW1, db1 = affine_backward(relu_backward(dact, relu_cache), cache1)
        loss += 0.5 * self.reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
        return float(loss), {"W1": dW1 + self.reg * W1, "b1": db1, "W2": dW2 + self.reg * W2, "b2": db2}
'''),
    # An IPython magic in a cell the student added: %timeit of their layer.
    "timeit-magic-cell": (L3, "affine_forward", '''
#%% after
%timeit -n 20 -r 2 affine_forward(np.ones((64, 3, 8, 8)), np.ones((192, 10)), np.zeros(10))
'''),

    # ---------------------------------------------------------------- 04 optimizers
    # functools.lru_cache memoising the evaluations of f, itertools.combinations_with_replacement.
    "lru-cache-itertools-hessian": (L4, "hessian", '''
import functools
import itertools


def hessian(f, x, h=1e-4):
    x = np.asarray(x, dtype=np.float64)
    n = x.shape[0]
    steps = np.eye(n) * h

    @functools.lru_cache(maxsize=None)
    def f_at(moves):  # moves: ((index, sign), ...) applied to x in order
        point = x.copy()
        for i, sign in moves:
            point = point + sign * steps[i]
        return float(f(point))

    H = np.zeros((n, n))
    for i, j in itertools.combinations_with_replacement(range(n), 2):
        H[i, j] = H[j, i] = (f_at(((i, 1), (j, 1))) - f_at(((i, 1), (j, -1)))
                             - f_at(((i, -1), (j, 1))) + f_at(((i, -1), (j, -1)))) / (4.0 * h * h)
    return H
'''),
    # An enum.StrEnum result and a `match` statement on the signs of the eigenvalues.
    "strenum-match": (L4, "classify_critical_point", '''
import enum


class CriticalPoint(enum.StrEnum):
    MINIMUM = "local minimum"
    MAXIMUM = "local maximum"
    SADDLE = "saddle point"
    DEGENERATE = "degenerate"


def classify_critical_point(H, tol=1e-8):
    eigenvalues = np.linalg.eigvalsh(np.asarray(H, dtype=np.float64))
    positive = bool(np.any(eigenvalues > tol))
    negative = bool(np.any(eigenvalues < -tol))
    zero = bool(np.any(np.abs(eigenvalues) <= tol))
    match positive, negative, zero:
        case True, True, _:
            return CriticalPoint.SADDLE
        case True, False, False:
            return CriticalPoint.MINIMUM
        case False, True, False:
            return CriticalPoint.MAXIMUM
        case _:
            return CriticalPoint.DEGENERATE
'''),
    # The usual first cell of a notebook, added by the student: %matplotlib inline.
    "matplotlib-inline-magic": (L4, "hessian", '''
#%% before
%matplotlib inline
'''),
    # A list instead of a generator; X and y copies rng.shuffle'd alike by restoring rng.bit_generator.state.
    "list-batches-generator-state": (L4, "minibatches", '''
def minibatches(X, y, batch_size, rng):
    X_shuffled, y_shuffled = np.array(X, copy=True), np.array(y, copy=True)
    state = rng.bit_generator.state  # the same permutation for both
    rng.shuffle(X_shuffled)
    rng.bit_generator.state = state
    rng.shuffle(y_shuffled)
    return [(X_shuffled[i:i + batch_size], y_shuffled[i:i + batch_size])
            for i in range(0, len(y_shuffled), batch_size)]
'''),
    # An iterator class (__iter__/__next__), np.split batches, a ValueError subclass and isinstance input checks.
    "iterator-class-valueerror": (L4, "minibatches", '''
class BatchSizeError(ValueError):
    """batch_size must be a positive integer."""


class Epoch:
    """One pass over (X, y) in a given order, batch by batch."""

    def __init__(self, X, y, batch_size, order):
        self.X, self.y = X, y
        self.chunks = iter(np.split(order, np.arange(batch_size, len(order), batch_size)))

    def __iter__(self):
        return self

    def __next__(self):
        chosen = next(self.chunks)  # StopIteration ends the epoch
        return self.X[chosen], self.y[chosen]


def minibatches(X, y, batch_size, rng):
    if int(batch_size) != batch_size or batch_size < 1:
        raise BatchSizeError(f"batch_size must be a positive integer, got {batch_size!r}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError("minibatches: rng must be a numpy.random.Generator")
    return Epoch(X, y, int(batch_size), rng.permutation(len(y)))
'''),
    # A generator drawing each batch from rng as it goes (sampling without replacement, batch by batch).
    "lazy-per-batch-draws": (L4, "minibatches", '''
def minibatches(X, y, batch_size, rng):
    remaining = np.arange(len(y))
    while remaining.size:
        take = rng.choice(remaining.size, size=min(batch_size, remaining.size), replace=False)
        chosen = remaining[take]
        remaining = np.delete(remaining, take)
        yield X[chosen], y[chosen]
'''),
    # itertools.accumulate with initial=0 for the recursion, np.power for the bias correction.
    "accumulate-ewma": (L4, "ewma", '''
import itertools


def ewma(values, beta, bias_correction=False):
    theta = np.asarray(values, dtype=np.float64)
    steps = itertools.accumulate(theta, lambda v, th: beta * v + (1.0 - beta) * th, initial=0.0)
    smoothed = np.fromiter(steps, dtype=np.float64, count=len(theta) + 1)[1:]
    if bias_correction:
        smoothed = smoothed / (1.0 - np.power(beta, np.arange(1, len(theta) + 1)))
    return smoothed
'''),
    # operator.sub, and a print in a cell the student added to watch a few steps.
    "operator-sgd-print-cell": (L4, "sgd", '''
import operator


def sgd(w, dw, config=None):
    if config is None:
        config = {}
    step = config.setdefault("learning_rate", 1e-2) * np.asarray(dw)
    return operator.sub(w, step), config
#%% after
w_try, cfg_try = np.array([1.0, -1.0]), {"learning_rate": 0.5}
for _ in range(3):
    w_try, cfg_try = sgd(w_try, 2 * w_try, cfg_try)  # gradient of sum(w**2)
    print("w =", w_try)
'''),
    # types.SimpleNamespace over config, setattr with the state key, vars() back into the config dict.
    "namespace-setattr-vars": (L4, "sgd_momentum", '''
import types

MOMENTUM_DEFAULTS = {"learning_rate": 1e-2, "momentum": 0.9}


def sgd_momentum(w, dw, config=None):
    config = {} if config is None else config
    for key, default in MOMENTUM_DEFAULTS.items():
        config.setdefault(key, default)
    state = types.SimpleNamespace(**config)
    previous = getattr(state, "velocity", None)
    if previous is None:
        previous = np.zeros_like(w)
    setattr(state, "velocity", state.momentum * previous - state.learning_rate * dw)
    config.update(vars(state))
    return w + state.velocity, config
'''),
    # try/except KeyError for the absent state, np.add / np.square.
    "try-except-keyerror-state": (L4, "adagrad", '''
def adagrad(w, dw, config=None):
    config = config if config is not None else {}
    lr = config.setdefault("learning_rate", 1e-2)
    eps = config.setdefault("epsilon", 1e-8)
    try:
        cache = config["cache"]
    except KeyError:
        cache = np.zeros_like(w)
    config["cache"] = cache = np.add(cache, np.square(dw))
    return w - lr * dw / (np.sqrt(cache) + eps), config
'''),
    # A defaults table, warnings.catch_warnings() with every warning an error while stepping.
    "defaults-table-warnings": (L4, "rmsprop", '''
import warnings

RMSPROP_DEFAULTS = (("learning_rate", 1e-2), ("decay_rate", 0.99), ("epsilon", 1e-8))


def rmsprop(w, dw, config=None):
    config = {} if config is None else config
    for key, default in RMSPROP_DEFAULTS:
        config.setdefault(key, default)
    rho = config["decay_rate"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a NaN here would be my bug: fail loudly
        cache = rho * config.get("cache", np.zeros_like(w)) + (1.0 - rho) * np.square(dw)
        step = config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"])
    config["cache"] = cache
    return w - step, config
'''),
    # Moments updated in place (np.multiply(out=), +=) in the config's own arrays, a NamedTuple result.
    "inplace-moments-namedtuple": (L4, "adam", '''
import typing


class Step(typing.NamedTuple):
    next_w: np.ndarray
    config: dict


def adam(w, dw, config=None):
    config = {} if config is None else config
    for key, default in {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}.items():
        config.setdefault(key, default)
    b1, b2 = config["beta1"], config["beta2"]
    m = config.setdefault("m", np.zeros_like(w, dtype=np.float64))
    v = config.setdefault("v", np.zeros_like(w, dtype=np.float64))
    t = config["t"] = config.get("t", 0) + 1
    np.multiply(m, b1, out=m)
    m += (1.0 - b1) * dw
    np.multiply(v, b2, out=v)
    v += (1.0 - b2) * dw * dw
    m_hat = m / (1.0 - b1 ** t)
    v_hat = v / (1.0 - b2 ** t)
    return Step(w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"]), config)
'''),
    # Recursion (one call per completed block of epochs), memoised with functools.lru_cache.
    "recursive-lru-cache": (L4, "step_decay", '''
import functools


@functools.lru_cache(maxsize=None)
def step_decay(lr0, epoch, drop, every):
    if epoch < every:
        return float(lr0)
    return step_decay(lr0, epoch - every, drop, every) * drop
'''),
    # A NumPy scalar (np.float64) instead of a Python float.
    "numpy-scalar-decay": (L4, "exponential_decay", '''
def exponential_decay(lr0, step, rate):
    return np.float64(lr0) * np.float64(rate) ** step
'''),
    # Both schedules from one general function: step_decay is it, exponential_decay a functools.partial of it.
    "one-function-partial": (L4, "step_decay", '''
import functools


def decay(lr0, step, rate, every=1):
    """lr0 * rate ** (step // every): one factor `rate` per completed block of `every` steps."""
    return float(lr0 * rate ** (step // every))


step_decay = decay
#%% answer exponential_decay
exponential_decay = functools.partial(decay, every=1)
'''),
    # NumPy ufuncs all the way (np.divide, np.add, np.multiply): a NumPy scalar instead of a Python float.
    "ufuncs-numpy-scalar-inverse-time": (L4, "inverse_time_decay", '''
def inverse_time_decay(lr0, step, k):
    return np.divide(lr0, np.add(1.0, np.multiply(k, step)))
'''),
    # The schedule as an instance of a class with __call__ and __repr__, bound to the graded name.
    "callable-object-inverse-time": (L4, "inverse_time_decay", '''
class InverseTimeDecay:
    """lr0 / (1 + k * step); an object so that my plots can print what they show."""

    def __repr__(self):
        return "InverseTimeDecay(lr0 / (1 + k * step))"

    def __call__(self, lr0, step, k):
        return float(lr0) / (1.0 + float(k) * step)


inverse_time_decay = InverseTimeDecay()
'''),

    # ---------------------------------------------------------------- 05 loss choice
    # softmax as an instance of a class with __call__ and __repr__ (it counts its calls).
    "callable-object-softmax": (L5, "softmax", '''
class StableSoftmax:
    """softmax(z) along the last axis; an object so that I can count calls while experimenting."""

    def __init__(self):
        self.calls = 0

    def __repr__(self):
        return f"StableSoftmax(calls={self.calls})"

    def __call__(self, z):
        self.calls += 1
        z = np.asarray(z, dtype=np.float64)
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)


softmax = StableSoftmax()
'''),
    # np.seterr for the whole lesson at the top of the answer cell, a row-by-row np.apply_along_axis loop.
    "seterr-apply-along-axis": (L5, "softmax", '''
np.seterr(over="raise", invalid="raise")  # I want to hear about overflows in this lesson


def _softmax_row(row):
    e = np.exp(row - row.max())
    return e / e.sum()


def softmax(z):
    return np.apply_along_axis(_softmax_row, -1, np.asarray(z, dtype=np.float64))
'''),
    # np.take_along_axis / np.put_along_axis, a NumPy scalar loss.
    "take-along-axis-cross-entropy": (L5, "cross_entropy_loss", '''
def cross_entropy_loss(logits, y):
    N = logits.shape[0]
    labels = np.asarray(y).reshape(N, 1)
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    one_hot = np.zeros_like(logits)
    np.put_along_axis(one_hot, labels, 1.0, axis=1)
    return -np.take_along_axis(log_probs, labels, axis=1).mean(), (np.exp(log_probs) - one_hot) / N
'''),
    # NumPy ufuncs (np.subtract, np.square, np.multiply) and a NumPy scalar loss.
    "ufuncs-numpy-scalar-mse": (L5, "mse_loss", '''
def mse_loss(pred, target):
    diff = np.subtract(pred, target)
    return np.mean(np.square(diff)), np.multiply(2.0 / diff.size, diff)
'''),
    # An lru_cache'd helper (a read-only identity matrix) in a cell the student added, np.einsum row sums.
    "helper-cell-lru-cache-einsum": (L5, "mse_on_softmax_loss", '''
#%% before
import functools


@functools.lru_cache(maxsize=16)
def identity(C):
    """np.eye(C), made once per C and read-only (indexing it gives fresh one-hot rows)."""
    eye = np.eye(C)
    eye.setflags(write=False)
    return eye
#%% answer
def mse_on_softmax_loss(logits, y):
    N, C = logits.shape
    p = softmax(logits)
    loss, dp = mse_loss(p, identity(C)[y])
    return float(loss), p * (dp - np.einsum("nc,nc->n", dp, p)[:, None])
'''),
    # A cell added below a visible test, re-checking softmax with the assert_close that test imported, then a table.
    "self-check-with-the-tests-import": (L5, "mse_on_softmax_loss", '''
#%% after test_softmax
# Checking my softmax once more before I build on it (assert_close came with the test above).
assert_close("my softmax sums to 1 on a batch", softmax(np.ones((2, 3))).sum(axis=1), [1.0, 1.0])
ONE_HOT = {C: np.eye(C) for C in range(2, 11)}  # one-hot rows for 2 to 10 classes
#%% answer
def mse_on_softmax_loss(logits, y):
    N, C = logits.shape
    p = softmax(logits)
    loss, dp = mse_loss(p, ONE_HOT[C][y])
    return float(loss), p * (dp - np.sum(dp * p, axis=1, keepdims=True))
'''),
    # l1: a loop over every entry with np.ndindex (any shape, a 0-d array too), math.fabs and math.fsum.
    "ndindex-loop-l1": (L5, "l1_loss", '''
import math


def l1_loss(pred, target):
    pred, target = np.asarray(pred, dtype=np.float64), np.asarray(target, dtype=np.float64)
    dpred = np.zeros(pred.shape)
    absolute = []
    for idx in np.ndindex(pred.shape):
        d = float(pred[idx] - target[idx])
        absolute.append(math.fabs(d))
        dpred[idx] = (d > 0) - (d < 0)  # the sign, 0 on a tie
    return math.fsum(absolute) / pred.size, dpred / pred.size
'''),
    # l1: the loss as np.linalg.norm(ord=1) / M (a NumPy scalar), the sign as 2 * np.heaviside(diff, 0.5) - 1.
    "linalg-norm-heaviside-l1": (L5, "l1_loss", '''
def l1_loss(pred, target):
    diff = np.subtract(pred, target)
    M = diff.size
    loss = np.linalg.norm(diff.ravel(), ord=1) / M
    slope = 2.0 * np.heaviside(diff, 0.5) - 1.0  # -1, +1, and 0 where heaviside gives 0.5 (a tie)
    return loss, slope / M
'''),

    # ---------------------------------------------------------------- 06 batchnorm
    # A ValueError subclass, running statistics updated in place (*=, +=), a dict cache, a staged backward pass.
    "inplace-running-stats-dict-cache": (L6, "batchnorm_forward", '''
class BatchNormModeError(ValueError):
    """bn_param["mode"] must be "train" or "test"."""


def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    D = x.shape[1]
    if mode == "train":
        mu = x.mean(axis=0)
        xc = x - mu
        var = (xc ** 2).mean(axis=0)
        for key, statistic in (("running_mean", mu), ("running_var", var)):
            running = bn_param.setdefault(key, np.zeros(D))
            running *= momentum
            running += (1.0 - momentum) * statistic
    elif mode == "test":
        xc = x - bn_param.get("running_mean", np.zeros(D))
        var = bn_param.get("running_var", np.zeros(D))
    else:
        raise BatchNormModeError(f"bn_param['mode'] must be 'train' or 'test', got {mode!r}")
    std = np.sqrt(var + eps)
    x_hat = xc / std
    return gamma * x_hat + beta, {"xc": xc, "std": std, "x_hat": x_hat, "gamma": gamma}
#%% answer batchnorm_backward
def batchnorm_backward(dout, cache):
    xc, std, x_hat, gamma = cache["xc"], cache["std"], cache["x_hat"], cache["gamma"]
    N = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = np.sum(dout * x_hat, axis=0)
    dx_hat = dout * gamma
    dxc = dx_hat / std                                    # x_hat = xc / std
    dstd = -np.sum(dx_hat * xc, axis=0) / std ** 2
    dvar = 0.5 * dstd / std                               # std = sqrt(var + eps)
    dxc = dxc + 2.0 * xc * dvar / N                       # var = mean(xc**2)
    dmu = -np.sum(dxc, axis=0)                            # xc = x - mu
    return dxc + dmu / N, dgamma, dbeta                   # mu = mean(x)
#%% answer batchnorm_backward_alt
def batchnorm_backward_alt(dout, cache):
    x_hat, gamma, std = cache["x_hat"], cache["gamma"], cache["std"]
    N = dout.shape[0]
    dx_hat = dout * gamma
    dx = (N * dx_hat - dx_hat.sum(axis=0) - x_hat * np.sum(dx_hat * x_hat, axis=0)) / (N * std)
    return dx, np.sum(dout * x_hat, axis=0), dout.sum(axis=0)
'''),
    # The cache as a typing.NamedTuple, read back by field name in the backward pass.
    "namedtuple-cache-fields": (L6, "batchnorm_forward", '''
import typing


class BatchNormCache(typing.NamedTuple):
    x_hat: np.ndarray
    gamma: np.ndarray
    inv_std: np.ndarray


def batchnorm_forward(x, gamma, beta, bn_param):
    eps, momentum = bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9)
    D = x.shape[1]
    if bn_param["mode"] == "train":
        mean, var = x.mean(axis=0), x.var(axis=0)
        bn_param["running_mean"] = momentum * bn_param.get("running_mean", np.zeros(D)) + (1 - momentum) * mean
        bn_param["running_var"] = momentum * bn_param.get("running_var", np.zeros(D)) + (1 - momentum) * var
    else:
        mean, var = bn_param.get("running_mean", np.zeros(D)), bn_param.get("running_var", np.zeros(D))
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mean) * inv_std
    return gamma * x_hat + beta, BatchNormCache(x_hat, gamma, inv_std)
#%% answer batchnorm_backward
def batchnorm_backward(dout, cache):
    N = dout.shape[0]
    dx_hat = dout * cache.gamma
    dx = cache.inv_std / N * (N * dx_hat - dx_hat.sum(axis=0)
                              - cache.x_hat * np.sum(dx_hat * cache.x_hat, axis=0))
    return dx, np.sum(dout * cache.x_hat, axis=0), dout.sum(axis=0)
'''),
    # A Python loop over the features (the docstring allows it) and np.einsum reductions in the backward pass.
    "feature-loop-einsum": (L6, "batchnorm_forward", '''
def batchnorm_forward(x, gamma, beta, bn_param):
    eps, momentum = bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9)
    N, D = x.shape
    if bn_param["mode"] == "train":
        mean, var = np.empty(D), np.empty(D)
        for j in range(D):  # one feature at a time
            column = x[:, j]
            mean[j] = column.mean()
            var[j] = np.mean((column - mean[j]) ** 2)
        bn_param["running_mean"] = momentum * bn_param.get("running_mean", np.zeros(D)) + (1 - momentum) * mean
        bn_param["running_var"] = momentum * bn_param.get("running_var", np.zeros(D)) + (1 - momentum) * var
    else:
        mean, var = bn_param.get("running_mean", np.zeros(D)), bn_param.get("running_var", np.zeros(D))
    inv_std = (var + eps) ** -0.5
    x_hat = (x - mean) * inv_std
    return gamma * x_hat + beta, (x_hat, gamma, inv_std)
#%% answer batchnorm_backward
def batchnorm_backward(dout, cache):
    x_hat, gamma, inv_std = cache
    N = dout.shape[0]
    dx_hat = dout * gamma
    dx = (inv_std / N) * (N * dx_hat - np.einsum("nd->d", dx_hat)
                          - x_hat * np.einsum("nd,nd->d", dx_hat, x_hat))
    return dx, np.einsum("nd,nd->d", dout, x_hat), np.einsum("nd->d", dout)
'''),
    # The cache keeps the bn_param dict itself (the backward pass checks the mode it ran in).
    "cache-holds-bn-param": (L6, "batchnorm_forward", '''
def batchnorm_forward(x, gamma, beta, bn_param):
    eps, momentum = bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9)
    D = x.shape[1]
    if bn_param["mode"] == "train":
        mean, var = x.mean(axis=0), x.var(axis=0)
        bn_param["running_mean"] = momentum * bn_param.get("running_mean", np.zeros(D)) + (1 - momentum) * mean
        bn_param["running_var"] = momentum * bn_param.get("running_var", np.zeros(D)) + (1 - momentum) * var
    else:
        mean, var = bn_param.get("running_mean", np.zeros(D)), bn_param.get("running_var", np.zeros(D))
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mean) * inv_std
    return gamma * x_hat + beta, (x_hat, gamma, inv_std, bn_param)
#%% answer batchnorm_backward
def batchnorm_backward(dout, cache):
    x_hat, gamma, inv_std, bn_param = cache
    if bn_param["mode"] != "train":
        raise ValueError("batchnorm_backward: the forward pass ran in test mode")
    N = dout.shape[0]
    dx_hat = dout * gamma
    dx = inv_std / N * (N * dx_hat - dx_hat.sum(axis=0) - x_hat * np.sum(dx_hat * x_hat, axis=0))
    return dx, np.sum(dout * x_hat, axis=0), dout.sum(axis=0)
#%% answer batchnorm_backward_alt
def batchnorm_backward_alt(dout, cache):
    x_hat, gamma, inv_std, _ = cache
    N = dout.shape[0]
    dx_hat = dout * gamma
    dx = inv_std / N * (N * dx_hat - dx_hat.sum(axis=0) - x_hat * np.sum(dx_hat * x_hat, axis=0))
    return dx, np.sum(dout * x_hat, axis=0), dout.sum(axis=0)
'''),
    # The seeding habit: np.random.seed and random.seed in a cell the student added (no test uses them).
    "seed-everything-cell": (L6, "batchnorm_forward", '''
#%% before
import random

random.seed(0)
np.random.seed(0)
'''),
    # A per-feature loop in the backward pass; the student's own check_layer run, printed, in a cell they added.
    "loop-backward-own-gradcheck-cell": (L6, "batchnorm_backward", '''
def batchnorm_backward(dout, cache):
    x_hat, gamma, inv_std = cache
    N, D = dout.shape
    dx = np.empty_like(dout)
    for j in range(D):
        g, xh = dout[:, j], x_hat[:, j]
        dx[:, j] = gamma[j] * inv_std[j] / N * (N * g - g.sum() - xh * np.dot(g, xh))
    return dx, np.sum(dout * x_hat, axis=0), dout.sum(axis=0)
#%% after
# My gradient check before submitting.
from course_lib.gradcheck import check_layer

gen_mine = np.random.default_rng(2024)
errors_mine = check_layer(lambda x, g, b: batchnorm_forward(x, g, b, {"mode": "train"}), batchnorm_backward,
                          {"x": gen_mine.standard_normal((8, 3)), "g": gen_mine.uniform(0.5, 2.0, 3),
                           "b": gen_mine.standard_normal(3)}, rng=gen_mine, batch_size=8)
print({name: f"{err:.1e}" for name, err in errors_mine.items()})
'''),
    # backward_alt on the solution's cache in the form with means: s * (g - mean(g) - x_hat * mean(g * x_hat)).
    "mean-form-einsum-alt": (L6, "batchnorm_backward_alt", '''
def batchnorm_backward_alt(dout, cache):
    x_hat, gamma, inv_std = cache
    dx_hat = dout * gamma
    # s / N * (N g - sum(g) - x_hat sum(g x_hat)) is s * (g - mean(g) - x_hat mean(g x_hat))
    dx = inv_std * (dx_hat - dx_hat.mean(axis=0) - x_hat * np.mean(dx_hat * x_hat, axis=0))
    return dx, np.einsum("nd,nd->d", dout, x_hat), np.add.reduce(dout, axis=0)
'''),
    # A dict cache of the raw statistics (its own copy of x, mean, var, eps, gamma); both backward passes
    # rebuild x_hat and the scale from it.
    "raw-statistics-cache-alt": (L6, "batchnorm_backward_alt", '''
def batchnorm_backward_alt(dout, cache):
    x, mean, var, eps, gamma = (cache[key] for key in ("x", "mean", "var", "eps", "gamma"))
    N = x.shape[0]
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mean) * inv_std
    dx_hat = dout * gamma
    dx = inv_std / N * (N * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0))
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
#%% answer batchnorm_forward
def batchnorm_forward(x, gamma, beta, bn_param):
    eps, momentum = bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9)
    D = x.shape[1]
    if bn_param["mode"] == "train":
        mean, var = x.mean(axis=0), x.var(axis=0)
        for key, batch_statistic in (("running_mean", mean), ("running_var", var)):
            bn_param[key] = momentum * bn_param.get(key, np.zeros(D)) + (1.0 - momentum) * batch_statistic
    else:
        mean, var = bn_param.get("running_mean", np.zeros(D)), bn_param.get("running_var", np.zeros(D))
    cache = {"x": x.copy(), "mean": mean, "var": var, "eps": eps, "gamma": gamma.copy()}
    return gamma * (x - mean) / np.sqrt(var + eps) + beta, cache
#%% answer batchnorm_backward
def batchnorm_backward(dout, cache):
    x, mean, var, eps, gamma = (cache[key] for key in ("x", "mean", "var", "eps", "gamma"))
    N = x.shape[0]
    centred = x - mean
    std = np.sqrt(var + eps)
    x_hat = centred / std
    dbeta, dgamma = dout.sum(axis=0), (dout * x_hat).sum(axis=0)
    dx_hat = dout * gamma                                  # y = gamma * x_hat + beta
    dcentred = dx_hat / std                                # x_hat = c / std
    dstd = -(dx_hat * centred).sum(axis=0) / std ** 2
    dvar = dstd / (2.0 * std)                              # std = sqrt(var + eps)
    dcentred = dcentred + 2.0 * centred * dvar / N         # var = mean(c ** 2)
    return dcentred - dcentred.mean(axis=0), dgamma, dbeta  # c = x - mean(x)
'''),
    # Layer norm as batch norm of x.T: the student's own batchnorm_forward on the transpose, a fresh bn_param.
    "transpose-through-batchnorm-forward": (L6, "layernorm_forward", '''
def layernorm_forward(x, gamma, beta, ln_param):
    # Every example becomes a column of x.T; train mode uses that column's own statistics. The fresh
    # bn_param takes the running statistics (thrown away), so ln_param is left alone.
    eps = ln_param.get("eps", 1e-5)
    N = x.shape[0]
    _, (x_hat_T, _, inv_std) = batchnorm_forward(x.T, np.ones(N), np.zeros(N), {"mode": "train", "eps": eps})
    x_hat = x_hat_T.T
    return gamma * x_hat + beta, (x_hat, gamma, inv_std[:, None])
'''),
    # layernorm row by row with statistics.fmean and statistics.pvariance, a dict cache, a per-row backward loop.
    "statistics-rows-dict-cache-layernorm": (L6, "layernorm_forward", '''
import math
import statistics


def layernorm_forward(x, gamma, beta, ln_param):
    eps = ln_param.get("eps", 1e-5)
    N, D = x.shape
    x_hat, inv_std = np.empty((N, D)), np.empty(N)
    for i in range(N):  # one example at a time: its own mean and biased variance
        row = [float(v) for v in x[i]]
        mean = statistics.fmean(row)
        inv_std[i] = 1.0 / math.sqrt(statistics.pvariance(row, mu=mean) + eps)
        x_hat[i] = (x[i] - mean) * inv_std[i]
    return gamma * x_hat + beta, {"x_hat": x_hat, "gamma": gamma, "inv_std": inv_std}
#%% answer layernorm_backward
def layernorm_backward(dout, cache):
    x_hat, gamma, inv_std = cache["x_hat"], cache["gamma"], cache["inv_std"]
    N, D = dout.shape
    dx = np.empty((N, D))
    for i in range(N):
        g = dout[i] * gamma
        dx[i] = inv_std[i] / D * (D * g - g.sum() - x_hat[i] * np.dot(g, x_hat[i]))
    return dx, np.sum(dout * x_hat, axis=0), np.sum(dout, axis=0)
'''),
    # layernorm's backward as batchnorm_backward_alt on the transposes (gamma moved into the upstream gradient).
    "transpose-through-batchnorm-alt": (L6, "layernorm_backward", '''
def layernorm_backward(dout, cache):
    x_hat, gamma, inv_std = cache  # inv_std: (N, 1)
    N = dout.shape[0]
    # In x.T the examples are the features: one scale per column (inv_std), and gamma, one per feature of x,
    # is a per-row factor of x.T, so it goes into the upstream gradient with a unit gamma for batch norm.
    dx_T, _, _ = batchnorm_backward_alt((dout * gamma).T, (x_hat.T, np.ones(N), inv_std.ravel()))
    return dx_T.T, np.sum(dout * x_hat, axis=0), np.sum(dout, axis=0)
'''),
    # layernorm's backward stage by stage along the rows (keepdims), like the lesson's staged BatchNorm.
    "staged-keepdims-layernorm-backward": (L6, "layernorm_backward", '''
def layernorm_backward(dout, cache):
    x_hat, gamma, inv_std = cache                                  # inv_std: (N, 1)
    D = dout.shape[1]
    centred = x_hat / inv_std                                      # c = x - mean of the row
    dx_hat = dout * gamma                                          # y = gamma * x_hat + beta
    dcentred = dx_hat * inv_std                                    # x_hat = c * s
    dinv_std = np.sum(dx_hat * centred, axis=1, keepdims=True)
    dvar = -0.5 * inv_std ** 3 * dinv_std                          # s = (v + eps) ** -1/2
    dcentred = dcentred + 2.0 * centred * dvar / D                 # v = mean of c ** 2 over the row
    dx = dcentred - dcentred.mean(axis=1, keepdims=True)           # c = x - mean of the row
    return dx, np.sum(dout * x_hat, axis=0), np.sum(dout, axis=0)
'''),

    # ---------------------------------------------------------------- 07 regularization and init
    # The mask drawn in float32 (rng.random(dtype=np.float32)) and cast back to float64; a dict cache.
    "float32-mask-cast-back": (L7, "dropout_forward", '''
def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    if mode == "test":
        return np.array(x, dtype=np.float64), {"mode": "test"}
    gen = np.random.default_rng(dropout_param.get("seed"))
    keep = gen.random(np.shape(x), dtype=np.float32) < np.float32(p)
    mask = keep.astype(np.float64) / p
    return x * mask, {"mode": "train", "mask": mask}
#%% answer dropout_backward
def dropout_backward(dout, cache):
    if cache["mode"] == "test":
        return np.array(dout, dtype=np.float64)
    return dout * cache["mask"]
'''),
    # The cache as a collections.defaultdict: in test mode there is no mask, and cache["mask"] is None.
    "defaultdict-cache": (L7, "dropout_forward", '''
import collections


def dropout_forward(x, dropout_param):
    cache = collections.defaultdict(lambda: None, p=dropout_param["p"])
    if dropout_param["mode"] == "test":
        return np.array(x, dtype=np.float64), cache  # no mask: cache["mask"] is None
    rng = np.random.default_rng(dropout_param.get("seed"))
    cache["mask"] = (rng.random(np.shape(x)) < cache["p"]) / cache["p"]
    return x * cache["mask"], cache
#%% answer dropout_backward
def dropout_backward(dout, cache):
    mask = cache["mask"]
    return np.array(dout, dtype=np.float64) if mask is None else dout * mask
'''),
    # The cache is the backward pass itself: a closure over the mask (functional style).
    "closure-cache": (L7, "dropout_forward", '''
def dropout_forward(x, dropout_param):
    p = dropout_param["p"]
    if dropout_param["mode"] == "test":
        return np.array(x, dtype=np.float64), (lambda dout: np.array(dout, dtype=np.float64))
    mask = (np.random.default_rng(dropout_param.get("seed")).random(np.shape(x)) < p) / p
    return x * mask, (lambda dout: dout * mask)
#%% answer dropout_backward
def dropout_backward(dout, cache):
    return cache(dout)  # the forward pass left its own backward pass as the cache
'''),
    # A `match` statement on the mode and getattr(rng, <computed name>) for the draw.
    "match-getattr-init": (L7, "variance_scaling_init", '''
import math


def variance_scaling_init(fan_in, fan_out, scale=2.0, mode="fan_in", *, rng):
    match mode:
        case "fan_in":
            n = fan_in
        case "fan_out":
            n = fan_out
        case "fan_avg":
            n = (fan_in + fan_out) / 2.0
        case _:
            raise ValueError(f"unknown mode {mode!r}")
    draw = getattr(rng, "standard_" + "normal")
    return math.sqrt(scale / n) * draw((fan_in, fan_out))
'''),
    # Generator.spawn: an independent child stream for the layer, derived from the rng argument alone.
    "spawned-child-generator": (L7, "variance_scaling_init", '''
def variance_scaling_init(fan_in, fan_out, scale=2.0, mode="fan_in", *, rng):
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": 0.5 * (fan_in + fan_out)}[mode]
    (layer_rng,) = rng.spawn(1)  # a stream of its own for this layer, still determined by rng
    return layer_rng.normal(0.0, np.sqrt(scale / n), size=(fan_in, fan_out))
'''),
    # keepdims statistics, np.where for constant columns, the pair built with tuple(generator).
    "keepdims-tuple-generator": (L7, "standardize", '''
def standardize(X_train, X_other):
    mu = X_train.mean(axis=0, keepdims=True)
    sigma = X_train.std(axis=0, keepdims=True)
    sigma = np.where(sigma == 0.0, 1.0, sigma)
    return tuple((X - mu) / sigma for X in (X_train, X_other))
'''),
    # math.fsum for the sum of squares, a collections.defaultdict for the gradients.
    "fsum-defaultdict": (L7, "l2_penalty", '''
import collections
import math


def l2_penalty(weights, reg):
    grads = collections.defaultdict(float)
    squares = []
    for name, W in weights.items():
        squares.append(math.fsum(np.ravel(W) ** 2))
        grads[name] = reg * W
    return 0.5 * reg * math.fsum(squares), grads
'''),
    # gc.collect() in a cell the student added, to free an experiment's arrays.
    "gc-collect-cell": (L7, "l2_penalty", '''
#%% after
# Free the big arrays of my experiment before the next part.
import gc

experiment = [np.zeros((500, 500)) for _ in range(4)]
del experiment
print("collected", gc.collect(), "objects")
'''),
    # tanh_squash: statistics.median in a loop over the columns, plain lists for the centre and the scale.
    "statistics-median-loops": (L7, "tanh_squash", '''
import statistics


def tanh_squash(X_train, X_other, k=3.0):
    centre, scale = [], []
    for j in range(X_train.shape[1]):
        column = [float(v) for v in X_train[:, j]]
        m = statistics.median(column)
        mad = statistics.median([abs(v - m) for v in column])
        centre.append(m)
        scale.append(k * (mad if mad > 0 else 1.0))
    centre, scale = np.array(centre), np.array(scale)
    return np.tanh((X_train - centre) / scale), np.tanh((X_other - centre) / scale)
'''),
    # tanh_squash: a helper taking the middle of the sorted columns (the mean of the two middles for an even N).
    "sorted-middle-median-helper": (L7, "tanh_squash", '''
def column_medians(A):
    """The median of every column of A: the middle of the sorted column, or the mean of its two middles."""
    s = np.sort(A, axis=0)
    half = s.shape[0] // 2
    return s[half] if s.shape[0] % 2 else (s[half - 1] + s[half]) / 2.0


def tanh_squash(X_train, X_other, k=3.0):
    m = column_medians(X_train)
    mad = column_medians(np.abs(X_train - m))
    C = k * np.where(mad == 0, 1.0, mad)
    return tuple(np.tanh((X - m) / C) for X in (X_train, X_other))
'''),

    # ---------------------------------------------------------------- 08 debugging training
    # In-place updates of the model's arrays (param -= lr * grad), a custom ArithmeticError to stop.
    "inplace-params-custom-exception": (L8, "overfit_single_batch", '''
import math


class Diverged(ArithmeticError):
    """The loss stopped being a finite number."""


def overfit_single_batch(make_model, X, y, num_steps, lr):
    model = make_model()
    history = []
    try:
        for _ in range(num_steps):
            loss, grads = model.loss(X, y)
            history.append(float(loss))
            if not math.isfinite(history[-1]):
                raise Diverged(f"loss {history[-1]} at step {len(history)}")
            for name, param in model.params.items():
                param -= lr * grads[name]
    except Diverged:
        pass
    return np.asarray(history, dtype=np.float64)
'''),
    # getattr(model, "loss") once, and setattr(model, "params", <new dict>) after every step.
    "getattr-setattr-model": (L8, "overfit_single_batch", '''
def overfit_single_batch(make_model, X, y, num_steps, lr):
    model = make_model()
    compute = getattr(model, "loss")
    losses = []
    for _ in range(num_steps):
        loss, grads = compute(X, y)
        losses.append(loss)
        if not np.isfinite(loss):
            break
        setattr(model, "params", {name: value - lr * grads[name] for name, value in model.params.items()})
    return np.array(losses, dtype=np.float64)
'''),
    # Recursion over the entries, np.errstate around the check.
    "recursive-errstate": (L8, "find_first_nonfinite", '''
def find_first_nonfinite(arrays):
    def first(items):
        if not items:
            return None
        (name, value), *rest = items
        with np.errstate(invalid="ignore"):
            finite = bool(np.isfinite(np.asarray(value, dtype=np.float64)).all())
        return first(rest) if finite else name

    return first(list(arrays.items()))
'''),
    # typing.Literal for the answer, filter() with operator.methodcaller("startswith", "act").
    "literal-filter-methodcaller": (L8, "diagnose_activations", '''
import operator
from typing import Literal

Diagnosis = Literal["non-finite", "exploding", "vanishing", "healthy"]


def diagnose_activations(trace) -> Diagnosis:
    if not all(np.isfinite(a).all() for a in trace.values()):
        return "non-finite"
    is_activation = operator.methodcaller("startswith", "act")
    spreads = [float(np.std(trace[name])) for name in filter(is_activation, trace)]
    s_first, s_last = spreads[0], spreads[-1]
    if s_last > 10 * s_first:
        return "exploding"
    if s_last < 0.1 * s_first:
        return "vanishing"
    return "healthy"
'''),
    # A collections.OrderedDict result, math.hypot over every entry.
    "ordereddict-hypot": (L8, "grad_norms", '''
import collections
import math


def grad_norms(grads):
    return collections.OrderedDict((name, math.hypot(*np.ravel(g))) for name, g in grads.items())
'''),
    # np.seterr at the top of the answer cell, np.linalg.norm, math.inf for a zero weight.
    "seterr-linalg-norm": (L8, "update_ratio", '''
import math

np.seterr(divide="raise", invalid="raise")  # no silent inf or nan in my diagnostics


def update_ratio(params, updates):
    ratios = {}
    for name, update in updates.items():
        weight_norm = np.linalg.norm(np.ravel(params[name]))
        update_norm = np.linalg.norm(np.ravel(update))
        ratios[name] = math.inf if weight_norm == 0 else float(update_norm / weight_norm)
    return ratios
'''),
    # A frozen dataclass (generated __eq__ and __hash__), dataclasses.replace and dataclasses.asdict.
    "frozen-dataclass-replace": (L8, "fix_setup", '''
import dataclasses


@dataclasses.dataclass(frozen=True)
class SetUp:
    hidden_dims: list
    activation: str
    init: object
    batchnorm: bool
    learning_rate: float


def fix_setup(config):
    broken = SetUp(**config)
    fixed = dataclasses.replace(broken, batchnorm=False, init="he" if broken.activation == "relu" else "xavier")
    return dataclasses.asdict(fixed)  # a new dict, lists copied
'''),
    # A logger and an os.environ debug flag set up in a cell the student added; {**copy.deepcopy(config), ...}.
    "logging-environ-deepcopy": (L8, "fix_setup", '''
#%% before
import logging
import os

DEBUG = os.environ.get("NN_COURSE_DEBUG") == "1"
log = logging.getLogger("my_notebook")
log.setLevel(logging.DEBUG if DEBUG else logging.WARNING)
#%% answer
import copy


def fix_setup(config):
    fixed = {**copy.deepcopy(config), "batchnorm": False,
             "init": "he" if config["activation"] == "relu" else "xavier"}
    log.debug("fix_setup: %s -> %s", config, fixed)
    return fixed
'''),
    # IPython.display in a cell the student added: a Markdown table of gradient norms.
    "ipython-display-cell": (L8, "grad_norms", '''
#%% after
from IPython.display import Markdown, display

norms_mine = grad_norms({"W1": np.ones((3, 3)), "b1": np.zeros(3)})
display(Markdown("\\n".join(["| name | norm |", "|---|---|"] + [f"| {k} | {v:.3g} |" for k, v in norms_mine.items()])))
'''),
    # The usual "where did I run this" print in a cell the student added: platform.system(), versions.
    "platform-versions-print-cell": (L8, "overfit_single_batch", '''
#%% before
import platform
import sys

print(f"Python {sys.version.split()[0]} on {platform.system()} {platform.machine()}, NumPy {np.__version__}")
'''),
    # stack_channels: one float64 array (C, N, H, W), its first two axes exchanged by np.transpose (a view).
    "transpose-array-channels": (L8, "stack_channels", '''
def stack_channels(channels):
    return np.transpose(np.array(channels, float), (1, 0, 2, 3))
'''),
    # stack_channels: a preallocated float64 batch filled channel by channel (ints cast on assignment).
    "preallocated-channel-loop": (L8, "stack_channels", '''
def stack_channels(channels):
    N, H, W = np.shape(channels[0])
    out = np.empty((N, len(channels), H, W), dtype=np.float64)
    for c, channel in enumerate(channels):
        out[:, c] = channel  # channel c of every image at once
    return out
'''),
    # stack_channels: np.einsum relabelling the axes, "cnhw->nchw".
    "einsum-relabel-channels": (L8, "stack_channels", '''
def stack_channels(channels):
    return np.einsum("cnhw->nchw", np.asarray(channels, dtype=np.float64))
'''),
    # ---------------------------------------------------------------- 09 capstone
    # The affine pair with a dict cache, x.reshape(x.shape[0], -1) and np.dot; backward sums db with a ones vector.
    "dict-cache-affine-dot": (L9, "affine_forward", '''
def affine_forward(x, w, b):
    flat = x.reshape(x.shape[0], -1)
    return np.dot(flat, w) + b, {"x_shape": x.shape, "flat": flat, "w": w}
#%% answer affine_backward
def affine_backward(dout, cache):
    dx = np.dot(dout, cache["w"].T).reshape(cache["x_shape"])
    dw = np.dot(cache["flat"].T, dout)
    db = np.ones(dout.shape[0]) @ dout
    return dx, dw, db
'''),
    # ReLU caching a boolean mask rather than x; backward multiplies by it (giving -0.0 where dout < 0).
    "relu-boolean-mask-cache": (L9, "relu_forward", '''
def relu_forward(x):
    mask = x > 0
    return x * mask, mask
#%% answer relu_backward
def relu_backward(dout, cache):
    return dout * cache
'''),
    # softmax_loss with an explicit one-hot matrix and log-sum-exp computed through np.logaddexp.reduce.
    "one-hot-logaddexp-softmax": (L9, "softmax_loss", '''
def softmax_loss(scores, y):
    N, C = scores.shape
    one_hot = np.zeros((N, C))
    one_hot[np.arange(N), y] = 1.0
    log_norm = np.logaddexp.reduce(scores, axis=1, keepdims=True)
    loss = -np.sum(one_hot * (scores - log_norm)) / N
    return loss, (np.exp(scores - log_norm) - one_hot) / N
'''),
    # adam that never touches the config it is given: a fresh dict with the defaults, the state and t.
    "adam-fresh-config-dict": (L9, "adam", '''
def adam(w, dw, config=None):
    cfg = {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8, **(config or {})}
    cfg["t"] = cfg.get("t", 0) + 1
    cfg["m"] = cfg["beta1"] * cfg.get("m", 0.0) + (1 - cfg["beta1"]) * dw
    cfg["v"] = cfg["beta2"] * cfg.get("v", 0.0) + (1 - cfg["beta2"]) * dw * dw
    m_hat = cfg["m"] / (1 - cfg["beta1"] ** cfg["t"])
    v_hat = cfg["v"] / (1 - cfg["beta2"] ** cfg["t"])
    return w - cfg["learning_rate"] * m_hat / (np.sqrt(v_hat) + cfg["epsilon"]), cfg
'''),
    # train_network with a while loop over the permutation and a helper generator of mini-batches.
    "while-loop-batches-train-network": (L9, "train_network", '''
def _minibatches(order, size):
    start = 0
    while start < len(order):
        yield order[start:start + size]
        start += size


def train_network(model, data, *, update, epochs, batch_size, lr, rng):
    X, y = data["X_train"], data["y_train"]
    configs = {}
    for name in model.params:
        configs[name] = {"learning_rate": lr}
    losses, train_acc, val_acc = [], [], []
    for epoch in range(epochs):
        for idx in _minibatches(rng.permutation(X.shape[0]), batch_size):
            loss, grads = model.loss(X[idx], y[idx])
            losses.append(loss)
            for name, value in list(model.params.items()):
                model.params[name], configs[name] = update(value, grads[name], configs[name])
        train_acc.append((model.loss(X).argmax(axis=1) == y).mean())
        val_acc.append((model.loss(data["X_val"]).argmax(axis=1) == data["y_val"]).mean())
    return {"loss": losses, "train_acc": train_acc, "val_acc": val_acc, "configs": configs}
'''),
    # ---------------------------------------------------------------- styles the boundary's contracts allow
    # (issue 34: own copies changed in place, `is` with literals and None, views, declared state, callbacks
    # as the contracts allow, mutable defaults never mutated, own Generators, prints, own exceptions, warnings)
    # svm: every step in place, on arrays of its own (scores, margins, dscores), never on W, X or y.
    "inplace-on-own-arrays-svm": (L1, "svm_loss_and_grad", '''
def svm_loss_and_grad(W, X, y, reg, delta=1.0):
    N = X.shape[0]
    rows = np.arange(N)
    margins = X @ W                              # my own array from here on
    margins -= margins[rows, y][:, None]
    margins += delta
    margins[rows, y] = 0.0
    np.maximum(margins, 0.0, out=margins)
    loss = float(margins.sum()) / N + 0.5 * reg * float(np.sum(W * W))
    dscores = (margins > 0).astype(np.float64)
    dscores[rows, y] -= dscores.sum(axis=1)
    dW = X.T @ dscores
    dW /= N
    dW += reg * W
    return loss, dW
'''),
    # A debugging print inside the graded function itself: style, never a lost point.
    "debug-print-inside-softmax": (L1, "softmax_loss_and_grad", '''
def softmax_loss_and_grad(W, X, y, reg):
    N = X.shape[0]
    scores = X @ W
    scores = scores - scores.max(axis=1, keepdims=True)
    probs = np.exp(scores)
    probs /= probs.sum(axis=1, keepdims=True)
    loss = -float(np.mean(np.log(probs[np.arange(N), y]))) + 0.5 * reg * float(np.sum(W * W))
    print(f"[debug] softmax: N={N}, loss={loss:.4f}")
    probs[np.arange(N), y] -= 1.0
    return loss, X.T @ probs / N + reg * W
'''),
    # train_step: p.data changed in place on the Values it is given (its declared state), an optional clip
    # tested with `is None`.
    "train-step-clip-is-none": (L2, "train_step", '''
def train_step(params, loss_fn, lr, clip=None):
    for p in params:
        p.grad = 0.0
    loss = loss_fn()
    loss.backward()
    for p in params:
        step = p.grad if clip is None else max(-clip, min(clip, p.grad))
        p.data -= lr * step
    return float(loss.data)
'''),
    # A mutable default that is only ever read: the gates' local gradients as a table.
    "mutable-default-read-only-table": (L2, "max_gate_backward", '''
def max_gate_backward(dout, x, y, routes={True: (1.0, 0.0), False: (0.0, 1.0)}):
    to_x, to_y = routes[bool(x >= y)]
    return to_x * dout, to_y * dout
'''),
    # np.reshape's view of x for the product; the cache holds x and w themselves, as the contract allows.
    "reshape-view-cache-of-inputs": (L3, "affine_forward", '''
def affine_forward(x, w, b):
    flat = np.reshape(x, (x.shape[0], -1))       # a view of x, not a copy
    return flat @ w + b, (x, w, b)
'''),
    # Raise and catch an exception of its own to leave the loss early, warnings for an unusual input.
    "own-exception-and-warning-softmax-loss": (L3, "softmax_loss", '''
import warnings


class EmptyBatch(ValueError):
    pass


def softmax_loss(scores, y):
    try:
        if scores.shape[0] == 0:
            raise EmptyBatch("no samples")
    except EmptyBatch as why:
        warnings.warn(f"softmax_loss: {why}")
        return 0.0, np.zeros_like(scores)
    N = scores.shape[0]
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    dscores = np.exp(log_p)
    dscores[np.arange(N), y] -= 1.0
    return float(-log_p[np.arange(N), y].mean()), dscores / N
'''),
    # Mini-batches as slices (views) of its own shuffled copies of X and y.
    "slices-of-own-shuffled-copies": (L4, "minibatches", '''
def minibatches(X, y, batch_size, rng):
    order = rng.permutation(X.shape[0])
    X_mine, y_mine = X[order], y[order]          # copies: fancy indexing
    for start in range(0, X_mine.shape[0], batch_size):
        yield X_mine[start:start + batch_size], y_mine[start:start + batch_size]
'''),
    # adam writing its state into the config it is given, in place (setdefault, item assignment): declared.
    "adam-config-in-place": (L4, "adam", '''
def adam(w, dw, config=None):
    if config is None:
        config = {}
    for key, value in (("learning_rate", 1e-3), ("beta1", 0.9), ("beta2", 0.999), ("epsilon", 1e-8)):
        config.setdefault(key, value)
    config.setdefault("m", np.zeros_like(w))
    config.setdefault("v", np.zeros_like(w))
    config["t"] = config.get("t", 0) + 1
    config["m"] = config["beta1"] * config["m"] + (1 - config["beta1"]) * dw
    config["v"] = config["beta2"] * config["v"] + (1 - config["beta2"]) * dw ** 2
    m_hat = config["m"] / (1 - config["beta1"] ** config["t"])
    v_hat = config["v"] / (1 - config["beta2"] ** config["t"])
    return w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"]), config
'''),
    # The names as a mutable default it only reads.
    "mutable-default-names-table": (L4, "classify_critical_point", '''
def classify_critical_point(H, tol=1e-8, names={(True, True): "saddle point", (True, False): "local minimum",
                                                 (False, True): "local maximum"}):
    eigenvalues = np.linalg.eigvalsh(H)
    has_pos, has_neg = bool(np.any(eigenvalues > tol)), bool(np.any(eigenvalues < -tol))
    all_pos, all_neg = bool(np.all(eigenvalues > tol)), bool(np.all(eigenvalues < -tol))
    if (has_pos, has_neg) == (True, False) and not all_pos or (has_pos, has_neg) == (False, True) and not all_neg:
        return "degenerate"
    return names.get((has_pos, has_neg), "degenerate")
'''),
    # A copy changed in place (diff -= target, diff *= ...): pred and target are never touched.
    "own-copy-in-place-mse": (L5, "mse_loss", '''
def mse_loss(pred, target):
    diff = np.array(pred, dtype=np.float64, copy=True)
    diff -= target
    loss = float(np.mean(diff * diff))
    diff *= 2.0 / diff.size
    return loss, diff
'''),
    # warnings.warn where the subgradient is a choice (pred == target somewhere), a print of the batch size.
    "warns-at-kinks-l1": (L5, "l1_loss", '''
import warnings


def l1_loss(pred, target):
    diff = pred - target
    if np.any(diff == 0):
        warnings.warn("l1_loss: |x| has no derivative at 0; using 0 there")
    print("l1_loss over", diff.size, "entries")
    return float(np.mean(np.abs(diff))), np.sign(diff) / diff.size
'''),
    # `is` with string literals for the mode (the example), bn_param updated in place (declared).
    "is-literal-mode-batchnorm": (L6, "batchnorm_forward", '''
def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    if mode is not "train" and mode is not "test":
        raise ValueError(f"batchnorm_forward: mode {mode!r}")
    D = x.shape[1]
    eps, momentum = bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9)
    if mode is "train":
        mean, var = x.mean(axis=0), x.var(axis=0)
        bn_param.update(running_mean=momentum * bn_param.get("running_mean", np.zeros(D)) + (1 - momentum) * mean,
                        running_var=momentum * bn_param.get("running_var", np.zeros(D)) + (1 - momentum) * var)
    else:
        mean, var = bn_param.get("running_mean", np.zeros(D)), bn_param.get("running_var", np.zeros(D))
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mean) * inv_std
    return gamma * x_hat + beta, (x_hat, gamma, inv_std)
'''),
    # layernorm: eps looked up with `is None`, the statistics taken on a transposed view of x.
    "transposed-view-layernorm": (L6, "layernorm_forward", '''
def layernorm_forward(x, gamma, beta, ln_param):
    eps = ln_param.get("eps")
    if eps is None:
        eps = 1e-5
    columns = x.T                                # a view: one column per sample
    mean, var = columns.mean(axis=0)[:, None], columns.var(axis=0)[:, None]
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mean) * inv_std
    return gamma * x_hat + beta, (x_hat, gamma, inv_std)
'''),
    # dropout: `is` with the mode literal, its own Generator seeded from the seed argument.
    "is-literal-own-generator-dropout": (L7, "dropout_forward", '''
def dropout_forward(x, dropout_param):
    p = dropout_param["p"]
    if dropout_param["mode"] is "test":
        return np.array(x, dtype=np.float64, copy=True), {"mask": None, "p": p}
    seed = dropout_param.get("seed")
    mine = np.random.default_rng(seed) if seed is not None else np.random.default_rng()
    mask = (mine.random(np.shape(x)) < p) / p
    return x * mask, {"mask": mask, "p": p}
'''),
    # standardize on its own copies, changed in place; sigma fixed in place where it is 0.
    "own-copies-in-place-standardize": (L7, "standardize", '''
def standardize(X_train, X_other):
    mu = X_train.mean(axis=0)
    sigma = X_train.std(axis=0)
    sigma[sigma == 0] = 1.0
    out = []
    for X in (X_train, X_other):
        mine = np.array(X, dtype=np.float64, copy=True)
        mine -= mu
        mine /= sigma
        out.append(mine)
    return tuple(out)
'''),
    # A list default it never changes: names to leave out of the penalty (none by default).
    "mutable-default-skip-list-l2": (L7, "l2_penalty", '''
def l2_penalty(weights, reg, skip=[]):
    loss, grads = 0.0, {}
    for name, W in weights.items():
        if name in skip:
            continue
        loss += 0.5 * reg * float(np.sum(np.square(W)))
        grads[name] = reg * W
    return loss, grads
'''),
    # Raise an exception of its own on the first bad entry, and catch it to return the name.
    "own-exception-find-first": (L8, "find_first_nonfinite", '''
class FoundNonFinite(Exception):
    def __init__(self, name):
        super().__init__(name)
        self.name = name


def find_first_nonfinite(arrays):
    try:
        for name, value in arrays.items():
            if not np.all(np.isfinite(value)):
                raise FoundNonFinite(name)
    except FoundNonFinite as found:
        return found.name
    return None
'''),
    # The model's params dict updated in place with dict.update (the model it makes is its to train).
    "params-dict-update-in-place": (L8, "overfit_single_batch", '''
def overfit_single_batch(make_model, X, y, num_steps, lr):
    model = make_model()
    history = []
    for step in range(num_steps):
        loss, grads = model.loss(X, y)
        history.append(float(loss))
        if not np.isfinite(history[-1]):
            break
        model.params.update({name: value - lr * grads[name] for name, value in model.params.items()})
    return np.array(history, dtype=np.float64)
'''),
    # A print while debugging, inside the graded function.
    "debug-print-grad-norms": (L8, "grad_norms", '''
def grad_norms(grads):
    out = {name: float(np.sqrt(np.sum(np.square(g)))) for name, g in grads.items()}
    print("grad norms:", {name: round(v, 3) for name, v in out.items()})
    return out
'''),
    # A mutable default it only reads: the init for each activation.
    "mutable-default-inits-fix-setup": (L8, "fix_setup", '''
def fix_setup(config, inits={"relu": "he"}):
    fixed = {**config, "hidden_dims": list(config["hidden_dims"]), "batchnorm": False}
    fixed["init"] = inits.get(config["activation"], "xavier")
    return fixed
'''),
    # train_network: params replaced with dict.update on the model (its declared state), a print per epoch,
    # the permutation's slices as views.
    "update-in-place-print-per-epoch-train-network": (L9, "train_network", '''
def train_network(model, data, *, update, epochs, batch_size, lr, rng):
    X, y = data["X_train"], data["y_train"]
    configs = {name: {"learning_rate": lr} for name in model.params}
    history = {"loss": [], "train_acc": [], "val_acc": []}
    for epoch in range(epochs):
        order = rng.permutation(len(y))
        for start in range(0, len(y), batch_size):
            batch = order[start:start + batch_size]
            loss, grads = model.loss(X[batch], y[batch])
            history["loss"].append(float(loss))
            stepped = {}
            for name, w in model.params.items():
                stepped[name], configs[name] = update(w, grads[name], configs[name])
            model.params.update(stepped)
        for key, (X_eval, y_eval) in (("train_acc", (X, y)), ("val_acc", (data["X_val"], data["y_val"]))):
            history[key].append(float(np.mean(np.argmax(model.loss(X_eval), axis=1) == y_eval)))
        print(f"epoch {epoch + 1}: loss {history['loss'][-1]:.3f}, val {history['val_acc'][-1]:.2f}")
    history["configs"] = configs
    return history
'''),
    # dropout in the capstone: `is not` with the mode literal, its own Generator from the seed.
    "is-not-literal-dropout-capstone": (L9, "dropout_forward", '''
def dropout_forward(x, dropout_param):
    p = dropout_param["p"]
    if dropout_param["mode"] is not "train":
        return np.array(x, dtype=np.float64), None
    gen_mine = np.random.default_rng(dropout_param.get("seed"))
    scale = (gen_mine.random(np.shape(x)) < p) / p
    return x * scale, scale
'''),
}

_MARKER = re.compile(r"^#%% (answer|replace|before|after)(?: (\S+))?\s*$")


def sections(function: str, source: str) -> list[tuple[str, str, str]]:
    """(kind, target, code) in order; code before any marker is appended to the function's answer cell."""
    out, kind, target, lines = [], "answer", function, []
    for line in source.strip("\n").split("\n"):
        match = _MARKER.match(line)
        if match:
            if "".join(lines).strip():
                out.append((kind, target, "\n".join(lines).strip("\n") + "\n"))
            kind, target, lines = match.group(1), match.group(2) or function, []
        else:
            lines.append(line)
    if "".join(lines).strip():
        out.append((kind, target, "\n".join(lines).strip("\n") + "\n"))
    return out


def _index(nb, grade_id: str) -> int:
    for i, cell in enumerate(nb.cells):
        if nbgrader_meta(cell).get("grade_id") == grade_id:
            return i
    raise KeyError(f"no cell {grade_id!r} in the notebook")


def honest_submission(course: Course, lesson: str, function: str, source: str):
    """The released notebook with the solutions filled in, then this student's changes."""
    return with_style(samples.filled_in(course, lesson), function, source)


def with_style(nb, function: str, source: str):
    """`nb` with one honest student's sections applied (answers planted, cells replaced or added)."""
    for kind, target, code in sections(function, source):
        if kind == "answer":
            nb = samples.plant(nb, target, code)
        elif kind == "replace":
            nb.cells[_index(nb, target)].source = code
        else:
            at = _index(nb, target) + (kind == "after")
            nb.cells.insert(at, nbformat.v4.new_code_cell(code))
    return nb


def errors_in(course: Course, student: str, lesson: str) -> dict[str, str]:
    """Cell (grade id, or "cell N" for one the student added) -> its error, from the autograded notebook."""
    path = course.autograded_notebook(student, lesson)
    if not path.exists():
        return {}
    out = {}
    for i, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                label = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") or f"cell {i + 1}"
                out[label] = f"{output.get('ename')}: {output.get('evalue')}"[:400]
    return out


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Every honest submission of every lesson, graded in one run; (course, {(student, lesson): outcome})."""
    course = Course(COURSE.repo, tmp_path_factory.mktemp("honest"))
    lessons = [lesson for lesson in COURSE.lesson_names() if any(v[0] == lesson for v in HONEST.values())]
    prepare_assignments(course, lessons)
    for name, (lesson, function, source) in HONEST.items():
        samples.write(honest_submission(course, lesson, function, source),
                      course.submitted_notebook(name, lesson))
    outcomes = autograde(course, lessons, limits=Limits(cell_timeout=120, skip_ungraded=True), workers=2)
    return course, {(o.student, o.lesson): o for o in outcomes}


def test_the_styles_cover_every_lesson():
    assert len(HONEST) >= 36
    per_lesson = {lesson: sum(v[0] == lesson for v in HONEST.values()) for lesson in COURSE.lesson_names()}
    assert all(n >= 3 for n in per_lesson.values()), per_lesson
    assert all(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name) for name in HONEST)  # names are student ids
    for name, (lesson, function, source) in HONEST.items():
        assert sections(function, source), name


@pytest.mark.parametrize("name", list(HONEST))
def test_honest_style_gets_full_marks_and_no_note(name, graded):
    course, outcomes = graded
    lesson, function, _ = HONEST[name]
    outcome = outcomes[(name, lesson)]
    assert outcome.status == st.OK, outcome.describe()
    score, max_score, notes = outcome.score, outcome.auto_max, outcome.notes
    lost = {cell: got for cell, got in outcome.cells.items() if got[0] < got[1] and cell not in outcome.pending}
    assert score == max_score, (
        f"{name} ({lesson}, {function}) lost points in {lost}; errors: {errors_in(course, outcome.student, lesson)}")
    assert notes == [], f"{name} ({lesson}, {function}) got notes: {notes}"
