"""Computational graphs as data, laid out and drawn with matplotlib: values in green, gradients in red.

A Graph is a list of nodes in topological order (every node after its inputs). Leaves are the inputs
(x, w, constants); every other node is a gate whose label names the operation. The module never computes
gradients itself: whoever builds the Graph (a hand calculation, lesson 02's gate explorer, a traced
autograd expression) supplies them, so a figure shows exactly what the student's code produced.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

VALUE_COLOR = "#1a7f37"   # green: the forward pass
GRAD_COLOR = "#c62828"    # red: the backward pass


@dataclass(frozen=True)
class Node:
    name: str                      # unique within the graph
    label: str                     # a leaf's variable name ("x", "w0", "2.0") or a gate's operation ("*", "max")
    value: float
    grad: float | None = None      # d(output)/d(node); None when not known (yet)
    inputs: tuple[str, ...] = ()   # names of the nodes this gate reads, in argument order; () for a leaf

    @property
    def is_leaf(self) -> bool:
        return not self.inputs


@dataclass(frozen=True)
class Graph:
    nodes: tuple[Node, ...]
    # Gradient flowing back along a wire (input name, gate name); at a fork the input's grad is their sum.
    wire_grads: dict = field(default_factory=dict)

    def __post_init__(self):
        seen = set()
        for node in self.nodes:
            if node.name in seen:
                raise ValueError(f"two nodes are named {node.name!r}")
            missing = [i for i in node.inputs if i not in seen]
            if missing:
                raise ValueError(f"node {node.name!r} reads {missing} before they are defined: "
                                 "nodes must come in topological order")
            seen.add(node.name)
        if not self.nodes:
            raise ValueError("a graph needs at least one node")

    @property
    def output(self) -> Node:
        return self.nodes[-1]

    def node(self, name: str) -> Node:
        for node in self.nodes:
            if node.name == name:
                return node
        raise KeyError(name)

    def consumers(self, name: str) -> list[str]:
        """Names of the gates that read `name` (once per wire: x * x lists the gate twice)."""
        return [n.name for n in self.nodes for i in n.inputs if i == name]


def graph_from_rows(rows, wire_grads=None) -> Graph:
    """Build a Graph from (name, label, value, grad, inputs) tuples; a short way to write one by hand."""
    return Graph(tuple(Node(name, label, float(value), None if grad is None else float(grad), tuple(inputs))
                       for name, label, value, grad, inputs in rows), dict(wire_grads or {}))


def trace_value(root, names=None) -> Graph:
    """The graph behind an autograd scalar, read through its attributes (no recursion, any depth).

    root and every node reached from it need `.data`, `.grad`, `.children` (the nodes it was computed
    from) and optionally `.op` (the gate's label). names: {label: node} to name the leaves you created
    (x, w0, ...); other leaves are labelled with their value.
    """
    label_of = {id(node): label for label, node in (names or {}).items()}
    order, visited, stack = [], set(), [(root, False)]
    while stack:  # iterative depth-first search, children before parents
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        for child in reversed(tuple(node.children)):
            if id(child) not in visited:
                stack.append((child, False))
    key = {id(node): f"n{k}" for k, node in enumerate(order)}
    nodes = []
    for node in order:
        children = tuple(node.children)
        if children:
            label = str(getattr(node, "op", "") or "?")
        else:
            label = label_of.get(id(node), f"{float(node.data):.3g}")
        nodes.append(Node(key[id(node)], label, float(node.data), float(node.grad),
                          tuple(key[id(c)] for c in children)))
    return Graph(tuple(nodes))


def backward_steps(graph: Graph) -> list[Graph]:
    """Snapshots of the backward pass, gate by gate: entry k shows what is known after k gates.

    Gates run in reverse topological order. A node's gradient is shown once every gate reading it has run
    (before that it is still a partial sum); a wire's gradient once its gate has run.
    """
    gates = [n for n in reversed(graph.nodes) if not n.is_leaf]
    snapshots = []
    for k in range(len(gates) + 1):
        done = {g.name for g in gates[:k]}
        nodes = []
        for node in graph.nodes:
            readers = graph.consumers(node.name)
            known = (node.name == graph.output.name) or (readers and all(r in done for r in readers))
            nodes.append(replace(node, grad=node.grad if known else None))
        wires = {w: g for w, g in graph.wire_grads.items() if w[1] in done}
        snapshots.append(Graph(tuple(nodes), wires))
    return snapshots


# ------------------------------------------------------------------------------------------- layout
def layout(graph: Graph) -> dict[str, tuple[float, float]]:
    """(column, row) of every node: gates one column right of their deepest input, leaves just left of
    their first reader, rows chosen so that inputs sit near (and in argument order around) their gate."""
    column = {}
    for node in graph.nodes:
        column[node.name] = 0 if node.is_leaf else 1 + max(column[i] for i in node.inputs)
    for node in graph.nodes:
        readers = graph.consumers(node.name)
        if node.is_leaf and readers:
            column[node.name] = min(column[r] for r in readers) - 1
    shift = min(column.values())
    column = {name: c - shift for name, c in column.items()}

    row: dict[str, float] = {}
    by_node = {n.name: n for n in graph.nodes}
    for c in range(max(column.values()), -1, -1):  # right to left: readers are placed first
        members = [n.name for n in graph.nodes if column[n.name] == c]
        wanted = {}
        for name in members:
            targets = []
            for reader in dict.fromkeys(graph.consumers(name)):
                args = by_node[reader].inputs
                for k, arg in enumerate(args):
                    if arg == name and reader in row:
                        targets.append(row[reader] + (k - (len(args) - 1) / 2) * 0.9)
            wanted[name] = float(np.mean(targets)) if targets else 0.0
        ordered = sorted(members, key=lambda n: wanted[n])
        placed = []
        for name in ordered:  # keep one row of space between nodes of a column
            placed.append(wanted[name] if not placed else max(wanted[name], placed[-1] + 1.0))
        offset = float(np.mean([wanted[n] for n in ordered]) - np.mean(placed))
        for name, y in zip(ordered, placed):
            row[name] = y + offset
    return {name: (float(column[name]), row[name]) for name in column}


# ------------------------------------------------------------------------------------------- drawing
def _fmt(x: float) -> str:
    return f"{x:.3g}" if abs(x) >= 1e-3 or x == 0 else f"{x:.1e}"


def draw_graph(graph: Graph, ax=None, *, title: str = "", show_grads: bool = True, highlight=()):
    """Draw the graph left to right: leaves as boxes, gates as circles, the value above each node (green)
    and its gradient below (red); at a fork each wire also shows the gradient it carries back.
    highlight: names of nodes to outline (e.g. the gate the backward pass just ran). Returns the axes."""
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=graph_size(graph))
    graph_artists(graph, ax, show_grads=show_grads, highlight=highlight)
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def graph_size(graph: Graph) -> tuple[float, float]:
    """A figure size (inches) in which draw_graph's drawing of this graph reads well."""
    pos = layout(graph)
    columns = max(c for c, _ in pos.values()) + 1
    rows = max(r for _, r in pos.values()) - min(r for _, r in pos.values())
    return min(1.5 + 1.35 * columns, 15), min(1.2 + 0.9 * 1.45 * (rows + 1), 8)


def graph_artists(graph: Graph, ax, *, show_grads: bool = True, highlight=()) -> dict:
    """Draw the graph into ax as draw_graph does, and return the texts that show its numbers, so that
    set_graph_numbers can change them in place (a widget moves only these):
    {"values": {node: Text}, "grads": {node: Text}, "wires": {(input, gate, k): Text}}, where "wires" holds
    the k-th input wire of a gate whose input is a fork (it is read more than once)."""
    from matplotlib.patches import Circle, FancyBboxPatch

    pos = layout(graph)
    xs = {name: 1.9 * c for name, (c, _) in pos.items()}
    ys = {name: -1.45 * r for name, (_, r) in pos.items()}
    radius = 0.3
    fork = {n.name for n in graph.nodes if len(graph.consumers(n.name)) > 1}
    numbers = {"values": {}, "grads": {}, "wires": {}}
    for node in graph.nodes:
        x1, y1 = xs[node.name], ys[node.name]
        for k, src in enumerate(node.inputs):
            x0, y0 = xs[src], ys[src]
            dx, dy = x1 - x0, y1 - y0
            length = float(np.hypot(dx, dy)) or 1.0
            start = (x0 + radius * dx / length, y0 + radius * dy / length)
            end = (x1 - radius * dx / length, y1 - radius * dy / length)
            ax.annotate("", xy=end, xytext=start,
                        arrowprops=dict(arrowstyle="-|>", color="0.35", lw=1.2, shrinkA=0, shrinkB=0))
            if show_grads and src in fork:
                mx, my = start[0] + 0.55 * (end[0] - start[0]), start[1] + 0.55 * (end[1] - start[1])
                numbers["wires"][(src, node.name, k)] = ax.text(
                    mx, my - 0.17, "", color=GRAD_COLOR, fontsize=8, ha="center", va="top", style="italic",
                    bbox=dict(facecolor="white", edgecolor="none", pad=0.5, alpha=0.8))
    for node in graph.nodes:
        x, y = xs[node.name], ys[node.name]
        edge = "#f9a825" if node.name in highlight else "0.25"
        lw = 3.0 if node.name in highlight else 1.2
        if node.is_leaf:
            ax.add_patch(FancyBboxPatch((x - radius, y - 0.22), 2 * radius, 0.44, boxstyle="round,pad=0.04",
                                        facecolor="#e3f2fd", edgecolor=edge, lw=lw))
        else:
            ax.add_patch(Circle((x, y), radius, facecolor="#fff8e1", edgecolor=edge, lw=lw))
        ax.text(x, y, node.label, ha="center", va="center", fontsize=10 if len(node.label) < 4 else 8,
                fontweight="bold")
        numbers["values"][node.name] = ax.text(x, y + radius + 0.06, "", color=VALUE_COLOR, ha="center",
                                               va="bottom", fontsize=9)
        if show_grads:
            numbers["grads"][node.name] = ax.text(x, y - radius - 0.06, "", color=GRAD_COLOR, ha="center",
                                                  va="top", fontsize=9)
    ax.set_xlim(min(xs.values()) - 0.7, max(xs.values()) + 0.7)
    ax.set_ylim(min(ys.values()) - 0.85, max(ys.values()) + 0.85)
    ax.set_aspect("equal")
    ax.axis("off")
    set_graph_numbers(numbers, graph)
    return numbers


def set_graph_numbers(numbers: dict, graph: Graph) -> None:
    """Show graph's values and gradients in the texts graph_artists returned for a graph of the same shape
    (same nodes, same wires); an unknown gradient shows as no text."""
    fork = {n.name for n in graph.nodes if len(graph.consumers(n.name)) > 1}
    wires = {(src, n.name, k) for n in graph.nodes for k, src in enumerate(n.inputs) if src in fork}
    wrong_wires = bool(numbers["grads"]) and set(numbers["wires"]) != wires  # no wire texts without gradients
    if set(numbers["values"]) != {n.name for n in graph.nodes} or wrong_wires:
        raise ValueError("set_graph_numbers: the graph has other nodes or wires than the one drawn")
    for node in graph.nodes:
        numbers["values"][node.name].set_text(_fmt(node.value))
        if node.name in numbers["grads"]:
            numbers["grads"][node.name].set_text("" if node.grad is None else _fmt(node.grad))
    for (src, gate, _), text in numbers["wires"].items():
        wire = graph.wire_grads.get((src, gate))
        text.set_text("" if wire is None else _fmt(wire))
        text.set_visible(wire is not None)  # no empty white box where a wire's gradient is not known yet


def draw_backward_steps(graph: Graph, steps=None, ncols: int = 2, title: str = ""):
    """A grid of snapshots of the backward pass (see backward_steps); steps: which snapshots (default all).
    Each panel outlines the gate that has just run. Returns the figure."""
    import matplotlib.pyplot as plt

    snapshots = backward_steps(graph)
    steps = list(range(len(snapshots))) if steps is None else list(steps)
    if any(not 0 <= k < len(snapshots) for k in steps):
        raise ValueError(f"steps must lie in 0..{len(snapshots) - 1} (the graph has {len(snapshots) - 1} gates)")
    gates = [n.name for n in reversed(graph.nodes) if not n.is_leaf]
    nrows = -(-len(steps) // ncols)
    pos = layout(graph)
    columns = max(c for c, _ in pos.values()) + 1
    rows = max(r for _, r in pos.values()) - min(r for _, r in pos.values()) + 1
    panel_width = min(0.8 * columns + 0.6, 16 / ncols)
    panel_height = panel_width * (1.45 * rows + 1.7) / (1.9 * columns + 1.4) + 0.3  # keep the aspect ratio
    fig, axes = plt.subplots(nrows, ncols, figsize=(panel_width * ncols, panel_height * nrows), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, k in zip(axes.ravel(), steps):
        ran = gates[k - 1] if k > 0 else None
        caption = "step 0: the output's gradient is seeded" if k == 0 else f"step {k}: gate '{graph.node(ran).label}' ran"
        draw_graph(snapshots[k], ax=ax, title=caption, highlight=(ran,) if ran else ())
    if title:
        fig.suptitle(title)
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.9 if title else 0.95, wspace=0.05, hspace=0.15)
    return fig
