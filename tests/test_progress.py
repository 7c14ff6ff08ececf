"""Progress bars show for people and stay silent under the autograder (stderr would cost points)."""

from course_lib.progress import progress


def test_silent_under_the_autograder(monkeypatch, capsys):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert list(progress(range(3), desc="train")) == [0, 1, 2]
    assert capsys.readouterr().err == ""


def test_shown_otherwise(monkeypatch, capsys):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.delenv("COURSE_QUIET", raising=False)
    assert list(progress(range(3), desc="train")) == [0, 1, 2]
    assert "train" in capsys.readouterr().err
