"""`reportqa bench`: speed on this machine, on the real report and on 100 synthetic reports."""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import click
import numpy as np

from eval.metrics import percentile
from index.dense import DenseStore, SentenceVectors
from index.embedder import Embedder
from index.hybrid import HybridRetriever
from index.lexical import BM25Index
from index.manifest import Manifest
from index.store import IndexStore, passage_text
from ingest.models import Chunk

QUERIES = (
    "2020年地区生产总值增长了多少？",
    "六稳是指什么？",
    "2021年城镇新增就业目标是多少？",
    "十四五时期的主要目标有哪些？",
    "如何推进乡村振兴？",
    "What was the GDP growth rate in 2020?",
    "盐帮菜和灯会的文旅发展",
    "新冠肺炎疫情防控取得了哪些成果？",
)


@dataclass(frozen=True)
class Timing:
    name: str
    p50_ms: float
    p95_ms: float


def time_calls(
    name: str, fn: Callable[[str], object], queries: Sequence[str], repeat: int
) -> Timing:
    for q in queries:  # warm-up: lazy initialisation is not what a query costs
        fn(q)
    samples = []
    for _ in range(repeat):
        for q in queries:
            t = time.perf_counter()
            fn(q)
            samples.append((time.perf_counter() - t) * 1000)
    return Timing(name, percentile(samples, 50), percentile(samples, 95))


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


def measure_retrieval(store: IndexStore, embedder: Embedder, label: str, repeat: int) -> None:
    retriever = HybridRetriever(store, embedder)
    qvecs = {q: embedder.encode_queries([q])[0] for q in QUERIES}
    click.echo(f"[{label}] {len(store)} chunks")
    for t in (
        time_calls(
            "dense search (vector given)",
            lambda q: store.dense.search(qvecs[q], 5),
            QUERIES,
            repeat,
        ),
        time_calls("lexical search", lambda q: store.lexical.scores(q), QUERIES, repeat),
        time_calls("hybrid query->results", lambda q: retriever.search(q, 5), QUERIES, repeat),
    ):
        click.echo(f"  {t.name:<32} p50 {t.p50_ms:8.2f} ms   p95 {t.p95_ms:8.2f} ms")


@click.command("bench")
@click.option(
    "--copies",
    default=100,
    show_default=True,
    type=click.IntRange(1, 1000),
    help="Synthetic reports for the scaling run.",
)
@click.option("--repeat", default=5, show_default=True, type=click.IntRange(1, 100))
def bench_cmd(copies: int, repeat: int) -> None:
    """Print model load, encode and search speed for this machine."""
    import torch

    from app.config import get_settings
    from app.factory import build_embedder, build_index

    settings = get_settings()
    t = time.perf_counter()
    embedder = build_embedder(settings, progress=True)
    click.echo(
        f"model load                         {time.perf_counter() - t:8.2f} s "
        f"(torch threads {torch.get_num_threads()})"
    )
    store = build_index(settings, embedder, progress=True)
    texts = [passage_text(c) for c in store.chunks]
    t = time.perf_counter()
    embedder.encode_passages(texts)
    rate = len(texts) / (time.perf_counter() - t)
    click.echo(
        f"passage encode rate                {rate:8.1f} passages/s "
        f"(batch {settings.embed_batch_size})"
    )
    enc = time_calls("query encode", lambda q: embedder.encode_queries([q]), QUERIES, repeat)
    click.echo(
        f"query encode                       p50 {enc.p50_ms:8.2f} ms   p95 {enc.p95_ms:8.2f} ms"
    )
    measure_retrieval(store, embedder, "real report", repeat)
    t = time.perf_counter()
    big = synthetic_store(store, copies)
    click.echo(
        f"synthetic corpus of {copies} reports built in {time.perf_counter() - t:.1f} s "
        f"(BM25 tokenisation + FAISS add; real encoding would take "
        f"~{len(big) / rate / 60:.0f} min at the rate above)"
    )
    measure_retrieval(big, embedder, f"{copies} synthetic reports", repeat)
