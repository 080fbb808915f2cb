"""Hybrid retrieval: BM25 + dense, fused by normalised weighted scores, with query priors.

The retriever takes a `Query` (built once per question, `index.query`), optionally limited to
some reports, and returns hits whose sentences carry their periods and the query's cosine with
them. Priors are resolved per report: a chunk about the period the question asks *in that
report* (`去年` is that report's year under review) is preferred. The weights are chosen by
measurement on the dev splits (`reportqa eval --mode all`); `FusionConfig` holds them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from index import glossary
from index.embedder import Embedder
from index.lexical import BM25Index
from index.lexicon import expand
from index.models import Hit, SearchMode, SentenceHit
from index.query import Query, Resolved, analyze, resolve
from index.regions import RegionIndex
from index.sentence_table import SentenceTable
from index.store import IndexStore
from ingest.models import Chunk, DocumentInfo, Period


@dataclass(frozen=True)
class FusionConfig:
    dense_weight: float = 0.55  # weight of the normalised dense score; BM25 gets 1 - this
    candidates: int = 50  # per retriever, before fusion
    period_boost: float = 0.30  # added when the chunk is about the period asked (in its report)
    glossary_boost: float = 0.15  # added to a glossary chunk whose term the query names
    number_boost: float = 0.05  # per number of the query found in the chunk
    sentence_weight: float = 1.5  # of the best sentence's cosine, beside the chunk's own


class HybridRetriever:
    def __init__(
        self, store: IndexStore, embedder: Embedder, config: FusionConfig = FusionConfig()
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.config = config
        self.regions = RegionIndex([info.meta for info in store.documents.values()])
        self.sentences = SentenceTable(store.chunks, store.documents)
        self._doc_rows = _rows_by_document(store.chunks)
        self._lexicons: dict[str, tuple[BM25Index, np.ndarray]] = {}
        self._resolve = lru_cache(maxsize=1024)(self._resolve_uncached)
        self._glossaries = {d: glossary.entries(self.chunks_of(d)) for d in self._doc_rows}
        self._named = lru_cache(maxsize=1024)(self._named_uncached)

    # what the app may ask of the index --------------------------------------------------

    @property
    def documents(self) -> dict[str, DocumentInfo]:
        return self.store.documents

    def understand(self, question: str) -> Query:
        """The question's `Query`, with the regions it names."""
        query = analyze(question)
        return replace(query, places=tuple(p.name for p in self.regions.find(query.text)))

    def resolved(self, query: Query, doc_id: str) -> Resolved:
        """The query's times in report `doc_id`."""
        return self._resolve(query, doc_id)

    def _resolve_uncached(self, query: Query, doc_id: str) -> Resolved:
        info = self.store.documents.get(doc_id)
        return resolve(query, info.timeline) if info else Resolved()

    def glossary(self, doc_id: str) -> dict[str, Chunk]:
        """Report `doc_id`'s glossary entries, by term."""
        return self._glossaries.get(doc_id, {})

    def glossary_terms(self, text: str, doc_id: str) -> tuple[str, ...]:
        """The terms of report `doc_id`'s glossary that `text` (a query's) names
        (`index.glossary`)."""
        return self._named(text, doc_id)

    def _named_uncached(self, text: str, doc_id: str) -> tuple[str, ...]:
        return tuple(glossary.named_terms(text, self.glossary(doc_id)))

    def encode(self, text: str) -> np.ndarray:
        return self.embedder.encode_queries([text])[0]

    def tokens(self, text: str) -> list[str]:
        return self.store.lexical.tokenizer.tokens(text)

    def idf(self, term: str) -> float:
        return self.store.lexical.idf(term)

    def names_a_thing(self, text: str) -> bool:
        return self.store.lexical.tokenizer.names_a_thing(text)

    def tagged(self, text: str) -> list[tuple[str, str]]:
        """`text` as (word, part-of-speech flag) pairs."""
        return self.store.lexical.tokenizer.tagged(text)

    def chunks_of(self, doc_id: str) -> list[Chunk]:
        return [self.store.chunks[r] for r in self._doc_rows.get(doc_id, ())]

    def hit_for(self, chunk: Chunk, qvec: np.ndarray | None = None) -> Hit:
        """A hit for a chunk found otherwise (a glossary entry, a section heading)."""
        row = self.store.row_of(chunk.chunk_id)
        return Hit(chunk=chunk, score=0.0, sentences=self._sentences(row, qvec))

    # search ----------------------------------------------------------------------------

    def search(
        self,
        query: Query | str,
        k: int = 5,
        mode: SearchMode = "hybrid",
        qvec: np.ndarray | None = None,
        doc_ids: Collection[str] | None = None,
    ) -> list[Hit]:
        """Ranked hits (in the reports `doc_ids` only, when given); `qvec` is the query's
        vector when the caller already has it."""
        if isinstance(query, str):
            query = self.understand(query)
        allowed = self._allowed(doc_ids)
        if len(allowed) == 0 or not query.text.strip():
            return []
        lexical = self._lexical(query, mode, doc_ids)
        if mode != "bm25" and qvec is None:
            qvec = self.encode(query.text)
        sentence_best = (
            self.store.sentences.max_per_row(
                qvec, len(self.store), None if doc_ids is None else allowed
            )
            if qvec is not None and mode != "bm25"
            else None
        )
        m = max(k, self.config.candidates)
        if doc_ids is None:
            rows = self._candidates(lexical, qvec, sentence_best, m)
        else:
            rows = self._candidates_in(allowed, lexical, qvec, sentence_best, m)
        sw = self.config.sentence_weight
        dense = (
            (self.store.dense.scores_for(qvec, rows) + sw * sentence_best[rows]) / (1 + sw)
            if qvec is not None and sentence_best is not None
            else np.zeros(len(rows), dtype=np.float32)
        )
        fused = self._fuse(mode, lexical[rows], dense, rows, query)
        order = np.argsort(-fused, kind="stable")[:k]
        return [
            Hit(
                chunk=self.store.chunks[int(rows[i])],
                score=float(fused[i]),
                dense_score=float(dense[i]),
                lexical_score=float(lexical[rows[i]]),
                rank=rank,
                sentences=self._sentences(int(rows[i]), qvec),
            )
            for rank, i in enumerate(order, start=1)
        ]

    def _allowed(self, doc_ids: Collection[str] | None) -> np.ndarray:
        if doc_ids is None:
            return np.arange(len(self.store))
        rows = [r for d in doc_ids for r in self._doc_rows.get(d, ())]
        return np.array(sorted(rows), dtype=np.int64)

    def _lexical(
        self, query: Query, mode: SearchMode, doc_ids: Collection[str] | None = None
    ) -> np.ndarray:
        """BM25 of the question's words (and their report-vocabulary translations), without the
        places it names: routing already chose the reports, and a report names its own region
        everywhere (the thing a bridged question asks about, `Query.about`, stays). Asked of
        some reports, each report is scored with its own statistics, as if served alone."""
        scores = np.zeros(len(self.store), dtype=np.float32)
        if mode == "dense":
            return scores
        text = query.text
        for name, _ in self.regions.mentions(text):
            if name not in query.about:  # a place asked about by name is no routing cue
                text = text.replace(name, " ")
        expanded = expand(text)
        if doc_ids is None:
            return self.store.lexical.scores(expanded)
        tokens = self.store.lexical.tokenizer.tokens(expanded)
        for doc_id in doc_ids:
            own = self._own_lexicon(doc_id)
            if own is not None:
                scores[own[1]] = own[0].score_tokens(tokens)
        return scores

    def idf_in(self, doc_id: str) -> Callable[[str], float]:
        """A term's idf among the chunks of one report (its own statistics)."""
        own = self._own_lexicon(doc_id)
        return own[0].idf if own is not None else self.store.lexical.idf

    def _own_lexicon(self, doc_id: str) -> tuple[BM25Index, np.ndarray] | None:
        if doc_id not in self._lexicons:
            rows = self._doc_rows.get(doc_id)
            if not rows:
                return None
            lexical = self.store.lexical
            tokens = [lexical.doc_tokens[r] for r in rows]
            index = BM25Index(tokens, lexical.tokenizer, lexical.params)
            self._lexicons[doc_id] = (index, np.array(rows, dtype=np.int64))
        return self._lexicons[doc_id]

    def _sentences(self, row: int | None, qvec: np.ndarray | None) -> tuple[SentenceHit, ...]:
        if row is None:
            return ()
        spans, periods = self.sentences.spans[row], self.sentences.periods[row]
        mentions = self.sentences.mentions[row]
        cos = (
            self.store.sentences.of_row(qvec, row)
            if qvec is not None
            else np.zeros(len(spans), dtype=np.float32)
        )
        return tuple(
            SentenceHit(span, period, float(c), named)
            for span, period, c, named in zip(spans, periods, cos, mentions, strict=False)
        )

    def _candidates_in(
        self,
        allowed: np.ndarray,
        lexical: np.ndarray,
        qvec: np.ndarray | None,
        sentence_best: np.ndarray | None,
        m: int,
    ) -> np.ndarray:
        """The candidates among the `allowed` rows only (each retriever's top m there)."""
        if len(allowed) <= m:
            return allowed
        parts = [allowed[np.argpartition(-lexical[allowed], m - 1)[:m]]]
        if qvec is not None:
            dense = self.store.dense.scores_for(qvec, allowed)
            parts.append(allowed[np.argpartition(-dense, m - 1)[:m]])
        if sentence_best is not None:
            parts.append(allowed[np.argpartition(-sentence_best[allowed], m - 1)[:m]])
        return np.unique(np.concatenate(parts))

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
        query: Query,
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
        return base + self._priors(rows, query)

    def _priors(self, rows: np.ndarray, query: Query) -> np.ndarray:
        cfg = self.config
        bonus = np.zeros(len(rows), dtype=np.float32)
        periods: dict[str, frozenset[Period]] = {}  # the periods asked, per report
        for i, row in enumerate(rows):
            chunk = self.store.chunks[int(row)]
            if chunk.doc_id not in periods:
                periods[chunk.doc_id] = self.resolved(query, chunk.doc_id).periods
            if chunk.period in periods[chunk.doc_id]:
                bonus[i] += cfg.period_boost
            if chunk.kind == "glossary" and chunk.section_path[-1] in self.glossary_terms(
                query.text, chunk.doc_id
            ):
                bonus[i] += cfg.glossary_boost
            bonus[i] += cfg.number_boost * sum(1 for x in query.numbers if x in chunk.text)
        return bonus


def _rows_by_document(chunks: list[Chunk]) -> dict[str, list[int]]:
    rows: dict[str, list[int]] = {}
    for row, chunk in enumerate(chunks):
        rows.setdefault(chunk.doc_id, []).append(row)
    return rows


def _max_norm(x: np.ndarray) -> np.ndarray:
    top = float(x.max()) if len(x) else 0.0
    return x / top if top > 0 else np.zeros_like(x)


def _minmax(x: np.ndarray) -> np.ndarray:
    if not len(x):
        return x
    lo, hi = float(x.min()), float(x.max())
    return (x - lo) / (hi - lo) if hi > lo else np.zeros_like(x)
