"""Answer strategies for one report: small units over (query, evidence) -> answer or nothing.

Tried in order by the answerer: a glossary definition, a section's list of subsections, a
figure compared across the periods asked, the best sentence (with the verdict stage deciding
whether the evidence holds an answer at all).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from app import render
from app.evidence import Evidence, EvidenceFinder
from app.extract import ScoredSpan, key_span, period_fit
from app.models import Citation, Quote
from app.refusal import Verdict
from app.sections import SectionTree
from index.hybrid import HybridRetriever
from index.models import Hit
from index.query import Query, TimeAsk
from ingest.models import Chunk, Period


@dataclass(frozen=True)
class Outcome:
    """What a strategy made of one report: an answer's text and citations, or a refusal."""

    doc_id: str
    text: str
    citations: tuple[Citation, ...] = ()
    verdict: Verdict | None = None  # set for a refusal
    score: float = 0.0  # how well the evidence supports it (to choose between reports)

    @property
    def refused(self) -> bool:
        return self.verdict is not None and self.verdict.refused


class Strategies:
    def __init__(self, retriever: HybridRetriever, finder: EvidenceFinder) -> None:
        self.retriever = retriever
        self.finder = finder
        self.sections = SectionTree(retriever.documents, retriever.chunks_of)

    # glossary ---------------------------------------------------------------------------

    def glossary(self, query: Query, doc_id: str, hits: Sequence[Hit]) -> Outcome | None:
        """The glossary's definition of every term the question names (`六稳和六保分别是什么`
        answers both)."""
        if query.kind not in ("definition", "list", "general"):
            return None
        entries = {
            c.section_path[-1]: c for c in self.retriever.chunks_of(doc_id) if c.kind == "glossary"
        }
        terms = _named_terms(query.text, entries)
        own = [h for h in hits if h.chunk.doc_id == doc_id]
        if not terms and query.kind == "definition" and own and own[0].chunk.kind == "glossary":
            terms = [own[0].chunk.section_path[-1]]
        if not terms:
            return None
        lines, citations = [], []
        for n, term in enumerate(terms, start=1):
            chunk = entries[term]
            definition = chunk.footnotes[0].definition if chunk.footnotes else _definition(chunk)
            citations.append(Citation(n, self._hit(chunk, hits), (_entry_quote(chunk, term),)))
            lines.append(render.definition_answer(query.language, term, definition, n))
        return Outcome(doc_id, "\n".join(lines), tuple(citations), score=1.0)

    # section tree -----------------------------------------------------------------------

    def section(self, query: Query, doc_id: str, hits: Sequence[Hit]) -> Outcome | None:
        """The subsections of the section the question is about (`2026年重点做哪些工作`)."""
        if query.kind != "section":
            return None
        periods = self.retriever.resolved(query, doc_id).periods
        node = self.sections.parent_for(doc_id, hits, periods)
        if node is None:
            return None
        children = self.sections.children(node)
        if not children:
            return None
        citations = tuple(
            Citation(n, self._hit(first, hits), (_heading_quote(first, title),))
            for n, (title, first) in enumerate(children, start=1)
        )
        titles = [(title, n) for n, (title, _) in enumerate(children, start=1)]
        text = render.section_answer(query.language, node.outline.title, titles)
        return Outcome(doc_id, text, citations, score=1.0)

    # figures and sentences ----------------------------------------------------------------

    def compare(self, query: Query, doc_id: str, qvec: np.ndarray | None) -> Outcome | None:
        """A figure asked for several periods (`2025年…多少，2026年的目标…`): each period on its
        own, with its own retrieval, answered from a sentence of that period."""
        resolved = self.retriever.resolved(query, doc_id)
        if query.kind != "number" or not resolved.comparison:
            return None
        info = self.retriever.documents[doc_id]
        found: list[tuple[ScoredSpan, Evidence]] = []
        missing: list[str] = []
        for ask, period in _distinct(resolved.by_ask):
            sub = query.narrowed(ask, target=period in ("plan_year", "plan_ahead", "long_range"))
            hits = self.retriever.search(
                sub, self.finder.config.evidence_k, qvec=qvec, doc_ids=[doc_id]
            )
            ev = self.finder.find(sub, doc_id, hits, period_only=period)
            if ev.verdict.refused or ev.best is None:
                missing.append(render.period_label(period, info.timeline, query.language))
            elif all(ev.best.span.text != s.span.text for s, _ in found):
                found.append((ev.best, ev))
        if not found:
            return None
        text, citations = _fact(query, found)
        if missing:
            text = f"{text}\n{render.missing_periods_note(query.language, missing)}"
        return Outcome(doc_id, text, citations, score=min(s.score for s, _ in found))

    def fact(self, query: Query, doc_id: str, hits: Sequence[Hit]) -> tuple[Outcome, Evidence]:
        """The best sentence(s) of the report for the question, or its refusal."""
        own = [h for h in hits if h.chunk.doc_id == doc_id]
        ev = self.finder.find(query, doc_id, own)
        if ev.verdict.refused or ev.best is None:
            return Outcome(doc_id, "", verdict=ev.verdict, score=ev.score), ev
        chosen = _pick(ev, query)
        text, citations = _fact(query, [(s, ev) for s in chosen])
        return Outcome(doc_id, text, citations, score=ev.score), ev

    def _hit(self, chunk: Chunk, hits: Sequence[Hit]) -> Hit:
        for h in hits:
            if h.chunk.chunk_id == chunk.chunk_id:
                return h
        return self.retriever.hit_for(chunk)


def _named_terms(text: str, entries: dict[str, Chunk]) -> list[str]:
    """The glossary terms the question names, longest match first, in question order."""
    named = [t for t in entries if _bare(t) and _bare(t) in _bare(text)]
    named = [t for t in named if not any(t != o and _bare(t) in _bare(o) for o in named)]
    return sorted(named, key=lambda t: _bare(text).find(_bare(t)))


def _bare(text: str) -> str:
    return re.sub(r"[“”\"'‘’《》「」]", "", text)


def _distinct(
    by_ask: Sequence[tuple[TimeAsk, Period | None]],
) -> list[tuple[TimeAsk, Period]]:
    out: list[tuple[TimeAsk, Period]] = []
    for ask, period in by_ask:
        if period is not None and all(p != period for _, p in out):
            out.append((ask, period))
    return out


def _pick(ev: Evidence, query: Query) -> list[ScoredSpan]:
    """The best sentence; for a list a close runner-up too."""
    best = ev.best
    assert best is not None
    chosen = [best]
    if query.kind in ("list", "general") and len(ev.scored) > 1:
        second = ev.scored[1]
        if second.score >= 0.9 * best.score and second.span.text != best.span.text:
            if period_fit(second.period, ev.resolved.periods) >= period_fit(
                best.period, ev.resolved.periods
            ):
                chosen.append(second)
    return sorted(chosen, key=lambda s: s.span.start)


def _fact(
    query: Query, chosen: Sequence[tuple[ScoredSpan, Evidence]]
) -> tuple[str, tuple[Citation, ...]]:
    """The key fact of each chosen sentence, the sentences quoted, in document order."""
    ordered = sorted(chosen, key=lambda c: c[0].span.start)
    spans = [s for s, _ in ordered]
    keys = [
        k.text for s, ev in ordered if (k := key_span(s.span, ev.groups, query.wants)) is not None
    ]
    citations = _citations(spans)
    quotes = [(s.span.text, _number_of(s.hit, citations)) for s in spans]
    return render.fact_answer(query.language, keys, quotes), citations


def _citations(chosen: list[ScoredSpan]) -> tuple[Citation, ...]:
    by_chunk: dict[str, list[ScoredSpan]] = {}
    for s in chosen:
        by_chunk.setdefault(s.hit.chunk.chunk_id, []).append(s)
    return tuple(
        Citation(
            n, spans[0].hit, tuple(Quote(s.span.text, s.span.start, s.span.end) for s in spans)
        )
        for n, spans in enumerate(by_chunk.values(), start=1)
    )


def _number_of(hit: Hit, citations: tuple[Citation, ...]) -> int:
    for c in citations:
        if c.hit.chunk.chunk_id == hit.chunk.chunk_id:
            return c.n
    return 1


def _heading_quote(chunk: Chunk, title: str) -> Quote:
    """The subsection heading where it stands in its first chunk (the chunk's start else)."""
    offset = max(chunk.text.find(title), 0)
    text = chunk.text[offset : offset + len(title)]
    return Quote(text, chunk.start + offset, chunk.start + offset + len(text))


def _entry_quote(chunk: Chunk, term: str) -> Quote:
    """The glossary entry itself (`1.六稳：指…`), without a heading the chunk may carry."""
    match = re.search(rf"(?:\d+[.．、]|[（(\[［]\d+[）)\]］])\s*{re.escape(term)}[：:]", chunk.text)
    offset = match.start() if match else 0
    return Quote(chunk.text[offset:], chunk.start + offset, chunk.end)


def _definition(chunk: Chunk) -> str:
    text = chunk.text
    for sep in ("：", ":"):
        if sep in text:
            return text.split(sep, 1)[1].strip()
    return text
