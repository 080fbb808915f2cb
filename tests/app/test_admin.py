"""The admin routes over a real managed library (tests/app/managed.py): token required (401,
403), an upload checked (type, size, text, name, duplicates: 4xx, corpus and index unchanged)
and served as soon as the response comes, delete and reload, progress."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.api import create_app
from app.config import Settings
from app.factory import build_service
from tests.app.managed import TOKEN, auth, managed, managed_settings
from tests.fakes import SlowPassages
from tests.reports import Library, make_library, report_text

CJK = range(0x4E00, 0xA000)


def served_app(root: Path) -> Iterator[tuple[TestClient, Library, Settings]]:
    library, settings, service = managed(root, max_upload_bytes=8192, reload_interval=0)
    with TestClient(create_app(settings, service, ui=False)) as client:
        yield client, library, settings


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[TestClient, Library, Settings]]:
    yield from served_app(tmp_path)


@pytest.fixture(scope="module")
def untouched(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[TestClient, Library, Settings]]:
    """One app for the tests that show a request changes nothing."""
    yield from served_app(tmp_path_factory.mktemp("untouched"))


@pytest.fixture
def client(setup: tuple[TestClient, Library, Settings]) -> TestClient:
    return setup[0]


@pytest.fixture
def library(setup: tuple[TestClient, Library, Settings]) -> Library:
    return setup[1]


def upload(client: TestClient, name: str, data: bytes, token: str | None = TOKEN) -> object:
    headers = auth(token) if token is not None else {}
    files = {"file": (name, data, "text/plain")}
    return client.post("/api/admin/documents", files=files, headers=headers)


def served(client: TestClient) -> list[str]:
    return [d["doc_id"] for d in client.get("/api/documents").json()["documents"]]


def chinese_detail(response: object, status: int) -> str:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    detail = str(response.json()["detail"])  # type: ignore[attr-defined]
    assert any(ord(c) in CJK for c in detail) and "/tmp" not in detail, detail
    return detail


ROUTES = [
    ("POST", "/api/admin/documents"),
    ("DELETE", "/api/admin/documents/baishui-2026"),
    ("POST", "/api/admin/reload"),
    ("GET", "/api/admin/progress"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_every_admin_route_needs_the_token(
    untouched: tuple[TestClient, Library, Settings], method: str, path: str
) -> None:
    client, library, _ = untouched
    version = library.version
    missing = client.request(method, path)
    assert "管理令牌" in chinese_detail(missing, 401)
    assert missing.headers["www-authenticate"] == "Bearer"
    wrong = client.request(method, path, headers=auth("not-the-token"))
    assert "不正确" in chinese_detail(wrong, 403)
    basic = client.request(method, path, headers={"Authorization": "Basic czNjcmV0"})
    assert basic.status_code == 401
    assert library.version == version and served(client) == ["qingshan-2026", "baishui-2026"]


def test_an_upload_is_served_when_the_response_comes(client: TestClient, library: Library) -> None:
    response = upload(client, "honghe-2026.txt", report_text("honghe").encode())
    assert response.status_code == 201, response.text
    body = response.json()
    assert [d["doc_id"] for d in body["added"]] == ["honghe-2026"]
    assert body["added"][0]["title"] == "2026年红河市政府工作报告" and body["embedded"] > 0
    assert "honghe-2026" in served(client) and "honghe-2026.txt" in library.corpus()
    health = client.get("/api/health").json()
    assert health["index_version"] == body["index_version"] == library.version.name
    ask = {"question": "咖啡产业实现产值多少亿元？", "doc_ids": ["honghe-2026"]}
    answer = client.post("/api/ask", json=ask).json()
    assert all(c["doc_id"] == "honghe-2026" for c in answer["passages"])
    assert "honghe-2026" in str(client.get("/openapi.json").json())  # the schema lists it
    progress = client.get("/api/admin/progress", headers=auth()).json()
    assert progress["state"] == "done" and "红河市" in progress["message"]


def binary() -> bytes:
    return b"\x00\x01\x02PK\x03\x04" * 100


BAD_UPLOADS = {
    "binary": ("binary.txt", binary(), 422, "不是文本"),
    "empty": ("empty.txt", b"", 422, "为空"),
    "oversized": ("big.txt", report_text("honghe").encode() * 20, 413, "过大"),
    "unsupported": ("tool.exe", report_text("honghe").encode(), 415, "不支持的文件类型"),
    "dotdot": ("../../evil.txt", report_text("honghe").encode(), 422, "目录"),
    "backslash": ("..\\..\\evil.txt", report_text("honghe").encode(), 422, "目录"),
    "same content": ("another-name.txt", report_text("qingshan").encode(), 409, "内容相同"),
    "same name": ("qingshan-2026.txt", report_text("jinsha").encode(), 409, "同名文件"),
}


@pytest.mark.parametrize(
    ("name", "data", "status", "message"), BAD_UPLOADS.values(), ids=BAD_UPLOADS
)
def test_bad_uploads_are_refused_and_change_nothing(
    untouched: tuple[TestClient, Library, Settings],
    name: str,
    data: bytes,
    status: int,
    message: str,
) -> None:
    client, library, settings = untouched
    version, corpus = library.version, library.corpus()
    detail = chinese_detail(upload(client, name, data), status)
    assert message in detail
    assert library.version == version and library.corpus() == corpus
    assert served(client) == ["qingshan-2026", "baishui-2026"]
    assert not list(settings.cache_dir.parent.parent.rglob("evil.txt"))
    uploads = library.config.cache_dir / "uploads"
    assert not uploads.exists() or not any(uploads.iterdir()), "no upload is left behind"


def test_a_body_far_over_the_limit_is_refused_before_it_is_read(
    untouched: tuple[TestClient, Library, Settings],
) -> None:
    client, library, _ = untouched
    huge = b"x" * (8192 + 70_000)
    detail = chinese_detail(upload(client, "huge.txt", huge), 413)
    assert "字节" in detail and library.corpus() == ["baishui-2026.txt", "qingshan-2026.txt"]


def test_not_multipart_is_a_422(untouched: tuple[TestClient, Library, Settings]) -> None:
    client = untouched[0]
    response = client.post("/api/admin/documents", json={"file": "x"}, headers=auth())
    assert "multipart" in chinese_detail(response, 422)


def test_delete_removes_the_report_from_what_is_served(
    client: TestClient, library: Library
) -> None:
    response = client.delete("/api/admin/documents/baishui-2026", headers=auth())
    assert response.status_code == 200, response.text
    assert response.json()["removed"] == ["baishui-2026"] and response.json()["embedded"] == 0
    assert served(client) == ["qingshan-2026"] and library.corpus() == ["qingshan-2026.txt"]
    assert "没有报告" in chinese_detail(
        client.delete("/api/admin/documents/baishui-2026", headers=auth()), 404
    )
    assert "最后一份" in chinese_detail(
        client.delete("/api/admin/documents/qingshan-2026", headers=auth()), 422
    )


def test_reload_serves_a_version_published_elsewhere(client: TestClient, library: Library) -> None:
    from index.library import remove_report

    remove_report(library.config, "baishui-2026")  # as `reportqa remove` would, meanwhile
    assert served(client) == ["qingshan-2026", "baishui-2026"]  # the watcher is off here
    first = client.post("/api/admin/reload", headers=auth()).json()
    assert first == {
        "reloaded": True,
        "index_version": library.version.name,
        "documents": ["qingshan-2026"],
    }
    assert served(client) == ["qingshan-2026"]
    assert client.post("/api/admin/reload", headers=auth()).json()["reloaded"] is False


def test_the_old_index_answers_while_an_upload_is_embedded(tmp_path: Path) -> None:
    library = make_library(tmp_path / "library")
    settings = managed_settings(library, tmp_path, reload_interval=0)
    embedder = SlowPassages()
    service = build_service(settings, embedder=embedder)
    with TestClient(create_app(settings, service, ui=False)) as client:
        result: dict[str, Any] = {}
        data = report_text("honghe").encode()
        uploading = threading.Thread(
            target=lambda: result.update(response=upload(client, "honghe-2026.txt", data))
        )
        uploading.start()
        assert embedder.embedding.wait(20)
        progress = client.get("/api/admin/progress", headers=auth()).json()
        assert (progress["state"], progress["stage"]) == ("running", "embed")
        assert served(client) == ["qingshan-2026", "baishui-2026"]  # the old index, whole
        assert client.post("/api/ask", json={"question": "茶叶产业产值多少？"}).status_code == 200
        busy = upload(client, "jinsha-2026.txt", report_text("jinsha").encode())
        assert "正在进行" in chinese_detail(busy, 409)
        uploading.join(timeout=30)
        assert result["response"].status_code == 201
        assert "honghe-2026" in served(client)
