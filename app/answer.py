"""Extractive answers with citations, or an honest refusal. No web imports, no LLM."""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from app import render
from app.compare import sub_question
from app.errors import EmptyQuestionError, QuestionTooLongError
from app.extract import (
    ExtractWeights,
    ScoredSpan,
    TermGroup,
    bigrams,
    focus_clause,
    key_span,
    normalize,
    period_fit,
    score_sentences,
    term_groups,
)
from app.followup import resolve
from app.models import Answer, Citation, Quote, Turn
from app.qtype import (
    QuestionKind,
    Wants,
    question_kind,
    wants,
    without_asking_phrases,
)
from app.refusal import Decision, RefusalConfig, decide
from app.sections import SectionTree
from index.hybrid import HybridRetriever
from index.models import Hit
from index.query import QueryFeatures, analyze
from ingest.models import Chunk


def validate_question(question: str, max_chars: int) -> str:
    """The question stripped; EmptyQuestionError / QuestionTooLongError otherwise."""
    question = question.strip()
    if not question:
        raise EmptyQuestionError("问题不能为空。")
    if len(question) > max_chars:
        raise QuestionTooLongError(f"问题过长（{len(question)} 字），上限为 {max_chars} 字。")
    return question


@dataclass(frozen=True)
class AnswerConfig:
    evidence_k: int = 8  # passages whose sentences compete for the answer
    max_question_chars: int = 1000
    extract: ExtractWeights = field(default_factory=ExtractWeights)
    refusal: RefusalConfig = field(default_factory=RefusalConfig)


class Answerer:
    def __init__(self, retriever: HybridRetriever, config: AnswerConfig = AnswerConfig()) -> None:
        self.retriever = retriever
        self.config = config
        chunks = retriever.store.chunks
        self.sections = SectionTree(chunks)
        self.glossary = {c.section_path[-1]: c for c in chunks if c.kind == "glossary"}
        self.corpus = normalize("".join(c.text for c in chunks))  # NFKC, lower case, no spaces

    def answer(self, question: str, history: Sequence[Turn] = (), top_k: int = 5) -> Answer:
        started = time.perf_counter()
        question = validate_question(question, self.config.max_question_chars)
        # a follow-up takes words from earlier turns: the question asked obeys the limit too
        resolved = validate_question(resolve(question, history), self.config.max_question_chars)
        features = analyze(resolved)
        kind = question_kind(resolved)
        qvec = self.retriever.encode(resolved)
        hits = self.retriever.search(resolved, k=max(top_k, self.config.evidence_k), qvec=qvec)
        retrieved = time.perf_counter()
        answer = (
            self._glossary(question, resolved, kind, features.language, hits)
            or self._section(question, kind, features.language, hits)
            or self._extract(question, resolved, kind, features, hits, qvec)
        )
        timings = {
            "retrieve": round((retrieved - started) * 1000, 2),
            "total": round((time.perf_counter() - started) * 1000, 2),
        }
        return Answer(
            question=question,
            text=answer.text,
            refused=answer.refused,
            citations=answer.citations,
            passages=tuple(hits[:top_k]),
            language=features.language,
            kind=kind,
            reason=answer.reason,
            timings_ms=timings,
        )

    # answer strategies ---------------------------------------------------------------------

    def _glossary(
        self, question: str, resolved: str, kind: QuestionKind, lang: render.Lang, hits: list[Hit]
    ) -> Answer | None:
        if kind not in ("definition", "list", "general"):
            return None
        text = unicodedata.normalize("NFKC", resolved)
        terms = [t for t in self.glossary if t in text]
        if not terms and kind == "definition" and hits and hits[0].chunk.kind == "glossary":
            terms = [hits[0].chunk.section_path[-1]]
        if not terms:
            return None
        term = max(terms, key=len)
        chunk = self.glossary[term]
        definition = chunk.footnotes[0].definition if chunk.footnotes else _definition(chunk)
        hit = _hit_for(chunk, hits)
        citation = Citation(1, hit, (_entry_quote(chunk, term),))
        text = render.definition_answer(lang, term, definition, 1)
        return Answer(question, text, False, (citation,))

    def _section(
        self, question: str, kind: QuestionKind, lang: render.Lang, hits: list[Hit]
    ) -> Answer | None:
        if kind != "section" or not hits:
            return None
        parent = self.sections.parent_with_children(hits)
        if parent is None:
            return None
        children = self.sections.children(parent)
        citations = tuple(
            Citation(
                n,
                _hit_for(first, hits),
                (_heading_quote(first, title),),
            )
            for n, (title, first) in enumerate(children, start=1)
        )
        titles = [(title, n) for n, (title, _) in enumerate(children, start=1)]
        return Answer(question, render.section_answer(lang, parent, titles), False, citations)

    def _extract(
        self,
        question: str,
        resolved: str,
        kind: QuestionKind,
        features: QueryFeatures,
        hits: list[Hit],
        qvec: np.ndarray,
    ) -> Answer:
        lang = features.language
        asked = features.asked()
        if kind == "number" and len(asked) > 1:
            return self._compare(question, resolved, features, hits)
        found = self._evidence(resolved, kind, features, hits, qvec)
        if found.decision.refused or found.best is None:
            text = render.refusal_text(lang, bool(hits))
            return Answer(question, text, True, reason=found.decision.reason)
        chosen = self._pick(found.best, found.scored, kind, asked)
        return _fact(question, lang, [(s, found) for s in chosen])

    def _compare(
        self, question: str, resolved: str, features: QueryFeatures, hits: list[Hit]
    ) -> Answer:
        """A number asked for several periods (`去年…和今年的目标`): each period is asked
        on its own, with its own retrieval, and answered from a sentence of that period."""
        asked = features.asked()
        found: list[tuple[ScoredSpan, _Evidence]] = []
        reasons = []
        missing: list[str] = []
        for period in sorted(asked):
            sub = sub_question(
                resolved, period, asked, self.retriever.store.lexical.tokenizer.tokens
            )
            qvec = self.retriever.encode(sub)
            sub_hits = self.retriever.search(sub, k=self.config.evidence_k, qvec=qvec)
            sub_features = replace(analyze(sub), periods=(period,))
            ev = self._evidence(sub, "number", sub_features, sub_hits, qvec, period_only=True)
            if ev.decision.refused or ev.best is None:
                reasons.append(f"{period}: {ev.decision.reason}")
                missing.append(period)
            elif all(ev.best.span.text != s.span.text for s, _ in found):
                found.append((ev.best, ev))
        if not found:
            text = render.refusal_text(features.language, bool(hits))
            return Answer(question, text, True, reason="; ".join(reasons))
        answer = _fact(question, features.language, found)
        if not missing:
            return answer
        note = render.missing_periods_note(features.language, missing)
        return replace(answer, text=f"{answer.text}\n{note}", reason="; ".join(reasons))

    def _evidence(
        self,
        question: str,
        kind: QuestionKind,
        features: QueryFeatures,
        hits: list[Hit],
        qvec: np.ndarray,
        period_only: bool = False,
    ) -> _Evidence:
        """The question's sentences from `hits`, scored, the best one, and the verdict;
        with `period_only`, only sentences of the (one) asked period compete."""
        store = self.retriever.store
        asking = without_asking_phrases(question)
        groups = term_groups(asking, store.lexical.tokenizer.tokens, store.lexical.idf)
        if period_only:  # the period is enforced below; its cue words say nothing more
            groups = [g for g in groups if not analyze(g.words[0]).periods]

        def similarity(hit: Hit) -> np.ndarray:
            row = store.row_of(hit.chunk.chunk_id)
            return store.sentences.of_row(qvec, row) if row is not None else np.zeros(0)

        want = wants(question, kind)
        asked = features.asked()
        scored = score_sentences(
            hits[: self.config.evidence_k],
            groups,
            want,
            self.config.extract,
            similarity,
            asked,
            bigrams(asking, self.corpus),
        )
        if period_only:
            scored = [s for s in scored if period_fit(s.span.text, s.hit.chunk, asked) == 1]
        best = _prefer_asked_period(scored, kind, asked)
        focus = focus_clause(best.span, groups, want).text if best is not None else None
        decision = decide(features, want, best, hits, self.corpus, self.config.refusal, focus)
        return _Evidence(groups, scored, best, decision, want)

    def _pick(
        self,
        best: ScoredSpan,
        scored: list[ScoredSpan],
        kind: QuestionKind,
        asked: frozenset[str],
    ) -> list[ScoredSpan]:
        """The best sentence; for a comparison the best of each period asked; for a list a
        close runner-up too."""
        chosen = [best]
        if len(asked) > 1:
            chosen = []
            for period in sorted(asked):
                fits = [
                    s
                    for s in scored
                    if period_fit(s.span.text, s.hit.chunk, frozenset({period})) == 1.0
                ]
                if fits and fits[0] not in chosen:
                    chosen.append(fits[0])
            chosen = chosen or [best]
        elif kind in ("list", "general") and len(scored) > 1:
            second = scored[1]
            if second.score >= 0.9 * best.score and second.span.text != best.span.text:
                chosen.append(second)
        return sorted(chosen, key=lambda s: s.span.start)


def _prefer_asked_period(
    scored: list[ScoredSpan], kind: QuestionKind, asked: frozenset[str]
) -> ScoredSpan | None:
    """The best sentence; for a number asked for one period, the best sentence of that
    period when it covers the question nearly as well (2020 vs the five-year figure)."""
    if not scored:
        return None
    best = scored[0]
    if (
        kind != "number"
        or len(asked) != 1
        or period_fit(best.span.text, best.hit.chunk, asked) == 1
    ):
        return best
    for s in scored[1:]:
        if period_fit(s.span.text, s.hit.chunk, asked) == 1.0:
            return s if s.coverage >= 0.8 * best.coverage else best
    return best


@dataclass(frozen=True)
class _Evidence:
    groups: list[TermGroup]
    scored: list[ScoredSpan]
    best: ScoredSpan | None
    decision: Decision
    want: Wants


def _fact(
    question: str,
    lang: render.Lang,
    chosen: Sequence[tuple[ScoredSpan, _Evidence]],
) -> Answer:
    """The key fact of each chosen sentence, the sentences quoted, in document order."""
    ordered = sorted(chosen, key=lambda c: c[0].span.start)
    spans = [s for s, _ in ordered]
    keys = [k.text for s, ev in ordered if (k := key_span(s.span, ev.groups, ev.want)) is not None]
    citations = _citations(spans)
    quotes = [(s.span.text, _number_of(s.hit, citations)) for s in spans]
    return Answer(question, render.fact_answer(lang, keys, quotes), False, citations)


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


def _hit_for(chunk: Chunk, hits: list[Hit]) -> Hit:
    for h in hits:
        if h.chunk.chunk_id == chunk.chunk_id:
            return h
    return Hit(chunk=chunk, score=0.0)


def _heading_quote(chunk: Chunk, title: str) -> Quote:
    """The subsection heading where it stands in its first chunk (the chunk's start else)."""
    offset = max(chunk.text.find(title), 0)
    text = chunk.text[offset : offset + len(title)]
    return Quote(text, chunk.start + offset, chunk.start + offset + len(text))


def _entry_quote(chunk: Chunk, term: str) -> Quote:
    """The glossary entry itself (`1.六稳：指…`), without a heading the chunk may carry."""
    match = re.search(rf"\d+\.{re.escape(term)}[：:]", chunk.text)
    offset = match.start() if match else 0
    return Quote(chunk.text[offset:], chunk.start + offset, chunk.end)


def _definition(chunk: Chunk) -> str:
    text = chunk.text
    for sep in ("：", ":"):
        if sep in text:
            return text.split(sep, 1)[1]
    return text
