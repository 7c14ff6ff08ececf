"""The names Canvas gives the files of an assignment's "Download Submissions" zip.

    <login>_<user id>_<submission id>_<the student's file name>
    <login>_LATE_<user id>_<submission id>_<the student's file name>     handed in after Canvas's due date

login: the student's name as Canvas writes it (lowercase letters; two students can share it); user id: the
student's Canvas account (unique: it says whose file it is); submission id: the uploaded file (a later
upload has a larger one). A file uploaded again under a name the student already used in Canvas gets a
re-upload number before its extension: `02_backprop_gates-1.ipynb`, then `-2`, and so on. The student's
own file name may hold underscores and digits of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# the login ends where the first "_<digits>_<digits>_" (with LATE_ before it, if marked) begins
_NAME = re.compile(r"^(?P<login>[^_/][^/]*?)_(?:(?P<late>LATE)_)?(?P<user>\d+)_(?P<submission>\d+)_(?P<original>[^/]+)$")
_REUPLOAD = re.compile(r"^(?P<stem>.+)-(?P<number>\d+)$")


@dataclass(frozen=True)
class CanvasName:
    login: str
    user_id: str
    submission_id: int
    late: bool
    original: str  # the student's file name, as Canvas kept it (with any re-upload number)

    @property
    def prefix(self) -> str:
        """What Canvas put before the student's file name (its re-upload of feedback uses the same)."""
        return f"{self.login}_{'LATE_' if self.late else ''}{self.user_id}_{self.submission_id}_"


def parse(file_name: str) -> CanvasName | None:
    """The fields of a Canvas download's file name, or None when the name is not one."""
    match = _NAME.match(file_name)
    if not match:
        return None
    return CanvasName(match["login"], match["user"], int(match["submission"]), bool(match["late"]), match["original"])


def lesson_and_upload(stem: str, lessons: list[str]) -> tuple[str, int] | None:
    """(lesson, re-upload number) for the stem of a file the student named: the known lesson its name ends
    with, first as written, then without a `-N` re-upload number (0: the first upload)."""
    lesson = _ending_lesson(stem, lessons)
    if lesson is not None:
        return lesson, 0
    again = _REUPLOAD.match(stem)
    if again:
        lesson = _ending_lesson(again["stem"], lessons)
        if lesson is not None:
            return lesson, int(again["number"])
    return None


def _ending_lesson(stem: str, lessons: list[str]) -> str | None:
    # the longest match: a lesson named like the end of another is not taken for it
    found = [name for name in lessons if stem.endswith(name)]
    return max(found, key=len) if found else None
