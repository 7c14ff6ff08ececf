"""The rules of a term, one at a time: course.toml as read, late penalties by policy, and Canvas's import
file as Canvas documents it (read back with the csv module the way Canvas parses it)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import pytest

from grader.course.config import LatePolicy, load
from grader.errors import GraderError
from grader.pipeline.late import LATE_MARKER, TIMESTAMP, late_rule, penalty, settle_marker
from grader.reports.canvas import IDENTITY, feedback_zip, gradebook_csv, read_roster

DAY = 86400.0


@pytest.mark.parametrize("policy, seconds_late, lost", [
    (LatePolicy("none"), 30 * DAY, 0.0),
    (LatePolicy("per_day", per_day=10, cap=50), 0.0, 0.0),
    (LatePolicy("per_day", per_day=10, cap=50), 1.0, 1.0),          # one second late: a started day
    (LatePolicy("per_day", per_day=10, cap=50), 1.5 * DAY, 2.0),
    (LatePolicy("per_day", per_day=10, cap=50), 9 * DAY, 5.0),      # the cap
    (LatePolicy("per_day", per_day=10, cap=50, cutoff_days=7), 7.5 * DAY, 10.0),  # past the cutoff: all
    (LatePolicy("per_day", per_day=10, cap=50, grace_minutes=10), 9 * 60, 0.0),
    (LatePolicy("per_day", per_day=10, cap=50, grace_minutes=10), 11 * 60, 1.0),
    (LatePolicy("cutoff", cutoff_days=2), 1.9 * DAY, 0.0),
    (LatePolicy("cutoff", cutoff_days=2), 2.1 * DAY, 10.0),
])
def test_late_penalty_by_policy(policy, seconds_late, lost):
    assert penalty(policy, 10.0, seconds_late) == pytest.approx(lost)


def test_a_zero_score_loses_nothing():
    assert penalty(LatePolicy("per_day", per_day=10, cap=50), 0.0, 3 * DAY) == 0.0


def _toml(tmp_path, text, lessons=("01_a", "02_b")):
    (tmp_path / "course.toml").write_text(text)
    return load(tmp_path, list(lessons))


def test_due_dates_extensions_and_time_zones(tmp_path):
    config = _toml(tmp_path, """
[late]
policy = "per_day"
timezone = "Europe/Berlin"
[lessons.01_a]
due = 2026-10-01T23:59:00        # Berlin time (summer: +02:00)
points = 14
[lessons.02_b]
due = 2026-10-08
[extensions.ada]
01_a = 2
02_b = 2026-10-10T12:00:00+00:00
""")
    assert config.due["01_a"] == dt.datetime(2026, 10, 1, 21, 59, tzinfo=dt.timezone.utc)
    assert config.due["02_b"].hour == 23 and config.due["02_b"].minute == 59, "a date alone: the end of that day"
    assert config.extension("ada", "01_a") == dt.timedelta(days=2)
    assert config.extension("ada", "02_b") == dt.datetime(2026, 10, 10, 12, tzinfo=dt.timezone.utc) - config.due["02_b"]
    assert config.extension("ben", "01_a") is None and config.points["01_a"] == 14.0


def test_no_file_is_an_empty_configuration(tmp_path):
    config = load(tmp_path, ["01_a"])
    assert config.due == {} and config.late.policy == "none" and config.exchange_root is None


@pytest.mark.parametrize("text, key", [
    ("[limit]\ncell_timeout = 3\n", "limit"),
    ("[limits]\nworkers = 0\n", "limits.workers"),
    ("[limits]\nskip_ungraded = 1\n", "limits.skip_ungraded"),
    ("[limits]\nallowed_imports = [1]\n", "limits.allowed_imports"),
    ("[late]\nper_day = -5\n", "late.per_day"),
    ("[late]\nper_day = 150\n", "late.per_day"),                  # over 100% of the score
    ("[late]\ncap = 101\n", "late.cap"),
    ("[late]\nmarker_days = -1\n", "late.marker_days"),
    ("[late]\ngrace_minutes = -10\n", "late.grace_minutes"),
    ("[lessons.01_a]\ndue = 2026-10-01\n[extensions.ada]\n01_a = -2\n", "extensions.ada.01_a"),
    ("[lessons.01_a]\ndue = 2026-10-01\n[extensions.ada]\n01_a = 2026-09-01T00:00:00Z\n", "extensions.ada.01_a"),
    ("[students]\nids = 'ada'\n", "students.ids"),
    ("[late]\npolicy = 'cutoff'\n", "late.cutoff_days"),
    ("[late]\ntimezone = 'Mars/Olympus'\n[lessons.01_a]\ndue = 2026-10-01T10:00:00\n", "late.timezone"),
    ("[lessons.01_a]\npoints = 'ten'\n", "lessons.01_a.points"),
    ("[lessons.01_a]\nweight = 2\n", "lessons.01_a.weight"),
    ("[extensions.ada]\n01_a = 2\n", "extensions.ada.01_a"),      # no due date to extend
    ("[extensions.ada]\n09_z = 2\n", "extensions.ada.09_z"),
    ("[lms]\ncanvas_roster = 'missing.csv'\n", "lms.canvas_roster"),
    ("[exchange]\nhost = 'x'\n", "exchange.host"),
    ("[exchange]\ncourse_id = 'a b'\n", "exchange.course_id"),
    ("not = [toml", "not valid TOML"),
])
def test_a_mistake_is_one_line_naming_the_key(tmp_path, text, key):
    with pytest.raises(GraderError) as caught:
        _toml(tmp_path, text)
    message = str(caught.value)
    assert key in message and message.startswith("course.toml: ") and "\n" not in message.strip(), message


MARKED = """
[late]
policy = "per_day"
per_day = 10
marker_days = 1
[lessons.01_a]
due = 2026-10-01T12:00:00+00:00
"""


def _marked_folder(tmp_path, name):
    folder = tmp_path / name
    folder.mkdir()
    (folder / LATE_MARKER).write_text("late")
    return folder


def _seconds_late(folder, config, student):
    made = dt.datetime.strptime((folder / TIMESTAMP).read_text().strip(), "%Y-%m-%d %H:%M:%S.%f UTC")
    due = config.due["01_a"] + (config.extension(student, "01_a") or dt.timedelta())
    return (made.replace(tzinfo=dt.timezone.utc) - due).total_seconds()


def test_an_extension_wins_over_the_lms_late_marker_and_the_rule_is_recorded(tmp_path):
    config = _toml(tmp_path, MARKED + "[extensions.ada]\n01_a = 3\n")
    ada, ben = _marked_folder(tmp_path, "ada"), _marked_folder(tmp_path, "ben")
    verdict = settle_marker(ada, config, "ada", "01_a")
    assert not verdict.late and _seconds_late(ada, config, "ada") == 0.0
    assert penalty(config.late, 10.0, _seconds_late(ada, config, "ada")) == 0.0
    assert "extension" in late_rule(ada) and "wins" in late_rule(ada)
    verdict = settle_marker(ben, config, "ben", "01_a")  # no extension: marker_days late
    assert verdict.late and _seconds_late(ben, config, "ben") == DAY
    assert penalty(config.late, 10.0, _seconds_late(ben, config, "ben")) == 1.0
    assert "no extension" in late_rule(ben)


def test_an_extension_granted_after_grading_still_wins_but_a_real_time_is_kept(tmp_path):
    before = _toml(tmp_path, MARKED)
    ada = _marked_folder(tmp_path, "ada")
    settle_marker(ada, before, "ada", "01_a")
    assert _seconds_late(ada, before, "ada") == DAY
    after = _toml(tmp_path, MARKED + "[extensions.ada]\n01_a = 2026-10-03T12:00:00+00:00\n")
    settle_marker(ada, after, "ada", "01_a")
    assert _seconds_late(ada, after, "ada") == 0.0, "the time this rule wrote is written again"
    real = _marked_folder(tmp_path, "cy")
    (real / TIMESTAMP).write_text("2026-10-02 08:00:00 UTC")
    assert settle_marker(real, after, "cy", "01_a") is None
    assert (real / TIMESTAMP).read_text() == "2026-10-02 08:00:00 UTC", "a real time is never replaced"


ROSTER = '\ufeffStudent,ID,SIS User ID,SIS Login ID,Section,Lesson 01 (7001),Quiz (7002)\n' \
         '    Points Possible,,,,,14,10\n' \
         '"O\'Brien, Ana ""Ani""",201,S201,ana,Sec A,,7\n' \
         '"Øster, Bo",202,S202,bo,Sec B,,\n' \
         'Test Student,900,,,,,\n'


def test_the_import_file_is_canvas_format_and_missing_is_empty(tmp_path):
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    roster = read_roster(tmp_path / "roster.csv")
    scores = {"ana": {"Lesson 01": 12.5, "Lesson 02": None}, "bo": {"Lesson 01": None, "Lesson 02": 3.14159}}
    text, unmatched = gradebook_csv(scores, {"Lesson 01": 14.0, "Lesson 02": 8.0}, {"ana": "201"}, roster)
    rows = list(csv.reader(io.StringIO(text)))
    assert unmatched == []
    assert rows[0] == IDENTITY + ["Lesson 01 (7001)", "Lesson 02"], "an existing assignment keeps Canvas's id"
    assert rows[1][0].strip() == "Points Possible" and rows[1][5:] == ["14", "8"]
    assert rows[2] == ["O'Brien, Ana \"Ani\"", "201", "S201", "ana", "Sec A", "12.5", ""]
    assert rows[3] == ["Øster, Bo", "202", "S202", "bo", "Sec B", "", "3.1416"]
    assert len(rows) == 4, "the Test Student is not graded"


def test_a_student_missing_from_the_roster_is_reported_not_invented(tmp_path):
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    text, unmatched = gradebook_csv({"zed": {"Lesson 01": 3.0}}, {"Lesson 01": 14.0}, {},
                                    read_roster(tmp_path / "roster.csv"))
    assert unmatched == ["zed"] and len(list(csv.reader(io.StringIO(text)))) == 2


def test_a_file_that_is_not_a_canvas_export_is_refused(tmp_path):
    (tmp_path / "roster.csv").write_text("name,score\nana,3\n")
    with pytest.raises(GraderError, match="not a Canvas gradebook export"):
        read_roster(tmp_path / "roster.csv")


def test_feedback_goes_back_under_canvass_download_names(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<html>ok</html>")
    manifest = {"ana/01_a": {"prefix": "obrienana_LATE_201_5501_"}, "bo/01_a": {"prefix": ""}}
    without = feedback_zip(tmp_path / "out.zip", [("ana", "01_a", page), ("bo", "01_a", page)], manifest)
    with zipfile.ZipFile(tmp_path / "out.zip") as zf:
        assert zf.namelist() == ["obrienana_LATE_201_5501_01_a_feedback.html"]
    assert without == ["bo"]


@pytest.mark.parametrize("name, fields, lesson", [
    ("lovelaceada_101_5001_02_backprop_gates.ipynb", ("lovelaceada", "101", 5001, False), ("02_backprop_gates", 0)),
    ("lovelaceada_LATE_101_5002_02_backprop_gates-2.ipynb", ("lovelaceada", "101", 5002, True), ("02_backprop_gates", 2)),
    ("o_brien_77_88_my_copy_of_02_backprop_gates.ipynb", ("o_brien", "77", 88, False), ("02_backprop_gates", 0)),
    ("smithjohn_2002_9_hw-3.ipynb", ("smithjohn", "2002", 9, False), None),          # no known lesson
    ("ben_attempt_2026-11-02_02_backprop_gates.ipynb", None, None),                # not a Canvas name
])
def test_canvas_download_names_are_read_field_by_field(name, fields, lesson):
    from grader.delivery.canvas_names import lesson_and_upload, parse

    found = parse(name)
    assert (found and (found.login, found.user_id, found.submission_id, found.late)) == (fields or None)
    if found:
        assert found.prefix + found.original == name, "the prefix is what Canvas put before the student's name"
        stem = found.original.rsplit(".", 1)[0]
        assert lesson_and_upload(stem, ["02_backprop_gates", "03_layers"]) == lesson


def test_roster_entries_and_extensions_must_name_students_of_the_roster(tmp_path):
    from grader.course.students import KnownStudents

    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    head = "[lms]\ncanvas_roster = 'roster.csv'\n[lessons.01_a]\ndue = 2026-10-01\n"
    (tmp_path / "course.toml").write_text(head + "[students]\nids = ['ana', '202']\n[extensions.bo]\n01_a = 2\n")
    config = load(tmp_path, ["01_a"], KnownStudents())
    assert config.extension("bo", "01_a") == dt.timedelta(days=2), "by the roster's SIS login"
    for text, key in [("[students]\nids = ['zed']\n", "students.ids"), ("[extensions.zed]\n01_a = 2\n", "extensions.zed")]:
        (tmp_path / "course.toml").write_text(head + text)
        with pytest.raises(GraderError, match=key):
            load(tmp_path, ["01_a"], KnownStudents())
