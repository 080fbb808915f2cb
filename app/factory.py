"""Factories that wire settings into the service: embedder, chunks, index, retriever, answerer."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from app.answer import AnswerConfig, Answerer
from app.config import Settings, corpus_paths
from app.errors import ChunkNotFoundError, UnknownDocumentError
from app.models import Answer, Turn
from app.routing import route
from app.service import ServiceInfo
from index.build import ensure_index
from index.dense import choose_kind
from index.embedder import Embedder, load_embedder
from index.hybrid import HybridRetriever
from index.library import LibraryConfig
from index.models import Hit, SearchMode
from index.query_cache import with_query_cache
from index.reuse import check_embedder
from index.store import BuildOptions, IndexStore
from ingest.models import Chunk, DocumentInfo

logger = logging.getLogger(__name__)

WARM_UP_QUERY = "政府工作报告"


@dataclass
class ReportQAService:
    """The QAService the API, UI, CLI and evaluation share."""

    answerer: Answerer
    retriever: HybridRetriever
    store_dir: str = ""
    cache_dir: Path | None = None  # jieba's cache, for the tokenizer of a reloaded index
    version: str = ""  # the index version directory it serves

    @property
    def embedder(self) -> Embedder:
        return self.retriever.embedder

    @property
    def store(self) -> IndexStore:
        return self.retriever.store

    def answer(
        self,
        question: str,
        history: Sequence[Turn] = (),
        top_k: int = 5,
        doc_ids: Sequence[str] | None = None,
    ) -> Answer:
        return self.answerer.answer(question, history, top_k, self._checked(doc_ids))

    def search(
        self,
        query: str,
        k: int = 5,
        mode: SearchMode = "hybrid",
        doc_ids: Sequence[str] | None = None,
    ) -> list[Hit]:
        """Hits in the reports the question names (its region, or the years only some reports
        cover) when it names some among `doc_ids`; in all of `doc_ids` otherwise."""
        allowed = self._checked(doc_ids)
        understood = self.retriever.understand(query)
        plan = route(understood, self.retriever.documents, allowed)
        scope = plan.doc_ids if plan.named and plan.doc_ids else allowed
        return self.retriever.search(understood, k, mode, doc_ids=scope)

    def documents(self) -> list[DocumentInfo]:
        return list(self.retriever.documents.values())

    def _checked(self, doc_ids: Sequence[str] | None) -> Sequence[str] | None:
        """The report ids as given; UnknownDocumentError naming any that is not loaded."""
        if doc_ids is None:
            return None
        unknown = [d for d in doc_ids if d not in self.retriever.documents]
        if unknown:
            raise UnknownDocumentError(f"没有这些报告：{', '.join(unknown)}", tuple(unknown))
        return list(doc_ids)

    def chunk(self, chunk_id: str) -> Chunk:
        row = self.store.row_of(chunk_id)
        if row is None:
            raise ChunkNotFoundError(f"没有编号为 {chunk_id} 的段落。")
        return self.store.chunks[row]

    def info(self) -> ServiceInfo:
        return self._info

    @cached_property
    def _info(self) -> ServiceInfo:
        """Fixed for the index version this service serves, so counted once."""
        m = self.store.manifest
        counts = Counter(c.doc_id for c in self.store.chunks)
        return ServiceInfo(
            m.model,
            m.dim,
            m.chunk_count,
            m.documents,
            m.built_at,
            self.store_dir,
            dict(counts),
            self.version,
        )

    def reloaded(self, version_dir: Path) -> ReportQAService:
        """This service's embedder and settings over the index at `version_dir`, warmed up:
        the tokenizer, FAISS and the sentence table are loaded before anyone is served."""
        store = IndexStore.load(version_dir, cache_dir=self.cache_dir)
        check_embedder(store.manifest, self.embedder)
        retriever = HybridRetriever(store, self.embedder, self.retriever.config)
        answerer = Answerer(retriever, self.answerer.config)
        service = ReportQAService(
            answerer, retriever, self.store_dir, self.cache_dir, version_dir.name
        )
        service.search(WARM_UP_QUERY, k=1)
        return service


def build_embedder(settings: Settings, *, progress: bool = False) -> Embedder:
    return load_embedder(
        settings.model,
        settings.cache_dir,
        backend=settings.embed_backend,
        precision=settings.embed_precision,
        query_prefix=settings.query_prefix,
        passage_prefix=settings.passage_prefix,
        batch_size=settings.embed_batch_size,
        progress=progress,
        threads=settings.onnx_threads,
    )


def load_corpus(
    settings: Settings, *, progress: bool = False
) -> tuple[list[DocumentInfo], list[Chunk]]:
    from ingest.pipeline import load_corpus as ingest_corpus

    return ingest_corpus(
        corpus_paths(settings),
        max_tokens=settings.max_tokens,
        cache_dir=settings.cache_dir,
        progress=progress,
    )


def library_config(settings: Settings) -> LibraryConfig:
    """Where the library lives and how its reports are ingested and indexed."""
    return LibraryConfig(
        corpus_dirs=tuple(corpus_paths(settings)),
        index_dir=settings.index_dir,
        cache_dir=settings.cache_dir,
        max_tokens=settings.max_tokens,
        dense_index=settings.dense_index,
        hnsw_threshold=settings.hnsw_threshold,
        batch_size=settings.embed_batch_size,
    )


def build_options(settings: Settings, n_chunks: int, *, progress: bool = False) -> BuildOptions:
    kind = choose_kind(settings.dense_index, n_chunks, settings.hnsw_threshold)
    return BuildOptions(dense_kind=kind, batch_size=settings.embed_batch_size, progress=progress)


def build_index(
    settings: Settings, embedder: Embedder, *, progress: bool = False, force: bool = False
) -> IndexStore:
    documents, chunks = load_corpus(settings, progress=progress)
    options = build_options(settings, len(chunks), progress=progress)
    return ensure_index(
        settings.index_dir, chunks, embedder, options, settings.cache_dir, documents, force=force
    )


def build_service(
    settings: Settings, *, embedder: Embedder | None = None, progress: bool = False
) -> ReportQAService:
    """Load the model and the index (building what is missing) and wire the answerer."""
    embedder = embedder or build_embedder(settings, progress=progress)
    store = build_index(settings, embedder, progress=progress)
    retriever = HybridRetriever(store, with_query_cache(embedder, settings.query_cache_size))
    answerer = Answerer(retriever, AnswerConfig(max_question_chars=settings.max_question_chars))
    version = settings.index_dir.resolve().name
    return ReportQAService(
        answerer, retriever, str(settings.index_dir), settings.cache_dir, version
    )
