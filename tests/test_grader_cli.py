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
    (repo / "c").mkdir()
    base = ["--repo", str(repo), "--course-dir", str(repo / "c")]
    assert "nothing to grade" in _error_line(capsys, base + ["autograde"])
    assert "nothing to report" in _error_line(capsys, base + ["report"])
    assert "run `grader autograde` first" in _error_line(capsys, base + ["feedback"])


@pytest.mark.parametrize("command", [["autograde"], ["report"], ["feedback"], ["similarity"],
                                     ["regrade", LESSON, "--test", "test_double"]])
def test_a_missing_course_folder_is_one_line_and_is_not_created(repo, tmp_path, capsys, command):
    missing = tmp_path / "no_such_course"
    err = _error_line(capsys, ["--repo", str(repo), "--course-dir", str(missing), *command])
    assert "no course folder" in err and str(missing) in err
    assert not missing.exists()


def test_an_unknown_test_cell_names_the_lessons_test_cells(repo, capsys):
    (repo / "c").mkdir()
    err = _error_line(capsys, ["--repo", str(repo), "--course-dir", str(repo / "c"), "regrade", LESSON,
                               "--test", "test_nope"])
    assert "no test cell 'test_nope'" in err and "test_double, test_double__arrays" in err


def test_counting_flags_must_be_positive(repo, capsys):
    (repo / "c").mkdir()
    err = _error_line(capsys, ["--repo", str(repo), "--course-dir", str(repo / "c"), "autograde", "--workers", "0"])
    assert "--workers must be at least 1" in err


FAST_ERRORS = [["autograde", "01_nope"], ["autograde", "--student", "zed"], ["regrade", LESSON, "--test", "nope"],
               ["--course-dir", "{tmp}/absent", "report"], ["--course-dir", "{tmp}/absent", "similarity"],
               ["feedback", "--student", "zed"], ["collect", "{tmp}/absent.zip"]]


def test_every_error_is_found_before_nbgrader_is_imported(repo, tmp_path):
    """The checks read only small files: nbgrader (seconds to import) is never loaded on the way to an error."""
    (repo / "course" / "submitted" / "ada" / LESSON).mkdir(parents=True)
    script = ("import sys, json; from grader.cli import main\nresults = []\n"
              "for argv in json.loads(sys.argv[1]):\n"
              "    results.append([main(argv), 'nbgrader' in sys.modules, 'nbformat' in sys.modules])\n"
              "print(json.dumps(results))")
    import json

    cases = [["--repo", str(repo), *(a.replace("{tmp}", str(tmp_path)) for a in argv)] for argv in FAST_ERRORS]
    proc = subprocess.run([sys.executable, "-c", script, json.dumps(cases)], capture_output=True, text=True, timeout=120)
    results = json.loads(proc.stdout.strip().splitlines()[-1])
    assert results == [[2, False, False]] * len(cases), (results, proc.stderr)
    assert len(proc.stderr.strip().splitlines()) == len(cases), "one line per error"
    assert not (tmp_path / "absent").exists()


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
    assert len(result.conflicts) == 2, "one line per file not taken"
    assert all(f"ada/{LESSON}: 2 files, none was taken" in line for line in result.conflicts)
    assert sorted(line.split(":")[0] for line in result.conflicts) == sorted(
        p.name for p in src.iterdir() if p.name.startswith("ada_"))


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


def _tree(folder: Path) -> dict:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*")}


@pytest.mark.slow
def test_release_check_notices_an_edited_solution(repo, tmp_path, capsys):
    import nbformat

    base = ["--repo", str(repo), "--course-dir", str(tmp_path / "c")]
    assert main(base + ["release", "--check"]) == 1  # lessons/ is empty: stale
    before = _tree(repo)
    assert main(base + ["release"]) == 0
    assert _tree(repo) == before, "release writes the course folder only: a read-only checkout works"
    assert (tmp_path / "c" / "release" / LESSON / f"{LESSON}.ipynb").exists()
    assert main(base + ["release", "--check"]) == 1, "lessons/ was not regenerated"
    assert main(base + ["release", "--lessons"]) == 0
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
