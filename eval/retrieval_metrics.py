"""Retrieval metrics per search mode: hit@1/3/k, MRR@k, all-evidence@k, latency (pure).

Passages are judged with `eval.metrics.covers` (normalised containment, plus the larger half
of an evidence string split at a chunk edge), the same rule `score_item` uses.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from eval.dataset import EvalItem
from eval.metrics import all_evidence_at_k, evidence_rank, percentile

BASE_CUTOFFS: tuple[int, ...] = (1, 3)


def cutoffs_for(k: int) -> tuple[int, ...]:
    """The hit@n cutoffs reported for search depth k: 1, 3 (when below k) and k."""
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    return (*(c for c in BASE_CUTOFFS if c < k), k)


@dataclass(frozen=True)
class RetrievalScore:
    """One item under one mode; `rank` is the first covering passage within the top k."""

    item: EvalItem
    rank: int | None
    all_evidence: bool
    latency_ms: float


def score_retrieval(
    item: EvalItem, passages: Sequence[str], latency_ms: float, k: int
) -> RetrievalScore:
    top = passages[:k]
    return RetrievalScore(
        item=item,
        rank=evidence_rank(item.evidence, top),
        all_evidence=all_evidence_at_k(item.evidence, top, k),
        latency_ms=latency_ms,
    )


@dataclass(frozen=True)
class RetrievalMetrics:
    """Rates over answerable items (the ones with evidence); latency over all items."""

    k: int
    count: int
    answerable: int
    hit_at: Mapping[int, float | None] = field(default_factory=dict)  # cutoff -> rate
    mrr: float | None = None
    all_evidence: float | None = None
    latency_p50_ms: float | None = None
    latency_p95_ms: float | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"k": self.k, "count": self.count, "answerable": self.answerable}
        out.update({f"hit@{c}": rate for c, rate in self.hit_at.items()})
        out[f"mrr@{self.k}"] = self.mrr
        out[f"all_evidence@{self.k}"] = self.all_evidence
        out["latency_p50_ms"] = self.latency_p50_ms
        out["latency_p95_ms"] = self.latency_p95_ms
        return out


@dataclass(frozen=True)
class RetrievalSummary:
    overall: RetrievalMetrics
    by_type: Mapping[str, RetrievalMetrics] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "overall": self.overall.to_dict(),
            "by_type": {name: m.to_dict() for name, m in self.by_type.items()},
        }


def _rate(flags: Sequence[bool]) -> float | None:
    return sum(flags) / len(flags) if flags else None


def aggregate_retrieval(scores: Sequence[RetrievalScore], k: int) -> RetrievalMetrics:
    answerable = [s for s in scores if s.item.answerable]
    latencies = [s.latency_ms for s in scores]
    ranks = [s.rank for s in answerable]
    return RetrievalMetrics(
        k=k,
        count=len(scores),
        answerable=len(answerable),
        hit_at={c: _rate([r is not None and r <= c for r in ranks]) for c in cutoffs_for(k)},
        mrr=sum(1.0 / r for r in ranks if r is not None) / len(ranks) if ranks else None,
        all_evidence=_rate([s.all_evidence for s in answerable]),
        latency_p50_ms=percentile(latencies, 50) if latencies else None,
        latency_p95_ms=percentile(latencies, 95) if latencies else None,
    )


def summarize_retrieval(scores: Sequence[RetrievalScore], k: int) -> RetrievalSummary:
    """Overall retrieval metrics plus the same per question type (types sorted by name)."""
    types = sorted({s.item.type for s in scores})
    return RetrievalSummary(
        overall=aggregate_retrieval(scores, k),
        by_type={t: aggregate_retrieval([s for s in scores if s.item.type == t], k) for t in types},
    )
