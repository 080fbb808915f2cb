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
