"""Late work: when a submission came in, what its due date was for that student, and what it loses.

nbgrader has the parts and the grader uses them: the assignment's due date and a student's extension live
in the gradebook, the submission's time in `timestamp.txt` beside it (nbgrader's exchange writes it; so
does `grader collect` for an LMS export that marks a file late without a time), and nbgrader's
AssignLatePenalties stage asks a plugin for the penalty. `CoursePenalty` is that plugin, with the course's
policy (grader.course.config.LatePolicy): none; per day (a share of the score per started day, up to a cap); or
zero after a cutoff (a cutoff also ends the per-day policy).
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

from nbgrader.plugins.latesubmission import LateSubmissionPlugin
from traitlets import Enum, Float

from grader.course.config import CourseConfig, LatePolicy
from grader.delivery.collect import LATE_MARKER

TIMESTAMP = "timestamp.txt"


def penalty(policy: LatePolicy, score: float, seconds_late: float) -> float:
    """Points a submission `seconds_late` late loses from `score`."""
    if policy.policy == "none" or seconds_late <= policy.grace_minutes * 60 or score <= 0:
        return 0.0
    days = seconds_late / 86400
    if policy.cutoff_days is not None and days > policy.cutoff_days:
        return score
    if policy.policy == "cutoff":
        return 0.0
    share = min(policy.cap, policy.per_day * math.ceil(days)) / 100
    return round(score * share, 6)


class CoursePenalty(LateSubmissionPlugin):
    """nbgrader's late-submission plugin with the course's policy (set from course.toml by the grader)."""

    policy = Enum(("none", "per_day", "cutoff"), default_value="none").tag(config=True)
    per_day = Float(10.0).tag(config=True)
    cap = Float(100.0).tag(config=True)
    cutoff_days = Float(-1.0, help="negative: no cutoff").tag(config=True)
    grace_minutes = Float(0.0).tag(config=True)

    def late_submission_penalty(self, student_id, score, total_seconds_late):
        rules = LatePolicy(self.policy, self.per_day, self.cap, self.cutoff_days if self.cutoff_days >= 0 else None,
                           self.grace_minutes)
        return penalty(rules, float(score), float(total_seconds_late))


def nbgrader_settings(policy: LatePolicy) -> dict:
    """Config values for CoursePenalty (traitlets' section names: {"CoursePenalty": {...}})."""
    return {"policy": policy.policy, "per_day": float(policy.per_day), "cap": float(policy.cap),
            "cutoff_days": float(policy.cutoff_days) if policy.cutoff_days is not None else -1.0,
            "grace_minutes": float(policy.grace_minutes)}


def timestamp_text(when: dt.datetime) -> str:
    """nbgrader's timestamp.txt format (UTC)."""
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f UTC")


def settle_marker(folder: Path, config: CourseConfig, student: str, lesson: str) -> None:
    """A submission the LMS marked late, without a time: it counts as `marker_days` past its due date."""
    marker, stamp = Path(folder) / LATE_MARKER, Path(folder) / TIMESTAMP
    if not marker.exists() or stamp.exists() or lesson not in config.due:
        return
    due = config.due[lesson] + (config.extension(student, lesson) or dt.timedelta())
    stamp.write_text(timestamp_text(due + dt.timedelta(days=config.late.marker_days)) + "\n", encoding="utf-8")
