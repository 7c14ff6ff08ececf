"""Known-wrong implementations of every graded function, lesson by lesson.

Each lesson module (lessonNN.py) defines LESSON (its notebook name) and BUGS, a list of Bug. A bug's
source is a complete replacement definition; planting it means appending it to the solution cell that
defines the function, so the wrong version shadows the right one. The tests grade one submission per
bug and require that the function's test cells (grade ids `test_<function>` or `test_<function>__*`)
lose points, that the visible tests alone (what the student runs) already fail it unless it is marked
hidden_only with a reason, and that every failing message gives exactly the recorded hint, or none. The demo borrows a few to build a partly wrong student.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass


@dataclass(frozen=True)
class Bug:
    function: str  # the graded function this breaks
    name: str      # a short slug naming the mistake
    source: str    # a full `def function(...)` (or `class`) replacing the correct one
    # The diagnosis its failing tests must give (a fragment of the "Likely cause: ..." text), visible and
    # hidden alike; None: the messages say what differed and guess no cause (tests/test_visible_catch.py).
    hint: str | None = None
    # Why the visible tests cannot catch it, when they deliberately do not ("" : they must catch it).
    hidden_only: str = ""


def _lesson_modules():
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("lesson"):
            yield importlib.import_module(f"{__name__}.{info.name}")


def bugs_for(lesson: str) -> list[Bug]:
    """All bugs of one lesson (empty when the lesson has no bank yet)."""
    for module in _lesson_modules():
        if module.LESSON == lesson:
            return list(module.BUGS)
    return []


def grading_cells(function: str, grade_ids) -> list[str]:
    """The grade ids of the test cells that grade `function`."""
    return [g for g in grade_ids if g == f"test_{function}" or g.startswith(f"test_{function}__")]
