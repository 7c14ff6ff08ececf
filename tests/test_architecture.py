"""grader/'s layers as pyproject.toml declares them (import-linter), and every package the code imports is
one the project declares."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import subprocess
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

REPO = Path(__file__).resolve().parent.parent


def test_the_import_contracts_hold():
    lint = Path(sys.executable).parent / "lint-imports"
    run = subprocess.run([str(lint), "--config", str(REPO / "pyproject.toml")], cwd=REPO, capture_output=True,
                         text=True)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "Contracts: 2 kept, 0 broken." in run.stdout


def _imported(folder: str) -> set[str]:
    names = set()
    for path in (REPO / folder).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    # The project's own helper modules (bench/ drives the browser through tests/browser's page helpers).
    local = {p.stem for own in ("grader", "course_lib", "tests", "bench") for p in (REPO / own).rglob("*.py")}
    return {n for n in names if n not in sys.stdlib_module_names and n not in local
            and n not in ("grader", "course_lib", "bench", "tests", "__future__")}


def _declared(*groups: str) -> set[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for group in groups:
        requirements += project["optional-dependencies"][group]
    return {re.split(r"[<>=!~ \[;]", r, maxsplit=1)[0].lower().replace("_", "-") for r in requirements}


def _distributions(module: str) -> set[str]:
    return {d.lower().replace("_", "-") for d in importlib.metadata.packages_distributions().get(module, [module])}


def test_every_package_the_course_and_the_grader_import_is_declared():
    declared = _declared("cluster")  # --scheduler and a PostgreSQL gradebook need the cluster extra
    for folder in ("grader", "course_lib"):
        missing = {m for m in _imported(folder) if not _distributions(m) & declared}
        assert not missing, f"{folder}/ imports packages pyproject.toml does not declare: {sorted(missing)}"


def test_every_package_the_tests_and_benchmarks_import_is_declared():
    declared = _declared("dev")
    for folder in ("tests", "bench"):
        missing = {m for m in _imported(folder) if not _distributions(m) & declared}
        assert not missing, f"{folder}/ imports packages the dev extra does not declare: {sorted(missing)}"
