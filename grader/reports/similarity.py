"""Which students' answers are more alike than independent work makes likely: a report per lesson.

The detector is copydetect (winnowed fingerprints of tokenized code, names of variables, functions and
classes replaced, so renaming and reordering do not hide a copy). Compared are the students' own answer
cells only. Code the course itself wrote is removed first: every definition that is the release's given
code, the answer key's (the solutions) or one of the bug bank's common mistakes, and then any fragment of
them (copydetect's boilerplate); sharing those is no evidence of copying between students. Pairs above the
threshold are listed in reports/similarity_<lesson>.csv, and reports/similarity_<lesson>.html shows them by
student name with their code side by side (grader.reports.similarity_page). A lesson that fewer than two
students answered has nothing to compare, and no report. A pair is a reason to look, not a verdict.
"""

from __future__ import annotations

import ast
import csv
import tempfile
from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class Evidence:
    """A pair above the threshold as the report shows it: the shared tokens and each side's code, the shared
    parts marked (escaped by copydetect, cleaned again before the page shows it)."""
    pair: Pair
    tokens: int
    first_code: str
    second_code: str


@dataclass(frozen=True)
class Detection:
    students: list[str]       # whose answers were compared
    shares: list[float]       # every compared pair's larger share, for the page's histogram
    evidence: list[Evidence]  # the pairs above the threshold
    only_course_code: list[str] = field(default_factory=list)  # handed in nothing beyond the course's code


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
    handed_in = [s for s in course.students()
                 if any(course.submitted_notebook(s, lesson, nb).exists() for nb in course.notebooks(lesson))]
    if len(handed_in) < 2:  # nobody or one student handed it in: nothing to compare, nothing written
        return []
    with tempfile.TemporaryDirectory(prefix="grader-similarity-") as tmp:
        students_dir, boilerplate_dir = Path(tmp) / "students", Path(tmp) / "course"
        students_dir.mkdir()
        boilerplate_dir.mkdir()
        course_dumps, course_text = _course_code(course, lesson)
        (boilerplate_dir / "course.py").write_text("\n\n".join(course_text), encoding="utf-8")
        written = []
        for student in handed_in:
            parts = []
            for notebook in course.notebooks(lesson):
                path = course.submitted_notebook(student, lesson, notebook)
                try:
                    parts.append(_own_code(read_notebook(path), course_dumps))
                except (UnreadableNotebook, GraderError):
                    continue
            if any(parts):
                (students_dir / f"{student}.py").write_text("\n\n".join(parts), encoding="utf-8")
                written.append(student)
        only_course_code = [s for s in handed_in if s not in written]
        if len(written) < 2:  # at most one wrote code of their own: no pair to compare
            detection = Detection(written, [], [], only_course_code)
        else:
            detection = _detect(students_dir, boilerplate_dir, threshold, min_tokens, only_course_code)
    result = [e.pair for e in detection.evidence]
    out_dir.mkdir(parents=True, exist_ok=True)
    _write_csv(out_dir / f"similarity_{lesson}.csv", result)
    from grader.reports.similarity_page import write_page

    write_page(out_dir / f"similarity_{lesson}.html", lesson, detection, threshold, min_tokens)
    return result


def _detect(students_dir: Path, boilerplate_dir: Path, threshold: float, min_tokens: int,
            only_course_code: list[str]) -> Detection:
    """What copydetect found, by student name (never its file paths)."""
    from copydetect import CopyDetector

    detector = CopyDetector(test_dirs=[str(students_dir)], boilerplate_dirs=[str(boilerplate_dir)],
                            extensions=["py"], display_t=threshold, silent=True, autoopen=False)
    detector.run()
    names = [Path(f).stem for f in detector.test_files]
    matrix = detector.similarity_matrix
    shares = [float(max(matrix[i, j, 0], matrix[i, j, 1]))
              for i in range(len(names)) for j in range(i + 1, len(names)) if matrix[i, j, 0] >= 0]
    found = {}
    for s1, s2, f1, f2, code1, code2, overlap in detector.get_copied_code_list():
        a, b = Path(f1).stem, Path(f2).stem
        if max(s1, s2) >= threshold and overlap >= min_tokens:
            ordered = (a, b, s1, s2, code1, code2) if a < b else (b, a, s2, s1, code2, code1)
            found[ordered[:2]] = Evidence(Pair(ordered[0], ordered[1], round(float(ordered[2]), 3),
                                               round(float(ordered[3]), 3)), int(overlap), ordered[4], ordered[5])
    return Detection(sorted(names), shares, [found[key] for key in sorted(found)], only_course_code)


def _write_csv(path: Path, result: list[Pair]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "other_student", "share_of_student", "share_of_other"])
        writer.writerows([p.first, p.second, p.first_share, p.second_share] for p in result)
