"""Load the index when it matches the corpus and model; build (and publish) it otherwise."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from index.embedder import Embedder
from index.errors import IndexError_, IndexNotFoundError
from index.manifest import corpus_hash
from index.store import BuildOptions, IndexStore, content_format
from ingest.models import Chunk

logger = logging.getLogger(__name__)


def is_current(
    store: IndexStore, chunks: Sequence[Chunk], embedder: Embedder, options: BuildOptions
) -> bool:
    manifest = store.manifest
    return (
        manifest.model == embedder.model_id
        and manifest.dense_index == options.dense_kind
        and manifest.corpus_hash == corpus_hash(list(chunks), content_format())
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
    except IndexNotFoundError as exc:
        logger.info("no index yet (%s); building one", exc)
    except IndexError_ as exc:  # corrupt or incompatible: never served, rebuilt
        logger.warning("the index is unusable and will be rebuilt: %s", exc)
    store = IndexStore.build(chunks, embedder, options, cache_dir)
    store.save(index_dir)
    return store
