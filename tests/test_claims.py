"""Claims the lessons' text makes are checked against the outputs (course_lib.claims): a claim that does
not hold fails the run, and the text's number and the cell's must agree."""

from __future__ import annotations

import nbformat
import pytest

from course_lib.claims import ClaimFailed, check_notebook, claim, markers
from nbrun import execute

pytestmark = pytest.mark.slow


def _notebook(sentence: str, code: str):
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(sentence), nbformat.v4.new_code_cell(code)])


GOOD = ("The network reaches 97% test accuracy <!-- claim: test_accuracy >= 0.97 -->, and SGD ends highest "
        "<!-- claim: sgd_ends_highest -->.")
CODE = ("from course_lib.claims import claim\naccuracy = 0.981\nclaim('test_accuracy', accuracy, '>=', 0.97)\n"
        "claim('sgd_ends_highest', 2.1 > 1.4)")


def test_a_notebook_whose_text_and_outputs_agree(tmp_path):
    assert check_notebook(execute(_notebook(GOOD, CODE), tmp_path)) == []


def test_changing_the_number_in_the_text_is_found(tmp_path):
    text = GOOD.replace("97% test", "99% test")  # the sentence no longer says what the marker says
    assert any("does not state" in p for p in check_notebook(execute(_notebook(text, CODE), tmp_path)))
    marker = GOOD.replace("97% test accuracy <!-- claim: test_accuracy >= 0.97", "98% test accuracy <!-- claim: test_accuracy >= 0.98")
    assert any("the cell checks" in p for p in check_notebook(execute(_notebook(marker, CODE), tmp_path)))


def test_changing_the_experiment_fails_the_run(tmp_path):
    import nbclient

    with pytest.raises(nbclient.exceptions.CellExecutionError, match="ClaimFailed"):
        execute(_notebook(GOOD, CODE.replace("0.981", "0.95")), tmp_path)


def test_claims_without_their_other_half_are_found(tmp_path):
    only_text = check_notebook(execute(_notebook(GOOD, "x = 1"), tmp_path))
    assert any("no cell checks it" in p for p in only_text)
    only_code = check_notebook(execute(_notebook("No claims here.", CODE), tmp_path))
    assert any("never makes it" in p for p in only_code)


def test_the_comparisons():
    assert claim("a", 0.5, "in", (0.4, 0.6)) == 0.5
    assert claim("b", 103.0, "~=", 100.0) == 103.0
    with pytest.raises(ClaimFailed, match="the text claims b ~= 100.0"):
        claim("b", 106.0, "~=", 100.0)
    with pytest.raises(ClaimFailed):
        claim("c", False)
    assert markers("x is 2.5x <!-- claim: ratio ~= 2.5 --> and <!-- claim: in_range in [0.1, 0.2] -->")[1][2] == [0.1, 0.2]
