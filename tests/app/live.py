"""A live uvicorn server on loopback for end-to-end tests, and settings that stay in tmp."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from app.config import Settings, get_settings
from app.http_server import server_config
from tests.conftest import TEST_CLIENT_HOST


@dataclass(frozen=True)
class LiveServer:
    url: str
    app: FastAPI


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def live_server_for(app: FastAPI, timeout: float = 60.0) -> Iterator[LiveServer]:
    """Run `app` under uvicorn on loopback, on its settings' port, in a background thread
    (the UI's public URL is built from that port, so it must be the one served)."""
    port = app.state.settings.port
    config = server_config(
        app,
        app.state.settings,
        host="127.0.0.1",
        log_level="warning",
        lifespan="on",
        timeout_graceful_shutdown=2,  # gradio clients keep streams open
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    try:
        yield LiveServer(url=f"http://127.0.0.1:{port}", app=app)
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    """Settings that never touch the repository's var/ directory, on a free port, trusting
    TestClient's host name too."""
    defaults: dict[str, object] = {"port": free_port(), "allowed_hosts": [TEST_CLIENT_HOST]}
    return get_settings(
        index_dir=tmp_path / "index", cache_dir=tmp_path / "cache", **{**defaults, **overrides}
    )


# The fixed /api/ask passage contract (external evaluation relies on these keys); every
# passage names its report (doc_id, title, region, year).
PASSAGE_KEYS = {
    "n",
    "chunk_id",
    "doc_id",
    "title",
    "region",
    "year",
    "section_path",
    "page_start",
    "page_end",
    "text",
    "quote",
    "score",
    "footnotes",
}
