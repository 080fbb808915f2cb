"""Load the index when it matches the corpus and model; build (and publish) it otherwise."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from index.embedder import Embedder
from index.errors import IndexError_
from index.manifest import corpus_hash
from index.store import PASSAGE_FORMAT, BuildOptions, IndexStore
from ingest.models import Chunk

logger = logging.getLogger(__name__)


def is_current(
    store: IndexStore, chunks: Sequence[Chunk], embedder: Embedder, options: BuildOptions
) -> bool:
    manifest = store.manifest
    return (
        manifest.model == embedder.model_id
        and manifest.dense_index == options.dense_kind
        and manifest.corpus_hash == corpus_hash(list(chunks), PASSAGE_FORMAT)
    )


def ensure_index(
    index_dir: Path,
    chunks: Sequence[Chunk],
    embedder: Embedder,
    options: BuildOptions,
    cache_dir: Path | None = None,
) -> IndexStore:
    """The index for `chunks` and `embedder`: loaded when current, rebuilt when not."""
    try:
        store = IndexStore.load(index_dir, cache_dir=cache_dir)
        if is_current(store, chunks, embedder, options):
            return store
        logger.info("index at %s is out of date (corpus or model changed); rebuilding", index_dir)
    except IndexError_ as exc:
        logger.info("no usable index (%s); building one", exc)
    store = IndexStore.build(chunks, embedder, options, cache_dir)
    store.save(index_dir)
    return store
