"""The grader's CheckCellMetadata (schema compiled once) accepts and refuses exactly what nbgrader's does."""

from __future__ import annotations

import copy

import pytest
from minicourse import mini_notebook
from nbgrader.preprocessors import CheckCellMetadata

from grader.metadata_check import CompiledCheckCellMetadata


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


def _verdict(check, nb) -> str:
    try:
        check().preprocess(copy.deepcopy(nb), {})
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
