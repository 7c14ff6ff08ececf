"""Lesson 02's gate explorer: one small circuit with every kind of gate and a fork, as a pure function.

    q = x + y        (add gate)
    m = max(y, z)    (max gate; y is used twice: a fork)
    f = q * m        (multiply gate)

`gate_explorer(x, y, z, dout)` runs the circuit forward, then backward from the upstream gradient dout
through the three gate backward functions it is given (the student's), and
returns a course_lib.graph_draw.Graph carrying every value, every node's gradient and the gradient on every
wire. At the fork the two wire gradients reaching y are added.
"""

from __future__ import annotations

from course_lib.graph_draw import Graph, graph_from_rows


def gate_explorer(x: float, y: float, z: float, dout: float = 1.0, *, add_gate_backward,
                  mul_gate_backward, max_gate_backward) -> Graph:
    """Forward and backward pass of f = (x + y) * max(y, z) with upstream gradient dout, through the given
    gate backward functions (the student's, with lesson 02's signatures: add(dout) -> (dx, dy),
    mul(dout, x, y) -> (dx, dy), max(dout, x, y) -> (dx, dy)), so the graph shows what they compute.
    Returns a Graph: nodes x, y, z, q, m, f with values and gradients, wire_grads for all six wires.
    """
    add, mul, gate_max = add_gate_backward, mul_gate_backward, max_gate_backward
    x, y, z, dout = float(x), float(y), float(z), float(dout)
    q = x + y
    m = max(y, z)
    f = q * m
    dq, dm = (float(g) for g in mul(dout, q, m))
    dx, dy_from_add = (float(g) for g in add(dq))
    dy_from_max, dz = (float(g) for g in gate_max(dm, y, z))
    dy = dy_from_add + dy_from_max  # the fork: y feeds two gates, so its gradient is the sum of both wires
    return graph_from_rows(
        [("x", "x", x, dx, ()), ("y", "y", y, dy, ()), ("z", "z", z, dz, ()),
         ("q", "+", q, dq, ("x", "y")), ("m", "max", m, dm, ("y", "z")), ("f", "*", f, dout, ("q", "m"))],
        wire_grads={("x", "q"): dx, ("y", "q"): dy_from_add, ("y", "m"): dy_from_max, ("z", "m"): dz,
                    ("q", "f"): dq, ("m", "f"): dm})


def explain(graph: Graph) -> str:
    """One line per input: its gradient and, for the fork, how the two wires add up."""
    g = {n.name: n.grad for n in graph.nodes}
    w = graph.wire_grads
    return (f"df/dx = {g['x']:.4g}    df/dz = {g['z']:.4g}    "
            f"df/dy = {w[('y', 'q')]:.4g} (through +) + {w[('y', 'm')]:.4g} (through max) = {g['y']:.4g}")
