"""Hybrid retrieval: BM25 + dense, fused by normalised weighted scores, with query priors.

The weights are chosen by measurement on the dev split (`reportqa eval --mode all`), not
assumed; `FusionConfig` holds the tuned defaults.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from index.embedder import Embedder
from index.lexicon import expand
from index.models import Hit, SearchMode
from index.query import QueryFeatures, analyze, text_period
from index.store import IndexStore


@dataclass(frozen=True)
class FusionConfig:
    dense_weight: float = 0.6  # weight of the normalised dense score; BM25 gets 1 - this
    candidates: int = 50  # per retriever, before fusion
    period_boost: float = 0.10  # added when the chunk's section matches the asked period
    glossary_boost: float = 0.15  # added to a glossary chunk whose term the query names
    number_boost: float = 0.05  # per number of the query found in the chunk


class HybridRetriever:
    def __init__(
        self, store: IndexStore, embedder: Embedder, config: FusionConfig = FusionConfig()
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.config = config

    def encode(self, query: str) -> np.ndarray:
        return self.embedder.encode_queries([query])[0]

    def search(
        self,
        query: str,
        k: int = 5,
        mode: SearchMode = "hybrid",
        qvec: np.ndarray | None = None,
    ) -> list[Hit]:
        """Ranked hits; `qvec` is the query's vector when the caller already has it."""
        n = len(self.store)
        if n == 0 or not query.strip():
            return []
        features = analyze(query)
        lexical = (
            self.store.lexical.scores(expand(query))
            if mode != "dense"
            else np.zeros(n, dtype=np.float32)
        )
        if mode != "bm25" and qvec is None:
            qvec = self.encode(query)
        sentence_best = (
            self.store.sentences.max_per_row(qvec, n)
            if qvec is not None and mode != "bm25"
            else None
        )
        rows = self._candidates(lexical, qvec, sentence_best, max(k, self.config.candidates))
        dense = (
            self.store.dense.scores_for(qvec, rows) + sentence_best[rows]
            if qvec is not None and sentence_best is not None
            else np.zeros(len(rows), dtype=np.float32)
        )
        fused = self._fuse(mode, lexical[rows], dense, rows, features)
        order = np.argsort(-fused, kind="stable")[:k]
        return [
            Hit(
                chunk=self.store.chunks[int(rows[i])],
                score=float(fused[i]),
                dense_score=float(dense[i]) / 2,
                lexical_score=float(lexical[rows[i]]),
                rank=rank,
            )
            for rank, i in enumerate(order, start=1)
        ]

    def _candidates(
        self,
        lexical: np.ndarray,
        qvec: np.ndarray | None,
        sentence_best: np.ndarray | None,
        m: int,
    ) -> np.ndarray:
        parts = []
        top = min(m, len(lexical))
        if lexical.any():
            parts.append(np.argpartition(-lexical, top - 1)[:top])
        if qvec is not None:
            parts.append(self.store.dense.search(qvec, m)[0])
        if sentence_best is not None:
            parts.append(np.argpartition(-sentence_best, top - 1)[:top])
        if not parts:
            return np.arange(min(m, len(lexical)))
        return np.unique(np.concatenate(parts))

    def _fuse(
        self,
        mode: SearchMode,
        lexical: np.ndarray,
        dense: np.ndarray,
        rows: np.ndarray,
        features: QueryFeatures,
    ) -> np.ndarray:
        if mode == "bm25":
            base = _max_norm(lexical)
        elif mode == "dense":
            base = _minmax(dense)
        else:
            w = self.config.dense_weight
            base = w * _minmax(dense) + (1 - w) * _max_norm(lexical)
        if mode != "hybrid":
            return base
        return base + self._priors(rows, features)

    def _priors(self, rows: np.ndarray, features: QueryFeatures) -> np.ndarray:
        cfg = self.config
        periods = features.asked()
        bonus = np.zeros(len(rows), dtype=np.float32)
        for i, row in enumerate(rows):
            chunk = self.store.chunks[int(row)]
            if periods and text_period(chunk.section_path, "") in periods:
                bonus[i] += cfg.period_boost
            if chunk.kind == "glossary" and chunk.section_path[-1] in features.text:
                bonus[i] += cfg.glossary_boost
            bonus[i] += cfg.number_boost * sum(1 for x in features.numbers if x in chunk.text)
        return bonus


def _max_norm(x: np.ndarray) -> np.ndarray:
    top = float(x.max()) if len(x) else 0.0
    return x / top if top > 0 else np.zeros_like(x)


def _minmax(x: np.ndarray) -> np.ndarray:
    if not len(x):
        return x
    lo, hi = float(x.min()), float(x.max())
    return (x - lo) / (hi - lo) if hi > lo else np.zeros_like(x)
