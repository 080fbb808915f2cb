"""Load the index when it matches the corpus and model; build (and publish) it otherwise."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from index.embedder import Embedder
from index.errors import IndexError_, IndexNotFoundError
from index.manifest import corpus_hash
from index.reuse import previous_vectors
from index.store import (
    BuildOptions,
    IndexStore,
    content_format,
    documents_digest,
    passage_text,
    sentence_texts,
)
from ingest.models import Chunk, DocumentInfo

logger = logging.getLogger(__name__)


def is_current(
    store: IndexStore,
    chunks: Sequence[Chunk],
    embedder: Embedder,
    options: BuildOptions,
    documents: Sequence[DocumentInfo] = (),
) -> bool:
    manifest = store.manifest
    expected = corpus_hash(list(chunks), content_format(), documents_digest(documents))
    return (
        manifest.model == embedder.model_id
        and manifest.dense_index == options.dense_kind
        and manifest.corpus_hash == expected
    )


def ensure_index(
    index_dir: Path,
    chunks: Sequence[Chunk],
    embedder: Embedder,
    options: BuildOptions,
    cache_dir: Path | None = None,
    documents: Sequence[DocumentInfo] = (),
    *,
    force: bool = False,
) -> IndexStore:
    """The index for `chunks` and `embedder`: loaded when current, rebuilt when not (or when
    `force`); a rebuild embeds only texts no earlier index or the vector cache has."""
    try:
        store = IndexStore.load(index_dir, cache_dir=cache_dir)
        if not force and is_current(store, chunks, embedder, options, documents):
            return store
        logger.info("index at %s is out of date (corpus or model changed); rebuilding", index_dir)
    except IndexNotFoundError as exc:
        logger.info("no index yet (%s); building one", exc)
    except IndexError_ as exc:  # corrupt or incompatible: never served, rebuilt
        logger.warning("the index is unusable and will be rebuilt: %s", exc)
    reuse = previous_vectors(index_dir, embedder.model_id, passage_text, sentence_texts)
    store = IndexStore.build(chunks, embedder, options, cache_dir, documents, reuse)
    store.save(index_dir)
    return store
