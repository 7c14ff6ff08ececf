"""Identity from the platform: an exchange submission is a student's only if the student's account owns it.

The inbound folder of nbgrader's exchange is writable by every student, so a folder's name proves nothing.
These tests build an inbound folder as students on a JupyterHub with local users would leave it (each
folder and its files owned by whoever made them: the tests run as root and chown them) and collect it.
Students are local accounts that exist on every Linux machine (`games`, `man`), so the id-to-account
mapping under test is the real one (pwd); a made-up uid stands for an account the machine does not know.
"""

from __future__ import annotations

import json
import os
import pwd
from pathlib import Path

import pytest

from grader.api import collect
from grader.course.folder import COURSE_ID, REPO_ROOT, Course
from grader.delivery.exchange import ownership_refusal, stage_inbound
from grader.errors import GraderError

LESSON = "01_search_strategies"
VICTIM, ATTACKER = "games", "man"
UNKNOWN_UID = 54321

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="giving a folder to another uid needs root")


def _uid(name: str) -> int:
    return pwd.getpwnam(name).pw_uid


@pytest.fixture
def course(tmp_path):
    exchange = tmp_path / "exchange"
    (exchange / COURSE_ID / "inbound").mkdir(parents=True)
    course_dir = tmp_path / "course"
    course_dir.mkdir()
    (course_dir / "course.toml").write_text(f'[exchange]\nroot = "{exchange}"\n')
    return Course.at(REPO_ROOT, course_dir)


def _submit(course: Course, folder_name: str, uid: int, marker: str, *, file_uid: int | None = None) -> Path:
    """A submission folder as nbgrader submit leaves it: the notebook and timestamp.txt, owned by uid."""
    folder = course.config().exchange_root / COURSE_ID / "inbound" / folder_name
    folder.mkdir()
    notebook = folder / f"{LESSON}.ipynb"
    notebook.write_text(json.dumps({"marker": marker}))
    (folder / "timestamp.txt").write_text(folder_name.split("+")[2])
    for path in (notebook, folder / "timestamp.txt"):
        os.chown(path, uid if file_uid is None else file_uid, -1)
    os.chown(folder, uid, -1)
    return folder


def _staged_marker(staged: Path, student: str) -> str:
    return json.loads((staged / student / LESSON / f"{LESSON}.ipynb").read_text())["marker"]


def test_a_folder_named_for_another_student_never_replaces_their_submission(course, tmp_path):
    _submit(course, f"{VICTIM}+{LESSON}+2026-10-01 09:00:00.000000 UTC+aaa", _uid(VICTIM), "victim's own")
    _submit(course, f"{VICTIM}+{LESSON}+2026-10-02 09:00:00.000000 UTC+zzz", _uid(ATTACKER), "blank")
    staged, skipped = stage_inbound(course, tmp_path / "staging")
    assert _staged_marker(staged, VICTIM) == "victim's own", "the later folder the attacker owns replaced the victim's"
    refused = [line for line in skipped if "+zzz" in line]
    assert len(refused) == 1, skipped
    assert f"owned by {ATTACKER} (uid {_uid(ATTACKER)})" in refused[0] and f"{VICTIM!r}" in refused[0]


def test_the_latest_folder_the_student_owns_is_taken(course, tmp_path):
    _submit(course, f"{VICTIM}+{LESSON}+2026-10-01 09:00:00.000000 UTC+aaa", _uid(VICTIM), "first")
    _submit(course, f"{VICTIM}+{LESSON}+2026-10-03 09:00:00.000000 UTC+bbb", _uid(VICTIM), "resubmitted")
    _submit(course, f"{ATTACKER}+{LESSON}+2026-10-02 09:00:00.000000 UTC+ccc", _uid(ATTACKER), "attacker's own")
    staged, skipped = stage_inbound(course, tmp_path / "staging")
    assert skipped == []
    assert _staged_marker(staged, VICTIM) == "resubmitted"
    assert _staged_marker(staged, ATTACKER) == "attacker's own", "a student's own folder is still taken"


@pytest.mark.parametrize("claimed, uid, why", [
    (VICTIM, UNKNOWN_UID, f"owned by uid {UNKNOWN_UID}; refused: it claims to be {VICTIM!r}'s"),
    (VICTIM, 0, f"owned by root (uid 0); refused: it claims to be {VICTIM!r}'s"),
    ("no-such-student", 0, "refused: no account named 'no-such-student'"),
])
def test_every_refusal_is_one_line_naming_the_folder_its_owner_and_why(course, tmp_path, claimed, uid, why):
    name = f"{claimed}+{LESSON}+2026-10-02 09:00:00.000000 UTC+x"
    folder = _submit(course, name, uid, "blank")
    assert ownership_refusal(folder, claimed).startswith(f"{name}: ")
    with pytest.raises(GraderError) as raised:  # the only folder was refused: nothing to take, and why
        stage_inbound(course, tmp_path / "staging")
    lines = str(raised.value).splitlines()
    assert len(lines) == 2 and lines[1].startswith(f"{name}: ") and why in lines[1], lines


def test_a_file_someone_else_owns_inside_a_students_folder_is_left_out(course, tmp_path):
    folder = _submit(course, f"{VICTIM}+{LESSON}+2026-10-01 09:00:00.000000 UTC+aaa", _uid(VICTIM), "planted",
                     file_uid=_uid(ATTACKER))
    os.chown(folder / "timestamp.txt", _uid(VICTIM), -1)
    staged, skipped = stage_inbound(course, tmp_path / "staging")
    assert not (staged / VICTIM / LESSON / f"{LESSON}.ipynb").exists()
    assert (staged / VICTIM / LESSON / "timestamp.txt").exists()
    assert skipped == [f"{folder.name}/{LESSON}.ipynb: owned by {ATTACKER} (uid {_uid(ATTACKER)}), not by the "
                       "folder's owner; refused"]


def test_collect_from_the_exchange_keeps_the_victims_submission_and_reports_the_attempt(course):
    _submit(course, f"{VICTIM}+{LESSON}+2026-10-01 09:00:00.000000 UTC+aaa", _uid(VICTIM), "victim's own")
    _submit(course, f"{VICTIM}+{LESSON}+2026-10-05 09:00:00.000000 UTC+zzz", _uid(ATTACKER), "blank")
    result = collect(course, exchange=True)
    submitted = course.course_dir / "submitted" / VICTIM / LESSON / f"{LESSON}.ipynb"
    assert json.loads(submitted.read_text())["marker"] == "victim's own"
    assert any("+zzz" in line and f"owned by {ATTACKER}" in line for line in result.skipped), result.skipped
