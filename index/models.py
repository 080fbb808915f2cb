"""Records that cross the index boundary."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ingest.models import Chunk

SearchMode = Literal["bm25", "dense", "hybrid"]


@dataclass(frozen=True)
class Hit:
    """One ranked chunk. `score` is the fused score used for ranking (higher is better);
    `dense_score` is the cosine similarity, `lexical_score` the BM25 score (0.0 when the
    retriever that produced the hit did not compute it)."""

    chunk: Chunk
    score: float
    dense_score: float = 0.0
    lexical_score: float = 0.0
    rank: int = 0
