"""The HTTP surface against a live server on loopback (issue 17): host checks, the fixed public
URL, connection timeouts, and the limits on what a request may carry."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from app.api import create_app
from app.config import get_settings
from tests.app.fakes import FakeQAService
from tests.app.live import LiveServer, live_server_for, make_settings

CJK = re.compile(r"[\u4e00-\u9fff]")
READ_TIMEOUT = 2.0
KEEP_ALIVE = 1


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    settings = make_settings(
        tmp_path_factory.mktemp("http"),
        read_timeout=READ_TIMEOUT,
        timeout_keep_alive=KEEP_ALIVE,
        allowed_hosts=["qa.example"],
    )
    with live_server_for(create_app(settings, FakeQAService())) as live:
        yield live


def port_of(server: LiveServer) -> int:
    return int(server.app.state.settings.port)


def assert_json_error(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"].startswith("application/json")
    detail = str(response.json()["detail"])
    assert CJK.search(detail) and "Traceback" not in response.text and " at 0x" not in detail
    return detail


# --- Host ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/api/health", "/gradio_api/queue/join", "/config"])
def test_a_foreign_host_header_is_a_json_400(server: LiveServer, path: str) -> None:
    response = httpx.get(f"{server.url}{path}", headers={"Host": "evil.example"}, timeout=10)
    assert "主机名" in assert_json_error(response, 400)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "qa.example"])
def test_the_trusted_hosts_are_served(server: LiveServer, host: str) -> None:
    headers = {"Host": f"{host}:{port_of(server)}"}
    assert httpx.get(f"{server.url}/api/health", headers=headers, timeout=10).status_code == 200


def test_the_ui_root_is_the_configured_url_not_the_request_headers(server: LiveServer) -> None:
    forged = {"X-Forwarded-Host": "evil.example", "X-Gradio-Server": "http://evil.example"}
    config = httpx.get(f"{server.url}/config", headers=forged, timeout=10).json()
    assert config["root"] == server.url == server.app.state.settings.public_url


# --- slow clients ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Dripped:
    seconds: float  # until the server closed the connection
    reply: bytes  # what it answered before closing


def drip(port: int, head: bytes, byte: bytes, limit: float = 15.0) -> Dripped:
    """Send `head`, then `byte` every 0.25 s, until the server closes (bounded by `limit`)."""
    started = time.monotonic()
    reply = b""
    with socket.create_connection(("127.0.0.1", port), timeout=0.25) as sock:
        sock.sendall(head)
        while time.monotonic() - started < limit:
            try:
                sock.sendall(byte)
                chunk = sock.recv(4096)
            except TimeoutError:
                continue
            except OSError:  # reset: closed while we were sending
                break
            if not chunk:
                break
            reply += chunk
    return Dripped(time.monotonic() - started, reply)


GET_HEAD = b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n"


def test_a_slow_header_client_is_disconnected_within_the_timeout(server: LiveServer) -> None:
    dripped = drip(port_of(server), GET_HEAD, b"X-Slow: 1\r\n")
    print(f"slow headers: disconnected after {dripped.seconds:.2f} s")
    assert READ_TIMEOUT - 0.5 <= dripped.seconds <= READ_TIMEOUT + 1.5
    assert dripped.reply == b"", "no request was ever complete"


@pytest.mark.parametrize("path", ["/api/ask", "/gradio_api/queue/join"])
def test_a_slow_body_gets_a_408_and_is_disconnected(server: LiveServer, path: str) -> None:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Content-Length: 1000\r\n\r\n"
    ).encode()
    dripped = drip(port_of(server), head, b" ")
    print(f"slow body on {path}: 408 and disconnected after {dripped.seconds:.2f} s")
    assert dripped.seconds <= READ_TIMEOUT + 1.5
    status, _, body = dripped.reply.partition(b"\r\n\r\n")
    assert status.startswith(b"HTTP/1.1 408") and b"connection: close" in status.lower()
    assert "请求超时" in body.decode()


def test_an_idle_keep_alive_connection_is_closed(server: LiveServer) -> None:
    dripped = drip(port_of(server), GET_HEAD + b"\r\n", b"")
    assert dripped.reply.startswith(b"HTTP/1.1 200")
    assert dripped.seconds <= KEEP_ALIVE + 1.0


def test_a_streaming_response_outlives_the_read_timeout(server: LiveServer) -> None:
    """The deadlines cover requests, not answers: an SSE stream longer than the read timeout
    (the chat's queue/data while an answer is slow) is not cut."""
    body = {"messages": [{"role": "user", "content": "六稳是什么？"}], "stream": True}
    started = time.monotonic()
    with httpx.stream("POST", f"{server.url}/v1/chat/completions", json=body, timeout=30) as r:
        lines = [line for line in r.iter_lines() if line]
        time.sleep(READ_TIMEOUT + 0.5)  # the connection stays usable after the deadline
    assert lines[-1] == "data: [DONE]"
    assert time.monotonic() - started > READ_TIMEOUT


# --- request contents ------------------------------------------------------------------------


@pytest.mark.parametrize("length", [201, 12_000, 60_000])
def test_a_huge_chunk_id_is_not_echoed(server: LiveServer, length: int) -> None:
    response = httpx.get(f"{server.url}/api/chunks/{'x' * length}", timeout=10)
    if length < 16_000:  # longer request lines are refused by the HTTP parser itself
        assert "chunk_id" in assert_json_error(response, 422)
    assert 400 <= response.status_code < 500
    assert len(response.content) < 500 and "xxxxxxxxxx" not in response.text


def test_a_short_unknown_chunk_id_is_named_in_the_404(server: LiveServer) -> None:
    detail = assert_json_error(httpx.get(f"{server.url}/api/chunks/zigong-nope", timeout=10), 404)
    assert "zigong-nope" in detail


def test_dev_reload_and_monitoring_are_off(server: LiveServer) -> None:
    for path in ("/gradio_api/dev/reload", "/monitoring", "/monitoring/summary"):
        assert_json_error(httpx.get(f"{server.url}{path}", timeout=5), 404)


FOLLOW_UPS = {
    "api": (
        "/api/ask",
        {"question": "那2021年呢？", "history": [{"role": "user", "content": "中" * 21000}]},
    ),
    "openai": (
        "/v1/chat/completions",
        {
            "messages": [
                {"role": "user", "content": "中" * 21000},
                {"role": "assistant", "content": "好"},
                {"role": "user", "content": "那2021年呢？"},
            ]
        },
    ),
}


@pytest.mark.parametrize(("path", "body"), FOLLOW_UPS.values(), ids=FOLLOW_UPS)
def test_an_over_long_history_turn_is_a_422(server: LiveServer, path: str, body: dict) -> None:
    started = time.monotonic()
    response = httpx.post(f"{server.url}{path}", json=body, timeout=30)
    assert "1000" in assert_json_error(response, 422)
    assert time.monotonic() - started < 1.0


def test_history_turns_within_the_limits_are_answered(server: LiveServer) -> None:
    body = {"question": "那2021年呢？", "history": [{"role": "user", "content": "中" * 1000}]}
    assert httpx.post(f"{server.url}/api/ask", json=body, timeout=30).status_code == 200


def test_settings_read_allowed_hosts_from_a_comma_list(
    clean_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REPORTQA_ALLOWED_HOSTS", " qa.example, *.corp.example ,")
    settings = get_settings()
    assert settings.trusted_hosts == ["127.0.0.1", "localhost", "qa.example", "*.corp.example"]
    assert get_settings(host="::1", port=8080).public_url == "http://[::1]:8080"
    assert get_settings(root_path="https://qa.example/reports/").public_url == (
        "https://qa.example/reports"
    )


@pytest.mark.slow
def test_a_follow_up_over_the_limit_once_resolved_is_a_422(live_real_server: LiveServer) -> None:
    """Each part is within the limit; the question the answerer would search is not."""
    previous = "2020年地区生产总值" + "增长" * 490
    question = "那2021年" + "的目标" * 300 + "呢？"
    history = [{"role": "user", "content": previous}, {"role": "assistant", "content": "增长 3.9%"}]
    url = f"{live_real_server.url}/api/ask"
    alone = httpx.post(url, json={"question": question}, timeout=60)
    assert alone.status_code == 200, alone.text[:300]
    started = time.monotonic()
    response = httpx.post(url, json={"question": question, "history": history}, timeout=60)
    assert "问题过长" in assert_json_error(response, 422)
    assert time.monotonic() - started < 1.0
