"""`reportqa add` and `reportqa remove` end to end with the real model: only the new report is
embedded, a running server answers from it without a restart, and once it is removed the
answers on the other report are what they were."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from click.testing import CliRunner

from app.api import create_app
from app.cli import main
from app.config import REPO_ROOT, Settings
from app.factory import build_service
from index.embedder import Embedder, Kind
from index.store import IndexStore, embedder_key, passage_text, sentence_texts
from index.vector_cache import VectorCache
from ingest.models import Chunk
from ingest.pipeline import ingest_path
from ingest.tokens import token_counter
from tests.app.live import LiveServer, free_port, live_server_for

pytestmark = pytest.mark.slow

ZIGONG = REPO_ROOT / "data" / "corpus"
BEIJING = REPO_ROOT / "data" / "library" / "beijing-2026-government-work-report.txt"
NEW_ID = "beijing-2026-excerpt"
QUESTIONS = (
    "2021年地区生产总值预期增长多少？",
    "“六稳”是指什么？",
    "2020年规模以上工业增加值增长了多少？",
    "2022年自贡GDP增长目标是多少？",
)


class Spy(Embedder):
    """The real embedder, recording every passage text it is asked to embed."""

    def __init__(self, inner: Embedder) -> None:
        self.inner, self.passages = inner, []  # type: ignore[var-annotated]
        self.model_id, self.dim = inner.model_id, inner.dim
        self.backend, self.precision = inner.backend, inner.precision

    def encode(self, texts: Sequence[str], *, kind: Kind) -> np.ndarray:
        if kind == "passage":
            self.passages.extend(texts)
        return self.inner.encode(texts, kind=kind)


def texts_of(chunks: Sequence[Chunk]) -> set[str]:
    return {t for c in chunks for t in (passage_text(c), *sentence_texts(c))}


def excerpt(target: Path, chars: int = 5200) -> Path:
    """The first pages of a real report (whole lines), as a report of its own."""
    lines, total = [], 0
    for line in BEIJING.read_text(encoding="utf-8").splitlines():
        lines.append(line)
        total += len(line)
        if total >= chars:
            break
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def seeded_index(index_dir: Path, built: Path) -> Path:
    """`index_dir` pointing at a copy of the index version `built` (the session's index of
    the bundled report), so that nothing is embedded to set up."""
    version = index_dir.parent / f".{index_dir.name}.versions" / built.name
    shutil.copytree(built, version)
    index_dir.symlink_to(version)
    return index_dir


@pytest.fixture
def setup(
    tmp_path: Path,
    session_settings: Settings,
    real_service: Any,
    real_embedder: Embedder,
    monkeypatch: pytest.MonkeyPatch,
    clean_env: None,
) -> Iterator[tuple[LiveServer, Settings, Spy]]:
    """A live server over the bundled report, with an empty vector cache of its own: what
    `reportqa add` embeds is then exactly what no index holds."""
    corpus = tmp_path / "corpus"
    shutil.copytree(ZIGONG, corpus)
    settings = session_settings.model_copy(
        update={
            "corpus_dir": corpus,
            "index_dir": seeded_index(tmp_path / "index", session_settings.index_dir.resolve()),
            "cache_dir": tmp_path / "cache",
            "port": free_port(),
            "reload_interval": 0.2,
        }
    )
    for name, value in (("CORPUS_DIR", corpus), ("INDEX_DIR", settings.index_dir)):
        monkeypatch.setenv(f"REPORTQA_{name}", str(value))
    monkeypatch.setenv("REPORTQA_CACHE_DIR", str(settings.cache_dir))
    spy = Spy(real_embedder)
    monkeypatch.setattr("app.factory.build_embedder", lambda *a, **k: spy)
    service = build_service(settings, embedder=real_embedder)
    with live_server_for(create_app(settings, service, ui=False)) as server:
        yield server, settings, spy


def answers(server: LiveServer) -> list[dict[str, Any]]:
    out = []
    for question in QUESTIONS:
        body = httpx.post(f"{server.url}/api/ask", json={"question": question}, timeout=60).json()
        body.pop("timings_ms")
        out.append(body)
    return out


def eventually(check: Callable[[], bool], seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.1)


def served(server: LiveServer) -> list[str]:
    documents = httpx.get(f"{server.url}/api/documents", timeout=10).json()["documents"]
    return [d["doc_id"] for d in documents]


def test_add_then_remove_a_real_report_while_serving(
    setup: tuple[LiveServer, Settings, Spy], tmp_path: Path
) -> None:
    server, settings, spy = setup
    before = answers(server)
    old_texts = texts_of(IndexStore.load(settings.index_dir).chunks)
    source = excerpt(tmp_path / f"{NEW_ID}.txt")
    new_texts = texts_of(ingest_path(source, count_tokens=token_counter(settings.cache_dir))[1])
    assert not VectorCache(settings.cache_dir, embedder_key(spy)).get(sorted(new_texts))
    expected = new_texts - old_texts  # what the add has to embed
    assert len(expected) > 100

    added = CliRunner().invoke(main, ["add", str(source)])
    assert added.exit_code == 0, added.output
    assert f"已添加：《2026年北京市政府工作报告》（{NEW_ID}，" in added.output
    assert sorted(spy.passages) == sorted(expected), "only the new report's new texts"
    assert f"新向量化 {len(expected)} 段文字" in added.output
    print(f"add: {len(new_texts)} texts in the new report, {len(expected)} embedded")

    eventually(lambda: NEW_ID in served(server))  # no restart
    asked = {"question": "2025年北京市地区生产总值增长了多少？", "doc_ids": [NEW_ID]}
    answer = httpx.post(f"{server.url}/api/ask", json=asked, timeout=60).json()
    assert "5.4%" in answer["answer"] and answer["citations"][0]["doc_id"] == NEW_ID

    removed = CliRunner().invoke(main, ["remove", NEW_ID])
    assert removed.exit_code == 0, removed.output
    eventually(lambda: NEW_ID not in served(server))
    assert not (settings.corpus_dir / source.name).exists()
    assert answers(server) == before, "the other report's answers are unchanged"
