"""Error responses the app's own handlers did not write, rewritten as the app's JSON errors.

Gradio's routes and Starlette's host check answer errors their own way: plain text, a path or
a session id echoed back, an object address, a 500 followed by a traceback in the log.
`JSONErrors` wraps such an app: an error response whose `rewrite(headers)` is true becomes
`{"detail": "<short Chinese message>"}` with the same status (or the one `statuses` maps it
to), an exception escaping the wrapped app becomes a JSON 500, and each is one log line.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger(__name__)

BUSY = "服务繁忙，请稍后再试。"
STATUS_TEXT = {
    400: "请求无效。",
    401: "未授权。",
    403: "禁止访问。",
    404: "未找到请求的资源。",
    405: "不支持该请求方法。",
    408: "请求超时。",
    413: "请求体过大。",
    422: "请求参数无效。",
    429: BUSY,
    503: BUSY,
}
INTERNAL = "服务器内部错误，请稍后再试。"

# Not errors but control flow (shutdown, cancellation).
_PASS_THROUGH = (KeyboardInterrupt, SystemExit, GeneratorExit, asyncio.CancelledError)


def status_text(status: int) -> str:
    return STATUS_TEXT.get(status, INTERNAL if status >= 500 else f"请求失败（HTTP {status}）。")


def every_error(headers: Headers) -> bool:
    return True


def non_json_error(headers: Headers) -> bool:
    return not headers.get("content-type", "").startswith("application/json")


def one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:300]}"


@dataclass
class _Progress:
    replaced: int | None = None  # the status of an error response being rewritten
    started: bool = False  # a response start went to the client
    finished: bool = False  # its last body part went too


class JSONErrors:
    def __init__(
        self,
        app: ASGIApp,
        rewrite: Callable[[Headers], bool] = every_error,
        statuses: Mapping[int, int] | None = None,
        texts: Mapping[int, str] | None = None,
        name: str = "",
    ) -> None:
        self.app = app
        self.rewrite = rewrite
        self.statuses = dict(statuses or {})
        self.texts = dict(texts or {})
        self.name = name

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        progress = _Progress()

        async def guarded_send(message: Message) -> None:
            if message["type"] == "http.response.start" and self._replaces(message):
                progress.replaced = int(message["status"])
                return
            if progress.replaced is not None:  # drop the original body, then answer
                if not message.get("more_body", False) and not progress.started:
                    await self._answer(scope, receive, send, progress, progress.replaced)
                return
            progress.started = True
            progress.finished = not message.get("more_body", False) and "body" in message
            await send(message)

        try:
            await self.app(scope, receive, guarded_send)
        except _PASS_THROUGH:
            raise
        except Exception as exc:
            logger.error(
                "%s%s %s failed: %s", self.name, scope["method"], _path(scope), one_line(exc)
            )
            await self._failed(scope, receive, send, progress)
            return
        if progress.replaced is not None:
            status = self.statuses.get(progress.replaced, progress.replaced)
            logger.warning("%s%s %s answered %d", self.name, scope["method"], _path(scope), status)

    def _replaces(self, message: Message) -> bool:
        status = int(message["status"])
        return status >= 400 and self.rewrite(Headers(raw=message.get("headers", [])))

    async def _answer(
        self, scope: Scope, receive: Receive, send: Send, progress: _Progress, status: int
    ) -> None:
        status = self.statuses.get(status, status)
        progress.started = progress.finished = True
        detail = self.texts.get(status) or status_text(status)
        await JSONResponse({"detail": detail}, status_code=status)(scope, receive, send)

    async def _failed(
        self, scope: Scope, receive: Receive, send: Send, progress: _Progress
    ) -> None:
        if not progress.started:
            progress.started = progress.finished = True
            await JSONResponse({"detail": INTERNAL}, status_code=500)(scope, receive, send)
        elif not progress.finished:  # a stream broke off: end it cleanly
            progress.finished = True
            await send({"type": "http.response.body", "body": b"", "more_body": False})


def _path(scope: Scope) -> str:
    return str(scope.get("path", ""))[:120]
