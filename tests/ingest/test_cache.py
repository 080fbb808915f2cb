"""The ingest cache: an unchanged corpus is read back, any change it depends on ingests again."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest

from ingest import cache, pipeline
from ingest.errors import IngestError
from ingest.pipeline import load_corpus
from tests.ingest.helpers import REPORT


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(REPORT, folder / REPORT.name)
    return folder


@pytest.fixture
def cache_dir(tmp_path: Path, shared_cache_dir: Path) -> Path:
    """A private cache with the shared tiktoken files (no ingest entries)."""
    folder = tmp_path / "cache"
    shutil.copytree(shared_cache_dir / "tiktoken", folder / "tiktoken")
    return folder


def _count_ingests(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    calls: list[Path] = []
    real = pipeline.ingest_path

    def counting(path: Path, **kwargs: object) -> pipeline.Ingested:
        calls.append(path)
        return real(path, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "ingest_path", counting)
    return calls


def test_an_unchanged_corpus_is_read_back_equal(
    corpus: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _count_ingests(monkeypatch)
    first = load_corpus(corpus, cache_dir=cache_dir)
    second = load_corpus(corpus, cache_dir=cache_dir)
    assert len(calls) == 1
    assert second == first and len(second[1]) > 100
    assert [p.suffix for p in (cache_dir / "ingest").iterdir()] == [".json"]


def test_an_edited_report_or_its_metadata_ingests_again(
    corpus: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _count_ingests(monkeypatch)
    _, before = load_corpus(corpus, cache_dir=cache_dir)
    source = corpus / REPORT.name
    source.write_text(
        source.read_text(encoding="utf-8").replace("织密织牢防控网络", "织密织牢防护网络"),
        encoding="utf-8",
    )
    _, edited = load_corpus(corpus, cache_dir=cache_dir)
    assert len(calls) == 2
    assert any("防护网络" in c.text for c in edited) and not any(
        "防护网络" in c.text for c in before
    )

    (corpus / f"{source.stem}.meta.json").write_text(
        json.dumps({"title": "另一个标题"}, ensure_ascii=False), encoding="utf-8"
    )
    documents, _ = load_corpus(corpus, cache_dir=cache_dir)
    assert len(calls) == 3 and documents[0].meta.title == "另一个标题"


def test_other_options_or_ingest_code_miss_the_cache(
    corpus: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _count_ingests(monkeypatch)
    load_corpus(corpus, cache_dir=cache_dir)
    _, smaller = load_corpus(corpus, cache_dir=cache_dir, max_tokens=200)
    assert len(calls) == 2 and max(c.n_tokens for c in smaller) <= 200
    monkeypatch.setattr(cache, "code_fingerprint", lambda: "another version of ingest/")
    load_corpus(corpus, cache_dir=cache_dir)
    assert len(calls) == 3


def test_the_fingerprint_covers_the_ingest_sources_and_data() -> None:
    files = {
        p.relative_to(cache.PACKAGE_DIR).as_posix()
        for p in cache.PACKAGE_DIR.rglob("*")
        if p.suffix in {".py", ".json"}
    }
    assert {"parse.py", "chunk.py", "data/five_year_plans.json", "data/regions.json"} <= files
    assert len(cache.code_fingerprint()) == 64


def test_an_unreadable_entry_is_ignored_and_replaced(
    corpus: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    expected = load_corpus(corpus, cache_dir=cache_dir)
    (entry,) = (cache_dir / "ingest").iterdir()
    entry.write_text('{"documents": [', encoding="utf-8")
    calls = _count_ingests(monkeypatch)
    with caplog.at_level(logging.WARNING, logger="ingest.cache"):
        assert load_corpus(corpus, cache_dir=cache_dir) == expected
    assert len(calls) == 1 and "unreadable ingest cache entry" in caplog.text
    assert json.loads(entry.read_text(encoding="utf-8"))["chunks"]


def test_a_cached_report_repeats_its_warnings(
    tmp_path: Path, cache_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    source = tmp_path / "undated.txt"
    source.write_text("政府工作报告\n\n一、工作回顾\n\n我们推进了各项工作。\n", encoding="utf-8")
    for _ in range(2):
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            load_corpus(source, cache_dir=cache_dir)
        assert "year" in caplog.text.lower() or "年份" in caplog.text


def test_a_missing_file_still_fails_with_the_ingest_error(tmp_path: Path, cache_dir: Path) -> None:
    with pytest.raises(IngestError):
        load_corpus(tmp_path / "nowhere.txt", cache_dir=cache_dir)
