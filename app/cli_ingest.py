"""`reportqa ingest PATH... --out chunks.jsonl [--stats | --json]`: the CLI edge of ingest/."""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path

import click

from ingest.chunks_io import write_chunks_jsonl
from ingest.errors import ReportQAError
from ingest.pipeline import (
    IngestStats,
    expand_paths,
    ingest_corpus,
    progress_bar,
    stats,
)

PROGRESS_MIN_FILES = 2  # a progress bar from this many input files on


@click.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", required=True, type=click.Path(path_type=Path), help="输出的 JSONL 分块文件")
@click.option("--stats", "show_stats", is_flag=True, help="打印结构与分块统计")
@click.option(
    "--json", "as_json", is_flag=True, help="在标准输出打印 JSON 数组：每份文档的元数据与结构统计"
)
@click.option(
    "--max-tokens", type=click.IntRange(32, 8192), default=None, help="每块的词元上限（默认取配置）"
)
@click.option(
    "--cache-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="分词表缓存目录（默认取配置）",
)
def ingest_cmd(
    paths: tuple[Path, ...],
    out: Path,
    show_stats: bool,
    as_json: bool,
    max_tokens: int | None,
    cache_dir: Path | None,
) -> None:
    """把报告文件（.txt/.md/.docx/.pdf 或目录）切分为带出处的分块，写入 JSONL。"""
    from app.config import get_settings
    from ingest.tokens import token_counter

    settings = get_settings()
    started = time.perf_counter()
    try:
        count_tokens = token_counter(cache_dir or settings.cache_dir)
        files = expand_paths(paths)
        results = ingest_corpus(
            files,
            max_tokens=max_tokens or settings.max_tokens,
            count_tokens=count_tokens,
            progress=progress_bar if show_stats and len(files) >= PROGRESS_MIN_FILES else iter,
        )
        written = write_chunks_jsonl((c for _, chunks in results for c in chunks), out)
    except ReportQAError as error:
        raise click.ClickException(str(error)) from error
    except OSError as error:
        raise click.ClickException(f"无法写入 {out}：{error.strerror or error}") from error
    elapsed = time.perf_counter() - started
    summary = [stats(document, chunks) for document, chunks in results]
    if as_json:
        click.echo(json.dumps([asdict(s) for s in summary], ensure_ascii=False, indent=2))
        return
    if show_stats:
        for s in summary:
            click.echo(_format(s))
    click.echo(f"已写入 {written} 个分块（{len(results)} 份文档）→ {out}，用时 {elapsed:.2f} 秒")


def _format(s: IngestStats) -> str:
    pages = "无分页" if s.pages is None else f"页 {s.pages}"
    periods = "；".join(f"{title}={'/'.join(p)}" for title, p in s.periods.items())
    lines = [
        f"{s.doc_id}：{s.title}（{s.region or '地区未知'}，{s.level or '-'}，{s.year or '年份未知'}，"
        f"{s.date or '日期未知'}，{s.speaker or '报告人未知'}）",
        f"  {pages}，一级章节 {s.sections}，下级章节 {s.subsections}，附件 {s.annexes}，"
        f"段落 {s.paragraphs}，注释条目 {s.glossary_entries}，注释引用 {s.footnote_refs}，"
        f"分块 {s.chunks}，去除网页字符 {s.dropped_chars}，"
        f"词元 最少 {s.tokens_min} / 中位 {s.tokens_median:g} / 最多 {s.tokens_max}",
        f"  时期：{periods}",
    ]
    lines.extend(f"  警告：{w}" for w in s.warnings)
    return "\n".join(lines)
