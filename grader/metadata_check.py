"""nbgrader's CheckCellMetadata with its JSON schema compiled once instead of once per cell.

nbgrader validates each cell with `jsonschema.validate`, which checks the schema itself on every call: about
0.15 s per notebook, paid twice per submission in the grader's single scoring thread. The checks are the
same; the schema is checked once per notebook.
"""

from __future__ import annotations

import functools
import traceback

import jsonschema
from nbgrader.nbgraderformat import MetadataValidator, SchemaTooNewError, SchemaTooOldError, ValidationError
from nbgrader.nbgraderformat.common import BaseMetadataValidator
from nbgrader.preprocessors import CheckCellMetadata


class _CompiledSchema(BaseMetadataValidator):
    """Sits between nbgrader's V3 validator and its base: the base's checks, with a compiled schema."""

    @functools.cached_property
    def _schema_validator(self):
        cls = jsonschema.validators.validator_for(self.schema)
        cls.check_schema(self.schema)  # once per notebook, not once per cell
        return cls(self.schema)

    def validate_cell(self, cell) -> None:
        if "nbgrader" not in cell.metadata:
            return
        meta = cell.metadata["nbgrader"]
        version = meta.get("schema_version", 0)
        if version < self.schema_version:
            raise SchemaTooOldError(f"Outdated schema version: {version} (expected {self.schema_version})",
                                    version, self.schema_version)
        if version > self.schema_version:
            raise SchemaTooNewError(f"Schema version is too new: {version} (expected {self.schema_version})",
                                    version, self.schema_version)
        self._schema_validator.validate(meta)


class _Validator(MetadataValidator, _CompiledSchema):
    pass


class CompiledCheckCellMetadata(CheckCellMetadata):
    def preprocess(self, nb, resources):
        try:
            _Validator().validate_nb(nb)
        except (ValidationError, jsonschema.ValidationError):
            self.log.error(traceback.format_exc())
            msg = "Notebook failed to validate; the nbgrader metadata may be corrupted."
            self.log.error(msg)
            raise ValidationError(msg)
        return nb, resources
