"""Domain errors. The core raises these; only the edges (API, CLI) translate them."""

from __future__ import annotations


class ReportQAError(Exception):
    """Base of every error the project raises on purpose; the message is user-facing."""


class IngestError(ReportQAError):
    """A source file cannot be turned into a document."""


class EmptyFileError(IngestError):
    pass


class BinaryFileError(IngestError):
    pass


class UndecodableFileError(IngestError):
    pass


class UnsupportedFormatError(IngestError):
    pass


class FileTooLargeError(IngestError):
    pass
