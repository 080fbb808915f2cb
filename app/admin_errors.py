"""Errors of the admin routes as JSON 4xx: the library's and the file checks' own Chinese
messages (which name the uploaded file, never a server path)."""

from __future__ import annotations

from typing import cast

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from app.http_errors import error_response
from index.errors import DuplicateReportError, LibraryBusyError, LibraryError, UnknownReportError
from ingest.errors import FileTooLargeError, IngestError, ReportQAError, UnsupportedFormatError


def status_of(exc: ReportQAError) -> int:
    if isinstance(exc, DuplicateReportError | LibraryBusyError):
        return 409
    if isinstance(exc, UnknownReportError):
        return 404
    if isinstance(exc, FileTooLargeError):
        return 413
    if isinstance(exc, UnsupportedFormatError):
        return 415
    return 422  # any other file or library check


async def _on_library_error(request: Request, exc: Exception) -> JSONResponse:
    error = cast(ReportQAError, exc)
    return error_response(request, status_of(error), str(error)[:500])


def install_admin_errors(app: FastAPI) -> None:
    """More specific than the ReportQAError handler, so these win for their classes."""
    app.add_exception_handler(LibraryError, _on_library_error)
    app.add_exception_handler(IngestError, _on_library_error)
