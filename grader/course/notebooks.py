"""Reading notebooks and their nbgrader cells."""

from __future__ import annotations

import warnings
from pathlib import Path

import nbformat

from grader.errors import GraderError


class UnreadableNotebook(GraderError):
    """A notebook that cannot be parsed; `detail` says why in a few words."""

    def __init__(self, path: Path, detail: str):
        super().__init__(f"{path}: unreadable notebook ({detail})")
        self.detail = detail


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """Read and validate a notebook, or raise GraderError saying why it cannot be used."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # nbformat's MissingIDFieldWarning on older notebooks
            nb = nbformat.read(str(path), as_version=4)
            nbformat.validate(nb)
    except FileNotFoundError:
        raise GraderError(f"{path}: no such notebook") from None
    except RecursionError:
        raise UnreadableNotebook(path, "nested too deeply to be read (cells or metadata)") from None
    except (ValueError, nbformat.ValidationError, UnicodeDecodeError, KeyError, TypeError, AttributeError) as exc:
        text = str(exc).strip()
        if "does not appear to be JSON" in text or isinstance(exc, UnicodeDecodeError):
            detail = "not valid JSON: cut off, or edited outside Jupyter"
        else:
            detail = "not a valid notebook: " + (text.splitlines()[0][:120] if text else type(exc).__name__)
        raise UnreadableNotebook(path, detail) from None
    return nb


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def is_test_cell(cell) -> bool:
    """A cell nbgrader scores by running it: graded code that is not an answer."""
    meta = nbgrader_meta(cell)
    return cell.get("cell_type") == "code" and bool(meta.get("grade")) and not meta.get("solution")


def grade_ids(nb) -> list[str]:
    """Ids of the cells nbgrader scores (test cells and graded answers), in notebook order."""
    return [nbgrader_meta(c)["grade_id"] for c in nb.cells if nbgrader_meta(c).get("grade")]


def cells_by_id(nb) -> dict:
    return {nbgrader_meta(c)["grade_id"]: c for c in nb.cells if nbgrader_meta(c).get("grade_id")}


def write_notebook(nb, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
