"""Controls for tests/test_tamper_contracts.py: each poisoning is a real attack. Run in one plain Python
namespace (a test sharing its objects with the student's code, as nbgrader's own kernel does), the wrong
answer passes its test; run on copies of its inputs (what the boundary guarantees), it fails. Fast: no grader.
"""

from __future__ import annotations

import pytest
from minicourse import contracts_notebook
from test_tamper_contracts import CASES

from grader.course.notebooks import nbgrader_meta
def _strip(source: str) -> str:
    return "\n".join(line for line in source.split("\n") if "BEGIN " not in line and "END " not in line)


def plain_run(plants: dict[str, str]) -> dict[str, bool]:
    """grade id -> passed, for the solution with these answers appended, every cell (hidden tests included)
    run in one namespace of this process, as a Python program that shares its objects would."""
    namespace: dict = {"__name__": "__plain__"}
    verdicts = {}
    for cell in contracts_notebook().cells:
        meta = nbgrader_meta(cell)
        if cell.cell_type != "code":
            continue
        source = _strip(cell.source) + "\n" + plants.get(meta.get("grade_id"), "")
        try:
            exec(compile(source, f"<{meta.get('grade_id')}>", "exec"), namespace)  # noqa: S102 - our own cells
            verdicts[meta["grade_id"]] = True
        except Exception:  # noqa: BLE001 - a failed test
            verdicts[meta["grade_id"]] = False
    return verdicts


@pytest.mark.parametrize("name", [n for n, (kind, *_) in CASES.items() if kind == "poison"])
def test_each_poisoning_would_win_where_the_test_shares_its_objects(name):
    _, plants, *_ = CASES[name]
    (function,) = plants
    verdicts = plain_run(plants)
    assert verdicts[f"test_{function}"], f"{name}: the wrong answer does not even pass an unguarded test"
    assert all(verdicts.values()), verdicts


# A guard as the boundary's: the function works on copies of its inputs, and a lent model gives copies of
# what its class does not declare writable and keeps its record out of reach.
_COPIES = '''

import copy as _copy
_poisoning = {function}


def {function}(*args, **kwargs):
    return _poisoning(*_copy.deepcopy(args), **_copy.deepcopy(kwargs))
'''
_GUARDS = {"fit": '''

import copy as _copy


class _Lent:
    def __init__(self, model):
        object.__setattr__(self, "_model", model)

    def __getattr__(self, name):
        value = getattr(self._model, name)
        return value if callable(value) or name in type(self._model).course_writable else _copy.deepcopy(value)

    def __setattr__(self, name, value):
        if name in type(self._model).course_writable:
            setattr(self._model, name, value)


_poisoning = {function}


def {function}(make_model, *args):
    return _poisoning(lambda: _Lent(make_model()), *args)
'''}


@pytest.mark.parametrize("name", [n for n, (kind, *_) in CASES.items() if kind == "poison"])
def test_each_poisoned_answer_is_wrong(name):
    """The same answer without its poisoning fails: run on copies of its inputs, the test's own objects stay
    as they were."""
    _, plants, *_ = CASES[name]
    (function,) = plants
    guarded = plants[function] + _GUARDS.get(function, _COPIES).format(function=function)
    assert not plain_run({function: guarded})[f"test_{function}"], name


@pytest.mark.parametrize("name, attribute, least", [("generator-huge-pool-size", "pool_size", 10 ** 6),
                                                    ("generator-huge-entropy", "entropy", 2 ** 20),
                                                    ("generator-huge-spawn-key", "spawn_key", 10 ** 6)])
def test_each_lying_seed_sequence_is_cheap_to_make_and_reports_a_huge_size(name, attribute, least):
    """What the kernel would send for the Generator is huge, though making it cost the kernel nothing."""
    import numpy as np

    namespace = {"np": np}
    exec(CASES[name][1]["fit"], namespace)  # noqa: S102 - our own attack, defined above
    gen = namespace["fit"](None, 3, 0.5)
    value = getattr(gen.bit_generator.seed_seq, attribute)
    assert isinstance(gen, np.random.Generator) and (value if isinstance(value, int) else len(value)) >= least
