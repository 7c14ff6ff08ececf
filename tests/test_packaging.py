"""pip users (pyproject.toml) and conda users (environment.yml) get the same dependencies."""

import re
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

REPO = Path(__file__).resolve().parent.parent


# conda-forge names a few Python packages differently from PyPI
CONDA_TO_PYPI = {"python-fastjsonschema": "fastjsonschema"}


def _name(requirement: str) -> str:
    name = re.split(r"[<>=!~ \[]", requirement.strip(), maxsplit=1)[0].lower()
    return CONDA_TO_PYPI.get(name, name)


def test_environment_yml_names_the_same_dependencies():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    pip_side = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]}
    conda_side = set()
    text = (REPO / "environment.yml").read_text()
    for line in text.split("\ndependencies:", 1)[1].splitlines():
        item = line.strip()
        if item.startswith("- ") and not item.startswith("- -e") and item[2:] not in ("pip", "pip:"):
            conda_side.add(_name(item[2:]))
    conda_side.discard("python")
    assert pip_side == conda_side


def test_ci_runs_the_readme_test_command():
    assert "make test" in (REPO / "README.md").read_text()
    assert "make test" in (REPO / ".ci" / "run").read_text()
