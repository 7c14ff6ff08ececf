"""The grader's CheckCellMetadata (schema compiled once) accepts and refuses exactly what nbgrader's does."""

from __future__ import annotations

import copy

import pytest
from minicourse import mini_notebook
from nbgrader.preprocessors import CheckCellMetadata

from grader.patches.metadata_check import CompiledCheckCellMetadata


def _corrupt(how: str):
    nb = mini_notebook()
    meta = nb.cells[3].metadata["nbgrader"]  # test_double, a graded cell
    if how == "points not a number":
        meta["points"] = "lots"
    elif how == "no grade_id":
        del meta["grade_id"]
    elif how == "old schema":
        meta["schema_version"] = 2
    elif how == "duplicate grade_id":
        nb.cells[4].metadata["nbgrader"]["grade_id"] = meta["grade_id"]
    return nb


def _verdict(check, nb, in_place: bool = False) -> str:
    try:
        check().preprocess(nb if in_place else copy.deepcopy(nb), {})
        return "accepted"
    except Exception as exc:  # noqa: BLE001 - the kind and message are what is compared
        return f"{type(exc).__name__}: {exc}"


def test_a_sound_notebook_is_accepted():
    assert _verdict(CompiledCheckCellMetadata, mini_notebook()) == "accepted"


@pytest.mark.parametrize("how", ["points not a number", "no grade_id", "old schema", "duplicate grade_id"])
def test_corrupt_metadata_is_refused_as_nbgrader_refuses_it(how):
    nb = _corrupt(how)
    expected = _verdict(CheckCellMetadata, nb)
    assert expected != "accepted"
    assert _verdict(CompiledCheckCellMetadata, nb) == expected


# One field of a graded cell's metadata set to a value, or deleted (None): types, bounds, patterns, and the
# corner where fastjsonschema alone would refuse (a grade_id ending in a newline, which jsonschema accepts).
_FIELD_VALUES = [("schema_version", 3.0), ("schema_version", True), ("schema_version", "3"), ("grade", 1),
                 ("grade", "true"), ("locked", 0), ("solution", None), ("task", 1), ("points", True),
                 ("points", -1), ("points", "2"), ("points", 2.5), ("points", float("inf")), ("grade_id", "a b"),
                 ("grade_id", ""), ("grade_id", 5), ("grade_id", "test_double\n"), ("checksum", "a" * 32),
                 ("checksum", "a" * 31), ("cell_type", "code"), ("cell_type", "md"), ("surprise", 1),
                 ("grade", "delete"), ("locked", "delete"), ("solution", "delete"), ("schema_version", "delete"),
                 ("task", "delete")]


@pytest.mark.parametrize("field,value", _FIELD_VALUES)
def test_each_field_is_judged_as_nbgrader_judges_it(field, value):
    nb = mini_notebook()
    meta = nb.cells[3].metadata["nbgrader"]
    if value == "delete":
        del meta[field]
    else:
        meta[field] = value
    before = copy.deepcopy(nb)
    assert _verdict(CompiledCheckCellMetadata, nb, in_place=True) == _verdict(CheckCellMetadata, before)
    assert nb == before, "the check changed the metadata it checked"


def test_the_cases_include_accepted_and_refused_values():
    verdicts = set()
    for field, value in _FIELD_VALUES:
        nb = mini_notebook()
        nb.cells[3].metadata["nbgrader"][field] = value
        verdicts.add(_verdict(CheckCellMetadata, nb) == "accepted")
    assert verdicts == {True, False}
