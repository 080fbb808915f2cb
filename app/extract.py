"""Score the sentences of the retrieved passages against the question; pick the evidence."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.qtype import DATE, NUMBER_WITH_UNIT, QuestionKind
from index.models import Hit
from ingest.sentences import Span, clauses, sentences

_LIST_MARK = re.compile(r"[、；]")


@dataclass(frozen=True)
class ScoredSpan:
    span: Span
    hit: Hit
    score: float
    coverage: float  # share of the question's idf mass present in the sentence


@dataclass(frozen=True)
class ExtractWeights:
    coverage: float = 0.55
    passage: float = 0.35
    kind: float = 0.10
    sentences_per_passage: int = 40


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower().replace(" ", "")


def term_weights(terms: Sequence[str], idf: Callable[[str], float]) -> dict[str, float]:
    """Question terms with their weights (idf; unknown terms weigh as the rarest)."""
    weights = {t: idf(t) for t in dict.fromkeys(terms)}
    ceiling = max(weights.values(), default=1.0) or 1.0
    return {t: (w if w > 0 else ceiling) for t, w in weights.items()}


def coverage(text: str, weights: dict[str, float]) -> float:
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    norm = normalize(text)
    return sum(w for t, w in weights.items() if t in norm) / total


def kind_fit(text: str, kind: QuestionKind) -> float:
    if kind == "number":
        return 1.0 if NUMBER_WITH_UNIT.search(text) else 0.0
    if kind == "date":
        return 1.0 if DATE.search(text) else 0.0
    if kind in ("list", "section"):
        return min(1.0, len(_LIST_MARK.findall(text)) / 3)
    return 0.5


def score_sentences(
    hits: Sequence[Hit],
    weights: dict[str, float],
    kind: QuestionKind,
    w: ExtractWeights = ExtractWeights(),
) -> list[ScoredSpan]:
    if not hits:
        return []
    top = max(h.score for h in hits) or 1.0
    out: list[ScoredSpan] = []
    for hit in hits:
        rel = max(hit.score, 0.0) / top
        for span in sentences(hit.chunk)[: w.sentences_per_passage]:
            cov = coverage(span.text, weights)
            score = w.coverage * cov + w.passage * rel + w.kind * kind_fit(span.text, kind)
            out.append(ScoredSpan(span, hit, score, cov))
    out.sort(key=lambda s: -s.score)
    return out


def key_span(sentence: Span, weights: dict[str, float], kind: QuestionKind) -> Span | None:
    """The clause that best covers the question, narrowed to the number/date it states."""
    best: tuple[float, Span] | None = None
    for clause in clauses(sentence):
        if kind == "number" and not NUMBER_WITH_UNIT.search(clause.text):
            continue
        if kind == "date" and not DATE.search(clause.text):
            continue
        cov = coverage(clause.text, weights)
        if best is None or cov > best[0]:
            best = (cov, clause)
    if best is None or best[0] == 0:
        return None
    clause = best[1]
    pattern = {"number": NUMBER_WITH_UNIT, "date": DATE}.get(kind)
    match = pattern.search(clause.text) if pattern else None
    if match is None:
        return clause
    start = clause.start + match.start()
    return Span(clause.chunk_id, match.group(0), start, start + len(match.group(0)))
