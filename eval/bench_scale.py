"""The scaling half of `reportqa bench`: build time of the library and of synthetic reports.

Encoding dominates a build and is linear in the texts, so by default it is extrapolated
from the rates measured on a sample of the same texts (chunk passages and sentences
separately: their lengths differ); ingestion, BM25 and FAISS are measured in full.
`real=True` builds the library for real (minutes).
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from index.dense import DenseStore, SentenceVectors
from index.embedder import Embedder, Kind, as_text_list
from index.lexical import BM25Index
from index.manifest import Manifest
from index.store import IndexStore, passage_text, sentence_texts
from ingest.models import Chunk

RATE_SAMPLE = 24  # chunk passages (and twice as many sentences) timed for the rates


@dataclass(frozen=True)
class Rates:
    passages_per_s: float
    sentences_per_s: float

    def encode_s(self, passages: int, sentences: int) -> float:
        return passages / self.passages_per_s + sentences / self.sentences_per_s


@dataclass(frozen=True)
class BuildTime:
    label: str
    chunks: int
    sentences: int
    ingest_s: float
    index_s: float  # BM25 + FAISS + sentence offsets, without encoding
    encode_s: float
    encode_measured: bool

    @property
    def total_s(self) -> float:
        return self.ingest_s + self.index_s + self.encode_s

    def line(self) -> str:
        how = "measured" if self.encode_measured else "extrapolated from the rates"
        return (
            f"{self.label}: {self.chunks} chunks + {self.sentences} sentences, build "
            f"{self.total_s:.0f} s (ingest {self.ingest_s:.1f} s, BM25+FAISS "
            f"{self.index_s:.1f} s, encoding {self.encode_s:.0f} s {how})"
        )


class _NoModel(Embedder):
    """Zero vectors at no cost: times everything of a build but the encoding."""

    model_id, backend = "no-model", "none"

    def __init__(self, dim: int) -> None:
        self.dim = dim

    def encode(self, texts: Sequence[str], *, kind: Kind) -> np.ndarray:
        return np.zeros((len(as_text_list(texts)), self.dim), dtype=np.float32)


def encode_rates(embedder: Embedder, chunks: Sequence[Chunk]) -> Rates:
    step = max(len(chunks) // RATE_SAMPLE, 1)
    sample = list(chunks[::step][:RATE_SAMPLE])
    passages = [passage_text(c) for c in sample]
    sentences = [s for c in sample for s in sentence_texts(c)][: 2 * RATE_SAMPLE]
    return Rates(_rate(embedder, passages), _rate(embedder, sentences))


def _rate(embedder: Embedder, texts: list[str]) -> float:
    started = time.perf_counter()
    embedder.encode_passages(texts)
    return len(texts) / (time.perf_counter() - started)


def library_build(
    files: Sequence[Path], embedder: Embedder, cache_dir: Path, max_tokens: int, real: bool
) -> BuildTime:
    from ingest.pipeline import corpus_chunks

    started = time.perf_counter()
    chunks = corpus_chunks(files, max_tokens=max_tokens, cache_dir=cache_dir)
    ingest_s = time.perf_counter() - started
    n_sentences = sum(len(sentence_texts(c)) for c in chunks)
    index_s = _build_seconds(chunks, _NoModel(embedder.dim), cache_dir)
    if real:
        encode_s = _build_seconds(chunks, embedder, cache_dir) - index_s
    else:
        encode_s = encode_rates(embedder, chunks).encode_s(len(chunks), n_sentences)
    label = f"library ({len({c.doc_id for c in chunks})} reports)"
    return BuildTime(label, len(chunks), n_sentences, ingest_s, index_s, encode_s, real)


def _build_seconds(chunks: Sequence[Chunk], embedder: Embedder, cache_dir: Path) -> float:
    started = time.perf_counter()
    IndexStore.build(chunks, embedder, cache_dir=cache_dir)
    return time.perf_counter() - started


def synthetic_build(store: IndexStore, copies: int, rates: Rates) -> tuple[IndexStore, BuildTime]:
    started = time.perf_counter()
    big = synthetic_store(store, copies)
    n_sentences = int(big.sentences.offsets[-1])
    build = BuildTime(
        f"{copies} synthetic reports",
        len(big),
        n_sentences,
        0.0,
        time.perf_counter() - started,
        rates.encode_s(len(big), n_sentences),
        False,
    )
    return big, build


def synthetic_store(store: IndexStore, copies: int, seed: int = 0) -> IndexStore:
    """`copies` perturbed copies of the real report: numbers changed, sentences shuffled,
    vectors jittered (encoding cost is linear and measured separately)."""
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    chunks: list[Chunk] = []
    vectors = []
    sentence_vectors = []
    for copy in range(copies):
        for chunk in store.chunks:
            text = _perturb(chunk.text, rng)
            chunks.append(
                replace(
                    chunk,
                    chunk_id=f"{chunk.chunk_id}-{copy}",
                    doc_id=f"synthetic-{copy}",
                    text=text,
                )
            )
        vectors.append(_jitter(store.dense.vectors, nrng))
        sentence_vectors.append(_jitter(store.sentences.vectors, nrng))
    matrix = np.vstack(vectors)
    counts = np.tile(np.diff(store.sentences.offsets), copies)
    sentences = SentenceVectors(np.vstack(sentence_vectors), np.cumsum([0, *counts]))
    dense = DenseStore.build(matrix, "flat")
    lexical = BM25Index.build([passage_text(c) for c in chunks], store.lexical.tokenizer)
    manifest = Manifest(
        **{
            **store.manifest.to_json(),
            "chunk_count": len(chunks),
            "documents": tuple(f"synthetic-{i}" for i in range(copies)),
        }
    )
    return IndexStore(manifest, chunks, dense, lexical, sentences)


def _jitter(vectors: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    v = vectors + rng.normal(0, 0.02, vectors.shape).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _perturb(text: str, rng: random.Random) -> str:
    parts = re.split(r"(?<=[。；])", text)
    rng.shuffle(parts)
    return re.sub(r"\d+", lambda m: str(int(m.group(0)) + rng.randint(0, 9)), "".join(parts))
