"""`reportqa serve`: options reach the settings the server runs with."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from app import serve as serve_module
from app.config import Settings


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[Settings]:
    calls: list[Settings] = []
    monkeypatch.setattr(serve_module, "serve", calls.append)
    return calls


def test_serve_uses_host_and_port_options(served: list[Settings]) -> None:
    result = CliRunner().invoke(serve_module.serve_cmd, ["--host", "0.0.0.0", "--port", "8765"])
    assert result.exit_code == 0, result.output
    assert [(s.host, s.port) for s in served] == [("0.0.0.0", 8765)]
    assert "http://0.0.0.0:8765/" in result.output


def test_serve_defaults_come_from_settings(
    served: list[Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REPORTQA_PORT", "8123")
    result = CliRunner().invoke(serve_module.serve_cmd, [])
    assert result.exit_code == 0, result.output
    assert (served[0].host, served[0].port) == ("127.0.0.1", 8123)


def test_serve_rejects_a_bad_port(served: list[Settings]) -> None:
    result = CliRunner().invoke(serve_module.serve_cmd, ["--port", "70000"])
    assert result.exit_code == 2 and served == []
