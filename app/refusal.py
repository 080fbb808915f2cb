"""The verdict stage: does the evidence of one report support an answer? Typed reasons.

Everything is judged in the report's own calendar: the periods asked come from the query
resolved against that report's timeline (`index.query.resolve`), the periods found from the
sentence's period in that report. Thresholds are calibrated on the dev splits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

from app.extract import ScoredSpan, item_before, kind_fit, normalize, subject_before
from index.figures import (
    CHANGE_WORD,
    NUMBER_WITH_UNIT,
    PERCENT,
    PERCENT_LEVEL,
    states_change,
    states_unit,
)
from index.query import Query, Resolved
from index.regions import place_names, same_region
from ingest.models import DocumentInfo, Period


class Reason(Enum):
    NO_EVIDENCE = "no_evidence"
    REGION_NOT_LOADED = "region_not_loaded"  # no loaded report is about the region asked
    PLACE_NOT_IN_EVIDENCE = "place_not_in_evidence"
    TIME_NOT_COVERED = "time_not_covered"  # a year or plan the report does not cover
    YEAR_NOT_IN_EVIDENCE = "year_not_in_evidence"  # a year the evidence does not name
    OTHER_PERIOD = "other_period"  # the figure is given for another period
    NO_RATE = "no_rate"
    ONLY_CHANGE = "only_change"  # a rate's level asked, only its change given
    ONLY_SHARE = "only_share"  # a change asked, only a share given (`占比40.9%`)
    ONLY_LEVEL = "only_level"  # a change asked, only the level given (`保有量超130万辆`)
    ONLY_GROWTH = "only_growth"  # an amount asked, only its growth given (`收入增长10.2%`)
    NO_UNIT = "no_unit"
    NO_FIGURE = "no_figure"
    NO_INDICATOR = "no_indicator"  # the evidence states a figure of something else
    WEAK_SUPPORT = "weak_support"


@dataclass(frozen=True)
class Verdict:
    refused: bool
    reason: Reason | None = None
    asked: tuple[Period, ...] = ()  # the periods asked (for OTHER_PERIOD)
    found: Period | None = None  # the period the evidence is about (for OTHER_PERIOD)
    detail: str = ""  # the year, place, unit or kind concerned
    loaded: tuple[str, ...] = field(default=())  # titles of the loaded reports

    def code(self) -> str:
        """A short machine-readable reason (`other_period: review_year`)."""
        if self.reason is None:
            return ""
        extra = self.detail or (self.found or "")
        return f"{self.reason.value}: {extra}" if extra else self.reason.value


ACCEPT = Verdict(False)


@dataclass(frozen=True)
class RefusalConfig:
    """Calibrated on the dev splits: no answerable dev question falls below these."""

    min_coverage: float = 0.10  # share of the question's idf mass the evidence must hold
    weak_coverage: float = 0.25  # below this, the sentence must also be close in meaning
    min_cosine: float = 0.80  # the question's cosine with the best sentence
    check_period: bool = True
    check_indicator: bool = True  # a number question's indicator must be named by the evidence
    indicator_share: float = 0.35  # of the indicator's idf weight the evidence must name


def judge(
    query: Query,
    resolved: Resolved,
    best: ScoredSpan | None,
    info: DocumentInfo,
    focus: str | None = None,
    config: RefusalConfig = RefusalConfig(),
    figure: Figure | None = None,
    unnamed: str = "",
) -> Verdict:
    """Refuse, with the reason, or accept. `focus` is the part of the best sentence the
    question is about (`extract.focus_clause`); the figure asked must be there. `figure` is,
    for a change asked, an amount whose own words cover the question better than every
    percentage's (`extract.level_instead`). `unnamed` is the indicator a number question
    measures when the best sentence does not name it (`evidence.indicator_phrase`)."""
    if best is None:
        return Verdict(True, Reason.NO_EVIDENCE)
    if resolved.uncovered:
        return Verdict(True, Reason.TIME_NOT_COVERED, detail=resolved.uncovered[0])
    evidence = normalize(best.hit.chunk.text)
    missing = [y for y in resolved.years if str(y) not in evidence]
    if missing:
        return Verdict(True, Reason.YEAR_NOT_IN_EVIDENCE, detail=f"{missing[0]}年")
    place = _place_not_in_evidence(query, info, evidence)
    if place:
        return Verdict(True, Reason.PLACE_NOT_IN_EVIDENCE, detail=place)
    focus_text = best.span.text if focus is None else focus
    period = _other_period(query, resolved, best, focus_text) if config.check_period else None
    if period is not None:
        return period
    verdict = _figure_verdict(query, best, focus, config, figure)
    if not verdict.refused and config.check_indicator and unnamed:
        return Verdict(True, Reason.NO_INDICATOR, detail=unnamed)
    return verdict


@dataclass(frozen=True)
class Figure:
    """A figure of the evidence and the words of its list item before it."""

    text: str
    before: str

    def is_level(self) -> bool:
        """An amount stated as it stands (`超130万辆`), not as a change (`增加3.2万人`) and
        not as a percentage."""
        return not PERCENT.search(self.text) and not states_change(self.before)


def _figure_verdict(
    query: Query,
    best: ScoredSpan,
    focus: str | None,
    config: RefusalConfig,
    figure: Figure | None = None,
) -> Verdict:
    want = query.wants
    focus = best.span.text if focus is None else focus
    if want.rate and not PERCENT.search(focus):
        return Verdict(True, Reason.NO_RATE)
    if want.level and not PERCENT_LEVEL.search(focus):
        return Verdict(True, Reason.ONLY_CHANGE)
    amount = want.kind == "number" and not (want.rate or want.change or want.unit)
    if amount and only_changes(focus):
        return Verdict(True, Reason.ONLY_GROWTH)
    if want.rate and not want.level and only_shares(best.span.text):
        return Verdict(True, Reason.ONLY_SHARE)  # the sentence states no change at all
    if want.rate and not want.level and figure is not None and figure.is_level():
        return Verdict(True, Reason.ONLY_LEVEL)  # the figure answered is a level, no change
    if want.unit is not None and not states_unit(focus, want.unit):
        return Verdict(True, Reason.NO_UNIT, detail=want.unit)
    if want.kind in ("number", "person", "date") and kind_fit(best.span.text, want) == 0:
        return Verdict(True, Reason.NO_FIGURE, detail=want.kind)
    if best.coverage < config.min_coverage or (
        best.coverage < config.weak_coverage and best.cosine < config.min_cosine
    ):
        return Verdict(True, Reason.WEAK_SUPPORT, detail=f"{best.coverage:.2f}")
    return ACCEPT


def _place_not_in_evidence(query: Query, info: DocumentInfo, evidence: str) -> str | None:
    """A place the question names that is not the report's own region and that the evidence
    does not mention (`泸州` answered with a figure of the report's own city)."""
    for place in query.places:
        if same_region(place, info.meta.region):
            continue
        if not any(name in evidence for name in place_names(place)):
            return place
    return None


def _other_period(query: Query, resolved: Resolved, best: ScoredSpan, focus: str) -> Verdict | None:
    """A figure asked for one period that the best evidence gives only for another (a 2026
    target asked, only last year's result stated); a year's figure asked and only the five-year
    figure given."""
    asked = resolved.periods
    if query.kind != "number" or not asked or resolved.comparison:
        return None
    found = best.period
    if found == "unknown" or found in asked or asked & best.mentions:
        return None
    if found == "long_range" and "plan_ahead" in asked:
        return None
    if found == "plan_ahead" and "long_range" in asked:
        return None
    if found == "review_year" and "review_plan" in asked:
        return None  # a five-year question may be answered by the level reached last year
    if found == "review_plan" and "review_year" in asked and not FIVE_YEAR_FIGURE.search(focus):
        return None  # a level the five years end at is last year's level
    return Verdict(True, Reason.OTHER_PERIOD, asked=tuple(sorted(asked)), found=found)


# a figure of the five years as a whole, not of one year: an average, or five years named
FIVE_YEAR_FIGURE = re.compile(r"年均(?:增长|增速|增幅|提高|下降)|五年")


# words before a figure, in its own list item, that state it as a share of a whole
_SHARE = re.compile(r"占比|比重|比例|占")


def only_changes(text: str) -> bool:
    """Every figure of `text` is a change in percent (`旅游综合收入分别增长9.2%、10.2%`):
    nothing states an amount or a level."""
    figures = list(NUMBER_WITH_UNIT.finditer(text))
    return bool(figures) and all(
        PERCENT.fullmatch(m.group(0)) and states_change(subject_before(text, m.start()))
        for m in figures
    )


def only_shares(text: str) -> bool:
    """Every percentage of `text` is a share (`其中制造业外资占比40.9%`), none a change."""
    figures = list(PERCENT.finditer(text))
    return bool(figures) and all(_is_share(item_before(text, m.start())) for m in figures)


def _is_share(before: str) -> bool:
    return bool(_SHARE.search(before)) and not CHANGE_WORD.search(before)
