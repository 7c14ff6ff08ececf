"""The misconception report on the demo's sample class, checked against the bugs each student planted."""

from __future__ import annotations

import shutil

import pytest

from grader.bug_bank import bugs_for, grading_cells
from grader.course.folder import Course
from grader.course.limits import Limits
from grader.delivery.release import prepare_assignments
from grader.demo import COMMON_MISTAKES, SAMPLE_STUDENTS, _submission, planted_bugs
from grader.pipeline import outcomes as st
from grader.pipeline.autograde import autograde
from grader.reports import misconceptions as mc

pytestmark = pytest.mark.slow
LESSON = "03_layers_and_networks"
# What the report must call the lesson's common mistakes: the diagnosis the students' feedback shows.
EXPECTED_CAUSE = {("affine_backward", "db_not_summed_over_the_batch"): "db: a sum over the batch (axis 0) is missing",
                  ("softmax_loss", "loss_summed_not_averaged"): "4x too large, the batch size"}


def test_every_common_mistake_comes_from_the_bank():
    for lesson, mistakes in COMMON_MISTAKES.items():
        bank = {(b.function, b.name) for b in bugs_for(lesson)}
        assert set(mistakes) <= bank, f"{lesson}: not in the bug bank: {set(mistakes) - bank}"
        assert [(b.function, b.name) for b in planted_bugs(lesson, "ivy")] == mistakes[:2]


def test_report_on_the_demo_class_counts_the_planted_mistakes(tmp_path):
    course = Course(Course.at().repo, tmp_path / "course")
    prepare_assignments(course, [LESSON])
    for student in SAMPLE_STUDENTS:
        made = _submission(course, LESSON, student, tmp_path)
        target = course.submitted_notebook(student, LESSON)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(made, target)
    outcomes = autograde(course, [LESSON], limits=Limits(cell_timeout=30, skip_ungraded=True), workers=2)
    scored = [o for o in outcomes if o.status in st.SCORED_STATUSES and o.score is not None]
    assert {o.student for o in scored} == set(SAMPLE_STUDENTS) - {"eve"}, [o.describe() for o in outcomes]
    rows = mc.misconception_rows(course, outcomes)
    found = {(r["exercise"], r["cause"]): r for r in rows}
    for (function, name), cause in EXPECTED_CAUSE.items():
        makers = [s for s in SAMPLE_STUDENTS if name in {b.name for b in planted_bugs(LESSON, s)}]
        exercise = f"test_{function}"
        assert (exercise, cause) in found, f"{function}.{name}: no row {cause!r}; rows: {sorted(found)}"
        row = found[(exercise, cause)]
        assert (row["submissions"], row["of"]) == (len(makers), len(scored)), (makers, row)
        assert row["share_pct"] == round(100 * len(makers) / len(scored), 1)
    # Every planted bug shows up under its own function's tests.
    for s in SAMPLE_STUDENTS:
        for bug in planted_bugs(LESSON, s):
            cells = [e for (e, _) in found if e in grading_cells(bug.function, [e])]
            assert cells, f"{s}'s {bug.function}.{bug.name} is missing from the report"
    blank_causes = {r["cause"] for r in rows if r["submissions"] and r["cause"] == mc.NOT_ATTEMPTED}
    assert blank_causes == {mc.NOT_ATTEMPTED}, "cy handed in the blank notebook"
    top = mc.top_lines(rows)
    # ben, hal and ivy left db unsummed: 3 of the 8 scored submissions, among the most common causes.
    assert f"test_affine_backward ({LESSON}): 37.5% db: a sum over the batch (axis 0) is missing" in top[:2], top
