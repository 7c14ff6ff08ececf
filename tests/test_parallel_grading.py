"""Grading with several workers gives exactly what grading one at a time gives, and a run that is
killed half way resumes without losing or double-counting a submission."""

from __future__ import annotations

import pytest
from minicourse import LESSON, make_repo

from grader.course import samples
from grader.course.folder import Course
from grader.course.limits import Limits
from grader.delivery.release import prepare_assignments
from grader.pipeline import autograde as ag
from grader.pipeline import workers
from grader.pipeline.outcomes import Ledger

pytestmark = pytest.mark.slow
LIMITS = Limits(cell_timeout=10, notebook_timeout=60)


def _class(root):
    course = Course.at(make_repo(root / "repo"), root / "course")
    prepare_assignments(course, [LESSON])
    right = samples.filled_in(course, LESSON)
    blank = samples.blank(course, LESSON)
    class_ = {
        "ada": right, "bo": blank, "cy": samples.without_first_test(right),
        "di": samples.plant(right, "double", "def double(x):\n    return 2 * x + (x < 0)"),
        "ed": samples.plant(right, "double", "np.allclose = lambda *a, **k: True"),
        "fe": samples.plant(right, "double", "print('x' * 2_000_000)"),
    }
    for student, nb in class_.items():
        samples.write(nb, course.submitted_notebook(student, LESSON))
    return course


def _summary(outcomes):
    return {o.student: (o.status, o.score, o.reason, o.cells, o.withheld_score) for o in outcomes}


def test_two_workers_give_the_same_scores_and_statuses_as_one(tmp_path):
    one = ag.autograde(_class(tmp_path / "one"), [LESSON], limits=LIMITS, workers=1)
    two = ag.autograde(_class(tmp_path / "two"), [LESSON], limits=LIMITS, workers=2)
    assert _summary(one) == _summary(two)
    assert [o.student for o in one] == [o.student for o in two], "results come back in submission order"
    assert {o.student: o.status for o in one} == {"ada": "ok", "bo": "ok", "cy": "cells restored", "di": "ok",
                                                  "ed": "ok", "fe": "output too large"}


def test_a_killed_run_resumes_with_nothing_lost_and_nothing_counted_twice(tmp_path, monkeypatch):
    from nbgrader.api import Gradebook

    course = _class(tmp_path)
    real_finish, finished = ag.finish, []

    def finish_then_die(*args, **kwargs):
        if len(finished) == 3:
            raise KeyboardInterrupt  # the instructor's Ctrl-C, half way through the class
        outcomes = real_finish(*args, **kwargs)
        finished.extend(o.student for o in outcomes)
        return outcomes

    monkeypatch.setattr(ag, "finish", finish_then_die)
    with pytest.raises(KeyboardInterrupt):
        ag.autograde(course, [LESSON], limits=LIMITS, workers=2)
    assert len(Ledger(course.course_dir).load()) == 3

    executed = []
    real_execute = workers.execute
    monkeypatch.setattr(ag, "finish", real_finish)
    monkeypatch.setattr(workers, "execute",
                        lambda c, p, *rest: executed.append(p.outcome.student) or real_execute(c, p, *rest))
    outcomes = ag.autograde(course, [LESSON], limits=LIMITS, workers=2, resume=True)
    assert sorted(executed) == sorted(set(o.student for o in outcomes) - set(finished))
    assert len(outcomes) == 6 and len(Ledger(course.course_dir).load()) == 6
    with Gradebook(course.gradebook_url) as gb:
        graded = [s.student.id for s in gb.find_assignment(LESSON).submissions]
    assert sorted(graded) == sorted(o.student for o in outcomes if o.status != "tamper suspected")
    fresh = ag.autograde(_class(tmp_path / "fresh"), [LESSON], limits=LIMITS, workers=2)
    assert _summary(outcomes) == _summary(fresh)


def test_a_changed_submission_is_graded_again_on_resume(tmp_path):
    course = _class(tmp_path)
    ag.autograde(course, [LESSON], ["ada", "bo"], limits=LIMITS, workers=2)
    samples.write(samples.filled_in(course, LESSON), course.submitted_notebook("bo", LESSON))
    outcomes = {o.student: o for o in ag.autograde(course, [LESSON], ["ada", "bo"], limits=LIMITS, resume=True)}
    assert outcomes["bo"].score == 3.0
