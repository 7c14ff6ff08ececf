"""An exporter that does not copy a notebook nobody else holds.

nbconvert copies the notebook it exports three times per pass (from_notebook_node, _preprocess and nbformat's
normalize each deep-copy it), to protect the caller's object from the preprocessors. When nbgrader converts a
file, the notebook was just read from that file by the exporter itself and nobody else holds it, so each copy
is wasted: together about a tenth of the grader's scoring CPU. Copies of the notebook's parts (a cell, its
metadata) are still real copies; only the top-level notebook read by `from_file` is shared.
"""

from __future__ import annotations

import nbformat
from nbconvert.exporters import NotebookExporter
from nbformat import NotebookNode

from grader.patches.guard import Touch


class _OwnedNotebook(NotebookNode):
    """A notebook read from a file for one export: its deep copy is itself."""

    def __deepcopy__(self, memo):
        return self


class OwnedNotebookExporter(NotebookExporter):
    """nbconvert's NotebookExporter, minus the defensive copies of a notebook read from a file."""

    def from_file(self, file_stream, resources=None, **kw):
        notebook = _OwnedNotebook(nbformat.read(file_stream, as_version=4))
        return self.from_notebook_node(notebook, resources=resources, **kw)


TOUCHES = [
    Touch('grader.patches.owned_exporter', 'nbconvert.exporters.exporter:Exporter.from_file',
          'nbconvert', '7.17.2', '0c88952e5d39c600',
          'reads the notebook and hands it to from_notebook_node'),
    Touch('grader.patches.owned_exporter', 'nbconvert.exporters.exporter:Exporter.from_notebook_node',
          'nbconvert', '7.17.2', '083e6f697e3dd305',
          'deep-copies the notebook it is given'),
    Touch('grader.patches.owned_exporter', 'nbconvert.exporters.exporter:Exporter._preprocess',
          'nbconvert', '7.17.2', '247915eb161527c4',
          'deep-copies the notebook before the preprocessors'),
]
