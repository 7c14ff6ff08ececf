"""nbgrader's CheckCellMetadata with its JSON schema compiled once per process instead of once per cell.

nbgrader validates each cell with `jsonschema.validate`, which checks the schema itself on every call: about
0.15 s per notebook, paid twice per submission in the grader's single scoring thread. Here the schema is
checked once, and each cell is first tried against a fastjsonschema compilation of it (nbformat's own
validator library, some twenty times faster); only metadata that it refuses goes to jsonschema, whose verdict
and error are final. fastjsonschema is never the more lenient of the two on this schema (it is stricter on
one corner: a grade_id ending in a newline), so what is accepted and refused is exactly nbgrader's.
"""

from __future__ import annotations

import functools
import json
import traceback

import fastjsonschema
import jsonschema
from nbgrader.nbgraderformat import MetadataValidator, SchemaTooNewError, SchemaTooOldError, ValidationError
from nbgrader.nbgraderformat.common import BaseMetadataValidator
from nbgrader.preprocessors import CheckCellMetadata

from grader.patches.guard import Touch


@functools.lru_cache(maxsize=None)
def _compiled(schema_text: str):
    """(fastjsonschema function, jsonschema validator) for one schema, each built once per process."""
    schema = json.loads(schema_text)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    # use_default=False: a check must not fill the schema's defaults into the student's metadata
    return fastjsonschema.compile(schema, use_default=False), cls(schema)


class _CompiledSchema(BaseMetadataValidator):
    """Sits between nbgrader's V3 validator and its base: the base's checks, with a compiled schema."""

    @functools.cached_property
    def _schema_validators(self):
        return _compiled(json.dumps(self.schema, sort_keys=True))

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
        quick, exact = self._schema_validators
        try:
            quick(meta)
        except fastjsonschema.JsonSchemaException:
            exact.validate(meta)  # raises jsonschema's error, or accepts what only fastjsonschema refused


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


TOUCHES = [
    Touch('grader.patches.metadata_check', 'nbgrader.nbgraderformat.common:BaseMetadataValidator.validate_cell',
          'nbgrader', '0.9.6', '57b760c69cd56699',
          'the schema version checks, then one schema validation (replaced by _CompiledSchema.validate_cell)'),
    Touch('grader.patches.metadata_check', 'nbgrader.nbgraderformat.v3:MetadataValidatorV3',
          'nbgrader', '0.9.6', 'f0199e05efcf76fe',
          "MetadataValidator's bases: _CompiledSchema is put between it and BaseMetadataValidator"),
    Touch('grader.patches.metadata_check', 'nbgrader.preprocessors.checkcellmetadata:CheckCellMetadata.preprocess',
          'nbgrader', '0.9.6', 'd5a5cbfe7561685a',
          'validate_nb, then the same log lines and ValidationError (copied)'),
]
