"""The misconception report: per exercise, the share of submissions per diagnosed cause, checked against
submissions whose bugs are known."""

from __future__ import annotations

import csv

import pytest
from minicourse import LESSON, make_repo

from grader.course import samples
from grader.course.folder import Course
from grader.course.limits import Limits
from grader.delivery.release import prepare_assignments
from grader.pipeline.autograde import autograde
from grader.pipeline.outcomes import Ledger
from grader.reports import misconceptions as mc
from grader.reports.grades import write_reports


def test_cause_labels_come_from_the_feedback_diagnosis():
    out = {"ename": "AssertionError", "evalue": "dW: 650 of 650 value(s) differ at index (3, 2): got 0.41, expected "
                                                 "0.0032. Likely cause: 1257x too large, the batch size: a missing division by N"}
    assert mc.cause_of(out) == "dW: Nx too large, the batch size"
    shape = {"ename": "AssertionError", "evalue": "db: shape (2, 3), expected (3,). Likely cause: a sum over the batch "
                                                  "(axis 0) is missing: the result has one axis too many"}
    assert mc.cause_of(shape) == "db: a sum over the batch (axis 0) is missing"
    out["evalue"] = "double(3): 1 of 1 value(s) differ: got 12, expected 6. Likely cause: 2x too large: x"
    assert mc.cause_of(out) == "2x too large", "a label with test inputs in it is not a quantity name"
    assert mc.cause_of({"ename": "NotImplementedError", "evalue": ""}) == mc.NOT_ATTEMPTED
    assert mc.cause_of({"ename": "AssertionError", "evalue": "loss: got 1, expected 2"}) == mc.NO_PATTERN
    assert mc.cause_of({"ename": "TypeError", "evalue": "bad"}) == "TypeError raised"


@pytest.mark.slow
def test_report_counts_known_bugs_per_exercise(tmp_path):
    course = Course.at(make_repo(tmp_path / "repo"), tmp_path / "course")
    prepare_assignments(course, [LESSON])
    right = samples.filled_in(course, LESSON)
    known = {"ann": "4 * x", "bea": "4 * x", "cal": "-2 * x", "dot": "x", "eli": "2 * x"}
    for student, body in known.items():
        samples.write(samples.plant(right, "double", f"def double(x):\n    return {body}"),
                      course.submitted_notebook(student, LESSON))
    samples.write(samples.blank(course, LESSON), course.submitted_notebook("fox", LESSON))
    autograde(course, [LESSON], limits=Limits(cell_timeout=10), workers=2)
    paths = write_reports(course)
    rows = [r for r in csv.DictReader(paths["misconceptions.csv"].open()) if r["exercise"] == "test_double"]
    shares = {r["cause"]: (int(r["submissions"]), float(r["share_pct"]), int(r["of"])) for r in rows}
    assert shares["2x too large"] == (2, 33.3, 6)
    assert shares["the sign is flipped"] == (1, 16.7, 6)
    assert shares["half the expected size"] == (1, 16.7, 6)
    assert shares[mc.NOT_ATTEMPTED] == (1, 16.7, 6)
    assert sum(n for n, _, _ in shares.values()) == 5, "eli is right: no cause"
    assert paths["misconceptions.png"].read_bytes()[:4] == b"\x89PNG"
    top = mc.top_lines(mc.misconception_rows(course, list(Ledger(course.course_dir).load().values())))
    assert top[:2] == [f"test_double__arrays ({LESSON}): 66.7% {mc.NO_PATTERN}",
                       f"test_double ({LESSON}): 33.3% 2x too large"]
