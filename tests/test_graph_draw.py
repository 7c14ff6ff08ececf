"""Computational graphs as data: validation, tracing an autograd scalar, layout, backward snapshots, drawing."""

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

from course_lib.graph_draw import (Graph, Node, backward_steps, draw_backward_steps, draw_graph, graph_artists,
                                   graph_from_rows, layout, set_graph_numbers, trace_value)


class Scalar:
    """The smallest autograd-like object trace_value reads: data, grad, children, op."""

    def __init__(self, data, children=(), op=""):
        self.data, self.grad, self.children, self.op = float(data), 0.0, tuple(children), op


def _mul(a, b):
    return Scalar(a.data * b.data, (a, b), "*")


def _add(a, b):
    return Scalar(a.data + b.data, (a, b), "+")


def _example():
    """f = (x + y) * z with x = -2, y = 5, z = -4, worked by hand: f = -12, df/dx = df/dy = z, df/dz = x + y."""
    return graph_from_rows([("x", "x", -2, -4, ()), ("y", "y", 5, -4, ()), ("z", "z", -4, 3, ()),
                            ("q", "+", 3, -4, ("x", "y")), ("f", "*", -12, 1, ("q", "z"))])


def test_graph_requires_topological_order_and_unique_names():
    with pytest.raises(ValueError, match="topological"):
        Graph((Node("q", "+", 1.0, None, ("x",)), Node("x", "x", 1.0)))
    with pytest.raises(ValueError, match="two nodes"):
        Graph((Node("x", "x", 1.0), Node("x", "x", 2.0)))
    with pytest.raises(ValueError):
        Graph(())


def test_graph_knows_its_output_and_consumers():
    g = _example()
    assert g.output.name == "f" and g.output.value == -12.0
    assert g.consumers("x") == ["q"] and g.consumers("f") == []
    assert g.node("z").grad == 3.0
    with pytest.raises(KeyError):
        g.node("nope")


def test_trace_value_reads_values_grads_forks_and_leaf_names():
    x, y = Scalar(3.0), Scalar(-2.0)
    f = _add(_mul(x, x), y)  # x is read twice by the same gate
    f.grad, x.grad, y.grad = 1.0, 6.0, 1.0
    g = trace_value(f, names={"x": x, "y": y})
    labels = [n.label for n in g.nodes]
    assert sorted(labels) == ["*", "+", "x", "y"]
    assert g.output.label == "+" and g.output.value == 7.0
    x_name = next(n.name for n in g.nodes if n.label == "x")
    square = next(n for n in g.nodes if n.label == "*")
    assert square.inputs == (x_name, x_name)
    assert g.node(x_name).grad == 6.0


def test_trace_value_labels_unnamed_leaves_by_value_and_handles_deep_graphs():
    x = Scalar(1.0)
    node = x
    for _ in range(5000):  # far deeper than Python's recursion limit
        node = _add(node, Scalar(0.5))
    g = trace_value(node, names={"x": x})
    assert len(g.nodes) == 1 + 2 * 5000
    assert g.nodes[0].label in ("x", "0.5")
    assert any(n.label == "0.5" for n in g.nodes) and g.output.value == 2501.0


def test_layout_puts_inputs_left_of_their_gate_in_argument_order():
    g = _example()
    pos = layout(g)
    for node in g.nodes:
        for name in node.inputs:
            assert pos[name][0] < pos[node.name][0]
    assert pos["x"][1] < pos["y"][1]  # first argument above the second
    assert pos["q"][1] < pos["z"][1]
    assert len(set(pos.values())) == len(pos)  # no two nodes share a place


def test_layout_puts_a_late_leaf_next_to_its_reader():
    g = graph_from_rows([("a", "a", 1, None, ()), ("b", "b", 2, None, ()), ("s", "+", 3, None, ("a", "b")),
                         ("c", "c", 4, None, ()), ("t", "+", 7, None, ("s", "c"))])
    pos = layout(g)
    assert pos["c"][0] == pos["t"][0] - 1 == pos["s"][0]


def test_backward_steps_reveal_gradients_gate_by_gate():
    g = _example()
    steps = backward_steps(g)
    assert len(steps) == 3  # the seed, then the two gates
    known = [{n.name for n in s.nodes if n.grad is not None} for s in steps]
    assert known[0] == {"f"}
    assert known[1] == {"f", "q", "z"}
    assert known[2] == {"f", "q", "z", "x", "y"}
    assert steps[-1].nodes == g.nodes


def test_backward_steps_wait_for_every_reader_of_a_fork():
    # y feeds both gates: its gradient is final only once both have run.
    g = graph_from_rows([("x", "x", 1, 2, ()), ("y", "y", 2, 4, ()), ("q", "+", 3, 2, ("x", "y")),
                         ("f", "*", 6, 1, ("q", "y"))],
                        wire_grads={("x", "q"): 2, ("y", "q"): 2, ("q", "f"): 2, ("y", "f"): 3})
    first = backward_steps(g)[1]
    assert first.node("y").grad is None and first.node("q").grad == 2.0
    assert set(first.wire_grads) == {("q", "f"), ("y", "f")}
    assert backward_steps(g)[2].node("y").grad == 4.0


def test_draw_graph_shows_every_value_and_gradient():
    g = _example()
    ax = draw_graph(g, title="f = (x + y) z")
    texts = [t.get_text() for t in ax.texts]
    for node in g.nodes:
        assert node.label in texts
        assert f"{node.value:.3g}" in texts and f"{node.grad:.3g}" in texts
    assert ax.get_title() == "f = (x + y) z"
    plt.close("all")


def test_draw_graph_hides_unknown_gradients_and_labels_fork_wires():
    g = graph_from_rows([("x", "x", 1.5, None, ()), ("f", "*", 2.25, None, ("x", "x"))],
                        wire_grads={("x", "f"): 0.125})
    texts = [t.get_text() for t in draw_graph(g).texts]
    assert "2.25" in texts and "0.125" in texts
    assert not any(t == "None" for t in texts)
    plt.close("all")


def _fork_graph(y, dy_q, dy_f):
    """f = (x + y) * y: y is a fork, its two wires carry dy_q (through +) and dy_f (through *)."""
    return graph_from_rows([("x", "x", 1, 1, ()), ("y", "y", y, dy_q + dy_f, ()), ("q", "+", 1 + y, 1, ("x", "y")),
                            ("f", "*", (1 + y) * y, 1, ("q", "y"))],
                           wire_grads={("x", "q"): 1, ("y", "q"): dy_q, ("q", "f"): 1, ("y", "f"): dy_f})


def test_graph_artists_change_their_numbers_in_place():
    fig, ax = plt.subplots()
    numbers = graph_artists(_fork_graph(2.0, 0.5, 0.25), ax)
    assert set(numbers["values"]) == set(numbers["grads"]) == {"x", "y", "q", "f"}
    assert set(numbers["wires"]) == {("y", "q", 1), ("y", "f", 1)}  # only the fork's wires are labelled
    assert numbers["values"]["f"].get_text() == "6" and numbers["wires"][("y", "f", 1)].get_text() == "0.25"
    drawn = len(ax.texts)
    set_graph_numbers(numbers, _fork_graph(-3.0, 7.0, 0.0))
    assert len(ax.texts) == drawn  # the same texts, new numbers
    assert numbers["values"]["f"].get_text() == "6" and numbers["values"]["q"].get_text() == "-2"
    assert numbers["grads"]["y"].get_text() == "7" and numbers["wires"][("y", "q", 1)].get_text() == "7"
    plt.close(fig)


def test_set_graph_numbers_hides_unknown_gradients_and_refuses_another_graph():
    fig, ax = plt.subplots()
    numbers = graph_artists(_fork_graph(2.0, 0.5, 0.25), ax)
    first = backward_steps(_fork_graph(2.0, 0.5, 0.25))[1]  # only the * gate has run
    set_graph_numbers(numbers, first)
    assert numbers["grads"]["y"].get_text() == "" and numbers["grads"]["f"].get_text() == "1"
    assert not numbers["wires"][("y", "q", 1)].get_visible() and numbers["wires"][("y", "f", 1)].get_visible()
    with pytest.raises(ValueError, match="other nodes or wires"):
        set_graph_numbers(numbers, _example())
    plt.close(fig)


def test_draw_backward_steps_makes_one_panel_per_step():
    g = _example()
    fig = draw_backward_steps(g, steps=[0, 2], ncols=2)
    titled = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert len(titled) == 2 and "seeded" in titled[0] and "'+'" in titled[1]
    with pytest.raises(ValueError, match="steps"):
        draw_backward_steps(g, steps=[3])
    plt.close("all")


def test_small_numbers_are_readable():
    g = graph_from_rows([("x", "x", 1e-5, math.pi, ())])
    texts = [t.get_text() for t in draw_graph(g).texts]
    assert "1.0e-05" in texts and "3.14" in texts
    plt.close("all")
