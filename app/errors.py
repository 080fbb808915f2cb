"""Errors raised by the answer layer (translated to 4xx by the API, to one-line errors by the CLI)."""

from __future__ import annotations

from ingest.errors import ReportQAError


class InvalidQuestionError(ReportQAError):
    """The question cannot be answered as asked (empty, too long, ...)."""


class EmptyQuestionError(InvalidQuestionError):
    pass


class QuestionTooLongError(InvalidQuestionError):
    pass


class ChunkNotFoundError(ReportQAError):
    pass


class UnknownDocumentError(ReportQAError):
    """A report id that no loaded report has (the API answers 4xx naming them)."""

    def __init__(self, message: str, doc_ids: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.doc_ids = doc_ids
