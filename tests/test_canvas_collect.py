"""A Canvas "Download Submissions" zip as Canvas names its files, collected end to end: re-uploads, namesakes,
LATE files with and without an extension, a file that is not a notebook, a file for an unknown lesson. What is
taken, what is listed as not taken (output and collect_report.csv), the exit codes, and what each late file
loses by the late rules' own functions."""

from __future__ import annotations

import csv
import datetime as dt
import json
import zipfile

import pytest
from minicourse import LESSON, make_repo

from grader.cli import main
from grader.course.folder import Course
from grader.pipeline.late import TIMESTAMP, late_rule, penalty, settle_marker

COURSE_TOML = f"""
[late]
policy = "per_day"
per_day = 10
cap = 50
marker_days = 1

[lessons.{LESSON}]
due = 2026-10-01T12:00:00+00:00
"""
EXTENSION = f"\n[extensions.{{who}}]\n{LESSON} = 3\n"

# file name in the zip -> its content (a notebook's JSON, marked so the taken copy can be recognised)
DOWNLOAD = {
    f"lovelaceada_101_5001_{LESSON}.ipynb": "ada first",
    f"lovelaceada_101_5002_{LESSON}-1.ipynb": "ada second",
    f"lovelaceada_101_5003_{LESSON}-2.ipynb": "ada third",             # the latest attempt
    f"smithjohn_2001_5101_{LESSON}.ipynb": "john of 2001",
    f"smithjohn_2002_5102_{LESSON}.ipynb": "john of 2002",            # a namesake: another person
    f"brownben_LATE_102_5201_{LESSON}.ipynb": "ben, late, extended",
    f"youngcy_LATE_103_5301_{LESSON}.ipynb": "cy, late",
    "deandee_104_5401_02_backprop_gates.py": "print('not a notebook')",
    f"deandee_104_5402_99_unknown_lesson.ipynb": "dee's other course",
    f"evanseve_105_5501_my_copy_of_{LESSON}.ipynb": "eve, a name with underscores",
}
NOT_TAKEN = {  # file -> the reason's start
    f"lovelaceada_101_5001_{LESSON}.ipynb": "an earlier attempt",
    f"lovelaceada_101_5002_{LESSON}-1.ipynb": "an earlier attempt",
    "deandee_104_5401_02_backprop_gates.py": "not a notebook",
    f"deandee_104_5402_99_unknown_lesson.ipynb": "no known lesson",
}
TAKEN = {  # file -> student id
    f"lovelaceada_101_5003_{LESSON}-2.ipynb": "lovelaceada",
    f"smithjohn_2001_5101_{LESSON}.ipynb": "smithjohn-2001",
    f"smithjohn_2002_5102_{LESSON}.ipynb": "smithjohn-2002",
    f"brownben_LATE_102_5201_{LESSON}.ipynb": "brownben",
    f"youngcy_LATE_103_5301_{LESSON}.ipynb": "youngcy",
    f"evanseve_105_5501_my_copy_of_{LESSON}.ipynb": "evanseve",
}


def _notebook(text: str) -> str:
    return json.dumps({"cells": [], "metadata": {"mark": text}, "nbformat": 4, "nbformat_minor": 5})


def _zip(path, files: dict[str, str]):
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, _notebook(text) if name.endswith(".ipynb") else text)
    return path


@pytest.fixture
def term(tmp_path):
    repo = make_repo(tmp_path / "repo")
    course_dir = tmp_path / "course"
    course_dir.mkdir()
    (course_dir / "course.toml").write_text(COURSE_TOML + EXTENSION.format(who="102"))  # ben, by Canvas user id
    return repo, course_dir, ["--repo", str(repo), "--course-dir", str(course_dir)]


def _report(course_dir) -> dict[str, dict]:
    with (course_dir / "collect_report.csv").open(newline="") as f:
        return {row["file"]: row for row in csv.DictReader(f)}


def test_a_canvas_download_is_taken_as_canvas_names_it(term, tmp_path, capsys):
    repo, course_dir, base = term
    assert main(base + ["collect", str(_zip(tmp_path / "submissions.zip", DOWNLOAD))]) == 1, "files not taken: 1"
    err = capsys.readouterr().err.splitlines()
    listed = [line for line in err if line.startswith("not taken: ")]
    assert sorted(line.split(": ")[1] for line in listed) == sorted(NOT_TAKEN), "one line per file not taken"
    report = _report(course_dir)
    assert set(report) == set(DOWNLOAD), "every file of the download is in the report, once"
    for name, why in NOT_TAKEN.items():
        assert report[name]["taken"] == "no" and report[name]["reason"].startswith(why), report[name]
    assert report[f"lovelaceada_101_5001_{LESSON}.ipynb"]["reason"].endswith(f"lovelaceada_101_5003_{LESSON}-2.ipynb "
                                                                            "is later")
    course = Course.at(repo, course_dir)
    for name, student in TAKEN.items():
        assert (report[name]["taken"], report[name]["student_id"], report[name]["lesson"]) == ("yes", student, LESSON)
        assert report[name]["canvas_user_id"] == name.replace("_LATE", "").split("_")[1]
        taken = json.loads(course.submitted_notebook(student, LESSON).read_text())
        assert taken["metadata"]["mark"] == DOWNLOAD[name]
    assert sorted(course.students()) == sorted(TAKEN.values()), "nobody else, and no namesake merged"
    assert "extension" in report[f"brownben_LATE_102_5201_{LESSON}.ipynb"]["late_rule"]
    assert "no extension" in report[f"youngcy_LATE_103_5301_{LESSON}.ipynb"]["late_rule"]


def test_late_files_lose_what_the_rules_say_and_the_extension_wins(term, tmp_path):
    repo, course_dir, base = term
    main(base + ["collect", str(_zip(tmp_path / "submissions.zip", DOWNLOAD))])
    course = Course.at(repo, course_dir)
    config = course.config()
    lost = {}
    for student in ("brownben", "youngcy", "lovelaceada"):
        folder = course.submitted_notebook(student, LESSON).parent
        settle_marker(folder, config, student, LESSON)
        if not (folder / TIMESTAMP).exists():
            lost[student] = 0.0  # no LATE marker, no time: on time
            continue
        made = dt.datetime.strptime((folder / TIMESTAMP).read_text().strip(), "%Y-%m-%d %H:%M:%S.%f UTC")
        due = config.due[LESSON] + (config.extension(student, LESSON) or dt.timedelta())
        lost[student] = penalty(config.late, 10.0, (made.replace(tzinfo=dt.timezone.utc) - due).total_seconds())
    assert lost == {"brownben": 0.0, "youngcy": 1.0, "lovelaceada": 0.0}
    assert "wins" in late_rule(course.submitted_notebook("brownben", LESSON).parent)
    assert "marker_days" in late_rule(course.submitted_notebook("youngcy", LESSON).parent)


def test_collecting_again_keeps_every_students_id_and_a_later_namesake_gets_their_own(term, tmp_path):
    repo, course_dir, base = term
    (course_dir / "course.toml").write_text(COURSE_TOML)
    first = {f"smithjohn_2001_5101_{LESSON}.ipynb": "john of 2001"}
    assert main(base + ["collect", str(_zip(tmp_path / "first.zip", first))]) == 0, "everything taken: 0"
    assert Course.at(repo, course_dir).students() == ["smithjohn"]
    later = {f"smithjohn_2001_5111_{LESSON}.ipynb": "john of 2001, again",
             f"smithjohn_2002_5112_{LESSON}.ipynb": "john of 2002"}
    assert main(base + ["collect", str(_zip(tmp_path / "later.zip", later))]) == 0
    course = Course.at(repo, course_dir)
    assert course.students() == ["smithjohn", "smithjohn-2002"]
    assert json.loads(course.submitted_notebook("smithjohn", LESSON).read_text())["metadata"]["mark"] == \
        "john of 2001, again"


@pytest.mark.parametrize("toml, key", [
    (COURSE_TOML + EXTENSION.format(who="zed"), "extensions.zed"),        # nobody of that name
    (COURSE_TOML + EXTENSION.format(who="smithjohn"), "extensions.smithjohn"),  # two namesakes: which one?
    (COURSE_TOML.replace("per_day = 10", "per_day = 150"), "late.per_day"),
    (COURSE_TOML.replace("cap = 50", "cap = -5"), "late.cap"),
])
def test_a_mistake_in_course_toml_stops_collect_before_it_writes(term, tmp_path, capsys, toml, key):
    repo, course_dir, base = term
    (course_dir / "course.toml").write_text(toml)
    assert main(base + ["collect", str(_zip(tmp_path / "submissions.zip", DOWNLOAD))]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and err.startswith("grader: error: course.toml: ") and key in err, err
    assert sorted(p.name for p in course_dir.iterdir()) == ["course.toml"], "nothing written"


def test_students_are_named_in_course_toml_by_id_user_id_or_login(term, tmp_path, capsys):
    repo, course_dir, base = term
    main(base + ["collect", str(_zip(tmp_path / "submissions.zip", DOWNLOAD))])
    for who, student in [("youngcy", "youngcy"), ("103", "youngcy"), ("2002", "smithjohn-2002"),
                         ("smithjohn-2001", "smithjohn-2001")]:
        (course_dir / "course.toml").write_text(COURSE_TOML + EXTENSION.format(who=f'"{who}"'))
        config = Course.at(repo, course_dir).config()
        assert config.extension(student, LESSON) == dt.timedelta(days=3), who
        others = set(TAKEN.values()) - {student}
        assert all(config.extension(s, LESSON) is None for s in others), who
    (course_dir / "course.toml").write_text(COURSE_TOML + EXTENSION.format(who="zed"))
    capsys.readouterr()
    assert main(base + ["report"]) == 2
    assert "extensions.zed: no student 'zed'" in capsys.readouterr().err
    (course_dir / "course.toml").write_text(COURSE_TOML + EXTENSION.format(who="zed") + '\n[students]\nids = ["zed"]\n')
    assert Course.at(repo, course_dir).config().extension("zed", LESSON) == dt.timedelta(days=3), \
        "a student listed in [students] who has not handed anything in yet"


@pytest.mark.slow
def test_the_download_graded_end_to_end_gives_each_student_their_latest_score_and_fair_penalty(term, tmp_path):
    """The same kind of download with real notebooks, collected and graded: the latest attempt is the one
    scored, namesakes are scored apart, the extension wins over the LATE marker, the LATE file without one
    loses marker_days x per_day."""
    from grader.course import samples
    from grader.course.limits import Limits
    from grader.delivery.release import prepare_assignments
    from grader.pipeline.autograde import autograde

    repo, course_dir, base = term
    maker = Course.at(repo, tmp_path / "maker")  # a course folder without course.toml, to write the notebooks
    prepare_assignments(maker, [LESSON])
    right = samples.filled_in(maker, LESSON)
    wrong = samples.plant(right, "double", "def double(x):\n    return x + 1\n")
    files = {  # file -> the notebook handed in
        f"lovelaceada_101_5001_{LESSON}.ipynb": wrong,
        f"lovelaceada_101_5002_{LESSON}-1.ipynb": wrong,
        f"lovelaceada_101_5003_{LESSON}-2.ipynb": right,    # the latest attempt, the only one scored
        f"smithjohn_2001_5101_{LESSON}.ipynb": right,
        f"smithjohn_2002_5102_{LESSON}.ipynb": wrong,       # the namesake is another person, scored apart
        f"brownben_LATE_102_5201_{LESSON}.ipynb": right,    # LATE, but within the extension
        f"youngcy_LATE_103_5301_{LESSON}.ipynb": right,     # LATE, no extension: marker_days x per_day
    }
    download = tmp_path / "graded.zip"
    with zipfile.ZipFile(download, "w") as zf:
        for name, nb in files.items():
            zf.writestr(name, nbformat_text(nb))
    assert main(base + ["collect", str(download)]) == 1, "the two earlier attempts are listed as not taken"
    course = Course.at(repo, course_dir)
    prepare_assignments(course, [LESSON])
    outcomes = {o.student: o for o in autograde(course, [LESSON], limits=Limits(cell_timeout=30), workers=2)}
    full = outcomes["lovelaceada"].auto_max
    expected = {  # student -> (score, penalty), from the files above and the course.toml of the fixture
        "lovelaceada": (full, 0.0), "smithjohn-2001": (full, 0.0), "smithjohn-2002": (0.0, 0.0),
        "brownben": (full, 0.0), "youngcy": (round(full * 0.9, 6), round(full * 0.1, 6)),
    }
    got = {s: (round(o.score, 6), round(o.penalty or 0.0, 6)) for s, o in outcomes.items()}
    assert got == expected


def nbformat_text(nb) -> str:
    import nbformat

    return nbformat.writes(nb)
