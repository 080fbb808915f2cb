"""Translate every error to a JSON body `{"detail": "..."}`: Chinese, English when the question is.

Domain errors (ReportQAError) come from the core; `RequestRejected` is raised by the routes for
request limits. Anything else becomes a generic 500, logged, with no stack trace or path shown.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import (
    ChunkNotFoundError,
    EmptyQuestionError,
    InvalidQuestionError,
    QuestionTooLongError,
    UnknownDocumentError,
)
from ingest.errors import ReportQAError

logger = logging.getLogger(__name__)

INTERNAL_ERROR = "服务器内部错误，请稍后再试。(Internal server error)"
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def is_english(text: object) -> bool:
    """True for text with Latin letters and no Chinese characters."""
    return isinstance(text, str) and not _CJK.search(text) and bool(re.search(r"[A-Za-z]", text))


@dataclass(frozen=True)
class Text:
    zh: str
    en: str

    def pick(self, english: bool) -> str:
        return self.en if english else self.zh


class RequestRejected(Exception):
    """A request the edge refuses before it reaches the service (limits, empty input)."""

    def __init__(
        self,
        status_code: int,
        text: Text,
        english: bool = False,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(text.en)
        self.status_code = status_code
        self.text = text
        self.english = english
        self.headers = headers


def mark_language(request: Request, question: str) -> bool:
    """Remember the question's language so later error handlers can answer in it."""
    request.state.english = is_english(question)
    return bool(request.state.english)


def error_response(
    request: Request, status_code: int, detail: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    body: dict[str, Any] = {"detail": detail}
    if request.url.path.startswith("/v1/"):  # the shape the openai client reads
        kind = "invalid_request_error" if status_code < 500 else "server_error"
        body["error"] = {"message": detail, "type": kind, "code": status_code}
    return JSONResponse(body, status_code=status_code, headers=headers)


# --- validation errors ----------------------------------------------------------------------

_REASONS: dict[str, Text] = {
    "missing": Text("为必填项", "is required"),
    "string_type": Text("应为字符串", "must be a string"),
    "int_type": Text("应为整数", "must be an integer"),
    "int_parsing": Text("应为整数", "must be an integer"),
    "int_from_float": Text("应为整数", "must be an integer"),
    "bool_type": Text("应为布尔值", "must be a boolean"),
    "bool_parsing": Text("应为布尔值", "must be a boolean"),
    "list_type": Text("应为数组", "must be an array"),
    "model_type": Text("应为对象", "must be an object"),
    "model_attributes_type": Text("应为对象", "must be an object"),
    "dict_type": Text("应为对象", "must be an object"),
    "literal_error": Text("取值无效", "has an invalid value"),
    "enum": Text("取值无效", "has an invalid value"),
    "too_short": Text("不能为空", "must not be empty"),
    "string_too_long": Text("过长", "is too long"),
}
_INVALID = Text("格式不正确", "is invalid")


def _validation_text(error: dict[str, Any]) -> Text:
    if error.get("type") == "json_invalid":
        return Text("请求体不是合法的 JSON。", "The request body is not valid JSON.")
    loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path")]
    if not loc:
        return Text("缺少请求体或请求体格式不正确。", "The request body is missing or malformed.")
    field = ".".join(loc)
    reason = _REASONS.get(str(error.get("type")), _INVALID)
    return Text(f"参数 {field} {reason.zh}。", f"Field '{field}' {reason.en}.")


def _body_language(request: Request, body: object) -> bool:
    if isinstance(body, dict):
        if "question" in body:
            return is_english(body["question"])
        messages = body.get("messages")
        if isinstance(messages, list) and messages and isinstance(messages[-1], dict):
            return is_english(messages[-1].get("content"))
    return is_english(request.query_params.get("q"))


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    errors = cast(RequestValidationError, exc).errors()
    text = _validation_text(errors[0]) if errors else _INVALID
    english = _body_language(request, cast(RequestValidationError, exc).body)
    return error_response(request, 422, text.pick(english))


# --- HTTP, request-limit and domain errors --------------------------------------------------


def _http_text(request: Request, status_code: int) -> Text:
    if status_code == 400:
        return Text(
            "请求体无法解析，请发送 UTF-8 编码的 JSON。",
            "The request body could not be parsed; send UTF-8 encoded JSON.",
        )
    if status_code == 404:
        return Text("未找到请求的资源。", "Not found.")
    if status_code == 405:
        return Text("不支持该请求方法。", "Method not allowed.")
    if status_code == 408:
        return Text("请求超时：请求体未在时限内发送完。", "Request timeout: the body was too slow.")
    if status_code == 413:
        limit = request.scope.get("body_limit") or request.app.state.settings.max_body_bytes
        return Text(
            f"请求体过大（上限 {limit} 字节）。", f"Request body too large (limit {limit} bytes)."
        )
    return Text(f"请求失败（HTTP {status_code}）。", f"Request failed (HTTP {status_code}).")


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    http_exc = cast(StarletteHTTPException, exc)
    english = bool(getattr(request.state, "english", False))
    detail = _http_text(request, http_exc.status_code).pick(english)
    return error_response(request, http_exc.status_code, detail, dict(http_exc.headers or {}))


async def _on_rejected(request: Request, exc: Exception) -> JSONResponse:
    rejected = cast(RequestRejected, exc)
    text = rejected.text.pick(rejected.english)
    return error_response(request, rejected.status_code, text, rejected.headers)


def _domain_text(request: Request, exc: ReportQAError) -> tuple[int, Text] | None:
    settings = request.app.state.settings
    if isinstance(exc, EmptyQuestionError):
        return 422, Text("问题不能为空。", "The question must not be empty.")
    if isinstance(exc, QuestionTooLongError):
        limit = settings.max_question_chars
        return 422, Text(
            f"问题过长（最多 {limit} 个字符）。",
            f"The question is too long (max {limit} characters).",
        )
    if isinstance(exc, InvalidQuestionError):
        return 422, Text(
            "无法处理这个问题，请换一种问法。",
            "This question cannot be processed; please rephrase it.",
        )
    if isinstance(exc, UnknownDocumentError):
        ids = "、".join(exc.doc_ids)[:200]
        return 422, Text(
            f"没有这些报告：{ids}（见 GET /api/documents）",
            f"Unknown report id(s): {', '.join(exc.doc_ids)[:200]} (see GET /api/documents)",
        )
    if isinstance(exc, ChunkNotFoundError):
        chunk_id = request.path_params.get("chunk_id", "")
        return 404, Text(f"未找到段落：{chunk_id}", f"No passage with id: {chunk_id}")
    return None


async def _on_domain_error(request: Request, exc: Exception) -> JSONResponse:
    found = _domain_text(request, cast(ReportQAError, exc))
    if found is None:
        logger.error("domain error on %s: %s", request.url.path, exc, exc_info=exc)
        return error_response(request, 500, INTERNAL_ERROR)
    status_code, text = found
    return error_response(
        request, status_code, text.pick(bool(getattr(request.state, "english", False)))
    )


# Not errors but control flow (shutdown, cancellation): never turned into a 500.
_PASS_THROUGH = (KeyboardInterrupt, SystemExit, GeneratorExit, asyncio.CancelledError)


class ErrorShield:
    """Last line: any unexpected exception becomes a generic JSON 500, logged once."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except _PASS_THROUGH:
            raise
        except BaseException:  # also foreign panics, e.g. a tokenizer's pyo3 PanicException
            logger.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            body = {"detail": INTERNAL_ERROR}
            await JSONResponse(body, status_code=500)(scope, receive, send)


class BodyTooLarge(StarletteHTTPException):
    def __init__(self) -> None:
        super().__init__(status_code=413)


class BodyLimit:
    """413 for request bodies over `max_bytes` (or the limit `larger` gives a path, e.g. the
    upload route's): by Content-Length up front, else while reading."""

    def __init__(
        self, app: ASGIApp, max_bytes: int, larger: Mapping[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger = dict(larger or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(scope["path"], self.max_bytes)
        if limit != self.max_bytes:
            scope["body_limit"] = limit  # what the 413's message states
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            request = Request(scope, receive)
            detail = _http_text(request, 413).pick(False)
            await error_response(request, 413, detail)(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b"")) if message["type"] == "http.request" else 0
            if received > limit:
                raise BodyTooLarge()  # an HTTPException: FastAPI lets it through to the handler
            return message

        await self.app(scope, limited_receive, send)


def install_error_handling(
    app: FastAPI, max_body_bytes: int, larger: Mapping[str, int] | None = None
) -> None:
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(RequestRejected, _on_rejected)
    app.add_exception_handler(ReportQAError, _on_domain_error)
    app.add_middleware(ErrorShield)
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes, larger=larger)
