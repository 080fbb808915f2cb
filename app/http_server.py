"""Connection limits: how long a client may take to send a request, and the uvicorn config.

uvicorn (0.5x) closes idle keep-alive connections after `timeout_keep_alive` but has no
deadline for a request's head or body: a client sending a byte every few seconds held a
connection forever (slowloris). `HeadDeadline` closes a connection whose request head is not
complete `read_timeout` seconds after the connection opened or the last response ended;
`BodyDeadline` answers 408 (and closes) when the body is not in after `read_timeout` seconds.
"""

from __future__ import annotations

import asyncio
from typing import Any

import uvicorn
from fastapi import FastAPI
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from app.config import Settings


class HeadDeadline(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request head (`head_timeout`)."""

    head_timeout: float = 10.0
    _head_timer: asyncio.TimerHandle | None = None
    _head_cycle: object = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._head_cycle = self.cycle  # the request before the head we are waiting for
        self._head_timer = self.loop.call_later(self.head_timeout, self._expired)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _expired(self) -> None:
        self._head_timer = None
        no_new_request = self.cycle is self._head_cycle
        idle = self.cycle is None or self.cycle.response_complete
        if no_new_request and idle and not self.transport.is_closing():
            self.transport.close()


def head_deadline_protocol(seconds: float) -> type[HeadDeadline]:
    return type("HeadDeadlineProtocol", (HeadDeadline,), {"head_timeout": seconds})


class RequestTimeout(StarletteHTTPException):
    def __init__(self) -> None:
        super().__init__(status_code=408, headers={"Connection": "close"})


class BodyDeadline:
    """408 when the request body takes longer than `seconds` to arrive. Only the body is
    timed: later receives (a streaming response waiting for the disconnect) pass through."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        deadline, body_done = loop.time() + self.seconds, False

        async def timed_receive() -> Message:
            nonlocal body_done
            if body_done:
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), max(deadline - loop.time(), 0))
            except TimeoutError:
                raise RequestTimeout() from None
            body_done = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        await self.app(scope, timed_receive, send)


def install_body_deadline(app: FastAPI, seconds: float) -> None:
    app.add_middleware(BodyDeadline, seconds=seconds)


def server_config(app: FastAPI, settings: Settings, **overrides: Any) -> uvicorn.Config:
    """How `reportqa serve` (and the live test servers) run the app under uvicorn."""
    options: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "log_level": settings.log_level.lower(),
        "timeout_keep_alive": settings.timeout_keep_alive,
        "http": head_deadline_protocol(settings.read_timeout),
        **overrides,
    }
    return uvicorn.Config(app, **options)
