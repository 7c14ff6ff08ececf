"""The visible tests are a first line: every known-wrong version in the bug bank already fails a test the
student can see (unless the bank marks it hidden-only, with the reason), and every failing message gives
the diagnosis the bank records for that bug, or none at all: a hint is right or silent.

The hidden tests' messages for the same bugs are checked in tests/test_lesson_grading.py."""

from __future__ import annotations

import pytest

from grader.bug_bank import Bug, bugs_for
from grader.bug_bank.visible import visible_results
from grader.course.folder import Course

LESSONS = Course.at().lesson_names()
MAX_HIDDEN_ONLY = 0.15  # of a lesson's bank: the visible tests catch at least 85%, and the rest say why not
_results: dict[str, dict] = {}


def results(lesson: str) -> dict:
    if lesson not in _results:
        _results[lesson] = visible_results(lesson)
    return _results[lesson]


def messages_match_hint(messages: list[str], hint: str | None) -> bool:
    """The messages name the recorded cause (some of them, and no other), or, with no hint recorded, none."""
    causes = [part.split(". ")[0] for m in messages for part in m.split("Likely cause: ")[1:]]
    if hint is None:
        return not causes
    return bool(causes) and all(hint in cause for cause in causes)


@pytest.mark.parametrize("lesson", LESSONS)
def test_visible_tests_catch_the_bank(lesson):
    found = results(lesson)
    bank = bugs_for(lesson)
    escaped = [f"{b.function}.{b.name}" for b in bank if found[f"{b.function}.{b.name}"] is None and not b.hidden_only]
    assert not escaped, f"{lesson}: the visible tests pass these known-wrong versions: {escaped}"
    hidden = [b for b in bank if b.hidden_only]
    assert len(hidden) <= MAX_HIDDEN_ONLY * len(bank), f"{lesson}: {len(hidden)} of {len(bank)} are hidden-only"
    wrongly_marked = [f"{b.function}.{b.name}" for b in hidden if found[f"{b.function}.{b.name}"] is not None]
    assert not wrongly_marked, f"{lesson}: marked hidden-only but the visible tests catch them: {wrongly_marked}"


@pytest.mark.parametrize("lesson, bug", [(lesson, bug) for lesson in LESSONS for bug in bugs_for(lesson)],
                         ids=lambda v: v.name if isinstance(v, Bug) else v)
def test_a_visible_message_gives_the_recorded_hint_or_none(lesson, bug):
    message = results(lesson)[f"{bug.function}.{bug.name}"]
    if message is None:
        pytest.skip("hidden-only: no visible message to read")
    assert messages_match_hint([message], bug.hint), (
        f"{bug.function}.{bug.name}: recorded hint {bug.hint!r}, visible message: {message}")
