"""Hot reload (app/reload.py): a running server serves each new index version without a
restart, in-flight requests finish on the version they started with, a broken version is not
served, and under concurrent load every response comes from one complete version."""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from app.api import create_app
from app.models import Answer, Turn
from app.service import ServiceInfo
from index.library import add_reports, remove_report
from index.manifest import read_manifest
from tests.app.fakes import FakeQAService
from tests.app.live import live_server_for, make_settings
from tests.app.managed import auth, managed
from tests.fakes import HashEmbedder
from tests.reports import Library, write_report


def eventually(check: Callable[[], bool], seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.05)


class VersionedService(FakeQAService):
    """A fake that says which index version it serves; `gate` holds its answers."""

    def __init__(self, version: str, gate: threading.Event | None = None) -> None:
        super().__init__()
        self.version, self.gate = version, gate
        self.answering = threading.Event()

    def answer(
        self,
        question: str,
        history: Sequence[Turn] = (),
        top_k: int = 5,
        doc_ids: Sequence[str] | None = None,
    ) -> Answer:
        self.answering.set()
        if self.gate is not None:
            assert self.gate.wait(10)
        answer = super().answer(question, history, top_k, doc_ids)
        return replace(answer, text=f"{self.version}:{answer.text}")

    def info(self) -> ServiceInfo:
        return replace(super().info(), index_version=self.version)

    def reloaded(self, version_dir: Path) -> VersionedService:
        return VersionedService(version_dir.name)


def point(link: Path, target: Path) -> None:
    """Swap `link` to `target` atomically, as IndexStore.save does."""
    fresh = link.with_name(link.name + ".new")
    fresh.symlink_to(target)
    fresh.replace(link)


def test_an_in_flight_request_finishes_on_the_version_it_started_with(tmp_path: Path) -> None:
    for name in ("v1", "v2"):
        (tmp_path / name).mkdir()
    link = tmp_path / "index"
    point(link, tmp_path / "v1")
    gate = threading.Event()
    old = VersionedService("v1", gate)
    settings = make_settings(tmp_path, admin_token="t0ken", reload_interval=0)
    settings = settings.model_copy(update={"index_dir": link})
    with TestClient(create_app(settings, old, ui=False)) as client:
        result: dict[str, Any] = {}
        asking = threading.Thread(
            target=lambda: result.update(
                client.post("/api/ask", json={"question": "六稳？"}).json()
            )
        )
        asking.start()
        assert old.answering.wait(10)
        point(link, tmp_path / "v2")
        reloaded = client.post("/api/admin/reload", headers=auth("t0ken")).json()
        assert reloaded["reloaded"] and reloaded["index_version"] == "v2"
        assert client.get("/api/health").json()["index_version"] == "v2"
        assert client.post("/api/ask", json={"question": "六稳？"}).json()["answer"][:3] == "v2:"
        gate.set()
        asking.join(timeout=10)
    assert result["answer"].startswith("v1:"), "the request that started on v1 ends on v1"


def test_a_version_published_by_the_cli_is_served_without_a_restart(tmp_path: Path) -> None:
    library, settings, service = managed(tmp_path, reload_interval=0.2)
    with TestClient(create_app(settings, service, ui=False)) as client:
        add_reports(library.config, [write_report(tmp_path / "in", "honghe")], HashEmbedder)

        def documents() -> list[str]:
            return [d["doc_id"] for d in client.get("/api/documents").json()["documents"]]

        eventually(lambda: "honghe-2026" in documents())
        assert client.get("/api/health").json()["index_version"] == library.version.name
        assert "honghe-2026" in str(client.get("/openapi.json").json())
        remove_report(library.config, "honghe-2026")
        eventually(lambda: "honghe-2026" not in documents())


def test_a_broken_version_is_not_served_and_logged_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    library, settings, service = managed(tmp_path, reload_interval=0.1)
    good = library.version
    spare = shutil.copytree(good, good.with_name(good.name + "-copy"), symlinks=True)
    broken = good.with_name("v-broken")
    shutil.copytree(good, broken)
    (broken / "bm25.json").write_text("{", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="app.reload"):
        with TestClient(create_app(settings, service, ui=False)) as client:
            point(library.config.index_dir, broken)
            time.sleep(1.0)  # ten looks at the link
            assert client.get("/api/health").json()["index_version"] == good.name
            point(library.config.index_dir, spare)
            eventually(lambda: client.get("/api/health").json()["index_version"] == spare.name)
    warnings = [r for r in caplog.records if "not served" in r.getMessage()]
    assert len(warnings) == 1 and "bm25.json" in warnings[0].getMessage()


# --- under load -----------------------------------------------------------------------------

QUESTIONS = ("2026年地区生产总值预期增长多少？", "城镇新增就业多少万人？", "茶叶产业产值多少？")


class Clients:
    """Threads that ask and read /api/health until stopped; every outcome recorded."""

    def __init__(self, url: str, n: int) -> None:
        self.url, self.stop = url, threading.Event()
        self.lock = threading.Lock()
        self.errors: list[str] = []
        self.health: list[tuple[str, tuple[str, ...], int]] = []
        self.cited: set[str] = set()
        self.asks = 0
        self.threads = [threading.Thread(target=self.run, args=(i,)) for i in range(n)]

    def latest(self) -> str:
        with self.lock:
            return self.health[-1][0] if self.health else ""

    def run(self, n: int) -> None:
        with httpx.Client(base_url=self.url, timeout=30) as client:
            while not self.stop.is_set():
                n += 1
                self.one(client, QUESTIONS[n % len(QUESTIONS)])

    def one(self, client: httpx.Client, question: str) -> None:
        asked = client.post("/api/ask", json={"question": question})
        health = client.get("/api/health")
        with self.lock:
            for r in (asked, health):
                if r.status_code != 200:
                    self.errors.append(f"{r.request.url.path}: {r.status_code} {r.text[:200]}")
            if asked.status_code == health.status_code == 200:
                self.asks += 1
                self.cited |= {p["doc_id"] for p in asked.json()["passages"]}
                h = health.json()
                self.health.append((h["index_version"], tuple(h["documents"]), h["chunk_count"]))


def published(library: Library) -> tuple[str, tuple[tuple[str, ...], int]]:
    m = read_manifest(library.version)
    return library.version.name, (m.documents, m.chunk_count)


def test_reload_under_concurrent_load_serves_only_complete_versions(tmp_path: Path) -> None:
    library, settings, service = managed(tmp_path, reload_interval=0.1)
    versions = dict([published(library)])
    incoming = write_report(tmp_path / "in", "honghe")
    with live_server_for(create_app(settings, service, ui=False)) as server:
        clients = Clients(server.url, n=4)
        for thread in clients.threads:
            thread.start()
        for _ in range(2):
            add_reports(library.config, [incoming], HashEmbedder)
            versions.update([published(library)])
            eventually(lambda: clients.latest() == library.version.name)
            remove_report(library.config, "honghe-2026")
            versions.update([published(library)])
            eventually(lambda: clients.latest() == library.version.name)
        clients.stop.set()
        for thread in clients.threads:
            thread.join(timeout=30)
    seen = {version for version, _, _ in clients.health}
    print(
        f"reload under load: {clients.asks} asks + {len(clients.health)} health reads by 4 "
        f"clients over {len(versions)} versions ({len(seen)} seen), {len(clients.errors)} errors"
    )
    assert clients.errors == []
    assert len(seen) >= 4, "the clients saw the swaps"
    for version, documents, chunks in clients.health:
        assert versions[version] == (documents, chunks), "every response from one whole version"
    assert clients.cited <= {"qingshan-2026", "baishui-2026", "honghe-2026"}
