"""`reportqa ingest` through click's CliRunner: output file, --stats, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli_ingest import ingest_cmd
from ingest.chunks_io import read_chunks_jsonl
from ingest.models import Chunk
from tests.ingest.helpers import REPORT


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


def test_ingest_writes_chunks_and_stats(
    runner: CliRunner, tmp_path: Path, shared_cache_dir: Path, report_chunks: list[Chunk]
) -> None:
    out = tmp_path / "chunks.jsonl"
    args = [str(REPORT), "--out", str(out), "--stats", "--cache-dir", str(shared_cache_dir)]
    result = runner.invoke(ingest_cmd, args)
    assert result.exit_code == 0, result.output
    assert read_chunks_jsonl(out) == report_chunks
    assert "页 36，一级章节 3，下级章节 15" in result.output and "注释条目 26" in result.output
    assert f"分块 {len(report_chunks)}" in result.output
    first = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert first["kind"] == "title" and first["section_path"] == ["标题"]


def test_max_tokens_option(runner: CliRunner, tmp_path: Path, shared_cache_dir: Path) -> None:
    out = tmp_path / "small.jsonl"
    args = [
        str(REPORT),
        "--out",
        str(out),
        "--max-tokens",
        "64",
        "--cache-dir",
        str(shared_cache_dir),
    ]
    result = runner.invoke(ingest_cmd, args)
    assert result.exit_code == 0, result.output
    assert max(c.n_tokens for c in read_chunks_jsonl(out)) <= 64


def test_cache_dir_defaults_to_settings(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REPORTQA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "")  # restored after the test
    result = runner.invoke(ingest_cmd, [str(REPORT), "--out", str(tmp_path / "c.jsonl")])
    assert result.exit_code == 0, result.output
    assert list((tmp_path / "cache" / "tiktoken").iterdir())


def test_several_files_with_progress(
    runner: CliRunner, tmp_path: Path, shared_cache_dir: Path
) -> None:
    other = tmp_path / "other.md"
    other.write_text("# 另一份报告\n\n一、工作回顾\n\n正文。\n", encoding="utf-8")
    out = tmp_path / "all.jsonl"
    args = [
        str(REPORT),
        str(other),
        "--out",
        str(out),
        "--stats",
        "--cache-dir",
        str(shared_cache_dir),
    ]
    result = runner.invoke(ingest_cmd, args)
    assert result.exit_code == 0, result.output
    assert {c.doc_id for c in read_chunks_jsonl(out)} == {"zigong-2021", "other"}
    assert "2 份文档" in result.output


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "文件为空"),
        ("binary.txt", b"\x00\x01\x02", "二进制"),
        ("gbk-broken.txt", b"\xff\xfe\xfd" * 10, "无法解码"),
        ("slides.pptx", b"PK", "不支持的文件类型"),
    ],
)
def test_errors_are_one_line_and_nothing_is_written(
    runner: CliRunner,
    tmp_path: Path,
    shared_cache_dir: Path,
    name: str,
    data: bytes,
    message: str,
) -> None:
    bad = tmp_path / name
    bad.write_bytes(data)
    out = tmp_path / "chunks.jsonl"
    args = [str(REPORT), str(bad), "--out", str(out), "--cache-dir", str(shared_cache_dir)]
    result = runner.invoke(ingest_cmd, args)
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0]
    assert name in lines[0]
    assert not out.exists() and list(tmp_path.iterdir()) == [bad]


def test_missing_path_is_an_error(
    runner: CliRunner, tmp_path: Path, shared_cache_dir: Path
) -> None:
    out = tmp_path / "chunks.jsonl"
    args = [str(tmp_path / "nope.txt"), "--out", str(out), "--cache-dir", str(shared_cache_dir)]
    result = runner.invoke(ingest_cmd, args)
    assert result.exit_code != 0 and "文件不存在" in result.output and not out.exists()
