"""Understanding a question once: a typed `Query`, resolved against each report's timeline.

`analyze` reads what the question asks without knowing any report: its language, its kind and
what a fitting answer must hold (`index.qtype`), the times it names as it names them (a year,
`去年`/`今年`/`明年`, a five-year plan, `过去五年`, a long-range year), whether it asks for a target, the
regions it names and its numbers. `resolve` then says what those times are in one report: `去年`
is the year before that report's year, a named five-year plan is its plan under review or its plan ahead, and
a year it does not cover is named as such.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Literal

from index.bridge import Bridge, bridge_of
from index.qtype import QuestionKind, Wants, question_kind, wants
from ingest.models import Period, Timeline
from ingest.numerals import cn_to_int
from ingest.timeline import plan_by_ordinal, plan_name, plan_period

Lang = Literal["zh", "en"]
TimeKind = Literal["year", "relative", "plan", "five_years", "ahead_years", "long_range", "now"]

_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_NUMBER = re.compile(r"\d+(?:\.\d+)?%?")
_YEAR = re.compile(r"(?<![\d.])((?:19|20)\d{2})(?!\d)(?:\s*年(?:度)?)?")
_CN_YEAR = re.compile(r"([〇零○一二三四五六七八九]{4})年")
# a five-year plan's name: `十四五`, or a two-character one (`十五`) only in quotes or before
# 时期/规划/计划 (`十五运会` is not a plan)
_PLAN = re.compile(
    r"([一二三四五六七八九十]{2,3})五(?=[”\"’」』]|时期|规划|计划|期间|末|以来|发展|的|目标|[，,？?。]|$)"
    r"|(?<=[“\"‘「『])([一二三四五六七八九十]{1,3})五(?=[”\"’」』])"
)
_PLAN_LONG = re.compile(r"第([一二三四五六七八九十]{1,3})个五年")
_PLAN_EN = re.compile(r"(\d{1,2})(?:st|nd|rd|th)\s+five[- ]year", re.I)
_RELATIVE: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"去年|上一年|上年|过去一年|刚刚过去的一年|last year|previous year", re.I), -1),
    (re.compile(r"今年|本年|this year|current year", re.I), 0),
    (re.compile(r"明年|next year", re.I), 1),
)
_FIVE_YEARS = re.compile(
    r"过去五年|这五年|五年来|近五年|五年间|过去的五年|past five years|last five years", re.I
)
_AHEAD_YEARS = re.compile(r"未来五年|今后五年|接下来五年|next five years|coming five years", re.I)
_LONG_RANGE = re.compile(r"远景|长远目标|long-range|long range|by mid-century", re.I)
_NOW = re.compile(r"现在|目前|当前|如今|currently|at present|now\b", re.I)
# a target or plan, not a result (`人均预期寿命` is a figure, not an expectation)
TARGET = _TARGET = re.compile(
    r"目标|计划|预期(?!寿命)|打算|力争|安排|要达到|将达到|预计"
    r"|target|goal|(?<!year )plan(?:ned|s)?\b|aim|expected|projected|intend",
    re.I,
)


# what was done or reached, not what is planned
_PAST = re.compile(r"了(?!解)|过去|已经|取得|\b(?:did|was|were|grew|reached|achieved)\b", re.I)


@dataclass(frozen=True)
class TimeAsk:
    """A time the question names, as it names it (`resolve` says what it is in a report)."""

    kind: TimeKind
    value: int  # the year; -1/0/1 for last/this/next year; the plan's ordinal; else 0
    text: str  # the words of the question
    start: int


@dataclass(frozen=True)
class Query:
    """What one question asks, built once (`analyze`) and handed to every stage."""

    text: str  # the effective question: NFKC, simplified Chinese
    language: Lang
    kind: QuestionKind
    wants: Wants
    times: tuple[TimeAsk, ...] = ()
    target: bool = False
    places: tuple[str, ...] = ()  # regions named (canonical full names where known)
    numbers: tuple[str, ...] = ()
    past: bool = False  # asks what was done or reached (`增长了多少`, `做了哪些`)
    report_year: int | None = None  # the year of a report the question names (`<Y>年…政府工作报告`)
    bridge: Bridge | None = None  # a thing named by what the report says of it (`…的那所学院`)
    # the sentence (its offsets) that named the thing a bridged question asks about: not
    # the answer to what is asked of it
    named_in: tuple[int, int] | None = None
    about: str = ""  # that thing's name: a sentence naming it answers before one that does not

    def without_times(self, keep: TimeAsk | None = None) -> str:
        """The question with the words of every time it names removed (but `keep`)."""
        out = self.text
        for ask in sorted(self.times, key=lambda t: -t.start):
            if ask is not keep:
                out = out[: ask.start] + out[ask.start + len(ask.text) :]
        return out

    def narrowed(self, ask: TimeAsk, target: bool) -> Query:
        """The same question about one of the times it names only (a comparison's part):
        the subject named before the first time, then the clause about this time when that
        clause names a topic of its own (`城镇登记失业率去年…？今年要控制在…？`); else the
        whole question without the other times. Target words go unless `target`."""
        text = self._clause_for(ask) or self.without_times(keep=ask)
        if not target:
            text = _TARGET.sub("", text)
        kept = TimeAsk(ask.kind, ask.value, ask.text, max(text.find(ask.text), 0))
        return replace(self, text=text, times=(kept,), target=target)

    def _clause_for(self, ask: TimeAsk) -> str | None:
        clauses = _clauses(self.text, self.times)
        own = next((c for c in clauses if c[0] <= ask.start < c[0] + len(c[1])), None)
        if own is None or len(clauses) < 2:
            return None
        first_start, first = clauses[0]
        topic = _has_topic(self._without_places(own[1]), self.times)
        if own[0] == first_start:
            return own[1] if topic else None
        if topic:  # the subject named before the first clause's time, then this clause
            before = [
                a.start for a in self.times if first_start <= a.start < first_start + len(first)
            ]
            return (first[: min(before) - first_start] if before else "") + own[1]
        subject = _subject(first, first_start, self.times)
        return subject + own[1] if _has_topic(self._without_places(subject), ()) else None

    def _without_places(self, text: str) -> str:
        for place in self.places:
            for name in (place, re.sub(_REGION_END, "", place)):
                if len(name) >= 2:
                    text = text.replace(name, "")
        return text


@dataclass(frozen=True)
class Resolved:
    """A query's times in one report."""

    periods: frozenset[Period] = frozenset()
    years: tuple[int, ...] = ()  # years the evidence itself must name (not one of the periods)
    uncovered: tuple[str, ...] = ()  # times the report does not cover, as asked (`<Y>年`)
    by_ask: tuple[tuple[TimeAsk, Period | None], ...] = field(default=())

    @property
    def comparison(self) -> bool:
        return len({p for _, p in self.by_ask if p is not None}) > 1


_CLAUSE = re.compile(r"[^，,；;？?。！!]+[，,；;？?。！!]*")
_REGION_END = r"(?:特别行政区|自治区|自治州|省|市|州|盟|县|区)$"
_JOINER = re.compile(r"和|与|跟|以及|还有|\band\b", re.I)
_NOT_TOPIC = re.compile(
    r"多少|几|哪些|什么|是|的|要|将|实际|分别|各|控制在|以内|以上|左右|达到|为|呢|吗|"
    r"目标|计划|预期|安排|打算|怎么样|如何|增长|提高|下降|情况|[，,；;？?。！!\s]"
)


def _clauses(text: str, times: Sequence[TimeAsk]) -> list[tuple[int, str]]:
    """(start, clause) at punctuation, and at 和/与/and where both sides name a time."""
    out: list[tuple[int, str]] = []
    for match in _CLAUSE.finditer(text):
        out.extend(_split_joined(match.start(), match.group(0), times))
    return out or [(0, text)]


def _split_joined(start: int, clause: str, times: Sequence[TimeAsk]) -> list[tuple[int, str]]:
    def names_time(lo: int, hi: int) -> bool:
        return any(lo <= a.start < hi for a in times)

    for joiner in _JOINER.finditer(clause):
        cut = joiner.end()
        if names_time(start, start + joiner.start()) and names_time(
            start + cut, start + len(clause)
        ):
            return [(start, clause[:cut]), *_split_joined(start + cut, clause[cut:], times)]
    return [(start, clause)]


_ASKING = re.compile(r"是多少|多少|是什么|什么|哪些|几|怎么样|如何")


def _subject(clause: str, start: int, times: Sequence[TimeAsk]) -> str:
    """What the first clause asks about: without its times, up to where it starts asking."""
    for ask in sorted(times, key=lambda a: -a.start):
        if start <= ask.start < start + len(clause):
            at = ask.start - start
            clause = clause[:at] + clause[at + len(ask.text) :]
    match = _ASKING.search(clause)
    return (clause[: match.start()] if match else clause).rstrip("，,；;和与的 ")


def _has_topic(clause: str, times: Sequence[TimeAsk]) -> bool:
    """The clause names something besides times and how the question is asked."""
    rest = clause
    for ask in times:
        rest = rest.replace(ask.text, "")
    return len(_CJK.findall(_NOT_TOPIC.sub("", _JOINER.sub("", rest)))) >= 2


def detect_language(text: str) -> Lang:
    cjk = len(_CJK.findall(text))
    latin = sum(len(w) for w in _LATIN_WORD.findall(text))
    return "en" if latin > 2 * cjk else "zh"


@cache
def _t2s() -> object:
    import opencc

    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """The text in simplified Chinese (OpenCC), NFKC-normalised."""
    text = unicodedata.normalize("NFKC", text)
    if not _CJK.search(text):
        return text
    return str(_t2s().convert(text))  # type: ignore[attr-defined]


def analyze(question: str, places: Sequence[str] = ()) -> Query:
    """The query of `question`; `places` are the regions it names (see `index.regions`)."""
    text = simplified(question.strip())
    kind = question_kind(text)
    times = time_asks(text)
    asked = wants(text, kind)
    if len(times) > 1:  # one figure per time asked (`去年…和今年的目标分别`): a comparison
        asked = replace(asked, several=1)
    return Query(
        text=text,
        language=detect_language(text),
        kind=kind,
        wants=asked,
        times=times,
        target=bool(_TARGET.search(text)),
        places=tuple(places),
        numbers=tuple(_NUMBER.findall(text)),
        past=bool(_PAST.search(text)),
        report_year=_report_year(text),
        bridge=bridge_of(text),
    )


_REPORT_NAMED = re.compile(
    r"((?:19|20)\d{2})\s*年[^，,。？?]{0,12}政府工作报告|((?:19|20)\d{2}) (?:government )?work report",
    re.I,
)


def _report_year(text: str) -> int | None:
    match = _REPORT_NAMED.search(text)
    return int(next(g for g in match.groups() if g)) if match else None


def time_asks(text: str) -> tuple[TimeAsk, ...]:
    """Every time the question names, in order; overlapping mentions keep the longest."""
    found: list[TimeAsk] = []
    for m in _YEAR.finditer(text):
        found.append(TimeAsk("year", int(m.group(1)), m.group(0), m.start()))
    for m in _CN_YEAR.finditer(text):
        year = cn_to_int(m.group(1))
        if year:
            found.append(TimeAsk("year", year, m.group(1), m.start()))
    for pattern in (_PLAN, _PLAN_LONG):
        for m in pattern.finditer(text):
            ordinal = cn_to_int(next(g for g in m.groups() if g))
            if ordinal and plan_by_ordinal(ordinal) is not None:
                found.append(TimeAsk("plan", ordinal, m.group(0), m.start()))
    for m in _PLAN_EN.finditer(text):
        found.append(TimeAsk("plan", int(m.group(1)), m.group(0), m.start()))
    for pattern, offset in _RELATIVE:
        found.extend(
            TimeAsk("relative", offset, m.group(0), m.start()) for m in pattern.finditer(text)
        )
    for pattern, kind in (
        (_FIVE_YEARS, "five_years"),
        (_AHEAD_YEARS, "ahead_years"),
        (_LONG_RANGE, "long_range"),
        (_NOW, "now"),
    ):
        found.extend(TimeAsk(kind, 0, m.group(0), m.start()) for m in pattern.finditer(text))  # type: ignore[arg-type]
    return _longest(found)


def _longest(found: list[TimeAsk]) -> tuple[TimeAsk, ...]:
    out: list[TimeAsk] = []
    for ask in sorted(found, key=lambda a: (a.start, -len(a.text))):
        if out and ask.start < out[-1].start + len(out[-1].text):
            continue
        out.append(ask)
    return tuple(out)


def resolve(query: Query, timeline: Timeline) -> Resolved:
    """The query's times in the report of `timeline`."""
    by_ask: list[tuple[TimeAsk, Period | None]] = []
    periods: set[Period] = set()
    years: list[int] = []
    uncovered: list[str] = []
    for ask in query.times:
        period, year = _period_of(ask, timeline)
        by_ask.append((ask, period))
        if period is not None:
            periods.update(_expanded(ask, period, timeline))
        if year is not None:
            years.append(year)
        if period is None and year is None and ask.kind != "now":
            uncovered.append(_as_asked(ask))
    if not query.times and query.target and query.kind == "number":
        periods.add("plan_year")  # `目标是多少` without a time: the year planned
    return Resolved(frozenset(periods), tuple(years), tuple(uncovered), tuple(by_ask))


def _period_of(ask: TimeAsk, timeline: Timeline) -> tuple[Period | None, int | None]:
    """(period, year the evidence must name) of one time asked, in this report."""
    y = timeline.year
    if ask.kind == "now":
        return ("review_year" if y is not None else None), None
    if y is None:
        return None, ask.value if ask.kind == "year" else None
    if ask.kind == "relative":
        return _year_period(timeline, y + ask.value)
    if ask.kind == "year":
        return _year_period(timeline, ask.value)
    if ask.kind == "plan":
        period = plan_period(timeline, ask.value)
        return (None, None) if period == "unknown" else (period, None)
    if ask.kind == "five_years":
        return ("review_plan" if timeline.review_plan else None), None
    if ask.kind == "ahead_years":
        return ("plan_ahead" if timeline.plan_ahead else None), None
    return "long_range", None


def _year_period(timeline: Timeline, year: int) -> tuple[Period | None, int | None]:
    """A year asked: the year under review or planned; the end of the plan ahead (its
    targets); a long-range goal year; any other year (a year inside a plan, the base year a
    change is measured from: `比<基年>下降`) only where the evidence names it."""
    y = timeline.year or 0
    if year == y - 1:
        return "review_year", None
    if year == y:
        return "plan_year", None
    ahead = timeline.plan_ahead
    if ahead is not None and year == ahead.end:
        return "plan_ahead", None
    if year in timeline.long_range:
        return "long_range", None
    return None, year


def _expanded(ask: TimeAsk, period: Period, timeline: Timeline) -> set[Period]:
    """`现在` accepts the latest level, which a review may give for the end of the five years."""
    if ask.kind == "now" and timeline.review_plan is not None:
        return {"review_year", "review_plan"}
    return {period}


def _as_asked(ask: TimeAsk) -> str:
    if ask.kind == "year":
        return f"{ask.value}年"
    if ask.kind == "plan":
        return f"“{plan_name(ask.value)}”"
    return ask.text
