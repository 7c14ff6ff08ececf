"""Hand grades survive a new grading of the same answer.

Grading a submission again (autograde, regrade, a late collect) first removes its gradebook submission, and
with it every grade the instructor gave in the formgrader. Before that removal `keep` writes those hand
grades (the manual score and extra credit of an answer graded by hand, and the instructor's comments) to
`.grader/hand_grades.json`, each with a checksum of the student's answer cell as it was graded. Once the
submission is graded again, `carry_over` puts each one back on the new grade when the answer cell's text is
the same; an answer that changed is left to grade again (pending), and the returned notes say so.

Only answers graded by hand are carried (a grade the autograder does not score): a hand score on a test
cell is not, since the test has just run again; a note says that it was dropped.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from grader.course.folder import Course

KEPT = Path(".grader") / "hand_grades.json"
NOT_CARRIED = Path(".grader") / "hand_grades_not_carried.txt"  # lines for the command that graded, until it prints them


@dataclass(frozen=True)
class KeptGrade:
    """A grade a person gave to one cell of one submitted notebook, before it was graded again."""
    answer: str | None            # sha256 of the cell's source as graded; None: the graded notebook was not found
    score: float | None = None    # the manual score (None: only a comment was given)
    extra_credit: float | None = None
    comment: str | None = None
    test_cell: bool = False       # a hand score over an autograded test: not carried (the test ran again)


def _key(student: str, lesson: str, notebook: str) -> str:
    return f"{student}/{lesson}/{notebook}"


def _load(course: Course) -> dict[str, dict[str, KeptGrade]]:
    path = course.course_dir / KEPT
    try:
        raw = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except ValueError:
        return {}
    return {key: {cell: KeptGrade(**fields) for cell, fields in cells.items()} for key, cells in raw.items()}


def _save(course: Course, kept: dict[str, dict[str, KeptGrade]]) -> None:
    path = course.course_dir / KEPT
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    data = {key: {cell: asdict(g) for cell, g in cells.items()} for key, cells in kept.items() if cells}
    tmp.write_text(json.dumps(data, sort_keys=True, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def answer_checksums(notebook: Path) -> dict[str, str]:
    """grade id -> sha256 of that cell's source, for every cell of a graded notebook (read as plain JSON)."""
    try:
        cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError, AttributeError):
        return {}
    found = {}
    for cell in cells if isinstance(cells, list) else []:
        meta = ((cell.get("metadata") or {}).get("nbgrader") or {}) if isinstance(cell, dict) else {}
        grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
        if isinstance(grade_id, str):
            source = cell.get("source", "")
            text = "".join(source) if isinstance(source, list) else str(source)
            found[grade_id] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return found


def keep(course: Course, student: str, lesson: str) -> None:
    """Before the submission leaves the gradebook: write down every hand grade and comment it holds, with
    the checksum of the answer it was given to. Grades kept earlier and not in the gradebook now stay."""
    from nbgrader.api import Gradebook, MissingEntry

    kept = _load(course)
    found = False
    with Gradebook(course.gradebook_url) as gb:
        try:
            submission = gb.find_submission(lesson, student)
        except MissingEntry:
            return
        for nb in submission.notebooks:
            answers = answer_checksums(course.autograded_notebook(student, lesson, nb.name))
            given: dict[str, dict] = {}
            for grade in nb.grades:
                if grade.manual_score is not None:
                    given.setdefault(grade.name, {}).update(
                        score=float(grade.manual_score), test_cell=grade.auto_score is not None,
                        extra_credit=None if grade.extra_credit is None else float(grade.extra_credit))
            for comment in nb.comments:
                if comment.manual_comment:
                    given.setdefault(comment.name, {})["comment"] = comment.manual_comment
            if given:
                cells = kept.setdefault(_key(student, lesson, nb.name), {})
                cells.update({name: KeptGrade(answers.get(name), **fields) for name, fields in given.items()})
                found = True
    if found:
        _save(course, kept)


def _shown(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


@dataclass
class Carried:
    scores: list[str]   # grade ids whose hand score came back
    notes: list[str]    # for the instructor: one per hand grade that did not (its answer is pending again)


def carry_over(course: Course, student: str, lesson: str, notebook: str) -> Carried:
    """Once the notebook is graded again: the kept hand grades back on answers whose text is unchanged, and
    a note for each one that could not come back."""
    from nbgrader.api import Gradebook, MissingEntry

    kept = _load(course)
    cells = kept.pop(_key(student, lesson, notebook), None)
    if not cells:
        return Carried([], [])
    answers = answer_checksums(course.autograded_notebook(student, lesson, notebook))
    notes, scores = [], []
    with Gradebook(course.gradebook_url) as gb:
        for name, was in sorted(cells.items()):
            if was.test_cell:
                notes.append(f"{name}: the hand score {_shown(was.score)} given over the test was dropped: the "
                             "test ran again")
                continue
            if was.answer is None or answers.get(name) != was.answer:
                why = "the answer changed since it was graded" if was.answer else "the graded answer was not found"
                notes.append(f"{name}: graded {_shown(was.score)} by hand before; {why}: to grade again (pending)")
                continue
            if was.score is not None:
                try:
                    grade = gb.find_grade(name, notebook, lesson, student)
                except MissingEntry:
                    notes.append(f"{name}: graded {_shown(was.score)} by hand before; no longer a graded cell")
                    continue
                grade.manual_score, grade.extra_credit, grade.needs_manual_grade = was.score, was.extra_credit, False
                scores.append(name)
            if was.comment:
                try:
                    gb.find_comment(name, notebook, lesson, student).manual_comment = was.comment
                except MissingEntry:
                    pass
        gb.db.commit()
    _save(course, kept)
    if notes:
        with (course.course_dir / NOT_CARRIED).open("a", encoding="utf-8") as out:
            out.writelines(f"{student}/{lesson if notebook == lesson else f'{lesson}/{notebook}'}: {n}\n"
                           for n in notes)
    return Carried(scores, notes)


def not_carried_since(course: Course) -> list[str]:
    """The hand grades that did not come back since the last call (one line each), for the command's output."""
    path = course.course_dir / NOT_CARRIED
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    path.unlink(missing_ok=True)
    return lines
