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


def staleness(
    store: IndexStore,
    chunks: Sequence[Chunk],
    embedder: Embedder,
    options: BuildOptions,
    documents: Sequence[DocumentInfo] = (),
) -> str | None:
    """None when the index fits the corpus, the embedder and the options, else what differs."""
    m = store.manifest
    if m.model != embedder.model_id:
        return f"it was built with model '{m.model}', the configured one is '{embedder.model_id}'"
    built, configured = (m.embed_backend, m.embed_precision), (embedder.backend, embedder.precision)
    if built != configured:
        return "it was built with the {}/{} embedder, the configured one is {}/{}".format(
            *built, *configured
        )
    if m.dense_index != options.dense_kind:
        return f"it holds a {m.dense_index} dense index, {options.dense_kind} is configured"
    if m.corpus_hash != corpus_hash(list(chunks), content_format(), documents_digest(documents)):
        return "the corpus changed"
    return None


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
        reason = (
            "a rebuild was asked for"
            if force
            else staleness(store, chunks, embedder, options, documents)
        )
        if reason is None:
            return store
        logger.info("the index at %s is out of date (%s); rebuilding", index_dir, reason)
    except IndexNotFoundError as exc:
        logger.info("no index yet (%s); building one", exc)
    except IndexError_ as exc:  # corrupt or incompatible: never served, rebuilt
        logger.warning("the index is unusable and will be rebuilt: %s", exc)
    reuse = previous_vectors(index_dir, embedder, passage_text, sentence_texts)
    store = IndexStore.build(chunks, embedder, options, cache_dir, documents, reuse)
    store.save(index_dir)
    return store
