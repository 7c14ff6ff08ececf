"""The notebooks the differential check runs: for one lesson, the solution, every bug of its bank and every
honest style of tests/test_honest_styles.py, each as the list of cells a student's kernel runs.

A notebook is cut in two: the set-up (the cells before the first answer cell that every variant shares, run
once per lesson) and the rest (answer cells, other locked cells, test cells, and cells a student added), run per variant. Test
cells keep only their visible part: the lesson as released (lessons/), the tests a student can run.
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass

from grader.bug_bank import bugs_for
from grader.boundary.plan import bound_at_top
from grader.bug_bank.visible import _filled_release
from grader.course import samples
from grader.course.cellcode import parse_cell
from grader.course.folder import Course
from grader.course.notebooks import is_test_cell, nbgrader_meta, read_notebook
from test_honest_styles import HONEST, with_style

COURSE = Course.at()
SKIP = "skip_in_grading"


@dataclass(frozen=True)
class Cell:
    source: str
    grade_id: str | None   # a test cell's grade id; None for any other cell
    label: str             # for messages: the grade id, or "cell N"
    answer: bool = False   # an answer cell


@dataclass(frozen=True)
class Variant:
    name: str              # "solution", "bug:<function>.<name>", "honest:<student>", or a planted one
    cells: tuple[Cell, ...]
    tests: frozenset[str] | None = None  # the test cells to run (None: all); the others use nothing it changed
    direct: frozenset[str] = frozenset()  # of those, the ones that read a changed name themselves

    def runs(self, cell: Cell) -> bool:
        return cell.grade_id is not None and (self.tests is None or cell.grade_id in self.tests)

    def without_costly(self, costly: set[str]) -> "Variant":
        """The same variant, leaving out the costly test cells it reaches only through other answers' code
        (a training run that uses a changed layer): the cheaper cells that use that answer directly judge it."""
        if self.tests is None:
            return self
        return Variant(self.name, self.cells, frozenset(t for t in self.tests if t in self.direct or t not in costly),
                       self.direct)


@dataclass(frozen=True)
class LessonRun:
    lesson: str
    setup: tuple[Cell, ...]
    variants: tuple[Variant, ...]


def _skipped(cell) -> bool:
    """Cells grading skips (demos), as grader.pipeline.execute does; the student's own run may skip them too:
    no test reads what they compute."""
    meta = nbgrader_meta(cell)
    return bool(cell.metadata.get("course", {}).get(SKIP)) and not meta.get("grade") and not meta.get("solution")


def code_cells(nb) -> tuple[Cell, ...]:
    """A notebook's code cells as a kernel runs them in grading (demos left out)."""
    out = []
    for i, c in enumerate(nb.cells):
        if c.cell_type != "code" or _skipped(c):
            continue
        grade_id = nbgrader_meta(c).get("grade_id") if is_test_cell(c) else None
        out.append(Cell(c.source, grade_id, grade_id or nbgrader_meta(c).get("grade_id") or f"cell {i + 1}",
                        bool(nbgrader_meta(c).get("solution"))))
    return tuple(out)


def common_setup(notebooks: list[tuple[Cell, ...]]) -> int:
    """How many leading cells every variant shares before its first answer cell (run once per lesson)."""
    n = 0
    first = notebooks[0]
    while n < len(first) and not first[n].answer and all(len(nb) > n and nb[n] == first[n] for nb in notebooks):
        n += 1
    return n


def honest_notebook(base, function: str, source: str):
    """The filled-in release with one honest student's changes (as tests/test_honest_styles.py makes them)."""
    return with_style(copy.deepcopy(base), function, source)


def lesson_run(lesson: str, extra: dict[str, object] | None = None, only=None) -> LessonRun:
    """Every variant of a lesson (or those named in `only`); `extra` adds named notebooks (a test of the check
    plants a difference)."""
    base = _filled_release(lesson)
    notebooks = {"solution": base}
    for bug in bugs_for(lesson):
        notebooks[f"bug:{bug.function}.{bug.name}"] = samples.plant(base, bug.function, bug.source)
    for student, (honest_lesson, function, source) in HONEST.items():
        if honest_lesson == lesson:
            notebooks[f"honest:{student}"] = honest_notebook(base, function, source)
    if only is not None:
        notebooks = {name: nb for name, nb in notebooks.items() if name in only}
    notebooks.update(extra or {})
    cells = {name: code_cells(nb) for name, nb in notebooks.items()}
    n = common_setup(list(cells.values()))
    setup = cells["solution"][:n]
    solution = cells["solution"]
    return LessonRun(lesson, setup, tuple(Variant(name, run[n:], *((None, frozenset()) if name == "solution"
                                                                   else affected_tests(solution, run)))
                                          for name, run in cells.items()))


def _names_read(source: str) -> set[str]:
    tree = parse_cell(source)
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)} if tree else set()


def affected_tests(solution: tuple[Cell, ...], variant: tuple[Cell, ...]) -> tuple[frozenset[str] | None, frozenset[str]]:
    """(the test cells whose verdict the variant's changes can reach, those of them that read a changed name
    themselves): reached means reading, directly or through the answer cells' code, a name a changed answer
    cell defines. A cell the student added may change anything after it (None: run every test)."""
    original = {cell.source for cell in solution}
    changed = [cell for cell in variant if cell.source not in original]
    if any(not cell.answer for cell in changed):
        return None, frozenset()
    defined: set[str] = set()
    for cell in changed:
        tree = parse_cell(cell.source)
        defined |= bound_at_top(tree) if tree else set()
    uses: dict[str, set[str]] = {}   # graded name -> names read by the answer cells that define it
    for cell in variant:
        if cell.answer:
            tree = parse_cell(cell.source)
            for name in bound_at_top(tree) if tree else ():
                uses.setdefault(name, set()).update(_names_read(cell.source))
    out, direct = set(), set()
    for cell in variant:
        if cell.grade_id is None:
            continue
        if _names_read(cell.source) & defined:
            direct.add(cell.grade_id)
        reached, pending = set(), list(_names_read(cell.source) & set(uses))
        while pending:
            name = pending.pop()
            if name not in reached:
                reached.add(name)
                pending += [n for n in uses.get(name, ()) if n in uses]
        if reached & defined:
            out.add(cell.grade_id)
    return frozenset(out), frozenset(direct)


def graded_run(lesson: str, plants: dict[str, tuple[str, str]]) -> LessonRun:
    """The instructor's notebook (hidden tests included), as grading runs it, with named answers planted:
    name -> (function, source). For runs across the boundary only (the student never holds the hidden tests)."""
    base = source_notebook(lesson)
    cells = {"solution": code_cells(base)}
    for name, (function, source) in plants.items():
        cells[name] = code_cells(samples.plant(base, function, source))
    n = common_setup(list(cells.values()))
    return LessonRun(lesson, cells["solution"][:n], tuple(Variant(name, run[n:]) for name, run in cells.items()))


def source_notebook(lesson: str):
    return read_notebook(COURSE.solutions_dir / f"{lesson}.ipynb")
