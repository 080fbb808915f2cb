"""Evaluation metrics: pure functions over strings, items and per-item scores (no I/O).

Matching rules
- Every comparison is made on `normalize`d text: NFKC, all whitespace removed, `[n]`
  footnote markers removed (fullwidth ``［1］`` becomes ``[1]`` under NFKC).
- `contains_answer` applies a number boundary: an answer that starts (ends) with a digit
  must not continue a longer number on that side, so "9%" is not in "20.9%", "3.9%" is
  not in "13.9%", "10" is not in "100" or "1.10", while "3.9%" is in "增长3.9%、高于".
- Evidence that spans two chunks: a passage *covers* an evidence string when it contains
  it, or when at least half of it (a prefix or suffix, at least `MIN_OVERLAP` characters)
  overlaps the passage's edge. Retrieval metrics use this rule, so the chunk holding the
  larger part of a split sentence counts. `citation_supported` also accepts evidence
  contained in the concatenation of all cited passages (given in document order).
- Accuracy finds the answer anywhere in the answer text, the quoted sentence included;
  *stated* accuracy only in the answer's own words (`stated`): `30公里。报告原文：“…总里程达
  909公里…”` is accurate for 909公里 but not stated. An answer that is only a quote counts
  as stated.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from eval.dataset import EvalItem

_WHITESPACE = re.compile(r"[\s\u200b\ufeff]+")
_FOOTNOTE = re.compile(r"\[\d{1,3}\]")
_DIGITS = frozenset("0123456789")
MIN_OVERLAP = 6
# a full stop that ends an English sentence (whitespace follows it) is no decimal point:
# `Answer: 2.93.  2026年…` does not run on into the next number once whitespace is dropped
_SENTENCE_STOP = re.compile(r"\.(?=\s)")


def normalize(text: str) -> str:
    """NFKC, drop all whitespace, drop `[n]` footnote markers (ASCII or fullwidth)."""
    text = unicodedata.normalize("NFKC", text)
    return _FOOTNOTE.sub("", _WHITESPACE.sub("", text))


def _extends_left(text: str, start: int) -> bool:
    """True when text[:start] ends inside a number ("1" or "1.")."""
    if start == 0:
        return False
    before = text[start - 1]
    return before in _DIGITS or (before == "." and start >= 2 and text[start - 2] in _DIGITS)


def _extends_right(text: str, end: int) -> bool:
    """True when text[end:] continues a number ("0" or ".5")."""
    if end >= len(text):
        return False
    after = text[end]
    return after in _DIGITS or (after == "." and end + 1 < len(text) and text[end + 1] in _DIGITS)


def contains_answer(answer: str, text: str) -> bool:
    """Whether `answer` occurs in `text` (normalised), respecting number boundaries."""
    needle, hay = normalize(answer), normalize(_SENTENCE_STOP.sub("。", text))
    if not needle:
        return False
    check_left, check_right = needle[0] in _DIGITS, needle[-1] in _DIGITS
    start = hay.find(needle)
    while start != -1:
        end = start + len(needle)
        if not (check_left and _extends_left(hay, start)) and not (
            check_right and _extends_right(hay, end)
        ):
            return True
        start = hay.find(needle, start + 1)
    return False


# the quote a fact answer rests on, after its stated key fact (`5.9%。报告原文：“…[1]”`);
# a quote body ends with its citation marker, so quotes inside it (`“十四五”`) do not end it
_QUOTE_AFTER_FACT = re.compile(r"(?:报告原文：|According to the report: )“.*?\[\d+\]”", re.S)


def stated(text: str) -> str:
    """The answer in its own words: without the quotes that follow a stated key fact. An
    answer that is only a quote (a sentence, a section's parts, a definition) is itself."""
    return _QUOTE_AFTER_FACT.sub(" ", text)


def answer_correct(item: EvalItem, text: str) -> bool:
    """match "any": one alternative found; "all": every list item found. False without answers."""
    if not item.answers:
        return False
    found = (contains_answer(answer, text) for answer in item.answers)
    return all(found) if item.match == "all" else any(found)


def answer_fraction(item: EvalItem, text: str) -> float:
    """Partial credit: share of list items found ("all"); 1.0/0.0 for "any" items."""
    if not item.answers:
        return 0.0
    if item.match != "all":
        return 1.0 if answer_correct(item, text) else 0.0
    hits = sum(contains_answer(answer, text) for answer in item.answers)
    return hits / len(item.answers)


def _edge_overlap(evidence: str, passage: str, need: int) -> bool:
    """A prefix of `evidence` ends `passage`, or a suffix of it starts `passage` (>= need chars)."""
    for size in range(min(len(evidence), len(passage)), need - 1, -1):
        if passage.endswith(evidence[:size]) or passage.startswith(evidence[-size:]):
            return True
    return False


def covers(passage: str, evidence: str) -> bool:
    """Whether a passage holds an evidence string, or the larger half of one split at its edge."""
    ev, text = normalize(evidence), normalize(passage)
    if not ev:
        return False
    if ev in text:
        return True
    need = max(MIN_OVERLAP, math.ceil(len(ev) / 2))
    return need < len(ev) and _edge_overlap(ev, text, need)


def evidence_rank(evidence: Sequence[str], passages: Sequence[str]) -> int | None:
    """1-based rank of the first passage covering any evidence string; None if none does."""
    for rank, passage in enumerate(passages, start=1):
        if any(covers(passage, ev) for ev in evidence):
            return rank
    return None


def hit_at_k(evidence: Sequence[str], passages: Sequence[str], k: int = 5) -> bool:
    rank = evidence_rank(evidence, passages[:k])
    return rank is not None


def reciprocal_rank_at_k(evidence: Sequence[str], passages: Sequence[str], k: int = 5) -> float:
    """1/rank of the first covering passage within the top k, else 0 (MRR@k when averaged)."""
    rank = evidence_rank(evidence, passages[:k])
    return 0.0 if rank is None else 1.0 / rank


def all_evidence_at_k(evidence: Sequence[str], passages: Sequence[str], k: int = 5) -> bool:
    """Every evidence string is covered by some passage of the top k (False without evidence)."""
    top = passages[:k]
    return bool(evidence) and all(any(covers(p, ev) for p in top) for ev in evidence)


def citation_supported(evidence: Sequence[str], cited_texts: Sequence[str]) -> bool:
    """A cited passage covers an evidence string, or their concatenation contains one."""
    if not evidence or not cited_texts:
        return False
    if any(covers(text, ev) for text in cited_texts for ev in evidence):
        return True
    joined = normalize("".join(cited_texts))
    return any(ev in joined for ev in map(normalize, evidence) if ev)


def _rate(flags: Sequence[bool]) -> float | None:
    return sum(flags) / len(flags) if flags else None


def _check_lengths(items: Sequence[EvalItem], flags: Sequence[bool]) -> None:
    if len(items) != len(flags):
        raise ValueError(f"{len(items)} items but {len(flags)} refusal flags")


def refusal_accuracy(items: Sequence[EvalItem], refused_flags: Sequence[bool]) -> float | None:
    """Share of unanswerable items the system refused; None when there are none."""
    _check_lengths(items, refused_flags)
    return _rate([r for it, r in zip(items, refused_flags, strict=True) if not it.answerable])


def false_refusal_rate(items: Sequence[EvalItem], refused_flags: Sequence[bool]) -> float | None:
    """Share of answerable items the system refused; None when there are none."""
    _check_lengths(items, refused_flags)
    return _rate([r for it, r in zip(items, refused_flags, strict=True) if it.answerable])


def percentile(values: Sequence[float], q: float) -> float:
    """q-th percentile (0-100) with linear interpolation between order statistics."""
    if not values:
        raise ValueError("percentile of an empty sequence")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile q must be within 0..100, got {q}")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low, high = math.floor(pos), math.ceil(pos)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


@dataclass(frozen=True)
class ItemRun:
    """What a system produced for one item; filled by the evaluation runner."""

    item: EvalItem
    answer_text: str
    refused: bool
    passages: tuple[str, ...] = ()  # retrieved passage texts, best first
    cited: tuple[str, ...] = ()  # cited passage texts, in document order
    latency_ms: float = 0.0
    first_cited_doc: str = ""  # the report of the answer's first citation ([1])
    cited_docs: tuple[str, ...] = ()  # the reports of all its citations


@dataclass(frozen=True)
class ItemScore:
    item: EvalItem
    refused: bool
    correct: bool  # answerable, not refused, answer_correct
    stated_correct: bool  # correct in the answer's own words, not only in the quote after them
    fraction: float
    rank: int | None  # over all retrieved passages, not only the top k
    hit: bool
    reciprocal_rank: float
    all_evidence: bool
    citation_ok: bool
    latency_ms: float
    wrong_report: bool = False  # answered, and [1] cites another report than the item's
    other_report: bool = False  # answered, and cites a report the item is not about too


def wrong_report(item: EvalItem, answered: bool, first_cited_doc: str) -> bool:
    """An answer whose first citation comes from a report the item is not about."""
    return (
        answered and bool(item.doc_ids and first_cited_doc) and first_cited_doc not in item.doc_ids
    )


def other_report(item: EvalItem, answered: bool, cited_docs: Sequence[str]) -> bool:
    """An answer about the item's report that also speaks for a report it is not about."""
    return answered and bool(item.doc_ids) and any(d not in item.doc_ids for d in cited_docs)


def score_item(run: ItemRun, k: int = 5) -> ItemScore:
    item, answered = run.item, not run.refused
    return ItemScore(
        item=item,
        refused=run.refused,
        correct=answered and answer_correct(item, run.answer_text),
        stated_correct=answered and answer_correct(item, stated(run.answer_text)),
        fraction=answer_fraction(item, run.answer_text) if answered else 0.0,
        rank=evidence_rank(item.evidence, run.passages),
        hit=hit_at_k(item.evidence, run.passages, k),
        reciprocal_rank=reciprocal_rank_at_k(item.evidence, run.passages, k),
        all_evidence=all_evidence_at_k(item.evidence, run.passages, k),
        citation_ok=answered and citation_supported(item.evidence, run.cited),
        latency_ms=run.latency_ms,
        wrong_report=wrong_report(item, answered, run.first_cited_doc),
        other_report=other_report(item, answered, run.cited_docs),
    )


@dataclass(frozen=True)
class Metrics:
    """Aggregates over one group of items; a rate is None when its denominator is empty."""

    count: int
    answerable: int
    answer_accuracy: float | None
    answer_partial: float | None
    answer_stated: float | None  # share of answerable items correct in the answer's own words
    hit_at_k: float | None
    mrr_at_k: float | None
    all_evidence_at_k: float | None
    citation_support: float | None  # over answerable items the system answered
    refusal_accuracy: float | None
    false_refusal_rate: float | None
    latency_p50_ms: float | None
    latency_p95_ms: float | None
    wrong_report_rate: float | None = None  # over answered items that name their report
    other_report_rate: float | None = None  # over the same: answers citing another report too


@dataclass(frozen=True)
class Summary:
    k: int
    overall: Metrics
    by_type: Mapping[str, Metrics] = field(default_factory=dict)
    by_report: Mapping[str, Metrics] = field(default_factory=dict)  # single-report items

    def to_dict(self) -> dict[str, Any]:
        return {
            "k": self.k,
            "overall": asdict(self.overall),
            "by_type": {name: asdict(m) for name, m in self.by_type.items()},
            "by_report": {name: asdict(m) for name, m in self.by_report.items()},
        }


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def aggregate(scores: Sequence[ItemScore]) -> Metrics:
    answerable = [s for s in scores if s.item.answerable]
    answered = [s for s in answerable if not s.refused]
    items, refused = [s.item for s in scores], [s.refused for s in scores]
    latencies = [s.latency_ms for s in scores]
    return Metrics(
        count=len(scores),
        answerable=len(answerable),
        answer_accuracy=_rate([s.correct for s in answerable]),
        answer_partial=_mean([s.fraction for s in answerable]),
        answer_stated=_rate([s.stated_correct for s in answerable]),
        hit_at_k=_rate([s.hit for s in answerable]),
        mrr_at_k=_mean([s.reciprocal_rank for s in answerable]),
        all_evidence_at_k=_rate([s.all_evidence for s in answerable]),
        citation_support=_rate([s.citation_ok for s in answered]),
        refusal_accuracy=refusal_accuracy(items, refused),
        false_refusal_rate=false_refusal_rate(items, refused),
        latency_p50_ms=percentile(latencies, 50) if latencies else None,
        latency_p95_ms=percentile(latencies, 95) if latencies else None,
        wrong_report_rate=_rate([s.wrong_report for s in answered if s.item.doc_ids]),
        other_report_rate=_rate([s.other_report for s in answered if s.item.doc_ids]),
    )


def summarize(scores: Sequence[ItemScore], k: int = 5) -> Summary:
    """Overall metrics plus the same metrics per question type (types sorted by name) and per
    report (items about one report)."""
    types = sorted({s.item.type for s in scores})
    by_type = {t: aggregate([s for s in scores if s.item.type == t]) for t in types}
    reports = sorted({s.item.doc_ids[0] for s in scores if len(s.item.doc_ids) == 1})
    by_report = {r: aggregate([s for s in scores if s.item.doc_ids == (r,)]) for r in reports}
    return Summary(k=k, overall=aggregate(scores), by_type=by_type, by_report=by_report)
