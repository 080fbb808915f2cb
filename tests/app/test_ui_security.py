"""The mounted Gradio UI against a live server on loopback (issue 17): no file can be read
through its queue, junk gets a short JSON 4xx and one log line, its state is bounded, and a
full queue says so in Chinese. The app and the Gradio mount are the real ones."""

from __future__ import annotations

import gc
import json
import logging
import os
import re
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import gradio as gr
import httpx
import pytest

from app.api import create_app
from app.config import REPO_ROOT
from app.error_bodies import BUSY
from tests.app.fakes import FakeQAService, SlowService
from tests.app.live import LiveServer, live_server_for, make_settings

CJK = re.compile(r"[\u4e00-\u9fff]")
LEAKS = ("Traceback", " at 0x", "/tmp/", "/etc/", ".py", "gradio.")

# Files a probe tries to read, with a piece of their text that must never come back.
CONFIG_PY = REPO_ROOT / "app" / "config.py"
PROBES = {
    "absolute": ("/etc/passwd", "root:x:0:0"),
    "dotdot": ("../../../../../../../etc/passwd", "root:x:0:0"),
    "relative": (os.path.relpath(CONFIG_PY), "class Settings(BaseSettings)"),
    "project": (str(CONFIG_PY), "class Settings(BaseSettings)"),
    "project_dotdot": (str(REPO_ROOT / "app" / ".." / "pyproject.toml"), 'name = "reportqa"'),
}


def file_data(path: str) -> dict[str, Any]:
    return {"path": path, "meta": {"_type": "gradio.FileData"}}


def chat_with(path: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": [{"type": "file", "file": file_data(path)}]}]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    settings = make_settings(tmp_path_factory.mktemp("ui-security"))
    with live_server_for(create_app(settings, FakeQAService())) as live:
        yield live


def ask_event(server: LiveServer) -> tuple[int, int]:
    """(fn_index, trigger_id) of the chat's submit, as the page reads them from /config."""
    config = httpx.get(f"{server.url}/config", timeout=10).json()
    ask = next(d for d in config["dependencies"] if d["api_name"] == "ask")
    return int(ask["id"]), int(ask["targets"][0][0])


def join_body(server: LiveServer, session: str, data: list[Any]) -> dict[str, Any]:
    fn_index, trigger = ask_event(server)
    return {"fn_index": fn_index, "trigger_id": trigger, "session_hash": session, "data": data}


def payloads(server: LiveServer, path: str) -> list[tuple[str, dict[str, Any]]]:
    """The issue's queue/join and call/ask payloads, and the file object in the text slot."""
    fn_index, _ = ask_event(server)
    return [
        ("/gradio_api/queue/join", join_body(server, "probe1", ["hi", chat_with(path), None])),
        ("/gradio_api/queue/join", join_body(server, "probe2", [file_data(path), None])),
        ("/gradio_api/call/ask", {"data": ["hi", chat_with(path)]}),
        ("/gradio_api/call/ask", {"data": [file_data(path)]}),
        ("/gradio_api/run/predict", {"fn_index": fn_index, "data": [file_data(path), None]}),
    ]


def gradio_caches(server: LiveServer) -> list[Path]:
    """Every place Gradio could copy a file to: this app's cache, and Gradio's default one."""
    blocks = server.app.state.ui_blocks
    dirs = {Path(gr.utils.get_upload_folder()), server.app.state.settings.cache_dir / "gradio"}
    dirs |= {Path(block.GRADIO_CACHE) for block in blocks.blocks.values()}
    return sorted(dirs)


def copies_of(names: set[str], dirs: Sequence[Path], since: float) -> list[Path]:
    found = []
    for directory in dirs:
        for path in directory.rglob("*") if directory.is_dir() else ():
            if path.name in names and path.stat().st_mtime >= since:
                found.append(path)
    return found


def read_stream(server: LiveServer, session: str) -> str:
    """What queue/data sends a session until its event completes (bounded)."""
    lines = []
    params = {"session_hash": session}
    with httpx.stream("GET", f"{server.url}/gradio_api/queue/data", params=params, timeout=20) as r:
        for line in r.iter_lines():
            lines.append(line)
            if "process_completed" in line:
                break
    return "\n".join(lines)


def sse_data(stream: str) -> str:
    """The data of a server-sent event stream, JSON decoded (Gradio escapes non-ASCII)."""
    data = [
        line.removeprefix("data: ") for line in stream.splitlines() if line.startswith("data: ")
    ]
    return "\n".join(json.dumps(json.loads(d), ensure_ascii=False) for d in data)


@pytest.mark.parametrize(("path", "marker"), PROBES.values(), ids=PROBES)
def test_no_payload_reads_a_file_or_leaves_a_copy(
    server: LiveServer, path: str, marker: str
) -> None:
    assert marker in Path(path).read_text(), "the probe names a real file"
    started = time.time() - 1
    for route, body in payloads(server, path):
        response = httpx.post(f"{server.url}{route}", json=body, timeout=20)
        assert response.status_code == 422, (route, response.text[:300])
        assert CJK.search(response.json()["detail"]) and marker not in response.text
        file_route = httpx.get(f"{server.url}/gradio_api/file={path}", timeout=10)
        assert file_route.status_code == 404 and marker not in file_route.text
    names = {Path(path).name}
    assert copies_of(names, gradio_caches(server), since=started) == []


def test_text_questions_still_work_on_every_event_route(server: LiveServer) -> None:
    """The same routes answer text, so the rejections above are about the files."""
    joined = httpx.post(
        f"{server.url}/gradio_api/queue/join",
        json=join_body(server, "texts1", ["“六稳”指的是什么？", [], None]),
        timeout=20,
    )
    assert joined.status_code == 200, joined.text
    assert "稳就业" in read_stream(server, "texts1")
    called = httpx.post(f"{server.url}/gradio_api/call/ask", json={"data": ["六保是什么？", []]})
    event_id = called.json()["event_id"]
    result = httpx.get(f"{server.url}/gradio_api/call/ask/{event_id}", timeout=20).text
    assert "event: complete" in result and "保居民就业" in sse_data(result)


def test_the_file_route_serves_nothing(server: LiveServer) -> None:
    """Not even a file that is in Gradio's own cache."""
    cache = server.app.state.settings.cache_dir / "gradio"
    planted = cache / ("0" * 64) / "planted.txt"
    planted.parent.mkdir(parents=True)
    planted.write_text("planted secret")
    for path in (str(planted), "/etc/passwd", "app/config.py"):
        response = httpx.get(f"{server.url}/gradio_api/file={path}", timeout=10)
        assert response.status_code == 404 and "planted secret" not in response.text


def test_the_cache_is_emptied_at_start(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    stale = settings.cache_dir / "gradio" / ("a" * 64) / "passwd"
    stale.parent.mkdir(parents=True)
    stale.write_text("root:x:0:0:root:/root:/bin/bash")
    create_app(settings, FakeQAService())
    assert not stale.exists() and (settings.cache_dir / "gradio").is_dir()


# --- junk: a short JSON 4xx and one log line ------------------------------------------------

JUNK: dict[str, tuple[str, str, Any, int]] = {
    "fn_index 99": (
        "POST",
        "/gradio_api/queue/join",
        {"fn_index": 99, "session_hash": "j1", "data": []},
        422,
    ),
    "fn_index -1": (
        "POST",
        "/gradio_api/queue/join",
        {"fn_index": -1, "session_hash": "j1", "data": []},
        422,
    ),
    "fn_index text": (
        "POST",
        "/gradio_api/queue/join",
        {"fn_index": "1", "session_hash": "j1", "data": []},
        422,
    ),
    "no session": ("POST", "/gradio_api/queue/join", {"fn_index": 1, "data": ["x", None]}, 422),
    "long session": (
        "POST",
        "/gradio_api/queue/join",
        {"fn_index": 1, "session_hash": "s" * 65, "data": ["x", None]},
        422,
    ),
    "data not a list": (
        "POST",
        "/gradio_api/queue/join",
        {"fn_index": 1, "session_hash": "j1", "data": "x"},
        422,
    ),
    "not json": ("POST", "/gradio_api/queue/join", b"{nope", 422),
    "event_data": (
        "POST",
        "/gradio_api/queue/join",
        {"fn_index": 1, "session_hash": "j1", "data": ["x", None], "event_data": {"a": 1}},
        422,
    ),
    "example index": (
        "POST",
        "/gradio_api/run/predict",
        {"fn_index": 0, "session_hash": "j1", "data": [99]},
        422,
    ),
    "unknown api": ("POST", "/gradio_api/call/nope", {"data": ["x"]}, 404),
    "private api": ("POST", "/gradio_api/call/lambda", {"data": []}, 404),
    "run without fn": ("POST", "/gradio_api/run/predict", {"data": ["x", None]}, 404),
    "component_server": ("POST", "/gradio_api/component_server", {"junk": 1}, 404),
    "unknown session": ("GET", "/gradio_api/queue/data?session_hash=nobody", None, 404),
    "bad session": ("GET", "/gradio_api/queue/data?session_hash=%3Cscript%3E", None, 422),
    "unknown event": ("GET", f"/gradio_api/call/ask/{'0' * 32}", None, 404),
    "upload": ("POST", "/gradio_api/upload", {"files": []}, 404),
    "proxy": ("GET", "/gradio_api/proxy=http://127.0.0.1:1/x", None, 404),
    "stream": ("POST", "/gradio_api/stream/abc", {"data": []}, 404),
    "monitoring": ("GET", "/gradio_api/monitoring/summary", None, 404),
    "run history": ("GET", "/gradio_api/run-history/records", None, 404),
    "vibe": ("POST", "/gradio_api/vibe-edit/", {}, 404),
    "startup events": ("GET", "/gradio_api/startup-events", None, 404),
    "other page": ("GET", "/nothing-here", None, 404),
}


def send(server: LiveServer, method: str, path: str, body: Any) -> httpx.Response:
    if isinstance(body, bytes):
        headers = {"content-type": "application/json"}
        return httpx.request(method, f"{server.url}{path}", content=body, headers=headers)
    return httpx.request(method, f"{server.url}{path}", json=body, timeout=10)


@pytest.mark.parametrize(("method", "path", "body", "status"), JUNK.values(), ids=JUNK)
def test_junk_is_a_short_json_4xx_with_one_log_line(
    server: LiveServer,
    method: str,
    path: str,
    body: Any,
    status: int,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    with caplog.at_level(logging.INFO):
        response = send(server, method, path, body)
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"].startswith("application/json")
    detail = response.json()["detail"]
    assert CJK.search(detail) and len(response.content) < 200
    for leak in LEAKS:
        assert leak not in response.text
    logged = [r for r in caplog.records if r.name.startswith("app.")]
    assert len(logged) == 1 and "\n" not in logged[0].getMessage() and not logged[0].exc_info
    assert "Traceback" not in capfd.readouterr().err


# --- bounded state and a full queue ---------------------------------------------------------


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def junk_sessions(server: LiveServer, client: httpx.Client, sessions: range) -> int:
    """Each session sends the issue's 60 KB chat (refused) and a 1,000-character question it
    never reads the answer of; a full queue (429) is retried. The number of 429s."""
    fn_index, trigger = ask_event(server)
    big_chat = [{"role": "user", "content": "中" * 20_000}]  # 60 KB of UTF-8
    busy = 0
    for n in sessions:
        body = {"fn_index": fn_index, "trigger_id": trigger, "session_hash": f"junk{n}"}
        refused = client.post(
            "/gradio_api/queue/join", json={**body, "data": ["hi", big_chat, None]}
        )
        assert refused.status_code == 422
        while (
            r := client.post(
                "/gradio_api/queue/join", json={**body, "data": ["六稳" * 500, [], None]}
            )
        ).status_code == 429:
            busy += 1
            time.sleep(0.02)
        assert r.status_code == 200, r.text
    return busy


def test_a_thousand_junk_sessions_do_not_grow_memory(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, ui_max_sessions=200, ui_queue_size=16)
    app = create_app(settings, FakeQAService())
    with live_server_for(app) as live, httpx.Client(base_url=live.url, timeout=30) as client:
        junk_sessions(live, client, range(100))  # warm up: first calls allocate caches
        httpx.post(
            f"{live.url}/gradio_api/queue/join", json=join_body(live, "last0", ["六稳？", [], None])
        )
        read_stream(live, "last0")
        gc.collect()
        before, started = rss_mb(), time.monotonic()
        busy = junk_sessions(live, client, range(100, 1100))
        httpx.post(
            f"{live.url}/gradio_api/queue/join", json=join_body(live, "last", ["六稳？", [], None])
        )
        read_stream(live, "last")  # the queue is first in, first out: all junk is done
        gc.collect()
        grown = rss_mb() - before
        blocks = app.state.ui_blocks
        print(
            f"1000 junk sessions: RSS {before:.1f} -> {before + grown:.1f} MB (+{grown:.1f}),"
            f" {time.monotonic() - started:.1f} s, {busy} busy answers"
        )
        assert grown <= 20
        assert len(blocks.state_holder.session_data) <= settings.ui_max_sessions
        assert len(blocks._queue.pending_messages_per_session) <= settings.ui_max_sessions + 1


def test_a_full_queue_answers_busy_in_chinese(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path, ui_queue_size=2), SlowService(delay=1.0))
    with live_server_for(app) as live:
        statuses: list[httpx.Response] = []

        def post(body: dict[str, Any]) -> None:
            statuses.append(httpx.post(f"{live.url}/gradio_api/queue/join", json=body, timeout=20))

        bodies = [join_body(live, f"busy{n}", ["六稳是什么？", [], None]) for n in range(6)]
        threads = [threading.Thread(target=post, args=(body,)) for body in bodies]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    busy = [r for r in statuses if r.status_code == 429]
    assert busy and all(r.json() == {"detail": BUSY} for r in busy)
    assert any(r.status_code == 200 for r in statuses)


# --- the browser's copy of the conversation -------------------------------------------------


def load_event(server: LiveServer) -> int:
    """fn_index of the page's load event, whose one input is the stored conversation."""
    config = httpx.get(f"{server.url}/config", timeout=10).json()
    loads = (d for d in config["dependencies"] if any(t[1] == "load" for t in d["targets"]))
    return int(next(loads)["id"])


def stored_with(**change: Any) -> dict[str, Any]:
    item = {"q": "六稳是什么？", "a": "答[1]", "r": False, "c": [], "p": [], **change}
    return {"v": 1, "items": [item]}


TAMPERED = {
    "file object": file_data("/etc/passwd"),
    "file as question": stored_with(q=file_data("/etc/passwd")),
    "file as chunk id": stored_with(c=[[1, file_data("/etc/passwd"), []]]),
    "html list": ["<script>alert(1)</script>"],
    "huge text": stored_with(a="长" * 20_001),
    "extra key": {**stored_with(), "chat": chat_with("/etc/passwd")},
}


@pytest.mark.parametrize("stored", TAMPERED.values(), ids=TAMPERED)
def test_the_stored_conversation_takes_only_its_own_shape(server: LiveServer, stored: Any) -> None:
    body = {"fn_index": load_event(server), "session_hash": "stored1", "data": [stored]}
    started = time.time() - 1
    response = httpx.post(f"{server.url}/gradio_api/queue/join", json=body, timeout=20)
    assert response.status_code == 422 and CJK.search(response.json()["detail"])
    assert copies_of({"passwd"}, gradio_caches(server), since=started) == []


def test_a_stored_conversation_in_its_shape_is_restored(server: LiveServer) -> None:
    body = {"fn_index": load_event(server), "session_hash": "stored2", "data": [stored_with()]}
    response = httpx.post(f"{server.url}/gradio_api/queue/join", json=body, timeout=20)
    assert response.status_code == 200, response.text
    assert "六稳是什么？" in sse_data(read_stream(server, "stored2"))
