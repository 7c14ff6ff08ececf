"""course_lib.contract_watch: in the student's kernel, the lesson's graded functions are called through the
same contract check as in grading, from the cell after the one that defines them."""

from __future__ import annotations

import numpy as np
import pytest
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

from course_lib.contract_watch import MARK, checked, watch_contracts, watch_namespace
from course_lib.contracts import ContractError


def scale_in_place(x, factor):
    x *= factor
    return x


def scale(x, factor):
    return x * factor


def test_a_watched_function_that_changes_its_input_fails_with_the_contract_message():
    x = np.ones(3)
    with pytest.raises(ContractError, match=r"scale_in_place modified its input `x` in place"):
        checked(scale_in_place, "scale_in_place")(x, 2.0)


def test_a_watched_function_that_keeps_its_contract_is_the_same_function():
    wrapped = checked(scale, "scale")
    assert wrapped.__name__ == "scale" and wrapped.__wrapped__ is scale
    assert np.array_equal(wrapped(np.ones(2), 3.0), [3.0, 3.0])


def test_declared_state_may_change():
    def sgd(w, dw, config=None):
        config = {} if config is None else config
        config.setdefault("learning_rate", 0.1)
        return w - config["learning_rate"] * dw, config

    config = {}
    checked(sgd, "sgd")(np.ones(2), np.ones(2), config)
    assert config == {"learning_rate": 0.1}


def test_the_namespace_is_wrapped_once_and_rewrapped_after_a_new_definition():
    namespace = {"scale": scale, "other": scale_in_place, "Cls": type("Cls", (), {})}
    watch_namespace(namespace, ["scale", "Cls", "missing"])
    first = namespace["scale"]
    assert getattr(first, MARK) == "scale" and namespace["other"] is scale_in_place
    assert isinstance(namespace["Cls"], type)  # classes are left alone
    watch_namespace(namespace, ["scale"])
    assert namespace["scale"] is first
    namespace["scale"] = scale  # the student ran the defining cell again
    watch_namespace(namespace, ["scale"])
    assert namespace["scale"] is not first and namespace["scale"].__wrapped__ is scale


def test_in_an_ipython_shell_the_cell_after_a_definition_checks_the_contract():
    config = Config()
    config.HistoryManager.enabled = False  # no history database (the test's IPython folder goes before exit)
    shell = InteractiveShell.instance(config=config)
    try:
        watch_contracts("double", shell=shell)
        watch_contracts("double", shell=shell)  # the set-up run twice: one watch
        assert sum(getattr(cb, MARK, False) is True for cb in shell.events.callbacks["post_run_cell"]) == 1
        shell.run_cell("import numpy as np\ndef double(x):\n    x *= 2\n    return x")
        result = shell.run_cell("double(np.ones(2))")
        assert isinstance(result.error_in_exec, ContractError)
        assert "double modified its input `x` in place" in str(result.error_in_exec)
    finally:
        for callback in list(shell.events.callbacks["post_run_cell"]):
            if getattr(callback, MARK, False):
                shell.events.unregister("post_run_cell", callback)
        shell.user_ns.pop("double", None)


def test_outside_ipython_nothing_is_watched():
    watch_contracts("anything")  # no shell: no error, nothing to do


def test_only_the_outermost_watched_call_is_checked():
    """As in grading, where only a test's calls cross the boundary: a graded function that calls another on
    its own data is checked once, at the outer call."""
    inner = checked(scale_in_place, "scale_in_place")

    def outer(x):
        mine = x.copy()
        inner(mine, 2.0)  # changes its own copy in place: not the caller's business
        return mine

    assert np.array_equal(checked(outer, "outer")(np.ones(2)), [2.0, 2.0])
    with pytest.raises(ContractError):
        inner(np.ones(2), 2.0)
