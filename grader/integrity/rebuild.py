"""Put a submission back into the lesson's shape before it runs: the student owns answers, nothing else.

Students delete, duplicate, retype and edit cells, by accident or not. The graded notebook is rebuilt
from the instructor's source: every locked cell (set-up, explanations, tests with their hidden part) comes
from the source; every answer cell is the student's (the first copy of it; the blank stub if deleted);
cells the student added stay where they were, stripped of any nbgrader metadata so they cannot claim
points. What was changed is reported, in words, as the status `cells restored`.
"""

from __future__ import annotations

import copy
import re
from collections import defaultdict

import nbformat

from grader.course.notebooks import nbgrader_meta


def _grade_id(cell) -> str | None:
    return nbgrader_meta(cell).get("grade_id")


def _plain(cell):
    """A copy of a student's extra cell with no claim to be graded or locked."""
    cell = copy.deepcopy(cell)
    cell.metadata.pop("nbgrader", None)
    cell.metadata.pop("deletable", None)
    cell.metadata.pop("editable", None)
    return cell


def rebuild(submitted, source, release=None, released_before=None):
    """(notebook to grade, notes on what was restored). `release` (the student copy) tells an edit apart;
    `released_before` (grade id -> sources of earlier releases) keeps a cell that a later release changed
    (a fixed test) from counting as the student's edit."""
    known = {_grade_id(c): c for c in source.cells if _grade_id(c)}
    released = {_grade_id(c): c for c in (release.cells if release else []) if _grade_id(c)}
    answers, extras, seen = {}, defaultdict(list), set()
    notes, anchor = [], None
    for cell in submitted.cells:
        gid = _grade_id(cell)
        if gid in known and gid not in seen:
            seen.add(gid)
            anchor = gid
            if nbgrader_meta(known[gid]).get("solution"):
                answers[gid] = cell
            else:
                shown = released.get(gid, known[gid])
                if cell.cell_type != shown.cell_type:
                    notes.append(f"{gid} retyped")
                elif cell.source != shown.source and cell.source not in (released_before or {}).get(gid, ()):
                    notes.append(f"{gid} edited")
        elif gid in known:
            if nbgrader_meta(known[gid]).get("solution"):
                extras[anchor].append(_plain(cell))
                notes.append(f"second copy of {gid} kept as an ordinary cell")
            else:
                notes.append(f"duplicate of {gid} removed")
        else:
            extras[anchor].append(_plain(cell))
    cells = list(extras[None])
    for gid_cell in source.cells:
        gid = _grade_id(gid_cell)
        meta = nbgrader_meta(gid_cell)
        if gid is None:
            cells.append(copy.deepcopy(gid_cell))
            continue
        if meta.get("solution"):
            mine = answers.get(gid)
            if mine is None:
                notes.append(f"{gid} deleted (graded as blank)")
                mine = released.get(gid, gid_cell)
            cell = copy.deepcopy(mine)
            if cell.cell_type != gid_cell.cell_type:
                notes.append(f"{gid} retyped")
                cell.cell_type = gid_cell.cell_type
                if cell.cell_type == "code":
                    cell.setdefault("outputs", [])
                    cell.setdefault("execution_count", None)
                else:
                    cell.pop("outputs", None)
                    cell.pop("execution_count", None)
            cell.metadata["nbgrader"] = copy.deepcopy(meta)
        else:
            if gid not in seen:
                notes.append(f"{gid} deleted")
            cell = copy.deepcopy(gid_cell)
        cells.append(cell)
        if meta.get("solution") and meta.get("grade"):  # an answer graded by hand: the key beside it
            cells.append(model_answer_cell(gid, gid_cell))
        cells.extend(extras[gid])
    nb = copy.deepcopy(submitted)
    nb.cells = cells
    nb.metadata["kernelspec"] = copy.deepcopy(source.metadata.get("kernelspec", nb.metadata.get("kernelspec", {})))
    return nb, list(dict.fromkeys(notes))


MODEL_ANSWER = "model_answer_for"  # metadata course.<this>: a cell feedback drops (grader.reports.feedback)
_SOLUTION_REGION = re.compile(r"### BEGIN SOLUTION\n?(.*?)### END SOLUTION", re.DOTALL)


def model_answer_cell(grade_id: str, source_cell):
    """The instructor's model answer and rubric for an answer graded by hand, as a markdown cell that the
    formgrader shows under the student's answer; feedback never does."""
    key = "\n".join(m.strip() for m in _SOLUTION_REGION.findall(source_cell.source)) or "(no model answer in the source)"
    if source_cell.cell_type == "code":
        key = f"```python\n{key}\n```"
    cell = nbformat.v4.new_markdown_cell(f"**Model answer for {grade_id}** (for the grader; feedback does not "
                                         f"show it)\n\n{key}")
    cell.metadata["course"] = {MODEL_ANSWER: grade_id}
    return cell
