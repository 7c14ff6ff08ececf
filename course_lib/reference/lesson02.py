"""Lesson 02's reference gates (the gate explorer draws what a student's own gates compute)."""

from __future__ import annotations


def add_gate_backward(dout):
    """Add gate: d(x + y)/dx = d(x + y)/dy = 1, so both inputs receive dout unchanged."""
    return dout, dout


def mul_gate_backward(dout, x, y):
    """Multiply gate: d(xy)/dx = y and d(xy)/dy = x: each input receives dout times the *other* input."""
    return dout * y, dout * x


def max_gate_backward(dout, x, y):
    """Max gate: the larger input receives dout, the other 0 (a tie goes to x)."""
    return (dout, 0.0) if x >= y else (0.0, dout)
