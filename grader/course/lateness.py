"""A file the LMS marked late without saying when: the time it counts as made, and the rule that decided.

Canvas's download puts `LATE` in the name of a file handed in after the due date Canvas knows, and no time.
An extension in course.toml always wins over that marker: Canvas judged the file by the original due date,
and there is no time to compare with the extended one, so it counts as made on the extended due date (on
time). Without an extension it counts as `late.marker_days` after the due date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from grader.course.config import CourseConfig


@dataclass(frozen=True)
class MarkerVerdict:
    counts_as: dt.datetime | None  # when the submission counts as made; None: the lesson has no due date
    late: bool                     # whether it counts as late at all
    rule: str                      # which rule decided, in one sentence for the reports


def judge_marker(config: CourseConfig, student: str, lesson: str) -> MarkerVerdict:
    due = config.due.get(lesson)
    if due is None:
        return MarkerVerdict(None, False, "the LMS marked it late, but course.toml gives the lesson no due date: "
                                          "not penalized")
    extension = config.extension(student, lesson)
    if extension is not None:
        extended = due + extension
        return MarkerVerdict(extended, False, f"the LMS marked it late (by the original due date); the extension to "
                                              f"{extended.isoformat(timespec='minutes')} wins: on time (the download "
                                              "gives no time to compare)")
    days = config.late.marker_days
    return MarkerVerdict(due + dt.timedelta(days=days), days > 0,
                         f"the LMS marked it late and there is no extension: counted as {days:g} day(s) late "
                         "(late.marker_days; the download gives no time)")
