"""Known-wrong implementations for lesson 02 (backpropagation through a computational graph).

Each is a mistake a student could plausibly make; planted after the correct definition, it must lose the
points of its own function's test cells. The Value bugs are the reference class with one part changed
(see `_value_with`), so each entry breaks exactly one thing.
"""

from grader.bug_bank import Bug

LESSON = "02_backprop_gates"

_VALUE = '''class Value:
    """Reference Value (lesson 02 solution); the bugs below each change one part of it."""

    def __init__(self, data, children=(), op=""):
        self.data = float(data)
        self.grad = 0.0
        self.children = tuple(children)
        self.op = op
        self._backward = lambda: None  # how to pass this node's grad on to its children; a leaf has none

    def __repr__(self):
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"

    # ---- given: the worked example ---------------------------------------------------------------
    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)  # 2 becomes a leaf Value(2.0)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            # add gate: both inputs receive the upstream gradient out.grad unchanged. "+=", not "=":
            # a node used by several gates receives one contribution from each of them.
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    # ---- given: operations built from the others (they work once yours do) -----------------------
    def __radd__(self, other):       # other + self, when other is a plain number
        return self + other

    def __neg__(self):               # -self
        return self * -1.0

    def __sub__(self, other):        # self - other
        return self + (-other)

    def __rsub__(self, other):       # other - self
        return (-self) + other

    def __rmul__(self, other):       # other * self
        return self * other

    def __truediv__(self, other):    # self / other
        return self * other ** -1

    def __rtruediv__(self, other):   # other / self
        return self ** -1 * other

    # ---- your part -------------------------------------------------------------------------------
    def __mul__(self, other):
        """self * other (other a Value or a number); local gradients: other.data and self.data."""
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __pow__(self, exponent):
        """self ** exponent for a plain number exponent (int or float); local gradient n * x**(n - 1)."""
        out = Value(self.data ** exponent, (self,), f"**{exponent:g}")

        def _backward():
            self.grad += exponent * self.data ** (exponent - 1) * out.grad

        out._backward = _backward
        return out

    def exp(self):
        """e ** self; local gradient e ** x, the output itself."""
        out = Value(math.exp(self.data), (self,), "exp")

        def _backward():
            self.grad += out.data * out.grad

        out._backward = _backward
        return out

    def log(self):
        """Natural logarithm of self (self.data > 0); local gradient 1 / x."""
        out = Value(math.log(self.data), (self,), "log")

        def _backward():
            self.grad += out.grad / self.data

        out._backward = _backward
        return out

    def relu(self):
        """max(0, self); local gradient 1 where x > 0, else 0."""
        out = Value(self.data if self.data > 0 else 0.0, (self,), "relu")

        def _backward():
            if self.data > 0:
                self.grad += out.grad

        out._backward = _backward
        return out

    def max(self, other):
        """The larger of self and other (a Value or a number): a max gate. The input that won the
        forward pass receives the whole gradient, the other none; a tie sends it to self."""
        other = other if isinstance(other, Value) else Value(other)
        self_wins = self.data >= other.data
        out = Value(self.data if self_wins else other.data, (self, other), "max")

        def _backward():
            if self_wins:
                self.grad += out.grad
            else:
                other.grad += out.grad

        out._backward = _backward
        return out

    def backward(self):
        order, visited = [], set()
        stack = [(self, False)]
        while stack:
            node, children_done = stack.pop()
            if children_done:
                order.append(node)  # all of its children are already in `order`
            elif node not in visited:
                visited.add(node)
                stack.append((node, True))  # revisit it once its children are done
                for child in node.children:
                    stack.append((child, False))
        for node in order:
            if node.children:
                node.grad = 0.0
        self.grad += 1.0
        for node in reversed(order):
            node._backward()
'''


def _value_with(*changes: tuple[str, str]) -> str:
    """The reference Value with each (old, new) snippet replaced; every old snippet must occur."""
    source = _VALUE
    for old, new in changes:
        if old not in source:
            raise ValueError(f"bug template: snippet not found: {old!r}")
        source = source.replace(old, new)
    return source

BUGS = [
    # --- add_gate_backward ----------------------------------------------------------------------------
    Bug("add_gate_backward", "ignores_dout", '''def add_gate_backward(dout):
    return 1.0, 1.0
'''),
    Bug("add_gate_backward", "splits_dout_in_half", '''def add_gate_backward(dout):
    return dout / 2, dout / 2
'''),
    Bug("add_gate_backward", "only_to_x", '''def add_gate_backward(dout):
    return dout, 0.0
'''),
    Bug("add_gate_backward", "subtraction_sign_on_y", '''def add_gate_backward(dout):
    return dout, -dout
'''),
    Bug("add_gate_backward", "doubled", '''def add_gate_backward(dout):
    return 2 * dout, 2 * dout
'''),
    # --- mul_gate_backward ----------------------------------------------------------------------------
    Bug("mul_gate_backward", "inputs_not_swapped", '''def mul_gate_backward(dout, x, y):
    return dout * x, dout * y
'''),
    Bug("mul_gate_backward", "ignores_dout", '''def mul_gate_backward(dout, x, y):
    return y, x
'''),
    Bug("mul_gate_backward", "same_gradient_for_both", '''def mul_gate_backward(dout, x, y):
    return dout * y, dout * y
'''),
    Bug("mul_gate_backward", "times_the_product", '''def mul_gate_backward(dout, x, y):
    return dout * x * y, dout * x * y
'''),
    Bug("mul_gate_backward", "adds_instead_of_multiplies", '''def mul_gate_backward(dout, x, y):
    return dout + y, dout + x
'''),
    # --- max_gate_backward ----------------------------------------------------------------------------
    Bug("max_gate_backward", "gradient_to_both_inputs", '''def max_gate_backward(dout, x, y):
    return dout, dout
'''),
    Bug("max_gate_backward", "routes_to_the_smaller", '''def max_gate_backward(dout, x, y):
    if x >= y:
        return 0.0, dout
    return dout, 0.0
'''),
    Bug("max_gate_backward", "tie_goes_to_y", '''def max_gate_backward(dout, x, y):
    if x > y:
        return dout, 0.0
    return 0.0, dout
'''),
    Bug("max_gate_backward", "tie_split_in_half", '''def max_gate_backward(dout, x, y):
    if x == y:
        return dout / 2, dout / 2
    if x > y:
        return dout, 0.0
    return 0.0, dout
'''),
    Bug("max_gate_backward", "ignores_dout", '''def max_gate_backward(dout, x, y):
    if x >= y:
        return 1.0, 0.0
    return 0.0, 1.0
'''),
    Bug("max_gate_backward", "passes_the_max_value", '''def max_gate_backward(dout, x, y):
    if x >= y:
        return dout * x, 0.0
    return 0.0, dout * y
'''),
    # --- sigmoid_circuit_forward ----------------------------------------------------------------------
    Bug("sigmoid_circuit_forward", "exp_of_plus_s", '''def sigmoid_circuit_forward(w, x):
    s = w[0] * x[0] + w[1] * x[1] + w[2]
    e = math.exp(s)
    d = 1.0 + e
    return float(1.0 / d), (w, x, e, d)
'''),
    Bug("sigmoid_circuit_forward", "forgets_the_bias", '''def sigmoid_circuit_forward(w, x):
    s = w[0] * x[0] + w[1] * x[1]
    e = math.exp(-s)
    d = 1.0 + e
    return float(1.0 / d), (w, x, e, d)
'''),
    Bug("sigmoid_circuit_forward", "returns_the_weighted_sum", '''def sigmoid_circuit_forward(w, x):
    s = w[0] * x[0] + w[1] * x[1] + w[2]
    e = math.exp(-s)
    d = 1.0 + e
    return float(s), (w, x, e, d)
'''),
    Bug("sigmoid_circuit_forward", "indices_crossed", '''def sigmoid_circuit_forward(w, x):
    s = w[0] * x[1] + w[1] * x[0] + w[2]
    e = math.exp(-s)
    d = 1.0 + e
    return float(1.0 / d), (w, x, e, d)
'''),
    Bug("sigmoid_circuit_forward", "one_minus_sigmoid", '''def sigmoid_circuit_forward(w, x):
    s = w[0] * x[0] + w[1] * x[1] + w[2]
    e = math.exp(-s)
    d = 1.0 + e
    return float(e / d), (w, x, e, d)
'''),
    # --- sigmoid_circuit_backward (uses the correct forward's cache: (w, x, e, d)) -------------------
    Bug("sigmoid_circuit_backward", "sigmoid_gradient_without_one_minus", '''def sigmoid_circuit_backward(dout, cache):
    w, x, e, d = cache
    out = 1.0 / d
    ds = out * dout
    return np.array([x[0] * ds, x[1] * ds, ds]), np.array([w[0] * ds, w[1] * ds])
''', hint='off by a factor of 3.718'),
    Bug("sigmoid_circuit_backward", "ignores_dout", '''def sigmoid_circuit_backward(dout, cache):
    w, x, e, d = cache
    ds = e / d ** 2
    return np.array([x[0] * ds, x[1] * ds, ds]), np.array([w[0] * ds, w[1] * ds])
''', hint='dout is ignored'),
    Bug("sigmoid_circuit_backward", "bias_gradient_zero", '''def sigmoid_circuit_backward(dout, cache):
    w, x, e, d = cache
    ds = e / d ** 2 * dout
    return np.array([x[0] * ds, x[1] * ds, 0.0]), np.array([w[0] * ds, w[1] * ds])
'''),
    Bug("sigmoid_circuit_backward", "multiply_gates_not_swapped", '''def sigmoid_circuit_backward(dout, cache):
    w, x, e, d = cache
    ds = e / d ** 2 * dout
    return np.array([w[0] * ds, w[1] * ds, ds]), np.array([x[0] * ds, x[1] * ds])
'''),
    Bug("sigmoid_circuit_backward", "forgets_the_minus_one_gate", '''def sigmoid_circuit_backward(dout, cache):
    w, x, e, d = cache
    ds = -e / d ** 2 * dout
    return np.array([x[0] * ds, x[1] * ds, ds]), np.array([w[0] * ds, w[1] * ds])
''', hint='the sign is flipped'),
    Bug("sigmoid_circuit_backward", "returns_dx_first", '''def sigmoid_circuit_backward(dout, cache):
    w, x, e, d = cache
    ds = e / d ** 2 * dout
    return np.array([w[0] * ds, w[1] * ds]), np.array([x[0] * ds, x[1] * ds, ds])
''', hint='dw and dx are swapped'),
    # --- Value --------------------------------------------------------------------------------------
    # `=` instead of `+=` at a fork: every gate overwrites its inputs' gradients.
    Bug("Value", "assigns_instead_of_accumulating", _value_with(
        ("            self.grad += out.grad\n            other.grad += out.grad",
         "            self.grad = out.grad\n            other.grad = out.grad"),
        ("            self.grad += other.data * out.grad\n            other.grad += self.data * out.grad",
         "            self.grad = other.data * out.grad\n            other.grad = self.data * out.grad")), hint='each use must ADD its contribution'),
    # micrograd's recursive topological sort: right on small graphs, RecursionError past ~1000 levels.
    Bug("Value", "recursive_topological_sort", _value_with(
        ("""        order, visited = [], set()
        stack = [(self, False)]
        while stack:
            node, children_done = stack.pop()
            if children_done:
                order.append(node)  # all of its children are already in `order`
            elif node not in visited:
                visited.add(node)
                stack.append((node, True))  # revisit it once its children are done
                for child in node.children:
                    stack.append((child, False))
""", """        order, visited = [], set()

        def build(node):
            if node not in visited:
                visited.add(node)
                for child in node.children:
                    build(child)
                order.append(node)

        build(self)
"""))),
    # No topological order: each node passes its gradient on as soon as it is reached from the output.
    Bug("Value", "no_topological_order", _value_with(
        ("""        for node in order:
            if node.children:
                node.grad = 0.0
        self.grad += 1.0
        for node in reversed(order):
            node._backward()""", """        for node in order:
            if node.children:
                node.grad = 0.0
        self.grad += 1.0
        seen, queue = set(), [self]
        while queue:
            node = queue.pop(0)
            if node not in seen:
                seen.add(node)
                node._backward()
                queue.extend(node.children)""")), hint='reverse topological order'),
    Bug("Value", "mul_inputs_not_swapped", _value_with(
        ("            self.grad += other.data * out.grad\n            other.grad += self.data * out.grad",
         "            self.grad += self.data * out.grad\n            other.grad += other.data * out.grad")), hint='check the local gradient'),
    Bug("Value", "power_rule_without_minus_one", _value_with(
        ("self.grad += exponent * self.data ** (exponent - 1) * out.grad",
         "self.grad += exponent * self.data ** exponent * out.grad")), hint='check the local gradient'),
    Bug("Value", "exp_gradient_is_the_input", _value_with(
        ("            self.grad += out.data * out.grad", "            self.grad += self.data * out.grad")), hint='check the local gradient'),
    Bug("Value", "log_gradient_times_x", _value_with(
        ("            self.grad += out.grad / self.data", "            self.grad += out.grad * self.data")), hint='check the local gradient'),
    Bug("Value", "relu_passes_every_gradient", _value_with(
        ("""            if self.data > 0:
                self.grad += out.grad""", """            self.grad += out.grad""")), hint='check the local gradient'),
    Bug("Value", "max_gradient_to_both_inputs", _value_with(
        ("""            if self_wins:
                self.grad += out.grad
            else:
                other.grad += out.grad""", """            self.grad += out.grad
            other.grad += out.grad""")), hint='check the local gradient'),
    # micrograd's behaviour: nothing is reset, so a second call compounds through the intermediate nodes.
    Bug("Value", "intermediate_grads_not_reset", _value_with(
        ("""        for node in order:
            if node.children:
                node.grad = 0.0
        self.grad += 1.0""", """        self.grad = 1.0""")), hint="zero the intermediate nodes' grad"),
    # Resets the leaves too: repeated calls no longer accumulate.
    Bug("Value", "resets_the_leaves", _value_with(
        ("""        for node in order:
            if node.children:
                node.grad = 0.0""", """        for node in order:
            node.grad = 0.0""")), hint="the leaves' grad was reset"),
    Bug("Value", "forgets_the_seed", _value_with(("        self.grad += 1.0\n", "")), hint='start from self.grad = 1'),
    # --- matmul_backward -----------------------------------------------------------------------------
    Bug("matmul_backward", "missing_transpose_on_W", '''def matmul_backward(dout, X, W):
    return dout @ W, X.T @ dout
'''),
    Bug("matmul_backward", "dW_transposed", '''def matmul_backward(dout, X, W):
    return dout @ W.T, dout.T @ X
''', hint='transposed'),
    Bug("matmul_backward", "returns_dW_first", '''def matmul_backward(dout, X, W):
    return X.T @ dout, dout @ W.T
''', hint='dX and dW are swapped'),
    Bug("matmul_backward", "dW_averaged_over_the_batch", '''def matmul_backward(dout, X, W):
    return dout @ W.T, X.T @ dout / X.shape[0]
''', hint='already sums over the samples'),
    Bug("matmul_backward", "ignores_dout", '''def matmul_backward(dout, X, W):
    ones = np.ones_like(dout)
    return ones @ W.T, X.T @ ones
'''),
    Bug("matmul_backward", "dX_from_X", '''def matmul_backward(dout, X, W):
    return X * (dout @ W.T), X.T @ dout
'''),
    # --- train_step --------------------------------------------------------------------------------
    # Never resets: every step moves the weights with the sum of all the gradients seen so far.
    Bug("train_step", "never_zeroes_the_grads", '''def train_step(params, loss_fn, lr):
    loss = loss_fn()
    loss.backward()
    for p in params:
        p.data -= lr * p.grad
    return float(loss.data)
''', hint="the stale 5.0 left in each grad was added in"),
    # Resets after backward(): the gradients are gone before the update uses them.
    Bug("train_step", "zeroes_after_backward", '''def train_step(params, loss_fn, lr):
    loss = loss_fn()
    loss.backward()
    for p in params:
        p.grad = 0.0
        p.data -= lr * p.grad
    return float(loss.data)
''', hint="the parameters did not change"),
    # p = p - lr * p.grad builds a new Value and rebinds the loop variable: the parameters never move.
    Bug("train_step", "rebinds_the_loop_variable", '''def train_step(params, loss_fn, lr):
    for p in params:
        p.grad = 0.0
    loss = loss_fn()
    loss.backward()
    for p in params:
        p = p - lr * p.grad
    return float(loss.data)
''', hint="the parameters did not change"),
    Bug("train_step", "steps_uphill", '''def train_step(params, loss_fn, lr):
    for p in params:
        p.grad = 0.0
    loss = loss_fn()
    loss.backward()
    for p in params:
        p.data += lr * p.grad
    return float(loss.data)
''', hint="the sign is flipped"),
    Bug("train_step", "forgets_lr", '''def train_step(params, loss_fn, lr):
    for p in params:
        p.grad = 0.0
    loss = loss_fn()
    loss.backward()
    for p in params:
        p.data -= p.grad
    return float(loss.data)
''', hint="off by a factor of 10"),
    Bug("train_step", "returns_the_loss_after_the_update", '''def train_step(params, loss_fn, lr):
    for p in params:
        p.grad = 0.0
    loss = loss_fn()
    loss.backward()
    for p in params:
        p.data -= lr * p.grad
    return float(loss_fn().data)
'''),
    Bug("train_step", "returns_the_Value", '''def train_step(params, loss_fn, lr):
    for p in params:
        p.grad = 0.0
    loss = loss_fn()
    loss.backward()
    for p in params:
        p.data -= lr * p.grad
    return loss
'''),
]
