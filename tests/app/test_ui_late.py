"""The chat UI mounted after the API is serving (`reportqa serve`, `create_app(ui="late")`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app import api
from app.api import create_app
from tests.app.fakes import FakeQAService
from tests.app.live import make_settings

HTML = {"Accept": "text/html,application/xhtml+xml"}


@pytest.fixture
def held_build(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """The UI build waits until the test sets the event."""
    release, done = threading.Event(), threading.Event()
    real = api.build_blocks

    def held(app: Any, settings: Any) -> Any:
        try:
            assert release.wait(60)
            return real(app, settings)
        finally:
            done.set()

    monkeypatch.setattr(api, "build_blocks", held)
    yield release
    release.set()
    assert done.wait(60)  # no build outlives the test (Gradio builds in a global context)


def wait_for_ui(client: TestClient, state: str = "ready", timeout_s: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        health: dict[str, Any] = client.get("/api/health").json()
        if health["ui"] == state or time.monotonic() > deadline:
            return health
        time.sleep(0.05)


def test_the_api_answers_while_the_ui_loads_then_the_ui_is_served(
    tmp_path: Path, held_build: threading.Event
) -> None:
    app = create_app(make_settings(tmp_path), FakeQAService(), ui="late")
    with TestClient(app) as client:
        assert client.get("/api/health").json()["ui"] == "loading"
        answer = client.post("/api/ask", json={"question": "2020年地区生产总值增长了多少？"})
        assert answer.status_code == 200 and answer.json()["answer"]
        page = client.get("/", headers=HTML)
        assert page.status_code == 200 and "对话界面正在加载" in page.text
        assert 'http-equiv="refresh"' in page.text and page.headers["cache-control"] == "no-store"
        config = client.get("/config")
        assert config.status_code == 503 and config.headers["retry-after"] == "1"
        assert "正在加载" in config.json()["detail"]

        held_build.set()
        assert wait_for_ui(client)["ui"] == "ready"
        page = client.get("/", headers=HTML)
        assert page.status_code == 200 and "gradio" in page.text.lower()
        assert client.get("/config").json()["components"]
        assert app.state.ui_blocks is not None
        assert client.get("/gradio_api/file=/etc/passwd").status_code in (403, 404)


def test_a_ui_that_fails_to_build_leaves_the_api_serving(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(app: Any, settings: Any) -> Any:
        raise RuntimeError("no gradio today")

    monkeypatch.setattr(api, "build_blocks", broken)
    with TestClient(create_app(make_settings(tmp_path), FakeQAService(), ui="late")) as client:
        assert wait_for_ui(client, "failed")["ui"] == "failed"
        assert "加载失败" in client.get("/", headers=HTML).text
        assert client.post("/api/ask", json={"question": "六稳是什么？"}).status_code == 200
    assert "the chat UI could not be built" in caplog.text


def test_the_ui_states_of_the_other_modes(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    with TestClient(create_app(settings, FakeQAService(), ui=False)) as client:
        assert client.get("/api/health").json()["ui"] == "off"
    with TestClient(create_app(settings, FakeQAService())) as client:
        assert client.get("/api/health").json()["ui"] == "ready"


def test_a_shutdown_while_the_ui_builds_does_not_wait_for_it(
    tmp_path: Path, held_build: threading.Event
) -> None:
    app = create_app(make_settings(tmp_path), FakeQAService(), ui="late")
    with TestClient(app) as client:
        assert client.get("/api/health").json()["ui"] == "loading"
    # the build is still held: the lifespan ended without it, and nothing was mounted
    assert app.state.ui_state() == "loading" and not hasattr(app.state, "ui_blocks")
