"""Late work: when a submission came in, what its due date was for that student, and what it loses.

nbgrader has the parts and the grader uses them: the assignment's due date and a student's extension live
in the gradebook, the submission's time in `timestamp.txt` beside it (nbgrader's exchange writes it; for a
file an LMS export marks late without a time, `settle_marker` does, by grader.course.lateness), and nbgrader's
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
from grader.course.lateness import MarkerVerdict, judge_marker
from grader.delivery.collect import LATE_MARKER, LATE_RULE

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


def settle_marker(folder: Path, config: CourseConfig, student: str, lesson: str) -> MarkerVerdict | None:
    """A submission the LMS marked late, without a time: the time it counts as made (grader.course.lateness:
    an extension wins; else `marker_days` past the due date), written where nbgrader reads it, and the rule
    that decided beside it (late-rule.txt). A time that came with the submission is never replaced; one
    this function wrote is written again, so an extension granted later is honoured."""
    folder = Path(folder)
    marker, stamp, rule = folder / LATE_MARKER, folder / TIMESTAMP, folder / LATE_RULE
    if not marker.exists() or (stamp.exists() and not rule.exists()):
        return None
    verdict = judge_marker(config, student, lesson)
    if verdict.counts_as is None:
        stamp.unlink(missing_ok=True)
    else:
        stamp.write_text(timestamp_text(verdict.counts_as) + "\n", encoding="utf-8")
    rule.write_text(verdict.rule + "\n", encoding="utf-8")
    return verdict


def late_rule(folder: Path) -> str:
    """The rule that gave a submission the LMS marked late its time ("" for any other submission)."""
    path = Path(folder) / LATE_RULE
    return path.read_text(encoding="utf-8").strip() if path.exists() else ""
