"""Wrong names, missing folders and unreadable notebooks give one clear line and exit code 2."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from minicourse import LESSON, make_repo

from grader.cli import main


@pytest.fixture
def repo(tmp_path):
    return make_repo(tmp_path / "repo")


def _error_line(capsys, argv) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err, err
    assert err.startswith("grader: error: ")
    return err


def test_unknown_lesson(repo, capsys):
    err = _error_line(capsys, ["--repo", str(repo), "release", "01_nope"])
    assert "unknown lesson '01_nope'" in err and LESSON in err


def test_missing_repo_folder(tmp_path, capsys):
    assert "no solutions/ folder" in _error_line(capsys, ["--repo", str(tmp_path / "absent"), "release"])


def test_missing_collect_source(repo, capsys):
    assert "no such file or folder" in _error_line(capsys, ["--repo", str(repo), "collect", str(repo / "absent")])


def test_collect_of_a_file_that_is_not_a_zip(repo, tmp_path, capsys):
    bogus = tmp_path / "grades.zip"
    bogus.write_text("not a zip")
    assert "not a zip archive" in _error_line(capsys, ["--repo", str(repo), "collect", str(bogus)])


def test_collect_of_a_folder_without_notebooks(repo, tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert "no .ipynb files" in _error_line(capsys, ["--repo", str(repo), "collect", str(tmp_path / "empty")])


def test_unreadable_solution_notebook(repo, capsys):
    (repo / "solutions" / f"{LESSON}.ipynb").write_text('{"cells": [')
    err = _error_line(capsys, ["--repo", str(repo), "--course-dir", str(repo / "c"), "release"])
    assert "unreadable notebook" in err and "not valid JSON" in err


def test_nothing_to_grade_report_or_feedback(repo, capsys):
    base = ["--repo", str(repo), "--course-dir", str(repo / "c")]
    assert "nothing to grade" in _error_line(capsys, base + ["autograde"])
    assert "nothing to report" in _error_line(capsys, base + ["report"])
    assert "run `grader autograde` first" in _error_line(capsys, base + ["feedback"])


def test_unknown_student(repo, capsys):
    sub = repo / "c" / "submitted" / "ada" / LESSON
    sub.mkdir(parents=True)
    (sub / f"{LESSON}.ipynb").write_text("{}")
    base = ["--repo", str(repo), "--course-dir", str(repo / "c")]
    assert "no submissions from 'zed'" in _error_line(capsys, base + ["autograde", "--student", "zed"])


def test_real_entry_point_prints_one_line(repo):
    proc = subprocess.run([sys.executable, "-m", "grader", "--repo", str(repo), "autograde", "01_nope"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "unknown lesson" in proc.stderr


def test_collect_places_folder_and_lms_names_and_skips_the_rest(repo, tmp_path, capsys):
    from grader.course.folder import Course
    from grader.delivery.collect import collect

    src = tmp_path / "inbox"
    (src / "ada").mkdir(parents=True)
    (src / "ada" / f"{LESSON}.ipynb").write_text("{}")
    (src / f"ben_attempt_2026-11-02_{LESSON}.ipynb").write_text("{}")
    (src / "cy_attempt_2026_unknown_lesson.ipynb").write_text("{}")
    (src / "notes.ipynb").write_text("{}")
    (src / f"..evil_{LESSON}.ipynb").write_text("{}")
    course = Course.at(repo, tmp_path / "c")
    result = collect(course, src)
    assert sorted(result.collected) == [("ada", LESSON), ("ben", LESSON)]
    assert len(result.skipped) == 3
    assert any("no known lesson" in s for s in result.skipped)
    assert (tmp_path / "c" / "submitted" / "ben" / LESSON / f"{LESSON}.ipynb").exists()
    # the same files in an LMS zip give the same result
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for p in src.rglob("*.ipynb"):
            zf.write(p, p.relative_to(src))
    result_zip = collect(Course.at(repo, tmp_path / "c2"), archive)
    assert sorted(result_zip.collected) == sorted(result.collected)
    assert len(result_zip.skipped) == 3


def test_two_files_for_one_student_are_an_error_for_that_student_only(repo, tmp_path):
    from grader.course.folder import Course
    from grader.delivery.collect import collect

    src = tmp_path / "inbox"
    src.mkdir()
    (src / f"ada_attempt_2026-11-02-09-00_{LESSON}.ipynb").write_text('{"attempt": 1}')
    (src / f"ada_attempt_2026-11-03-18-30_{LESSON}.ipynb").write_text('{"attempt": 2}')
    (src / f"ben_attempt_2026-11-03_{LESSON}.ipynb").write_text('{"ben": 1}')
    course = Course.at(repo, tmp_path / "c")
    result = collect(course, src)
    assert result.collected == [("ben", LESSON)]
    assert not course.submitted_notebook("ada", LESSON).exists()
    (conflict,) = result.conflicts
    assert conflict.startswith(f"ada/{LESSON}: 2 files claim it") and "none was taken" in conflict


def test_a_file_in_one_students_folder_never_becomes_anothers(repo, tmp_path):
    from grader.course.folder import Course
    from grader.delivery.collect import collect

    src = tmp_path / "inbox"
    (src / "mallory" / "victim").mkdir(parents=True)
    (src / "victim").mkdir()
    (src / "victim" / f"{LESSON}.ipynb").write_text('{"victim": "own work"}')
    (src / "mallory" / "victim" / f"{LESSON}.ipynb").write_text('{"mallory": 1}')
    (src / "mallory" / f"victim_1_{LESSON}.ipynb").write_text('{"mallory": 2}')
    (src / "mallory" / "deep" / "er").mkdir(parents=True)
    (src / "mallory" / "deep" / "er" / f"{LESSON}.ipynb").write_text('{"mallory": 3}')
    (src / "eve").mkdir()
    (src / "eve" / f"{LESSON}.ipynb").symlink_to(src / "victim" / f"{LESSON}.ipynb")
    course = Course.at(repo, tmp_path / "c")
    result = collect(course, src)
    assert result.collected == [("victim", LESSON)] and not result.conflicts
    assert course.submitted_notebook("victim", LESSON).read_text() == '{"victim": "own work"}'
    assert not course.submitted_notebook("mallory", LESSON).exists()
    assert not course.submitted_notebook("eve", LESSON).exists()
    assert len(result.skipped) == 4, result.skipped
    assert any("a link" in s for s in result.skipped)


@pytest.mark.slow
def test_release_check_notices_an_edited_solution(repo, tmp_path, capsys):
    import nbformat

    base = ["--repo", str(repo), "--course-dir", str(tmp_path / "c")]
    assert main(base + ["release", "--check"]) == 1  # lessons/ is empty: stale
    assert main(base + ["release"]) == 0
    assert main(base + ["release", "--check"]) == 0
    solution = repo / "solutions" / f"{LESSON}.ipynb"
    nb = nbformat.read(str(solution), as_version=4)
    nb.cells[0].source += "\nOne more sentence."
    nbformat.write(nb, str(solution))
    capsys.readouterr()
    assert main(base + ["release", "--check"]) == 1
    assert f"stale: lessons/{LESSON}.ipynb" in capsys.readouterr().out
    student = (repo / "lessons" / f"{LESSON}.ipynb").read_text()
    assert "BEGIN SOLUTION" not in student and "return 2 * x" not in student and "[hidden]" not in student
