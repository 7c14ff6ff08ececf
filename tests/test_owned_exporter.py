"""The exporter that skips nbconvert's defensive copies writes what nbconvert's NotebookExporter writes, and
only the notebook it read itself is shared: its parts still copy."""

from __future__ import annotations

import copy

import nbformat
from nbconvert.exporters import NotebookExporter
from nbconvert.preprocessors import Preprocessor
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from grader.patches.owned_exporter import OwnedNotebookExporter

seen = []


class Rewrite(Preprocessor):
    """Changes the notebook in place, as nbgrader's stages do, and notes which object it was given."""

    def preprocess(self, nb, resources):
        seen.append(nb)
        nb.cells[0].source += "\n# checked"
        nb.cells.append(new_markdown_cell("added", id=f"added-{len(nb.cells)}"))
        nb.metadata["graded"] = True
        return nb, resources


def _export(exporter_class, path):
    exporter = exporter_class()
    exporter.register_preprocessor(Rewrite, enabled=True)
    exporter.register_preprocessor(Rewrite, enabled=True)
    return exporter.from_filename(str(path))[0]


def _node_copies(monkeypatch) -> list:
    """Every deep copy of a part of a notebook from now on (NotebookNode copies itself node by node)."""
    copies, original = [], NotebookNode.__deepcopy__

    def counted(self, memo):
        copies.append(1)
        return original(self, memo)

    monkeypatch.setattr(NotebookNode, "__deepcopy__", counted)
    return copies


def test_owned_exporter_writes_what_nbconverts_exporter_writes_without_copying(tmp_path, monkeypatch):
    path = tmp_path / "submission.ipynb"
    nb = new_notebook(cells=[new_code_cell("x = 1", outputs=[new_output("stream", text="1\n")]),
                             new_markdown_cell("# title")])
    nbformat.write(nb, path)
    copies = _node_copies(monkeypatch)
    expected = _export(NotebookExporter, path)
    assert len(copies) >= 3 * 7, "nbconvert copies the notebook (7 nodes here) three times"
    copies.clear()
    assert _export(OwnedNotebookExporter, path) == expected
    assert copies == []
    assert nbformat.read(path, as_version=4) == nb, "the file read is left as it was"


def test_parts_of_an_owned_notebook_still_copy(tmp_path):
    path = tmp_path / "submission.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("x = 1")]), path)
    seen.clear()
    _export(OwnedNotebookExporter, path)
    owned = seen[0]
    assert copy.deepcopy(owned) is owned
    cell = copy.deepcopy(owned.cells[0])
    cell.source = "changed"
    assert owned.cells[0].source != "changed"
    assert copy.deepcopy(owned.metadata) is not owned.metadata
