"""Which students' answers are more alike than independent work makes likely: a report per lesson.

The detector is copydetect (winnowed fingerprints of tokenized code, names of variables, functions and
classes replaced, so renaming and reordering do not hide a copy). Compared are the students' own answer
cells only. Code the course itself wrote is removed first: every definition that is the release's given
code, the answer key's (the solutions) or one of the bug bank's common mistakes, and then any fragment of
them (copydetect's boilerplate); sharing those is no evidence of copying between students. Pairs above the threshold are listed in reports/similarity_<lesson>.csv, and the
detector's side-by-side HTML is reports/similarity_<lesson>.html. A pair is a reason to look, not a verdict.
"""

from __future__ import annotations

import ast
import csv
import tempfile
from dataclasses import dataclass
from pathlib import Path

from grader.course.cellcode import parse_cell
from grader.course.folder import Course
from grader.course.notebooks import UnreadableNotebook, nbgrader_meta, read_notebook
from grader.course.samples import _strip_markers
from grader.errors import GraderError

DEFAULT_THRESHOLD = 0.6
MIN_TOKENS = 60  # about five lines of code


@dataclass(frozen=True)
class Pair:
    first: str
    second: str
    first_share: float   # of the first student's code that matches the second's
    second_share: float


def _definitions(source: str) -> list[ast.stmt]:
    """A cell's top-level statements as they take effect: a function or class defined twice counts once."""
    tree = parse_cell(source)
    if tree is None:
        return []
    last = {node.name: i for i, node in enumerate(tree.body)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    return [node for i, node in enumerate(tree.body)
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) or last[node.name] == i]


def _answer_cells(nb) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "code" and nbgrader_meta(c).get("solution")]


def _course_code(course: Course, lesson: str) -> tuple[set[str], list[str]]:
    """What the course wrote for this lesson (given code, the answer key, the known mistakes): the dumps of
    its definitions, and its code as text (copydetect's boilerplate)."""
    from grader.bug_bank import bugs_for

    sources = []
    for notebook in course.notebooks(lesson):
        sources += _answer_cells(read_notebook(course.release_notebook(lesson, notebook)))
        sources += [_strip_markers(s) for s in _answer_cells(read_notebook(course.source_notebook(lesson, notebook)))]
    sources += [bug.source for bug in bugs_for(lesson)]
    nodes = [node for source in sources for node in _definitions(source)]
    return {ast.dump(node) for node in nodes}, [ast.unparse(node) for node in nodes]


def _own_code(nb, course_dumps: set[str]) -> str:
    """The student's answers without the course's own definitions (a solution function kept as given, a
    known mistake): what is left is what they wrote themselves."""
    kept = []
    for source in _answer_cells(nb):
        for node in _definitions(source):
            try:
                if ast.dump(node) not in course_dumps:
                    kept.append(ast.unparse(node))
            except RecursionError:  # nested past Python's limit (ast's printers recurse): left out
                continue
    return "\n\n".join(kept)


def compare(course: Course, lesson: str, threshold: float = DEFAULT_THRESHOLD,
            out_dir: Path | None = None, min_tokens: int = MIN_TOKENS) -> list[Pair]:
    """Pairs of students whose answers to `lesson` overlap by at least `threshold` of either one's code and
    by at least `min_tokens` tokens (a few shared lines between small remainders are no evidence)."""
    out_dir = Path(out_dir) if out_dir else course.reports_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="grader-similarity-") as tmp:
        students_dir, boilerplate_dir = Path(tmp) / "students", Path(tmp) / "course"
        students_dir.mkdir()
        boilerplate_dir.mkdir()
        course_dumps, course_text = _course_code(course, lesson)
        (boilerplate_dir / "course.py").write_text("\n\n".join(course_text), encoding="utf-8")
        written = 0
        for student in course.students():
            parts = []
            for notebook in course.notebooks(lesson):
                path = course.submitted_notebook(student, lesson, notebook)
                try:
                    parts.append(_own_code(read_notebook(path), course_dumps))
                except (UnreadableNotebook, GraderError):
                    continue
            if any(parts):
                (students_dir / f"{student}.py").write_text("\n\n".join(parts), encoding="utf-8")
                written += 1
        result = _detect(students_dir, boilerplate_dir, lesson, threshold, out_dir, min_tokens) if written >= 2 else []
    _write_csv(out_dir / f"similarity_{lesson}.csv", result)
    return result


def _detect(students_dir: Path, boilerplate_dir: Path, lesson: str, threshold: float, out_dir: Path,
            min_tokens: int) -> list[Pair]:
    from copydetect import CopyDetector

    detector = CopyDetector(test_dirs=[str(students_dir)], boilerplate_dirs=[str(boilerplate_dir)],
                            extensions=["py"], display_t=threshold, silent=True, autoopen=False,
                            out_file=str(out_dir / f"similarity_{lesson}.html"))
    detector.run()
    found = {}
    for s1, s2, f1, f2, _, _, overlap in detector.get_copied_code_list():
        a, b = Path(f1).stem, Path(f2).stem
        if max(s1, s2) >= threshold and overlap >= min_tokens:
            found[tuple(sorted((a, b)))] = (s1, s2) if a < b else (s2, s1)
    pairs = sorted(found.items())
    result = [Pair(a, b, round(float(sa), 3), round(float(sb), 3)) for (a, b), (sa, sb) in pairs]
    detector.generate_html_report()
    return result


def _write_csv(path: Path, result: list[Pair]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "other_student", "share_of_student", "share_of_other"])
        writer.writerows([p.first, p.second, p.first_share, p.second_share] for p in result)
