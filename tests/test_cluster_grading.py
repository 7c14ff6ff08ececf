"""Past one machine: the same grading tasks on a Dask distributed cluster (separate worker processes),
the gradebook on PostgreSQL; the result agrees with the embedded default (threads, SQLite)."""

from __future__ import annotations

import os

import pytest
from minicourse import LESSON, make_repo
from pgserver import postgres_bin, postgres_server

from grader.course import samples
from grader.course.folder import Course
from grader.course.limits import Limits
from grader.delivery.release import prepare_assignments
from grader.pipeline import autograde as ag

pytestmark = pytest.mark.slow
LIMITS = Limits(cell_timeout=10, notebook_timeout=60)


def _require(what: str, ok: bool) -> None:
    if not ok:
        message = f"{what} is missing: `make test` installs it"
        if os.environ.get("CI"):
            pytest.fail(message)  # in CI a missing tool is a failure, never a silent skip
        pytest.skip(message)


def _class(root, db_url=""):
    course = Course.at(make_repo(root / "repo"), root / "course", db_url)
    prepare_assignments(course, [LESSON])
    right = samples.filled_in(course, LESSON)
    for student, nb in {"ada": right, "bo": samples.blank(course, LESSON),
                        "cy": samples.without_first_test(right),
                        "di": samples.plant(right, "double", "def double(x):\n    return 2 * x + (x < 0)"),
                        "ed": samples.plant(right, "double", "np.allclose = lambda *a, **k: True")}.items():
        samples.write(nb, course.submitted_notebook(student, LESSON))
    return course


def _summary(outcomes):
    return {o.student: (o.status, o.score, o.reason, o.cells, o.withheld_score) for o in outcomes}


def test_dask_cluster_with_postgresql_agrees_with_the_embedded_default(tmp_path):
    _require("PostgreSQL", postgres_bin() is not None)
    distributed = pytest.importorskip("distributed")
    from nbgrader.api import Gradebook

    embedded = ag.autograde(_class(tmp_path / "embedded"), [LESSON], limits=LIMITS, workers=2)
    with postgres_server() as db_url, \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                     host="127.0.0.1") as cluster:
        course = _class(tmp_path / "cluster", db_url)
        clustered = ag.autograde(course, [LESSON], limits=LIMITS, scheduler=cluster.scheduler_address)
        with Gradebook(db_url) as gb:
            in_db = {s.student.id: s.score for s in gb.find_assignment(LESSON).submissions}
    assert _summary(clustered) == _summary(embedded)
    assert in_db == {o.student: o.score for o in clustered if o.score is not None}


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path):
    pytest.importorskip("distributed")
    from grader.errors import GraderError

    with pytest.raises(GraderError, match="cannot reach the Dask scheduler"):
        ag.autograde(_class(tmp_path), [LESSON], limits=LIMITS, scheduler="tcp://127.0.0.1:9")
