"""Records that cross the index boundary."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ingest.models import Chunk

SearchMode = Literal["bm25", "dense", "hybrid"]


@dataclass(frozen=True)
class Hit:
    """One ranked chunk. `score` is the fused score used for ranking (higher is better);
    `dense_score` is the mean of the chunk's cosine and its best sentence's cosine,
    `lexical_score` the BM25 score (0.0 when the mode did not compute it)."""

    chunk: Chunk
    score: float
    dense_score: float = 0.0
    lexical_score: float = 0.0
    rank: int = 0
