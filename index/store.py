"""One index class: build / search / save / load, in a self-describing directory.

Layout of an index directory: manifest.json, documents.json (each document's record, timeline
and section tree), chunks.jsonl (row order), vectors.npy, dense.faiss, bm25.json, and the
sentence vectors. `index_dir` itself is a symlink to a complete version directory;
a save builds a new version beside it and swaps the link atomically, so a crash at any
moment leaves either the old index or the complete new one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from index import glossary
from index.dense import DenseKind, DenseStore, SentenceVectors
from index.embedder import Embedder
from index.errors import IndexCorruptError, IndexMismatchError, IndexNotFoundError
from index.lexical import BM25Index, BM25Params
from index.manifest import (
    FORMAT_VERSION,
    Manifest,
    corpus_hash,
    file_sha256,
    read_manifest,
    verify_files,
    write_manifest,
)
from index.tokenize import STOPWORDS, ChineseTokenizer
from index.vector_cache import VectorCache
from ingest.chunks_io import read_chunks_jsonl, write_chunks_jsonl
from ingest.errors import IngestError
from ingest.models import Chunk, DocumentInfo, DocumentMeta
from ingest.records import info_from_dict, info_to_dict
from ingest.sentences import sentences

logger = logging.getLogger(__name__)

PASSAGE_FORMAT = "path+text/v2+sentences"


def content_format() -> str:
    """Everything besides chunks and model that the stored vectors and BM25 state depend on:
    passage format and tokenizer (jieba mode + stopwords), so changing either rebuilds."""
    stop = hashlib.sha256(" ".join(sorted(STOPWORDS)).encode()).hexdigest()[:12]
    return f"{PASSAGE_FORMAT};jieba-search;stop={stop}"


# Every file `load` reads; each must be listed (with its checksum) in the manifest.
INDEX_FILES = (
    "documents.json",
    "chunks.jsonl",
    "bm25.json",
    "vectors.npy",
    "dense.faiss",
    "sentence_vectors.npy",
    "sentence_offsets.npy",
)


def passage_text(chunk: Chunk) -> str:
    """What gets embedded and BM25-indexed for a chunk: its section path, then its text."""
    return " / ".join(chunk.section_path) + "\n" + chunk.text


def sentence_texts(chunk: Chunk) -> list[str]:
    """What gets embedded for each sentence of a chunk: the innermost heading, the sentence."""
    head = chunk.section_path[-1] if chunk.section_path else ""
    return [f"{head}\n{span.text}" for span in sentences(chunk)]


@dataclass(frozen=True)
class BuildOptions:
    dense_kind: DenseKind = "flat"
    batch_size: int = 16
    progress: bool = False
    bm25: BM25Params = BM25Params()
    # told (texts embedded so far, texts to embed) before the first batch and after each
    on_embed: Callable[[int, int], None] | None = field(default=None, compare=False)


class IndexStore:
    def __init__(
        self,
        manifest: Manifest,
        chunks: list[Chunk],
        dense: DenseStore,
        lexical: BM25Index,
        sentences: SentenceVectors,
        documents: Sequence[DocumentInfo] = (),
    ) -> None:
        self.manifest = manifest
        self.chunks = chunks
        self.dense = dense
        self.lexical = lexical
        self.sentences = sentences
        self.documents = {info.doc_id: info for info in documents}
        for doc_id in dict.fromkeys(c.doc_id for c in chunks):
            self.documents.setdefault(doc_id, DocumentInfo(DocumentMeta(doc_id, doc_id)))
        self._by_id = {c.chunk_id: row for row, c in enumerate(chunks)}

    def __len__(self) -> int:
        return len(self.chunks)

    def row_of(self, chunk_id: str) -> int | None:
        return self._by_id.get(chunk_id)

    # build ----------------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        chunks: Sequence[Chunk],
        embedder: Embedder,
        options: BuildOptions = BuildOptions(),
        cache_dir: Path | None = None,
        documents: Sequence[DocumentInfo] = (),
        reuse: Mapping[str, np.ndarray] | None = None,
    ) -> IndexStore:
        """A new index of `chunks`; texts found in `reuse` (text -> vector, from an earlier
        index built with the same model) are not embedded again."""
        started = time.perf_counter()
        chunks = list(chunks)
        texts = [passage_text(c) for c in chunks]
        per_chunk = [sentence_texts(c) for c in chunks]
        flat = [t for group in per_chunk for t in group]
        cache = VectorCache(cache_dir, embedder_key(embedder))
        known = {**(reuse or {}), **cache.get(texts + flat)}
        vectors = _vectors(embedder, texts + flat, options, known, cache)
        dense = DenseStore.build(vectors[: len(texts)], options.dense_kind)
        offsets = np.cumsum([0, *(len(g) for g in per_chunk)])
        sentence_vectors = SentenceVectors(vectors[len(texts) :], offsets)
        terms = sorted(
            {f.term for c in chunks for f in c.footnotes} | set(glossary.entries(chunks))
        )
        lexical = BM25Index.build(texts, ChineseTokenizer(terms, cache_dir), options.bm25)
        manifest = Manifest(
            format_version=FORMAT_VERSION,
            model=embedder.model_id,
            embed_backend=embedder.backend,
            embed_precision=embedder.precision,
            dim=int(vectors.shape[1]),
            normalized=True,
            corpus_hash=corpus_hash(chunks, content_format(), documents_digest(documents)),
            chunk_count=len(chunks),
            dense_index=options.dense_kind,
            documents=tuple(dict.fromkeys(c.doc_id for c in chunks)),
            built_at=datetime.now(UTC).isoformat(timespec="seconds"),
            build_seconds=round(time.perf_counter() - started, 3),
            settings={
                "content_format": content_format(),
                "k1": options.bm25.k1,
                "b": options.bm25.b,
            },
        )
        return cls(manifest, chunks, dense, lexical, sentence_vectors, documents)

    # persistence ------------------------------------------------------------------------

    def save(self, index_dir: Path) -> Path:
        """Write a new version next to `index_dir` and atomically point `index_dir` at it."""
        versions = _versions_dir(index_dir)
        versions.mkdir(parents=True, exist_ok=True)
        work = versions / f"tmp-{os.getpid()}-{time.time_ns()}"
        work.mkdir()
        try:
            names = self._write_files(work)
            files = {name: file_sha256(work / name) for name in names}
            manifest = Manifest(
                **{**self.manifest.to_json(), "files": files, "documents": self.manifest.documents}
            )
            write_manifest(work, manifest)
            _fsync_dir(work)
            final = versions / f"v-{time.strftime('%Y%m%d-%H%M%S')}-{time.time_ns() % 10**9}"
            work.rename(final)
            _swap_link(index_dir, final)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        self.manifest = manifest
        _remove_stale_versions(versions, keep=final)
        return final

    def _write_files(self, directory: Path) -> list[str]:
        write_documents(self.documents.values(), directory / "documents.json")
        write_chunks_jsonl(self.chunks, directory / "chunks.jsonl")
        self.lexical.save(directory / "bm25.json")
        return [
            "documents.json",
            "chunks.jsonl",
            "bm25.json",
            *self.dense.save(directory),
            *self.sentences.save(directory),
        ]

    @classmethod
    def load(
        cls, index_dir: Path, expected_model: str | None = None, cache_dir: Path | None = None
    ) -> IndexStore:
        if not (index_dir / "manifest.json").exists() and not index_dir.exists():
            raise IndexNotFoundError(
                f"no index at {index_dir}; build it with `reportqa index build`"
            )
        directory = index_dir.resolve()
        manifest = _checked_manifest(directory)
        if expected_model is not None and manifest.model != expected_model:
            raise IndexMismatchError(
                f"the index at {index_dir} was built with model '{manifest.model}', but the "
                f"configured model is '{expected_model}'; rebuild with `reportqa index build` "
                f"or set REPORTQA_MODEL='{manifest.model}'"
            )
        verify_files(directory, manifest)
        chunks = _read_chunks(directory / "chunks.jsonl")
        if len(chunks) != manifest.chunk_count:
            raise IndexCorruptError(
                f"index holds {len(chunks)} chunks, manifest says {manifest.chunk_count}; "
                "rebuild with `reportqa index build`"
            )
        kind: DenseKind = "hnsw" if manifest.dense_index == "hnsw" else "flat"
        dense = DenseStore.load(directory, kind, manifest.chunk_count, manifest.dim)
        lexical = BM25Index.load(directory / "bm25.json", cache_dir)
        sentence_vectors = SentenceVectors.load(directory, len(chunks), manifest.dim)
        documents = read_documents(directory / "documents.json")
        return cls(manifest, chunks, dense, lexical, sentence_vectors, documents)


def _checked_manifest(directory: Path) -> Manifest:
    """The manifest, which must list a checksum for every file the index reads."""
    try:
        manifest = read_manifest(directory)
    except OSError as exc:
        raise IndexCorruptError(
            f"index manifest in {directory} is unreadable ({exc.strerror}); "
            "rebuild with `reportqa index build`"
        ) from None
    files = manifest.files if isinstance(manifest.files, dict) else {}
    missing = [name for name in INDEX_FILES if name not in files]
    if missing:
        raise IndexCorruptError(
            f"index manifest in {directory} lists no checksum for {', '.join(missing)}; "
            "rebuild with `reportqa index build`"
        )
    return manifest


def embedder_key(embedder: Embedder) -> str:
    """What identifies an embedder's vectors: model, backend and precision."""
    return f"{embedder.model_id}|{embedder.backend}|{embedder.precision}"


def _vectors(
    embedder: Embedder,
    texts: list[str],
    options: BuildOptions,
    reuse: Mapping[str, np.ndarray],
    cache: VectorCache,
) -> np.ndarray:
    """One vector per text: reused where known, the rest embedded (each distinct text once)
    and added to the cache."""
    missing = list(dict.fromkeys(t for t in texts if t not in reuse))
    fresh = _encode_in_batches(embedder, missing, options)
    known = {**reuse, **dict(zip(missing, fresh, strict=True))}
    logger.info("embedded %d texts, reused %d", len(missing), len(texts) - len(missing))
    if not texts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    vectors = np.vstack([known[t] for t in texts]).astype(np.float32)
    cache.put(texts, vectors)
    return vectors


# Texts handed to the embedder at once: it batches them itself, sorted by length (less
# padding), and the ONNX embedder runs its batches on both cores.
_BATCHES_PER_STEP = 4


def _encode_in_batches(embedder: Embedder, texts: list[str], options: BuildOptions) -> np.ndarray:
    from tqdm import tqdm

    parts = []
    step = options.batch_size * _BATCHES_PER_STEP
    starts = range(0, len(texts), step)
    report = options.on_embed or (lambda done, total: None)
    report(0, len(texts))
    for start in tqdm(
        starts, desc="embedding passages and sentences", unit="step", disable=not options.progress
    ):
        parts.append(embedder.encode_passages(texts[start : start + step]))
        report(min(start + step, len(texts)), len(texts))
    if not parts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    return np.vstack(parts).astype(np.float32)


def documents_digest(documents: Sequence[DocumentInfo]) -> str:
    """What the index depends on of the documents' records (metadata, timeline, tree)."""
    text = json.dumps([info_to_dict(d) for d in documents], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def write_documents(documents: Iterable[DocumentInfo], path: Path) -> None:
    with path.open("w", encoding="utf-8") as f:
        json.dump([info_to_dict(d) for d in documents], f, ensure_ascii=False)


def read_documents(path: Path) -> list[DocumentInfo]:
    try:
        with path.open(encoding="utf-8") as f:
            return [info_from_dict(row) for row in json.load(f)]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IndexCorruptError(
            f"{path.name} is unreadable ({type(exc).__name__}); rebuild with `reportqa index build`"
        ) from None


def _read_chunks(path: Path) -> list[Chunk]:
    try:
        return read_chunks_jsonl(path)
    except IngestError as exc:
        raise IndexCorruptError(
            f"{path.name} is unreadable ({exc}); rebuild with `reportqa index build`"
        ) from None


def _versions_dir(index_dir: Path) -> Path:
    return index_dir.parent / f".{index_dir.name}.versions"


def _swap_link(index_dir: Path, target: Path) -> None:
    if index_dir.exists() and not index_dir.is_symlink():
        # a plain directory from elsewhere: move it among the versions (removed once the
        # new version is published, like any superseded one)
        index_dir.rename(_versions_dir(index_dir) / f"plain-{time.time_ns()}")
    link = index_dir.parent / f".{index_dir.name}.link-{os.getpid()}"
    link.unlink(missing_ok=True)
    link.symlink_to(os.path.relpath(target, index_dir.parent))
    os.replace(link, index_dir)


def _remove_stale_versions(versions: Path, keep: Path) -> None:
    for entry in versions.iterdir():
        if entry != keep and not entry.name.startswith("tmp-"):
            shutil.rmtree(entry, ignore_errors=True)
        elif entry.name.startswith("tmp-") and _pid_of(entry) not in (None, os.getpid()):
            if not _pid_alive(_pid_of(entry)):
                shutil.rmtree(entry, ignore_errors=True)


def _pid_of(entry: Path) -> int | None:
    try:
        return int(entry.name.split("-")[1])
    except (IndexError, ValueError):
        return None


def _pid_alive(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync_dir(directory: Path) -> None:
    for entry in directory.iterdir():
        with entry.open("rb") as f:
            os.fsync(f.fileno())
