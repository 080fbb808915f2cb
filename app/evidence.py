"""The evidence of one report for a query: its sentences scored, the best one, the verdict."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from app.extract import (
    ExtractWeights,
    ScoredSpan,
    TermGroup,
    bigrams,
    focus_clause,
    normalize,
    period_fit,
    score_sentences,
    term_groups,
)
from app.refusal import RefusalConfig, Verdict, judge
from index.hybrid import HybridRetriever
from index.models import Hit
from index.qtype import without_asking_phrases
from index.query import Query, Resolved
from ingest.meta import short_name
from ingest.models import Period


@dataclass(frozen=True)
class EvidenceConfig:
    evidence_k: int = 8  # passages whose sentences compete for the answer
    extract: ExtractWeights = field(default_factory=ExtractWeights)
    refusal: RefusalConfig = field(default_factory=RefusalConfig)


@dataclass(frozen=True)
class Evidence:
    doc_id: str
    resolved: Resolved
    groups: list[TermGroup]
    scored: list[ScoredSpan]
    best: ScoredSpan | None
    verdict: Verdict
    hits: list[Hit]

    @property
    def score(self) -> float:
        return self.best.score if self.best is not None else 0.0


class EvidenceFinder:
    def __init__(self, retriever: HybridRetriever, config: EvidenceConfig) -> None:
        self.retriever = retriever
        self.config = config
        self._corpus = lru_cache(maxsize=256)(self._corpus_uncached)

    def corpus(self, doc_id: str) -> str:
        """The report's text, normalised (NFKC, lower case, no spaces)."""
        return self._corpus(doc_id)

    def _corpus_uncached(self, doc_id: str) -> str:
        return normalize("".join(c.text for c in self.retriever.chunks_of(doc_id)))

    def groups(self, query: Query) -> list[TermGroup]:
        """The question's terms, without the times and places it names (the timeline and the
        routing judge those) and without the phrases that only ask for an overview."""
        asking = _without_places(without_asking_phrases(query.without_times()), query)
        return term_groups(asking, self.retriever.tokens, self.retriever.idf)

    def find(
        self,
        query: Query,
        doc_id: str,
        hits: Sequence[Hit],
        period_only: Period | None = None,
    ) -> Evidence:
        """The query's sentences among `hits` (of report `doc_id`), scored, the best one and
        the verdict; with `period_only`, only sentences of that period compete."""
        resolved = self.retriever.resolved(query, doc_id)
        if period_only is not None:
            resolved = Resolved(frozenset({period_only}), resolved.years, resolved.uncovered)
        groups = self.groups(query)
        if period_only is not None:
            groups = [g for g in groups if not _is_time_word(g.words[0], query)]
        asking = _without_places(without_asking_phrases(query.without_times()), query)
        scored = score_sentences(
            list(hits)[: self.config.evidence_k],
            groups,
            query.wants,
            self.config.extract,
            lambda _: resolved.periods,
            bigrams(asking, self.corpus(doc_id)),
        )
        if period_only is not None:
            scored = [s for s in scored if s.period == period_only]
        best = prefer_asked_period(scored, query, resolved.periods)
        focus = focus_clause(best.span, groups, query.wants).text if best is not None else None
        info = self.retriever.documents[doc_id]
        verdict = judge(query, resolved, best, info, focus, self.config.refusal)
        return Evidence(doc_id, resolved, groups, scored, best, verdict, list(hits))


def prefer_asked_period(
    scored: list[ScoredSpan], query: Query, asked: frozenset[Period]
) -> ScoredSpan | None:
    """The best sentence; for a number asked for one period, the best sentence of that
    period when it covers the question nearly as well (the year's figure vs the five years')."""
    if not scored:
        return None
    best = scored[0]
    if query.kind != "number" or len(asked) != 1 or period_fit(best.period, asked) == 1:
        return best
    for s in scored[1:]:
        if period_fit(s.period, asked) == 1.0:
            return s if s.coverage >= 0.8 * best.coverage else best
    return best


def _without_places(text: str, query: Query) -> str:
    for place in query.places:
        for name in (place, short_name(place)):
            text = text.replace(name, " ")
    return text


def _is_time_word(word: str, query: Query) -> bool:
    return any(word in ask.text for ask in query.times)
