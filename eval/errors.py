"""Errors raised by the evaluation package."""

from __future__ import annotations

from ingest.errors import ReportQAError


class EvalDataError(ReportQAError):
    """An evaluation data file is missing or holds an invalid line (the message names file:line)."""
