"""nbgrader's per-cell gradebook lookups, answered from one query per kind for the whole notebook.

While scoring, OverwriteCells asks the gradebook about every cell (a query joining three tables, two for a
grade cell) and SaveAutoGrades asks again (a six-table join) and commits after every cell: about 70 queries
and 35 commits per notebook, all in the grader's single scoring thread, whose CPU time caps how fast a
cluster can grade. The preprocessors below run nbgrader's own per-cell code unchanged; only the gradebook
they see is a stand-in that loads the notebook's source cells, graded cells, grades or comments in one query
each the first time one is asked for, and lets SaveAutoGrades' commits wait for one at the end of the notebook.
A name it did not load is asked of the real gradebook, which answers (or raises MissingEntry) as nbgrader would.
"""

from __future__ import annotations

import functools

from nbgrader.api import (
    Assignment,
    Comment,
    Grade,
    Gradebook,
    GradeCell,
    Notebook,
    SolutionCell,
    SourceCell,
    Student,
    SubmittedAssignment,
    SubmittedNotebook,
    TaskCell,
)
from nbgrader.preprocessors import OverwriteCells, SaveAutoGrades

from grader.patches.guard import Touch


class _CommitAtEnd:
    """The gradebook's session, except that commit() waits until the notebook is done."""

    def __init__(self, session):
        self._session = session

    def commit(self) -> None:
        pass  # the preprocessor commits once, after its last cell

    def __getattr__(self, name):
        return getattr(self._session, name)


class NotebookLookups:
    """A Gradebook for one notebook of one assignment (and one student's submission of it)."""

    def __init__(self, gradebook: Gradebook, notebook: str, assignment: str, student: str | None = None):
        self._gradebook, self._notebook, self._assignment, self._student = gradebook, notebook, assignment, student
        self.db = _CommitAtEnd(gradebook.db)

    def __getattr__(self, name):
        return getattr(self._gradebook, name)

    # ------------------------------------------------------------------------------------- the queries
    def _cells_of_notebook(self, model):
        return (self._gradebook.db.query(model)
                .join(Notebook, Notebook.id == model.notebook_id)
                .join(Assignment, Assignment.id == Notebook.assignment_id)
                .filter(Notebook.name == self._notebook, Assignment.name == self._assignment))

    def _rows_of_submission(self, row_model, cell_model):
        """(cell name, row) of the student's grades or comments attached to cells of one kind."""
        return (self._gradebook.db.query(cell_model.name, row_model)
                .join(cell_model, cell_model.id == row_model.cell_id)
                .join(SubmittedNotebook, SubmittedNotebook.id == row_model.notebook_id)
                .join(Notebook, Notebook.id == SubmittedNotebook.notebook_id)
                .join(SubmittedAssignment, SubmittedAssignment.id == SubmittedNotebook.assignment_id)
                .join(Assignment, Assignment.id == SubmittedAssignment.assignment_id)
                .join(Student, Student.id == SubmittedAssignment.student_id)
                .filter(Notebook.name == self._notebook, Assignment.name == self._assignment,
                        Student.id == self._student))

    @staticmethod
    def _first_kind_wins(*kinds) -> dict:
        """Merge name -> row maps; nbgrader looks for a grade cell before a task cell, so does this."""
        merged = {}
        for rows in reversed(kinds):
            merged.update(rows)
        return merged

    @functools.cached_property
    def _source_cells(self) -> dict:
        return {cell.name: cell for cell in self._cells_of_notebook(SourceCell)}

    @functools.cached_property
    def _graded_cells(self) -> dict:
        return self._first_kind_wins({c.name: c for c in self._cells_of_notebook(GradeCell)},
                                     {c.name: c for c in self._cells_of_notebook(TaskCell)})

    @functools.cached_property
    def _grades(self) -> dict:
        return self._first_kind_wins(dict(self._rows_of_submission(Grade, GradeCell).all()),
                                     dict(self._rows_of_submission(Grade, TaskCell).all()))

    @functools.cached_property
    def _comments(self) -> dict:
        return self._first_kind_wins(dict(self._rows_of_submission(Comment, SolutionCell).all()),
                                     dict(self._rows_of_submission(Comment, TaskCell).all()))

    # ------------------------------------------------------- the lookups nbgrader's preprocessors make
    def _ours(self, notebook, assignment, student=None) -> bool:
        return (notebook == self._notebook and assignment == self._assignment
                and (student is None or student == self._student))

    def find_source_cell(self, name, notebook, assignment):
        if self._ours(notebook, assignment) and name in self._source_cells:
            return self._source_cells[name]
        return self._gradebook.find_source_cell(name, notebook, assignment)

    def find_graded_cell(self, name, notebook, assignment):
        if self._ours(notebook, assignment) and name in self._graded_cells:
            return self._graded_cells[name]
        return self._gradebook.find_graded_cell(name, notebook, assignment)

    def find_grade(self, grade_cell, notebook, assignment, student):
        if self._ours(notebook, assignment, student) and grade_cell in self._grades:
            return self._grades[grade_cell]
        return self._gradebook.find_grade(grade_cell, notebook, assignment, student)

    def find_comment(self, solution_cell, notebook, assignment, student):
        if self._ours(notebook, assignment, student) and solution_cell in self._comments:
            return self._comments[solution_cell]
        return self._gradebook.find_comment(solution_cell, notebook, assignment, student)


class BatchedOverwriteCells(OverwriteCells):
    """nbgrader's OverwriteCells, its source and graded cells looked up once per notebook."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        self.notebook_id, self.assignment_id, self.db_url = info["notebook"], info["assignment"], info["db_url"]
        with Gradebook(self.db_url) as gradebook:
            self.gradebook = NotebookLookups(gradebook, self.notebook_id, self.assignment_id)
            # nbgrader's OverwriteCells.preprocess, minus the Gradebook it would open itself
            nb, resources = super(OverwriteCells, self).preprocess(nb, resources)
            if self.add_missing_cells:
                nb, resources = self.add_missing_grade_cells(nb, resources)
                nb, resources = self.add_missing_task_cells(nb, resources)
        return nb, resources


class BatchedSaveAutoGrades(SaveAutoGrades):
    """nbgrader's SaveAutoGrades, the student's grades and comments looked up once, committed once."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        self.notebook_id, self.assignment_id = info["notebook"], info["assignment"]
        self.student_id, self.db_url = info["student"], info["db_url"]
        with Gradebook(self.db_url) as gradebook:
            self.gradebook = NotebookLookups(gradebook, self.notebook_id, self.assignment_id, self.student_id)
            nb, resources = super(SaveAutoGrades, self).preprocess(nb, resources)
            gradebook.db.commit()
        return nb, resources


TOUCHES = [
    Touch('grader.patches.batched_gradebook', 'nbgrader.preprocessors.overwritecells:OverwriteCells.preprocess',
          'nbgrader', '0.9.6', 'fbd5e0b1a9a219f3',
          'opens a Gradebook, runs the per-cell pass, then adds missing grade and task cells (copied, minus the Gradebook)'),
    Touch('grader.patches.batched_gradebook', 'nbgrader.preprocessors.overwritecells:OverwriteCells.preprocess_cell',
          'nbgrader', '0.9.6', 'ddfca3ee64ba2957',
          'asks self.gradebook only through find_source_cell and find_graded_cell'),
    Touch('grader.patches.batched_gradebook', 'nbgrader.preprocessors.saveautogrades:SaveAutoGrades.preprocess',
          'nbgrader', '0.9.6', '9348e91d3bbf071f',
          'opens a Gradebook and runs the per-cell pass (copied, with one commit at the end)'),
    Touch('grader.patches.batched_gradebook', 'nbgrader.preprocessors.saveautogrades:SaveAutoGrades.preprocess_cell',
          'nbgrader', '0.9.6', '3007372b3133140b',
          'asks self.gradebook through find_grade and find_comment and commits on self.gradebook.db'),
    Touch('grader.patches.batched_gradebook', 'nbgrader.api:Gradebook.find_source_cell',
          'nbgrader', '0.9.6', '82ff1f87272a7d1a',
          'the rows NotebookLookups loads in one query'),
    Touch('grader.patches.batched_gradebook', 'nbgrader.api:Gradebook.find_graded_cell',
          'nbgrader', '0.9.6', 'ec7a62c02bd352b7',
          'a grade cell before a task cell of the same name'),
    Touch('grader.patches.batched_gradebook', 'nbgrader.api:Gradebook.find_grade',
          'nbgrader', '0.9.6', '04d9f1edba1b15ea',
          'a grade of a grade cell before one of a task cell'),
    Touch('grader.patches.batched_gradebook', 'nbgrader.api:Gradebook.find_comment',
          'nbgrader', '0.9.6', '7d04e50bfbe29f14',
          'a comment of a solution cell before one of a task cell'),
]
