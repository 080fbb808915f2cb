"""Decide whether the evidence supports an answer. Thresholds are calibrated on the dev split."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from app.extract import ScoredSpan, normalize
from app.qtype import QuestionKind
from index.models import Hit
from index.query import QueryFeatures, chunk_period

_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_PLACE = re.compile(r"([\u4e00-\u9fff]{2,4}?)(?:市|县|省|州)")
REPORT_YEARS = frozenset({"2020", "2021"})


@dataclass(frozen=True)
class RefusalConfig:
    min_coverage: float = 0.45  # share of the question's idf mass the best sentence must hold
    min_dense: float = 0.80  # cosine of the top passage below which weak coverage refuses
    strong_coverage: float = 0.75  # above this, a low dense score alone does not refuse
    check_period: bool = True


@dataclass(frozen=True)
class Decision:
    refused: bool
    reason: str = ""


def decide(
    features: QueryFeatures,
    kind: QuestionKind,
    best: ScoredSpan | None,
    hits: Sequence[Hit],
    corpus_text: str,
    config: RefusalConfig = RefusalConfig(),
) -> Decision:
    if best is None or not hits:
        return Decision(True, "no passage")
    missing_year = _missing_year(features.text, hits)
    if missing_year:
        return Decision(True, f"year {missing_year} not in the evidence")
    place = _unknown_place(features.text, corpus_text)
    if place:
        return Decision(True, f"place {place} not in the report")
    if config.check_period and _period_mismatch(features, kind, best):
        return Decision(True, "the figure is given for another period")
    top_dense = max(h.dense_score for h in hits)
    if best.coverage < config.min_coverage and (
        top_dense < config.min_dense or best.coverage < config.min_coverage / 2
    ):
        return Decision(True, f"weak support (coverage {best.coverage:.2f})")
    return Decision(False)


def _missing_year(question: str, hits: Sequence[Hit]) -> str | None:
    evidence = "".join(normalize(h.chunk.text) for h in hits)
    for year in _YEAR.findall(question):
        if year not in REPORT_YEARS and year not in evidence:
            return year
    return None


def _unknown_place(question: str, corpus_text: str) -> str | None:
    for place in _PLACE.findall(question):
        if place not in corpus_text:
            return place
    return None


def _period_mismatch(features: QueryFeatures, kind: QuestionKind, best: ScoredSpan) -> bool:
    """A number asked for 2020 but found only in the 2021 plan, or the other way round."""
    if kind != "number":
        return False
    asked = set(features.periods) & {"review", "plan"}
    if len(asked) != 1:
        return False
    found = chunk_period(best.hit.chunk.section_path)
    return found in ("review", "plan") and found not in asked
