"""The copy a graded class gets (`grader bundle`): it holds no answer the instructor has not published, no
hidden test and nothing of the bug bank or the grader; publishing a lesson adds exactly its references; it
installs on its own and its lessons run with the course_lib it carries."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from course_lib.reference import MODULES
from grader.course.cellcode import parse_cell
from grader.course.folder import Course
from grader.course.notebooks import nbgrader_meta, read_notebook
from grader.course.samples import _strip_markers
from grader.delivery.bundle import build

pytestmark = pytest.mark.slow
COURSE = Course.at()
LESSONS = COURSE.lesson_names()
REFERENCE_DIR = Path(COURSE.repo) / "course_lib" / "reference"


class _Canonical(ast.NodeTransformer):
    """Names renamed in order of appearance, docstrings dropped: two functions that differ only in names match."""

    def __init__(self):
        self.names: dict[str, str] = {}

    def _name(self, name):
        return self.names.setdefault(name, f"v{len(self.names)}")

    def visit_Name(self, node):
        node.id = self._name(node.id)
        return node

    def visit_arg(self, node):
        node.arg, node.annotation = self._name(node.arg), None
        return node


def _bodies(source: str) -> dict[str, str]:
    """Normalized body -> function name, for every function (or method) a piece of code defines."""
    tree = parse_cell(source)
    out = {}
    for node in ast.walk(tree) if tree else ():
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            body = [s for s in node.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)
                                                 and isinstance(s.value.value, str))]
            func = ast.FunctionDef(name="f", args=node.args, body=body or [ast.Pass()], decorator_list=[], returns=None,
                                   type_params=[])
            out[ast.dump(_Canonical().visit(ast.fix_missing_locations(ast.Module(body=[func], type_ignores=[]))))] = node.name
    return out


def _code_in(folder: Path) -> dict[str, str]:
    """Every piece of code in the bundle: .py files and notebook code cells, by where it is."""
    code = {}
    for path in folder.rglob("*.py"):
        code[str(path.relative_to(folder))] = path.read_text(encoding="utf-8")
    for path in folder.rglob("*.ipynb"):
        for i, cell in enumerate(read_notebook(path).cells):
            if cell.cell_type == "code":
                code[f"{path.relative_to(folder)} cell {i + 1}"] = cell.source
    return code


def _answers(lessons) -> dict[str, str]:
    """Normalized bodies of the solutions of these lessons, and of their reference modules."""
    out = {}
    for lesson in lessons:
        given = {nbgrader_meta(c).get("grade_id"): c.source for c in read_notebook(COURSE.lessons_dir / f"{lesson}.ipynb").cells}
        for cell in read_notebook(COURSE.solutions_dir / f"{lesson}.ipynb").cells:
            if nbgrader_meta(cell).get("solution") and cell.cell_type == "code":
                shown = _bodies(given.get(nbgrader_meta(cell).get("grade_id"), ""))  # given code is no secret
                out.update({k: f"{lesson} solution {v}" for k, v in _bodies(_strip_markers(cell.source)).items()
                            if k not in shown})
        for module, owner in MODULES.items():
            if owner == lesson:
                out.update({k: f"{module}.{v}" for k, v in _bodies((REFERENCE_DIR / f"{module}.py").read_text()).items()})
    return out


def _secret_lines() -> set[str]:
    """Substantial lines of hidden tests and solutions, and of the bug bank."""
    lines, shown = set(), set()
    for lesson in LESSONS:
        for cell in read_notebook(COURSE.solutions_dir / f"{lesson}.ipynb").cells:
            inside = False
            for line in cell.source.splitlines():
                if "BEGIN HIDDEN TESTS" in line:
                    inside = True
                elif "END HIDDEN TESTS" in line:
                    inside = False
                elif len(line.strip()) > 30:
                    (lines if inside else shown).add(line.strip())
    for path in (Path(COURSE.repo) / "grader" / "bug_bank").glob("lesson*.py"):
        lines |= {line.strip() for line in path.read_text().splitlines() if len(line.strip()) > 40 and "def " not in line}
    for lesson in LESSONS:
        shown |= {line.strip() for c in read_notebook(COURSE.lessons_dir / f"{lesson}.ipynb").cells
                  for line in c.source.splitlines()}
    for path in (Path(COURSE.repo) / "course_lib").glob("*.py"):  # the helpers are the students' anyway
        shown |= {line.strip() for line in path.read_text().splitlines()}
    return lines - shown  # a line the student copy shows anyway (an import, given code) is no secret


@pytest.fixture(scope="module")
def bundles(tmp_path_factory):
    root = tmp_path_factory.mktemp("bundles")
    course = Course(COURSE.repo, root / "course")
    all_but_last = LESSONS[:-1]
    return {
        "none": (build(course, root / "none", published_lessons=[]), root / "none"),
        "first_three": (build(course, root / "three", published_lessons=LESSONS[:3]), root / "three"),
        "all_but_last": (build(course, root / "most", published_lessons=all_but_last), root / "most"),
    }


@pytest.mark.parametrize("which, unpublished", [("none", LESSONS), ("all_but_last", LESSONS[-1:])])
def test_the_bundle_holds_no_answer_of_an_unpublished_lesson(bundles, which, unpublished):
    made, folder = bundles[which]
    answers = _answers(unpublished)
    assert answers, "no answers to compare with"
    found = [(where, answers[body]) for where, source in _code_in(folder).items() for body in _bodies(source)
             if body in answers]
    assert found == [], f"the bundle holds answers of unpublished lessons: {found[:5]}"
    assert {p.name for p in folder.iterdir()} == {"lessons", "course_lib", "pyproject.toml", "README.md",
                                                  "DIGITS_LICENSE.txt"}
    assert not any(folder.rglob("*bug_bank*")) and not (folder / "grader").exists() and not (folder / "solutions").exists()


def test_no_hidden_test_and_nothing_of_the_bug_bank(bundles):
    secrets = _secret_lines()
    assert len(secrets) > 100
    for _, folder in bundles.values():
        for path in folder.rglob("*"):
            if path.parent.name == "reference":
                continue  # published answers, by construction (the answer scan covers the rest)
            if path.is_file() and path.suffix in (".py", ".ipynb", ".md", ".toml", ".txt"):
                text = path.read_text(encoding="utf-8")
                if path.suffix == ".ipynb":
                    text = "\n".join(c.source for c in read_notebook(path).cells)
                leaked = sorted(secrets & {line.strip() for line in text.splitlines()})
                assert not leaked, f"{path.relative_to(folder)} holds {leaked[:2]}"


def test_publishing_lessons_adds_exactly_their_references(bundles):
    def files(folder):
        return {str(p.relative_to(folder)) for p in (folder / "course_lib").rglob("*") if p.is_file()}

    none, three = files(bundles["none"][1]), files(bundles["first_three"][1])
    owned = {f"course_lib/reference/{m}.py" for m, owner in MODULES.items() if owner in LESSONS[:3]}
    assert three - none == owned and none - three == set()
    made = bundles["none"][0]
    assert set(made["left_out"]) and all("publish" in why for why in made["left_out"].values())
    assert set(made["lessons"]) | set(made["left_out"]) == set(LESSONS)


def test_the_bundle_installs_on_its_own_and_its_lessons_run(bundles, tmp_path):
    """A fresh virtual environment gets the bundle's course_lib; numpy, JupyterLab and the rest come from the
    project's own environment through a path file (no download in a test)."""
    _, folder = bundles["all_but_last"]
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "project_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", str(folder)],
                   check=True)
    runner = (
        "import copy, json, sys, nbformat\nfrom nbclient import NotebookClient\nresults = {}\n"
        "for path in sys.argv[1:]:\n"
        "    nb = nbformat.read(path, as_version=4)\n"
        "    first = next(i for i, c in enumerate(nb.cells) if c.metadata.get('nbgrader', {}).get('solution'))\n"
        "    nb.cells = nb.cells[:first] + [nbformat.v4.new_code_cell('import course_lib; print(course_lib.__file__)')]\n"
        "    NotebookClient(nb, timeout=300, kernel_name='python3', resources={'metadata': {'path': '.'}}).execute()\n"
        "    results[path] = nb.cells[-1].outputs[0]['text'].strip()\n"
        "print(json.dumps(results))\n")
    notebooks = sorted(str(p) for p in (folder / "lessons").glob("*.ipynb"))
    assert len(notebooks) == len(LESSONS)
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path), "COURSE_QUIET": "1", "MPLBACKEND": "agg",
           "JUPYTER_PLATFORM_DIRS": "1", "JUPYTER_CONFIG_DIR": str(tmp_path / "jc"),
           "JUPYTER_DATA_DIR": str(tmp_path / "jd"), "JUPYTER_RUNTIME_DIR": str(tmp_path / "jr"),
           "IPYTHONDIR": str(tmp_path / "ip"), "OPENBLAS_NUM_THREADS": "1"}
    done = subprocess.run([str(python), "-c", runner, *notebooks], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    where = json.loads(done.stdout.strip().splitlines()[-1])
    assert all(path.startswith(site) for path in where.values()), where
