"""nbgrader's exchange on a JupyterHub (course.toml [exchange]): lessons released into it, submissions taken
from its inbound folder, feedback released back where `nbgrader fetch_feedback` finds it.

The exchange is nbgrader's own; releasing and feedback go through nbgrader's exchange classes. Taking
submissions does not: the inbound folder is writable by every student, so it is read here with the same
care as an LMS download (grader.delivery.collect), the latest submission per student and lesson, by the time
nbgrader wrote in the folder's name.

Who handed a folder in is what the platform says, not what the folder's name says: anyone can name a folder
`victim+lesson+<time>`, but only the victim's own account can own it. A folder is taken only where its owner
(uid) is the uid of the student its name claims (the local user of that name, as on a JupyterHub with local
users), and every file taken from it is owned by that uid too. nbgrader's own collect only warns about a
mismatch; here it is refused, with one line saying whose the folder is, and it never replaces a submission.
"""

from __future__ import annotations

import datetime as dt
import os
import pwd
import shutil
import stat
from pathlib import Path

from grader.course.folder import COURSE_ID, Course
from grader.errors import GraderError

# What `nbgrader submit` writes beside the notebooks, copied with them: the time (late work) and the secret
# that names the student's feedback in the exchange (release_feedback, fetch_feedback).
SUBMISSION_FILES = ("timestamp.txt", "submission_secret.txt")


def student_uid(student: str) -> int | None:
    """The uid of the account a student id names (the local user of that name), or None when there is none.
    The one place an id becomes an account: a hub whose accounts live elsewhere replaces this function."""
    try:
        return pwd.getpwnam(student).pw_uid
    except (KeyError, UnicodeEncodeError, ValueError):
        return None


def _owner_name(uid: int) -> str:
    try:
        return f"{pwd.getpwuid(uid).pw_name} (uid {uid})"
    except KeyError:
        return f"uid {uid}"


def ownership_refusal(folder: Path, student: str) -> str | None:
    """Why `folder` cannot be `student`'s submission (owner and reason), or None when the student owns it."""
    owner = os.lstat(folder).st_uid
    expected = student_uid(student)
    if expected is None:
        return f"{folder.name}: owned by {_owner_name(owner)}; refused: no account named {student!r} on this machine"
    if owner != expected:
        return (f"{folder.name}: owned by {_owner_name(owner)}; refused: it claims to be {student!r}'s "
                f"(uid {expected}), and only {student!r} can own {student!r}'s submission")
    return None


def _owned_files(folder: Path, uid: int) -> tuple[list[Path], list[str]]:
    """The files of a submission folder to copy (regular, not links, owned by `uid`), and a line for each
    file left out because someone else owns it."""
    taken, refused = [], []
    for item in sorted(folder.iterdir()):
        info = os.lstat(item)
        if not stat.S_ISREG(info.st_mode) or not (item.suffix == ".ipynb" or item.name in SUBMISSION_FILES):
            continue
        if info.st_uid != uid:
            refused.append(f"{folder.name}/{item.name}: owned by {_owner_name(info.st_uid)}, not by the folder's "
                           "owner; refused")
            continue
        taken.append(item)
    return taken, refused


def exchange_of(course: Course) -> tuple[Path, str]:
    """(root, course id) of the course's exchange, or a clear error when there is none."""
    config = course.config()
    root = config.exchange_root
    if root is None:
        raise GraderError("no exchange: set [exchange] root in course.toml to nbgrader's exchange folder")
    if not root.is_dir():
        raise GraderError(f"the exchange folder {root} does not exist")
    return root, config.exchange_course_id or COURSE_ID


def exchange_api(course: Course):
    from grader.course.nbgrader_api import make_api

    root, course_id = exchange_of(course)
    return make_api(course, exchange_root=root, exchange_course_id=course_id)


def release_to_exchange(course: Course, lessons) -> list[str]:
    """Put the released lessons where students' `nbgrader fetch_assignment` finds them."""
    api = exchange_api(course)
    done = []
    for lesson in lessons:
        result = api.release_assignment(lesson)
        if not result["success"]:
            raise GraderError(f"releasing {lesson} into the exchange failed: {_last_line(result)}")
        done.append(lesson)
    return done


def _parse_time(text: str) -> dt.datetime | None:
    from nbgrader.utils import parse_utc

    try:
        return parse_utc(text)
    except (ValueError, TypeError, OverflowError):
        return None


def stage_inbound(course: Course, into: Path) -> tuple[Path, list[str]]:
    """The latest submission of each student and lesson in the exchange's inbound folder, laid out as
    <student>/<lesson>/<notebook>.ipynb with nbgrader's timestamp.txt and submission_secret.txt beside
    it (grader.delivery.collect takes that layout); and what was left out, with why."""
    root, course_id = exchange_of(course)
    inbound = root / course_id / "inbound"
    if not inbound.is_dir():
        raise GraderError(f"{inbound}: no inbound folder (was a lesson released with `grader release --exchange`?)")
    lessons = set(course.resolve_lessons())
    latest: dict[tuple[str, str], tuple[dt.datetime, Path]] = {}
    skipped = []
    for folder in sorted(inbound.iterdir()):
        parts = folder.name.rsplit("+", 3)
        when = _parse_time(parts[2]) if len(parts) >= 3 else None
        if folder.is_symlink() or not folder.is_dir() or when is None:
            skipped.append(f"{folder.name}: not a submission folder of nbgrader's (<student>+<lesson>+<time>)")
            continue
        student, lesson = parts[0], parts[1]
        if lesson not in lessons:
            skipped.append(f"{folder.name}: no lesson {lesson!r} in this course")
            continue
        refusal = ownership_refusal(folder, student)
        if refusal:  # before the latest is chosen: a refused folder never replaces the student's own
            skipped.append(refusal)
            continue
        if (student, lesson) not in latest or when > latest[(student, lesson)][0]:
            latest[(student, lesson)] = (when, folder)
    staged = into / "exchange"
    for (student, lesson), (_, folder) in sorted(latest.items()):
        target = staged / student / lesson
        target.mkdir(parents=True)
        taken, refused = _owned_files(folder, os.lstat(folder).st_uid)
        skipped.extend(refused)
        for item in taken:
            shutil.copyfile(item, target / item.name)
    if not latest:
        raise GraderError("\n".join([f"{inbound}: no submissions to take", *skipped]))
    return staged, skipped


def release_feedback_to_exchange(course: Course, submissions: list[tuple[str, str]]) -> tuple[int, list[str]]:
    """Feedback pages of (student, lesson) into the exchange, named by each submission's secret as
    `nbgrader fetch_feedback` looks for them. Submissions that did not come through the exchange have no
    secret and are returned, not released."""
    api = exchange_api(course)
    released, without = 0, []
    for student, lesson in submissions:
        feedback_dir = course.course_dir / "feedback" / student / lesson
        if not all((feedback_dir / name).is_file() for name in SUBMISSION_FILES):
            without.append(f"{student}/{lesson}")
            continue
        result = api.release_feedback(lesson, student)
        if not result["success"]:
            raise GraderError(f"releasing feedback to {student} for {lesson} failed: {_last_line(result)}")
        released += 1
    return released, without


def copy_submission_files(source_dir: Path, target_dir: Path) -> None:
    """nbgrader's timestamp and secret, from where a submission was collected to where its feedback is."""
    for name in SUBMISSION_FILES:
        src = source_dir / name
        if src.is_file() and not src.is_symlink():
            target_dir.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, target_dir / name)


def _last_line(result: dict) -> str:
    lines = (result.get("error") or result.get("log") or "").strip().splitlines()
    return lines[-1] if lines else "no detail"
