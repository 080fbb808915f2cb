"""Fixtures for the serving layer: the app over the fake service, and a live uvicorn server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.api import create_app
from app.config import Settings
from app.service import QAService
from tests.app.fakes import FakeQAService
from tests.app.live import LiveServer, free_port, live_server_for, make_settings


@pytest.fixture
def fake_service() -> FakeQAService:
    return FakeQAService()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def client(settings: Settings, fake_service: FakeQAService) -> Iterator[TestClient]:
    with TestClient(create_app(settings, fake_service)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def live_fake_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A live server over the fake service, shared by a module's tests."""
    settings = make_settings(tmp_path_factory.mktemp("live"))
    with live_server_for(create_app(settings, FakeQAService())) as server:
        yield server


@pytest.fixture(scope="module")
def live_real_server(session_settings: Settings, real_service: QAService) -> Iterator[LiveServer]:
    """A live server over the real service (session fixtures from tests/conftest.py)."""
    settings = session_settings.model_copy(update={"port": free_port()})
    with live_server_for(create_app(settings, real_service)) as server:
        yield server
