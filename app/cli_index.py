"""`reportqa index build|info` and `reportqa search`: the CLI edge of index/."""

from __future__ import annotations

import json
import logging
import time

import click

from index.models import SearchMode


@click.group("index")
def index_group() -> None:
    """Build or inspect the search index."""


@index_group.command("build")
@click.option(
    "--force",
    is_flag=True,
    help="Rebuild even when the index is current (vectors of unchanged texts are reused).",
)
def build_cmd(force: bool) -> None:
    """Build the index for the corpus (only when the corpus or model changed, unless --force)."""
    from app.config import get_settings
    from app.factory import build_embedder, build_index

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    settings = get_settings()
    started = time.perf_counter()
    embedder = build_embedder(settings, progress=True)
    store = build_index(settings, embedder, progress=True, force=force)
    m = store.manifest
    click.echo(
        f"index ready at {settings.index_dir}: {m.chunk_count} chunks, model {m.model}, "
        f"dim {m.dim}, {m.dense_index}, built {m.built_at} "
        f"({time.perf_counter() - started:.1f}s)"
    )


@index_group.command("info")
def info_cmd() -> None:
    """Print the manifest of the index on disk."""
    from app.config import get_settings
    from index.manifest import read_manifest

    settings = get_settings()
    if not settings.index_dir.exists():
        raise click.ClickException(
            f"no index at {settings.index_dir}; build it with `reportqa index build`"
        )
    manifest = read_manifest(settings.index_dir.resolve())
    click.echo(json.dumps(manifest.to_json(), ensure_ascii=False, indent=2))


@click.command("search")
@click.argument("query")
@click.option("-k", "k", default=5, show_default=True, type=click.IntRange(1, 100))
@click.option("--mode", type=click.Choice(["hybrid", "bm25", "dense"]), default="hybrid")
def search_cmd(query: str, k: int, mode: SearchMode) -> None:
    """Print the ranked passages for QUERY with scores and section paths."""
    from app.config import get_settings
    from app.factory import build_service

    service = build_service(get_settings(), progress=True)
    for hit in service.search(query, k, mode):
        c = hit.chunk
        click.echo(
            f"{hit.rank}. [{hit.score:.3f} dense {hit.dense_score:.3f} bm25 "
            f"{hit.lexical_score:.2f}] {' > '.join(c.section_path)}"
            f"{_pages(c.page_start, c.page_end)} {c.chunk_id}"
        )
        click.echo(f"   {c.text[:160]}{'…' if len(c.text) > 160 else ''}")


def _pages(start: int | None, end: int | None) -> str:
    from app.render import pages_label

    label = pages_label(start, end, english=True)
    return f" ({label})" if label else ""
