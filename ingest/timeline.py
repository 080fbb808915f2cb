"""A report's calendar (pure): the years and five-year plans it reviews and plans.

Everything is relative to the report's own year Y: Y-1 is the year under review, Y the year
planned; when Y opens a five-year plan the previous plan is under review and the new one lies
ahead; in a mid-plan year the plan in progress lies ahead. Years beyond the plan ahead that
the report names as goals (`到2035年`) are long-range. The plans' years come from a general
calendar (`ingest/data/five_year_plans.json`), never from code.

`cues` finds what a piece of text says about its period (a year, a plan's name, `今年`,
`五年来`, `累计`); `heading_periods`, `section_periods` and `text_period` turn cues into the
typed `Period` of a section, a chunk or a sentence.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from ingest.models import Period, Plan, Timeline
from ingest.numerals import cn_to_int, int_to_cn

_YEAR = re.compile(r"(?<![\d.])(\d{4})(?=\s*年)|([〇零○一二三四五六七八九]{4})(?=年)")
# `“十四五”`, `十四五`, `第十四个五年`
_PLAN = re.compile(
    r"([一二三四五六七八九十]{1,3})五(?=[”\"’」』]|时期|规划|期间|末|以来|发展|的|$)"
)
_PLAN_LONG = re.compile(r"第([一二三四五六七八九十]{1,3})个五年")
_GOAL_YEAR = re.compile(
    r"(?:到|至|展望|远景)\s*(\d{4}|[〇零○一二三四五六七八九]{4})\s*年"
    r"|(\d{4}|[〇零○一二三四五六七八九]{4})\s*年(?:远景|愿景|长远)"
)
# words that place text in time without naming a year
_RELATIVE: tuple[tuple[re.Pattern[str], Period], ...] = (
    (re.compile(r"今年|本年度|新的一年"), "plan_year"),
    (re.compile(r"去年|一年来|过去一年|上一年|刚刚过去的一年"), "review_year"),
    (re.compile(r"五年来|过去五年|这五年|五年间|五年里"), "review_plan"),
)
# figures that add up or average several years: five-year figures in a review
# (`年均浓度`, an annual average level, is one year's figure)
AGGREGATE = re.compile(
    r"累计|年均(?:增长|增速|增幅|提高|下降|分别)|五年来|过去五年|这五年|五年间|五年里|时期"
)
FIVE_YEARS = re.compile(r"五年")
LEADING_CHARS = 6  # a cue this close to the start is what the text is about
LEAD_IN_CHARS = 30
_ADDRESS = re.compile(r"^各位代表[！!，,：:]")
REVIEW_WORDS = re.compile(r"回顾|成就|成效|成绩|总结|进展")
WORK_WORDS = re.compile(r"工作|安排|任务|重点|部署")
_PLAN_LENGTH_DEFAULT = 5


@dataclass(frozen=True)
class Cue:
    start: int
    period: Period


@cache
def plan_calendar() -> tuple[Plan, ...]:
    """The five-year plans of the general calendar, in order."""
    data = json.loads(
        resources.files("ingest").joinpath("data/five_year_plans.json").read_text("utf-8")
    )
    return tuple(
        Plan(int(p["ordinal"]), plan_name(int(p["ordinal"])), int(p["start"]), int(p["end"]))
        for p in data["plans"]
    )


def plan_name(ordinal: int) -> str:
    """`十四五` for 14."""
    return f"{int_to_cn(ordinal)}五"


def plan_of_year(year: int) -> Plan | None:
    return next((p for p in plan_calendar() if p.start <= year <= p.end), None)


def plan_by_ordinal(ordinal: int) -> Plan | None:
    return next((p for p in plan_calendar() if p.ordinal == ordinal), None)


def build_timeline(year: int | None, text: str = "") -> Timeline:
    """The timeline of a report delivered in `year`; `text` (the report) gives its goal years."""
    if year is None:
        return Timeline()
    current = plan_of_year(year)
    review = None
    if current is not None and current.start == year:
        review = plan_by_ordinal(current.ordinal - 1)
    horizon = current.end if current is not None else year + _PLAN_LENGTH_DEFAULT
    goals = sorted({_year(y) for m in _GOAL_YEAR.finditer(text) for y in m.groups() if y})
    return Timeline(year, review, current, tuple(g for g in goals if g > horizon))


def year_period(timeline: Timeline, year: int) -> Period:
    """The period a year named in this report is in."""
    y = timeline.year
    if y is None:
        return "unknown"
    if year == y - 1:
        return "review_year"
    if year == y:
        return "plan_year"
    review, ahead = timeline.review_plan, timeline.plan_ahead
    if review is not None and review.start <= year <= review.end:
        return "review_plan"
    if ahead is not None and ahead.start <= year <= ahead.end:
        return "plan_ahead"
    if year > (ahead.end if ahead else y) or year in timeline.long_range:
        return "long_range"
    return "unknown"


def plan_period(timeline: Timeline, ordinal: int) -> Period:
    """The period a five-year plan named in this report is: under review, ahead, or neither."""
    if timeline.review_plan is not None and timeline.review_plan.ordinal == ordinal:
        return "review_plan"
    if timeline.plan_ahead is not None and timeline.plan_ahead.ordinal == ordinal:
        return "plan_ahead"
    if timeline.plan_ahead is not None and ordinal > timeline.plan_ahead.ordinal:
        return "long_range"
    return "unknown"


def cues(text: str, timeline: Timeline) -> list[Cue]:
    """What `text` says about its period, in text order: years, plan names, relative words."""
    found: list[Cue] = []
    for match in _YEAR.finditer(text):
        found.append(Cue(match.start(), year_period(timeline, _year(match.group(0)))))
    for pattern in (_PLAN, _PLAN_LONG):
        for match in pattern.finditer(text):
            ordinal = cn_to_int(match.group(1))
            if ordinal is not None:
                found.append(Cue(match.start(), plan_period(timeline, ordinal)))
    for pattern, period in _RELATIVE:
        if period == "review_plan" and timeline.review_plan is None:
            continue
        found.extend(Cue(m.start(), period) for m in pattern.finditer(text))
    return sorted((c for c in found if c.period != "unknown"), key=lambda c: c.start)


def _year(text: str) -> int:
    """A year written `2035` or `二〇三五`."""
    return int(text) if text.isdigit() else cn_to_int(text) or 0


def _ordered(periods: Iterable[Period]) -> tuple[Period, ...]:
    return tuple(dict.fromkeys(periods))


def heading_periods(title: str, timeline: Timeline) -> tuple[Period, ...]:
    """The periods a heading names, in the order it names them."""
    return _ordered(c.period for c in cues(title, timeline))


def section_periods(
    title: str,
    paragraphs: Sequence[str],
    timeline: Timeline,
    previous: Sequence[Period] = (),
) -> tuple[Period, ...]:
    """What a top section is about, main period first: the period its opening sentence
    starts with (`2026年是…`), with the periods its heading names when the heading names that
    one too (a heading `…推动“十五五”开好局` over `2026年是…` is about 2026 alone); then the
    periods its paragraphs open with (`“十四五”时期，…`), then long-range goals it names. A
    section that names none continues the one before it (`四、加强政府自身建设`)."""
    opening = first_sentence(paragraphs[0]) if paragraphs else ""
    opening_cues = cues(opening, timeline)
    lead = [opening_cues[0].period] if opening_cues and opening_cues[0].start <= 2 else []
    named = list(heading_periods(title, timeline))
    if lead and named and lead[0] not in named:
        named = []
    found = [*lead, *named] or [c.period for c in opening_cues[:1]]
    found += [p for text in paragraphs[1:] if (p := _paragraph_lead(text, timeline))]
    if any(c.period == "long_range" for text in paragraphs for c in cues(text, timeline)):
        found.append("long_range")
    if found:
        return _ordered(found)
    return (previous[0],) if previous else ("unknown",)


def _paragraph_lead(text: str, timeline: Timeline) -> Period | None:
    own = cues(first_sentence(text)[: LEADING_CHARS + 6], timeline)
    return (
        own[0].period
        if own and own[0].start <= LEADING_CHARS and own[0].period != "long_range"
        else None
    )


def leading_period(text: str, timeline: Timeline, within: Sequence[Period]) -> Period | None:
    """The period `text` opens with (a year, a plan, `五年来`, `今年` in its first characters,
    or a five-year phrase in a short lead-in), when it is one of `within`."""
    text = _ADDRESS.sub("", text, count=1)
    own = cues(text, timeline)
    if own and own[0].start <= LEADING_CHARS and own[0].period in within:
        return own[0].period
    if "review_plan" in within and len(text) <= LEAD_IN_CHARS and FIVE_YEARS.search(text):
        return "review_plan"
    return None


def text_period(text: str, periods: Sequence[Period], timeline: Timeline) -> Period:
    """The period of a passage or sentence in a section about `periods`.

    A section about one period gives it, unless the text itself opens with another (a
    sentence `到2035年，…`). In a section about several, the text's own leading cue decides,
    then an aggregate figure (`累计`, `年均`) for a reviewed plan, else the section's first."""
    main = periods[0] if periods else "unknown"
    own = cues(first_sentence(text), timeline)
    leading = own[0].period if own and own[0].start <= LEADING_CHARS else None
    if leading is not None and (len(periods) > 1 or leading == "long_range"):
        return leading
    if len(periods) > 1:
        if "review_plan" in periods and AGGREGATE.search(text):
            return "review_plan"
        if "long_range" in periods and any(c.period == "long_range" for c in own):
            return "long_range"
        named = [c.period for c in own if c.period in periods]
        if named:
            return named[0]
    return main


_SENTENCE_END = re.compile(r"[。！？；]")


def first_sentence(text: str) -> str:
    match = _SENTENCE_END.search(text)
    return text[: match.end()] if match else text


def infer_year(headings: Iterable[str]) -> int | None:
    """The report's year from its headings when nothing else gives it: a review heading names
    the year before (`2025年工作回顾`), a work heading the year itself (`2026年工作安排`)."""
    for title in headings:
        for match in _YEAR.finditer(title):
            year = _year(match.group(0))
            if REVIEW_WORDS.search(title):
                return year + 1
            if WORK_WORDS.search(title):
                return year
    return None


def sentence_period(
    text: str, chunk_period: Period, section: Sequence[Period], timeline: Timeline
) -> Period:
    """The period of one sentence of a chunk: a period the sentence opens with (`2025年，…`,
    `“十四五”时期…`, `到2035年…`); in a review, a figure that adds up or averages the years
    (`累计`, `年均`) is the plan's; a plan-ahead sentence naming a goal year beyond the plan
    is long-range; else the chunk's."""
    opening = leading_period(text, timeline, PERIODS_KNOWN)
    if opening is not None:
        return opening
    reviews = chunk_period in ("review_year", "review_plan")
    if reviews and timeline.review_plan is not None and AGGREGATE.search(text):
        return "review_plan"
    if chunk_period == "plan_ahead" and any(c.period == "long_range" for c in cues(text, timeline)):
        return "long_range"
    if chunk_period == "unknown" and section:
        return section[0]
    return chunk_period


PERIODS_KNOWN: tuple[Period, ...] = (
    "review_year",
    "review_plan",
    "plan_year",
    "plan_ahead",
    "long_range",
)
