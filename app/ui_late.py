"""The chat UI mounted after the API is up (`reportqa serve`).

Importing Gradio and building the page take ~3 s on this machine, all of it holding the GIL,
so done before serving they double the time to the first answer. With `ui="late"` the app
serves the API as soon as the service is loaded and builds the UI on a worker thread
meanwhile. Until it is mounted, a browser asking for a page gets a short page saying so
that reloads itself every second (200, not cached: the app's error layer would turn an HTML
error into JSON), and anything else a JSON 503 with `Retry-After`; `/api/health` says
`"ui": "loading"`, then `"ready"` (or `"failed"`, with the error logged).

The UI is mounted on a FastAPI shell of its own exactly as `app.ui_mount.mount_ui` mounts it
on the app (hardened, behind `UIGate`); the placeholder then forwards to it, and the shell's
lifespan (Gradio's startup events, its queue) runs inside the app's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from app.config import Settings
from app.schemas import UIState

logger = logging.getLogger(__name__)

RETRY_AFTER_S = 1
LOADING_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="{retry}">
<title>Report QA · 正在加载</title></head>
<body style="font-family: sans-serif; margin: 3em">
<p>{message}</p><p><a href="docs">API 文档</a>已可用。</p></body></html>
"""
MESSAGES = {
    "loading": "对话界面正在加载，请稍候（页面会自动刷新）。",
    "failed": "对话界面加载失败，请查看服务日志；API 仍可使用。",
}


class LateUI:
    """The ASGI app at `/`: the loading page (or a JSON 503) until `ready(target)` hands
    it the mounted UI."""

    def __init__(self) -> None:
        self.state: UIState = "loading"
        self._target: ASGIApp | None = None

    def ready(self, target: ASGIApp) -> None:
        self._target, self.state = target, "ready"

    def failed(self) -> None:
        self.state = "failed"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._target is not None:
            await self._target(scope, receive, send)
            return
        if scope["type"] != "http":  # a websocket before the UI exists
            await send({"type": "websocket.close", "code": 1013})
            return
        await _unavailable(scope, self.state)(scope, receive, send)


def _unavailable(scope: Scope, state: UIState) -> HTMLResponse | JSONResponse:
    message = MESSAGES.get(state, MESSAGES["loading"])
    no_store = {"Cache-Control": "no-store"}
    accept = dict(scope.get("headers") or {}).get(b"accept", b"").decode("latin-1")
    if scope.get("method") in ("GET", "HEAD") and "text/html" in accept:
        page = LOADING_PAGE.format(retry=RETRY_AFTER_S, message=message)
        return HTMLResponse(page, headers=no_store)
    headers = {**no_store, "Retry-After": str(RETRY_AFTER_S)}
    return JSONResponse({"detail": message}, status_code=503, headers=headers)


@contextlib.asynccontextmanager
async def mounting_late(app: FastAPI, settings: Settings, late: LateUI) -> AsyncIterator[None]:
    """While the app runs: build the UI on a worker thread, run its lifespan, hand it over."""
    stack = contextlib.AsyncExitStack()
    task = asyncio.create_task(_mount(app, settings, late, stack))
    try:
        yield
    finally:
        if not task.done():
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await stack.aclose()


async def _mount(
    app: FastAPI, settings: Settings, late: LateUI, stack: contextlib.AsyncExitStack
) -> None:
    try:
        shell, target = await run_in_threadpool(_build, app, settings)
        await stack.enter_async_context(shell.router.lifespan_context(shell))
    except asyncio.CancelledError:
        raise
    except Exception:  # the API keeps serving; the page says the UI failed
        logger.exception("the chat UI could not be built")
        late.failed()
        return
    app.state.ui_blocks = shell.state.ui_blocks
    late.ready(target)
    logger.info("the chat UI is mounted")


def _build(app: FastAPI, settings: Settings) -> tuple[FastAPI, ASGIApp]:
    from app.api import build_blocks
    from app.ui_mount import mount_ui

    shell = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    return shell, mount_ui(shell, build_blocks(app, settings), settings)
