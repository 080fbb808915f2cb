"""Run an evaluation set through a `QAService`: answers (hybrid) and retrieval per mode, timed.

Pure orchestration: no printing, no files. `evaluate` calls `service.answer(question, top_k=k)`
and `service.search(question, k=k, mode=m)` for every item and mode, times each call, and
scores them with `eval.metrics` / `eval.retrieval_metrics`. One untimed warm-up call per
operation runs first so lazy loading does not land in the first item's latency.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

from app.errors import InvalidQuestionError
from app.models import Answer
from app.service import QAService, ServiceInfo
from eval.dataset import EvalItem
from eval.metrics import ItemRun, ItemScore, Summary, covers, score_item, summarize
from eval.retrieval_metrics import RetrievalScore, RetrievalSummary, score_retrieval
from eval.retrieval_metrics import summarize_retrieval as _summarize_retrieval
from index.models import Hit, SearchMode

logger = logging.getLogger(__name__)

ALL_MODES: tuple[SearchMode, ...] = ("bm25", "dense", "hybrid")
T = TypeVar("T")
Progress = Callable[[int, int], None]  # (items done, items total)


@dataclass(frozen=True)
class PassageRef:
    """A retrieved or cited passage, as the report shows it."""

    chunk_id: str
    section_path: tuple[str, ...]
    page_start: int | None
    page_end: int | None
    text: str
    score: float
    has_evidence: bool  # covers one of the item's evidence strings

    def snippet(self, chars: int = 80) -> str:
        flat = " ".join(self.text.split())
        return flat if len(flat) <= chars else flat[:chars] + "…"


@dataclass(frozen=True)
class SearchRecord:
    mode: SearchMode
    passages: tuple[PassageRef, ...]
    score: RetrievalScore
    error: str = ""  # the domain error the service raised for this question, if any


@dataclass(frozen=True)
class AnswerRecord:
    text: str
    refused: bool
    kind: str
    cited: tuple[PassageRef, ...]  # document order
    passages: tuple[PassageRef, ...]  # what the answerer looked at, best first
    score: ItemScore
    timings_ms: Mapping[str, float] = field(default_factory=dict)
    error: str = ""


@dataclass(frozen=True)
class ItemResult:
    item: EvalItem
    answer: AnswerRecord
    searches: Mapping[str, SearchRecord]  # by mode, in run order

    def failures(self) -> tuple[str, ...]:
        """Failure codes: false_refusal, wrong_answer, missed_refusal, citation_unsupported,
        retrieval_miss:<mode>."""
        s, out = self.answer.score, []
        if self.item.answerable:
            if s.refused:
                out.append("false_refusal")
            elif not s.correct:
                out.append("wrong_answer")
            elif not s.citation_ok:
                out.append("citation_unsupported")
            out += [f"retrieval_miss:{m}" for m, r in self.searches.items() if r.score.rank is None]
        elif not s.refused:
            out.append("missed_refusal")
        return tuple(out)


@dataclass(frozen=True)
class EvalResults:
    k: int
    modes: tuple[SearchMode, ...]
    info: ServiceInfo
    items: tuple[ItemResult, ...]
    answers: Summary
    retrieval: Mapping[str, RetrievalSummary]  # by mode
    started_at: str  # ISO 8601, UTC
    duration_s: float

    def failed(self) -> tuple[ItemResult, ...]:
        return tuple(r for r in self.items if r.failures())


def _timed(call: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    value = call()
    return value, (time.perf_counter() - started) * 1000


def _ref(hit: Hit, evidence: Sequence[str]) -> PassageRef:
    c = hit.chunk
    return PassageRef(
        chunk_id=c.chunk_id,
        section_path=tuple(c.section_path),
        page_start=c.page_start,
        page_end=c.page_end,
        text=c.text,
        score=hit.score,
        has_evidence=any(covers(c.text, ev) for ev in evidence),
    )


def cited_in_document_order(answer: Answer) -> tuple[Hit, ...]:
    """Cited hits, one per chunk, sorted by document then position in it."""
    unique = {c.hit.chunk.chunk_id: c.hit for c in answer.citations}
    return tuple(sorted(unique.values(), key=lambda h: (h.chunk.doc_id, h.chunk.start)))


def _answer_item(service: QAService, item: EvalItem, k: int, alone: bool = False) -> AnswerRecord:
    doc_ids = list(item.doc_ids) if alone and item.doc_ids else None
    try:
        answer, ms = _timed(lambda: service.answer(item.question, top_k=k, doc_ids=doc_ids))
    except InvalidQuestionError as exc:  # counts as a refusal, and is shown in the report
        logger.warning("%s: the service rejected the question: %s", item.id, exc)
        run = ItemRun(item=item, answer_text=str(exc), refused=True)
        return AnswerRecord(str(exc), True, "", (), (), score_item(run, k), error=str(exc))
    cited = cited_in_document_order(answer)
    run = ItemRun(
        item=item,
        answer_text=answer.text,
        refused=answer.refused,
        passages=tuple(h.chunk.text for h in answer.passages),
        cited=tuple(h.chunk.text for h in cited),
        latency_ms=ms,
        first_cited_doc=answer.citations[0].hit.chunk.doc_id if answer.citations else "",
        cited_docs=tuple(c.hit.chunk.doc_id for c in answer.citations),
    )
    return AnswerRecord(
        text=answer.text,
        refused=answer.refused,
        kind=answer.kind,
        cited=tuple(_ref(h, item.evidence) for h in cited),
        passages=tuple(_ref(h, item.evidence) for h in answer.passages),
        score=score_item(run, k),
        timings_ms=dict(answer.timings_ms),
    )


def _search_item(
    service: QAService, item: EvalItem, mode: SearchMode, k: int, alone: bool = False
) -> SearchRecord:
    error = ""
    doc_ids = list(item.doc_ids) if alone and item.doc_ids else None
    try:
        hits, ms = _timed(lambda: service.search(item.question, k=k, mode=mode, doc_ids=doc_ids))
    except InvalidQuestionError as exc:
        logger.warning("%s: search (%s) rejected the question: %s", item.id, mode, exc)
        hits, ms, error = [], 0.0, str(exc)
    texts = [h.chunk.text for h in hits]
    return SearchRecord(
        mode=mode,
        passages=tuple(_ref(h, item.evidence) for h in hits[:k]),
        score=score_retrieval(item, texts, ms, k),
        error=error,
    )


def _warm_up(service: QAService, question: str, modes: Sequence[SearchMode], k: int) -> None:
    try:
        service.answer(question, top_k=k)
        for mode in modes:
            service.search(question, k=k, mode=mode)
    except InvalidQuestionError:
        pass


def _check_modes(modes: Sequence[SearchMode]) -> tuple[SearchMode, ...]:
    unknown = [m for m in modes if m not in ALL_MODES]
    if unknown:
        raise ValueError(f"unknown search mode(s): {', '.join(unknown)}")
    return tuple(dict.fromkeys(modes))


def summarize_retrieval(items: Sequence[ItemResult], mode: str, k: int) -> RetrievalSummary:
    """Retrieval metrics of one mode over the items that ran it."""
    return _summarize_retrieval([r.searches[mode].score for r in items if mode in r.searches], k)


def evaluate(
    items: Sequence[EvalItem],
    service: QAService,
    modes: Sequence[SearchMode] = ALL_MODES,
    k: int = 5,
    *,
    warm_up: bool = True,
    progress: Progress | None = None,
    alone: bool = False,
) -> EvalResults:
    """Answer and search every item; return per-item records and aggregated metrics. With
    `alone`, each item is asked of its own report(s) only (as if that report were served
    alone)."""
    modes = _check_modes(modes)
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    started = time.perf_counter()
    if warm_up and items:
        _warm_up(service, items[0].question, modes, k)
    results: list[ItemResult] = []
    for done, item in enumerate(items, start=1):
        answer = _answer_item(service, item, k, alone)
        searches: dict[str, SearchRecord] = {
            m: _search_item(service, item, m, k, alone) for m in modes
        }
        results.append(ItemResult(item, answer, searches))
        if progress is not None:
            progress(done, len(items))
    return EvalResults(
        k=k,
        modes=modes,
        info=service.info(),
        items=tuple(results),
        answers=summarize([r.answer.score for r in results], k),
        retrieval={m: summarize_retrieval(results, m, k) for m in modes},
        started_at=started_at,
        duration_s=time.perf_counter() - started,
    )
