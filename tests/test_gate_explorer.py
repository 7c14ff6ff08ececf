"""Lesson 02's gate explorer: f = (x + y) * max(y, z), forward and backward, as a pure function."""

import numpy as np
import pytest

from course_lib.gate_explorer import explain, gate_explorer
from course_lib.reference.lesson02 import add_gate_backward as add_backward
from course_lib.reference.lesson02 import max_gate_backward as max_backward
from course_lib.reference.lesson02 import mul_gate_backward as mul_backward


def _f(x, y, z):
    return (x + y) * max(y, z)


def _numeric(x, y, z, h=1e-6):
    return [(_f(*(v + h * (i == k) for k, v in enumerate((x, y, z))))
             - _f(*(v - h * (i == k) for k, v in enumerate((x, y, z))))) / (2 * h) for i in range(3)]


GATES = {"add_gate_backward": add_backward, "mul_gate_backward": mul_backward, "max_gate_backward": max_backward}


def test_reference_gates():
    assert add_backward(2.5) == (2.5, 2.5)
    assert mul_backward(2.0, 3.0, -4.0) == (-8.0, 6.0)
    assert max_backward(2.0, 3.0, -4.0) == (2.0, 0.0)
    assert max_backward(2.0, -4.0, 3.0) == (0.0, 2.0)
    assert max_backward(2.0, 1.0, 1.0) == (2.0, 0.0)  # a tie goes to x


@pytest.mark.parametrize("x, y, z, dout", [(-2.0, 5.0, 3.0, 1.0), (1.5, -1.0, 2.0, -0.7), (0.3, 0.8, 0.5, 2.0)])
def test_values_and_gradients_match_the_formula(x, y, z, dout):
    g = gate_explorer(x, y, z, dout, **GATES)
    assert g.output.value == pytest.approx(_f(x, y, z))
    assert g.output.grad == dout
    got = [g.node(n).grad for n in "xyz"]
    assert got == pytest.approx([dout * d for d in _numeric(x, y, z)], rel=1e-7, abs=1e-9)


def test_the_fork_adds_its_two_wires():
    g = gate_explorer(-2.0, 5.0, 3.0, 1.0, **GATES)  # q = 3, m = 5, f = 15
    assert g.wire_grads[("y", "q")] == 5.0 and g.wire_grads[("y", "m")] == 3.0
    assert g.node("y").grad == 8.0 and g.node("z").grad == 0.0
    assert "5 (through +) + 3 (through max) = 8" in explain(g)


def test_student_gates_are_the_ones_used():
    calls = []

    def wrong_max(dout, x, y):
        calls.append((dout, x, y))
        return dout, dout  # the classic mistake: the gradient sent to both inputs

    g = gate_explorer(-2.0, 5.0, 3.0, 1.0, **{**GATES, "max_gate_backward": wrong_max})
    assert calls == [(3.0, 5.0, 3.0)]
    assert g.node("z").grad == 3.0 and g.node("y").grad == 8.0
    g = gate_explorer(-2.0, 5.0, 3.0, 1.0, max_gate_backward=max_backward, add_gate_backward=lambda d: (d, 0.0),
                      mul_gate_backward=lambda d, a, b: (np.float64(d * b), np.float64(d * a)))
    assert g.node("x").grad == 5.0 and g.node("y").grad == 3.0
    assert all(isinstance(n.grad, float) for n in g.nodes)
