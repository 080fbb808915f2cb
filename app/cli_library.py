"""`reportqa add|list|remove`: manage the library of reports (the CLI edge of index/library.py)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import click

STAGES = {
    "ingest": "校验并导入文件",
    "embed": "向量化新报告",
    "index": "重建检索索引（BM25、FAISS）",
    "publish": "发布新索引版本",
}
RELOAD_HINT = "运行中的服务会自动载入新索引（无需重启）。"


class StageEcho:
    """Progress on stderr: one line per stage, a bar while the new texts are embedded."""

    def __init__(self) -> None:
        self.stage = ""
        self.bar: Any = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage:
            self._close()
            self.stage = stage
            click.echo(f"{STAGES.get(stage, stage)}……", err=True)
            if stage == "embed" and total:
                from tqdm import tqdm

                self.bar = tqdm(total=total, desc="向量化", unit="段", leave=False)
        if self.bar is not None:
            self.bar.update(done - self.bar.n)

    def _close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _settings_and_config() -> tuple[Any, Any]:
    from app.config import get_settings
    from app.factory import library_config

    settings = get_settings()
    return settings, library_config(settings)


@click.command("add")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def add_cmd(paths: tuple[Path, ...]) -> None:
    """Add report files (.txt/.md/.docx/.pdf, with an optional .meta.json beside each):
    copied into the corpus directory; only they are embedded."""
    from app.factory import build_embedder
    from index.library import add_reports

    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    settings, config = _settings_and_config()
    echo = StageEcho()
    change = add_reports(config, paths, lambda: build_embedder(settings, progress=True), echo)
    echo._close()
    for info in change.added:
        chunks = change.chunks_per_document.get(info.doc_id, 0)
        click.echo(f"已添加：《{info.meta.title}》（{info.doc_id}，{chunks} 个段落）")
    click.echo(
        f"索引已更新：{len(change.documents)} 份报告，{change.chunk_count} 个段落；"
        f"新向量化 {change.embedded} 段文字，用时 {change.seconds:.1f} 秒。{RELOAD_HINT}"
    )


@click.command("remove")
@click.argument("doc_id")
def remove_cmd(doc_id: str) -> None:
    """Remove report DOC_ID: deleted from the corpus directory and the index (nothing is
    embedded again)."""
    from index.library import remove_report

    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    _, config = _settings_and_config()
    change = remove_report(config, doc_id, StageEcho())
    files = "、".join(str(p) for p in change.files) or "（语料目录中没有它的文件）"
    click.echo(f"已移除：{doc_id}；删除文件 {files}")
    click.echo(
        f"索引已更新：{len(change.documents)} 份报告，{change.chunk_count} 个段落"
        f"（未重新向量化），用时 {change.seconds:.1f} 秒。{RELOAD_HINT}"
    )


@click.command("list")
def list_cmd() -> None:
    """List the reports in the index: id, title, region, year, passages, source file."""
    from index.library import list_reports

    _, config = _settings_and_config()
    if not config.index_dir.exists():
        raise click.ClickException(
            f"还没有索引：{config.index_dir}；请先运行 `reportqa index build`"
        )
    entries, unindexed = list_reports(config)
    for entry in entries:
        meta = entry.info.meta
        year = f"{meta.year}年" if meta.year else "—"
        source = str(entry.source) if entry.source else "（语料目录中没有它的文件）"
        click.echo(
            f"{entry.info.doc_id}\t《{meta.title}》\t{meta.region or '—'}\t{year}\t"
            f"{entry.chunks} 个段落\t{source}"
        )
    click.echo(f"共 {len(entries)} 份报告。")
    for path in unindexed:
        click.echo(f"未索引：{path}（运行 `reportqa index build` 或重启服务以加入）")
