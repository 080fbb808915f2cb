"""Extractive answers with citations, or an honest refusal. No web imports, no LLM.

One question is understood once (`index.query.Query`), routed to the reports it is about
(`app.routing`), answered by the first strategy that fits (`app.strategies`) in each, and judged
by the verdict stage (`app.refusal`). With several reports loaded, an answer names its report;
a question naming several regions (or years of one region) is answered one line per report.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from app import render
from app.blank import strip_blank
from app.errors import EmptyQuestionError, QuestionTooLongError
from app.evidence import EvidenceConfig, EvidenceFinder
from app.extract import ExtractWeights
from app.followup import resolve
from app.models import Answer, Citation, Turn, report_refs
from app.refusal import Reason, RefusalConfig, Verdict
from app.routing import Route, for_report, route
from app.strategies import Outcome, Strategies, renumbered
from index.hybrid import HybridRetriever
from index.models import Hit
from index.query import Query
from ingest.models import Timeline

CANDIDATE_REPORTS = 3  # reports tried for a question that names none, when several are loaded


def validate_question(question: str, max_chars: int) -> str:
    """The question stripped; EmptyQuestionError / QuestionTooLongError otherwise."""
    question = strip_blank(question)
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
    # a question that names no report, with several loaded: the best-supported report's
    # answer ("best"), or one line for each report that answers it ("each")
    several: str = "each"
    # ... and of those, the reports whose support is at least this share of the best one's
    several_within: float = 0.9


class Answerer:
    def __init__(self, retriever: HybridRetriever, config: AnswerConfig = AnswerConfig()) -> None:
        self.retriever = retriever
        self.config = config
        finder = EvidenceFinder(
            retriever, EvidenceConfig(config.evidence_k, config.extract, config.refusal)
        )
        self.strategies = Strategies(retriever, finder)
        self._report = report_refs(retriever.documents.values())

    def answer(
        self,
        question: str,
        history: Sequence[Turn] = (),
        top_k: int = 5,
        doc_ids: Collection[str] | None = None,
    ) -> Answer:
        started = time.perf_counter()
        question = validate_question(question, self.config.max_question_chars)
        # a follow-up takes words from earlier turns: the question asked obeys the limit too
        effective = resolve(question, history, self.retriever.regions.mentions)
        effective = validate_question(effective, self.config.max_question_chars)
        query = self.retriever.understand(effective)
        plan = route(query, self.retriever.documents, doc_ids)
        qvec = self.retriever.encode(query.text)
        k = max(top_k, self.config.evidence_k)
        hits = self.retriever.search(query, k, qvec=qvec, doc_ids=plan.doc_ids or doc_ids)
        retrieved = time.perf_counter()
        outcomes = self._outcomes(query, plan, hits, qvec)
        answer = self._compose(question, query, plan, outcomes, hits[:top_k])
        timings = {
            "retrieve": round((retrieved - started) * 1000, 2),
            "total": round((time.perf_counter() - started) * 1000, 2),
        }
        return replace(answer, timings_ms=timings, effective_question=effective)

    # per report -------------------------------------------------------------------------

    def _outcomes(
        self, query: Query, plan: Route, hits: list[Hit], qvec: np.ndarray | None
    ) -> list[Outcome]:
        if not plan.doc_ids:
            return []
        if plan.per_report:
            docs = self.retriever.documents
            return [
                self._one_report(sub, d, self._hits_in(sub, d, None), None)
                for d in plan.doc_ids
                if (sub := for_report(query, docs[d], plan.year_of(d)))
            ]
        ranked = list(plan.doc_ids) if plan.named else _reports_in(hits, plan.doc_ids)
        candidates = ranked[:CANDIDATE_REPORTS]
        if len(candidates) == 1:
            return [self._one_report(query, candidates[0], hits, qvec)]
        tried = [
            self._one_report(query, d, self._hits_in(query, d, qvec), qvec) for d in candidates
        ]
        accepted = [o for o in tried if not o.refused]
        if not accepted:
            return tried[:1]
        if plan.named:  # the reports the question named, in the order they fit it
            return accepted[:1]
        if any(o.defines for o in accepted):  # a definition: only the reports that give one
            accepted = [o for o in accepted if o.defines]
        accepted.sort(key=lambda o: -o.score)
        if self.config.several != "each":
            return accepted[:1]
        floor = self.config.several_within * accepted[0].score
        return [o for o in accepted if o.score >= floor]

    def _hits_in(self, query: Query, doc_id: str, qvec: np.ndarray | None) -> list[Hit]:
        return self.retriever.search(query, self.config.evidence_k, qvec=qvec, doc_ids=[doc_id])

    def _one_report(
        self, query: Query, doc_id: str, hits: list[Hit], qvec: np.ndarray | None
    ) -> Outcome:
        s = self.strategies
        found = s.bridge(query, doc_id)
        if found is not None:  # asked again of the thing by its name
            sub = found.query
            outcome = self._one_report(sub, doc_id, self._hits_in(sub, doc_id, None), None)
            if not outcome.refused:
                return s.bridged(found, outcome, query.language)
        return (
            s.report_facts(query, doc_id, hits)
            or s.glossary(query, doc_id, hits)
            or s.section(query, doc_id, hits)
            or s.compare(query, doc_id, qvec)
            or s.fact(query, doc_id, hits)[0]
        )

    # composing the answer -----------------------------------------------------------------

    def _compose(
        self,
        question: str,
        query: Query,
        plan: Route,
        outcomes: list[Outcome],
        passages: list[Hit],
    ) -> Answer:
        lang = query.language
        base = Answer(question, "", True, passages=tuple(passages), language=lang, kind=query.kind)
        if not outcomes:
            verdict = self._no_report_verdict(plan)
            return self._refusal(base, verdict, None)
        if len(outcomes) == 1:
            outcome = outcomes[0]
            if outcome.refused:
                return self._refusal(base, outcome.verdict, outcome.doc_id)
            text = outcome.text
            if len(self.retriever.documents) > 1:
                text = f"{text}\n{render.report_note(lang, self._title(outcome.doc_id))}"
            return self._with_reports(
                replace(base, text=text, refused=False, citations=outcome.citations)
            )
        return self._per_report(base, outcomes)

    def _per_report(self, base: Answer, outcomes: list[Outcome]) -> Answer:
        """One line per report, each cited; a report without the answer says so in its line."""
        lines: list[str] = []
        citations: list[Citation] = []
        for outcome in outcomes:
            name = self._title(outcome.doc_id)
            if outcome.refused:
                why = self._why(base.language, outcome.verdict, outcome.doc_id)
                lines.append(f"{name}：{render.refusal_text(base.language, False, why)}")
                continue
            text, shifted = renumbered(outcome, len(citations))
            citations.extend(shifted)
            lines.append(f"{name}：{text}")
        refused = not citations
        answer = replace(base, text="\n".join(lines), refused=refused, citations=tuple(citations))
        if refused:
            answer = replace(
                answer, reason="; ".join(o.verdict.code() for o in outcomes if o.verdict)
            )
        return self._with_reports(answer)

    def _refusal(self, base: Answer, verdict: Verdict | None, doc_id: str | None) -> Answer:
        why = self._why(base.language, verdict, doc_id)
        text = render.refusal_text(base.language, bool(base.passages), why)
        code = verdict.code() if verdict else Reason.NO_EVIDENCE.value
        return self._with_reports(replace(base, text=text, refused=True, reason=code))

    def _why(self, lang: render.Lang, verdict: Verdict | None, doc_id: str | None) -> str:
        if verdict is None:
            return ""
        info = self.retriever.documents.get(doc_id) if doc_id else None
        timeline = info.timeline if info else None
        title = self._title(doc_id) if doc_id and len(self.retriever.documents) > 1 else ""
        return render.refusal_reason(lang, verdict, timeline or Timeline(), title)

    def _no_report_verdict(self, plan: Route) -> Verdict:
        if plan.unknown_places:
            loaded = tuple(self._title(d) for d in self.retriever.documents)
            return Verdict(
                True, Reason.REGION_NOT_LOADED, detail="、".join(plan.unknown_places), loaded=loaded
            )
        return Verdict(True, Reason.NO_EVIDENCE)

    def _title(self, doc_id: str) -> str:
        return self._report(doc_id).title

    def _with_reports(self, answer: Answer) -> Answer:
        ids = [c.hit.chunk.doc_id for c in answer.citations] + [
            h.chunk.doc_id for h in answer.passages
        ]
        return replace(answer, reports=tuple(self._report(d) for d in dict.fromkeys(ids)))


def _reports_in(hits: list[Hit], allowed: Sequence[str]) -> list[str]:
    """The reports of the hits, best first (those without a hit after, in route order)."""
    order = list(dict.fromkeys(h.chunk.doc_id for h in hits if h.chunk.doc_id in allowed))
    return order or list(allowed[:1])
