"""The lesson's graded functions keep their contract in your own notebook exactly as in grading.

A lesson's set-up cell calls `watch_contracts("sgd", "adam", ...)`. From then on, after every cell you run,
each of those names that holds a function you defined is replaced by the same function called through
course_lib.contracts.checked_call: a call that changes an input its contract does not let it change, uses
NumPy's global random state, or keeps state in a mutable default argument fails right there with
ContractError (an AssertionError), with the same words the grader uses. The grader checks every call of a
graded function the same way, so a visible test passes in your notebook exactly when it passes in grading.

Only functions are watched (a class such as TwoLayerNet is left as it is), and only in an IPython kernel
(JupyterLab, nbgrader's Validate): in plain Python nothing changes.
"""

from __future__ import annotations

import functools
import threading
import types

from course_lib.contracts import checked_call

MARK = "__course_contract__"   # set on a watched function: it is not wrapped twice
_inside = threading.local()     # .depth: how many watched calls this thread is in


def checked(fn, name: str):
    """fn, called through checked_call under the graded name `name`. Only the outermost watched call is
    checked: a graded function your own code calls (train_network calling adam) works on your own data, and
    grading checks only the calls a test makes, so checking it here would cost time and prove nothing."""

    @functools.wraps(fn)
    def call_with_contract(*args, **kwargs):
        __tracebackhide__ = True  # noqa: F841 - IPython leaves this frame out of tracebacks
        depth = getattr(_inside, "depth", 0)
        if depth:
            return fn(*args, **kwargs)
        _inside.depth = depth + 1
        try:
            return checked_call(fn, *args, _name=name, **kwargs)
        finally:
            _inside.depth = depth

    setattr(call_with_contract, MARK, name)
    return call_with_contract


def unchecked(fn):
    """The function itself, without the contract check (to time it: the check hashes every input)."""
    return getattr(fn, "__wrapped__", fn) if getattr(fn, MARK, None) else fn


def watch_namespace(namespace: dict, names) -> None:
    """Wrap every function among `names` in namespace that is not wrapped yet (one you just (re)defined)."""
    for name in names:
        value = namespace.get(name)
        if isinstance(value, types.FunctionType) and getattr(value, MARK, None) != name:
            namespace[name] = checked(value, name)


def watch_contracts(*names: str, shell=None) -> None:
    """After each cell the shell runs, wrap the graded functions `names` of its namespace (once per shell:
    running the set-up cell again replaces the earlier watch)."""
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return
        shell = get_ipython()
    if shell is None:
        return
    for callback in list(shell.events.callbacks["post_run_cell"]):
        if getattr(callback, MARK, False):
            shell.events.unregister("post_run_cell", callback)

    def after_cell(result=None):
        watch_namespace(shell.user_ns, names)

    setattr(after_cell, MARK, True)
    shell.events.register("post_run_cell", after_cell)
