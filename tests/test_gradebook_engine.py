"""nbgrader's Gradebooks share one engine per URL, and a SQLite gradebook made anew under the same name is
the one written to, not the deleted file a pooled connection would still hold."""

from __future__ import annotations

from nbgrader.api import Gradebook

from grader import gradebook_engine


def test_gradebooks_on_one_url_share_an_engine_and_see_a_remade_file(tmp_path):
    gradebook_engine.install()
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with Gradebook(url) as first:
        first.add_student("ada")
        engine = first.engine
    with Gradebook(url) as second:
        assert second.engine is engine
        assert [s.id for s in second.students] == ["ada"]
    (tmp_path / "gradebook.db").unlink()  # a fresh course folder under the same path
    with Gradebook(url) as fresh:
        assert fresh.students == []
        fresh.add_student("bo")
    with Gradebook(url) as again:
        assert [s.id for s in again.students] == ["bo"]
    assert Gradebook(f"sqlite:///{tmp_path / 'other.db'}").engine is not engine
