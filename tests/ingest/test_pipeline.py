"""Pipeline: corpus ingest, JSONL round trip (atomic), statistics."""

from __future__ import annotations

import json
import shutil
import statistics
from collections.abc import Callable
from pathlib import Path

import pytest

from ingest.chunks_io import read_chunks_jsonl, write_chunks_jsonl
from ingest.errors import EmptyFileError, IngestError
from ingest.models import Chunk, Document
from ingest.pipeline import corpus_chunks, expand_paths, ingest_corpus, stats
from tests.ingest.helpers import REPORT

Counter = Callable[[str], int]


def test_jsonl_round_trip(tmp_path: Path, report_chunks: list[Chunk]) -> None:
    out = tmp_path / "nested" / "chunks.jsonl"
    assert write_chunks_jsonl(report_chunks, out) == len(report_chunks)
    raw = out.read_text(encoding="utf-8")
    assert "织密织牢防控网络" in raw  # ensure_ascii=False
    lines = raw.splitlines()
    assert len(lines) == len(report_chunks)
    assert json.loads(lines[0]) == report_chunks[0].to_dict()
    assert read_chunks_jsonl(out) == report_chunks
    assert [p.name for p in out.parent.iterdir()] == ["chunks.jsonl"]  # no temp file left


def test_failed_write_keeps_the_old_file(tmp_path: Path, report_chunks: list[Chunk]) -> None:
    out = tmp_path / "chunks.jsonl"
    write_chunks_jsonl(report_chunks[:3], out)
    before = out.read_bytes()

    def broken() -> object:
        yield from report_chunks[:2]
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        write_chunks_jsonl(broken(), out)  # type: ignore[arg-type]
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["chunks.jsonl"]


def test_invalid_jsonl_line_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"chunk_id": "x"}\n', encoding="utf-8")
    with pytest.raises(IngestError, match="第 1 行"):
        read_chunks_jsonl(path)


def test_stats_of_the_real_report(report_doc: Document, report_chunks: list[Chunk]) -> None:
    result = stats(report_doc, report_chunks)
    # 9 subsections 第一，… under 三 and 6 一是 … 六是 under 二
    assert (result.sections, result.subsections, result.glossary_entries, result.pages) == (
        3,
        15,
        26,
        36,
    )
    assert (result.region, result.level, result.year, result.dropped_chars) == (
        "自贡市",
        "市",
        2021,
        0,
    )
    assert result.chunks == len(report_chunks)
    tokens = [c.n_tokens for c in report_chunks]
    assert (result.tokens_min, result.tokens_max) == (min(tokens), max(tokens))
    assert result.tokens_median == statistics.median(tokens)
    assert result.tokens_max <= 256
    all_paragraphs = report_doc.clean_text.count("\n") + 1
    # heading paragraphs: 3 top sections, 9 第一，…; the 一是 headings open paragraphs
    title, opening, headings, glossary = len(report_doc.title_block), 2, 3 + 9, 1 + 26
    assert result.paragraphs == all_paragraphs - title - opening - headings - glossary
    assert result.footnote_refs == len(report_doc.footnote_refs) == 26


def test_corpus_directory(tmp_path: Path, count_tokens: Counter) -> None:
    shutil.copy(REPORT, tmp_path / REPORT.name)
    shutil.copy(REPORT.with_name(REPORT.stem + ".meta.json"), tmp_path)
    (tmp_path / "other.md").write_text("# 另一份报告\n\n一、工作回顾\n\n正文。\n", encoding="utf-8")
    (tmp_path / "notes.csv").write_text("a,b\n", encoding="utf-8")
    assert [p.name for p in expand_paths(tmp_path)] == ["other.md", REPORT.name]
    results = ingest_corpus(tmp_path, count_tokens=count_tokens)
    assert [d.meta.doc_id for d, _ in results] == ["other", "zigong-2021"]
    assert all(c.doc_id == d.meta.doc_id for d, chunks in results for c in chunks)


def test_duplicate_doc_ids_are_refused(tmp_path: Path, count_tokens: Counter) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "same.txt").write_text("标题\n正文。\n", encoding="utf-8")
    with pytest.raises(IngestError, match="same"):
        ingest_corpus(
            [tmp_path / "a" / "same.txt", tmp_path / "b" / "same.txt"], count_tokens=count_tokens
        )


def test_one_bad_file_fails_the_corpus(tmp_path: Path, count_tokens: Counter) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    with pytest.raises(EmptyFileError, match="empty.txt"):
        ingest_corpus([REPORT, tmp_path / "empty.txt"], count_tokens=count_tokens)


def test_empty_directory(tmp_path: Path, count_tokens: Counter) -> None:
    with pytest.raises(IngestError, match="没有可导入的文件"):
        ingest_corpus(tmp_path, count_tokens=count_tokens)


def test_corpus_chunks_with_progress(
    tmp_path: Path, shared_cache_dir: Path, report_chunks: list[Chunk]
) -> None:
    shutil.copy(REPORT, tmp_path / REPORT.name)
    shutil.copy(REPORT.with_name(REPORT.stem + ".meta.json"), tmp_path)
    (tmp_path / "zz-other.md").write_text("# 另一份报告\n\n正文。\n", encoding="utf-8")
    chunks = corpus_chunks(tmp_path, cache_dir=shared_cache_dir, progress=True)
    assert chunks[: len(report_chunks)] == report_chunks
    assert [c.section_path for c in chunks[len(report_chunks) :]] == [("标题",), ("正文",)]
