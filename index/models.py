"""Records that cross the index boundary."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ingest.models import Chunk, Period
from ingest.sentences import Span

SearchMode = Literal["bm25", "dense", "hybrid"]


@dataclass(frozen=True)
class SentenceHit:
    """One sentence of a hit's chunk: its span, its period in its report, and the query's
    cosine with it (0.0 when the search computed none)."""

    span: Span
    period: Period
    cosine: float = 0.0
    mentions: frozenset[Period] = frozenset()  # periods of the years and plans it names


@dataclass(frozen=True)
class Hit:
    """One ranked chunk. `score` is the fused score used for ranking (higher is better);
    `dense_score` is the weighted mean of the chunk's cosine and its best sentence's cosine
    (`FusionConfig.sentence_weight`),
    `lexical_score` the BM25 score (0.0 when the mode did not compute it); `sentences` are the
    chunk's sentences in text order."""

    chunk: Chunk
    score: float
    dense_score: float = 0.0
    lexical_score: float = 0.0
    rank: int = 0
    sentences: tuple[SentenceHit, ...] = ()
