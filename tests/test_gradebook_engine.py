"""nbgrader's Gradebooks share one engine and its pooled connections per gradebook, and a SQLite gradebook
made anew under the same name is the one written to, not the deleted file a pooled connection still holds."""

from __future__ import annotations

import pytest
from nbgrader.api import Gradebook
from sqlalchemy import event

from grader.patches import gradebook_engine

pytestmark = pytest.mark.slow  # opens nbgrader gradebooks (SQLite files), a minute on a busy machine


def test_gradebooks_on_one_url_share_an_engine_and_see_a_remade_file(tmp_path):
    gradebook_engine.install()
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with Gradebook(url) as first:  # makes the file
        first.add_student("ada")
    with Gradebook(url) as second:
        engine = second.engine
        assert [s.id for s in second.students] == ["ada"]
    with Gradebook(url) as third:
        assert third.engine is engine
    (tmp_path / "gradebook.db").unlink()  # a fresh course folder under the same path
    with Gradebook(url) as fresh:
        assert fresh.students == []
        fresh.add_student("bo")
    with Gradebook(url) as again:
        assert [s.id for s in again.students] == ["bo"]
    assert Gradebook(f"sqlite:///{tmp_path / 'other.db'}").engine is not engine


def _connections_opened(url, names) -> int:
    """New database connections made while a Gradebook per name adds that student (and one reads them)."""
    engine = gradebook_engine.engine_for(url)
    connects = []
    event.listen(engine, "connect", lambda *args: connects.append(1))
    for name in names:
        with Gradebook(url) as gb:
            gb.add_student(name)
    with Gradebook(url) as gb:
        assert {s.id for s in gb.students} >= set(names)
    return len(connects)


def test_gradebooks_in_a_grading_run_reuse_pooled_connections(tmp_path):
    gradebook_engine.install()
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    Gradebook(url).close()
    assert _connections_opened(url, ["ada", "bo", "cy", "di"]) == 5  # nbgrader's way: one per Gradebook
    with gradebook_engine.grading_run(url):
        assert _connections_opened(url, ["ed", "fe", "gu", "ha"]) <= 1
    engine = gradebook_engine.engine_for(url)
    assert engine.pool.checkedin() == 0, "the run's end closes its pooled connections"
