"""Query analysis without an LLM: language, period (review / outlook / plan), numbers, terms."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

Period = Literal["review", "fiveyear", "outlook", "plan"]

_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_PLAN_ONLY = re.compile(r"2021|今年|this year")
_NUMBER = re.compile(r"\d+(?:\.\d+)?%?")

# Cue words for the part of the report a question is about. The report reviews 2020 and the
# 13th five-year plan (section 一), outlines the 14th five-year plan and 2035 (section 二), and
# plans the work of 2021 (section 三).
_PERIOD_CUES: dict[Period, tuple[str, ...]] = {
    "review": (
        "2020",
        "去年",
        "上一年",
        "过去一年",
        "现在",
        "目前",
        "当前",
        "last year",
        "in 2020",
        "achieved",
        "currently",
    ),
    "fiveyear": (
        "十三五",
        "五年",
        "累计",
        "年均增",
        "2016",
        "13th five",
        "past five years",
        "five years",
    ),
    "outlook": ("十四五", "2035", "远景", "14th five", "long-range", "2025"),
    "plan": (
        "2021",
        "今年",
        "明年",
        "目标",
        "计划",
        "安排",
        "预期",
        "this year",
        "target",
        "plan to",
        "planned",
        "goal",
    ),
}


@dataclass(frozen=True)
class QueryFeatures:
    text: str
    language: Literal["zh", "en"]
    periods: tuple[Period, ...]
    numbers: tuple[str, ...]

    def asked(self) -> frozenset[Period]:
        """The periods asked about; a five-year question is not also a 2020 question."""
        periods: set[Period] = set(self.periods)
        if "fiveyear" in periods:
            periods.discard("review")
        if "outlook" in periods and "plan" in periods and not _PLAN_ONLY.search(self.text):
            periods.discard("plan")  # "十四五末的目标" asks the outlook, not 2021
        return frozenset(periods)


def detect_language(text: str) -> Literal["zh", "en"]:
    cjk = len(_CJK.findall(text))
    latin = sum(len(w) for w in _LATIN_WORD.findall(text))
    return "en" if latin > 2 * cjk else "zh"


def analyze(text: str) -> QueryFeatures:
    norm = unicodedata.normalize("NFKC", text)
    low = norm.lower()
    periods = tuple(p for p, cues in _PERIOD_CUES.items() if any(c in low for c in cues))
    return QueryFeatures(
        text=norm,
        language=detect_language(norm),
        periods=periods,
        numbers=tuple(_NUMBER.findall(norm)),
    )


def first_cue(text: str, periods: frozenset[Period]) -> int | None:
    """Where the first cue word of any of `periods` starts in `text` (None without one)."""
    low = unicodedata.normalize("NFKC", text).lower()
    found = [i for p in periods for c in _PERIOD_CUES[p] if (i := low.find(c)) >= 0]
    return min(found, default=None)


def for_period(text: str, period: Period, asked: frozenset[Period]) -> str:
    """The question narrowed to one of the periods it compares: the cue words of the other
    asked periods removed (`去年…和今年的目标` -> `去年…和的` for 2020)."""
    keep = _PERIOD_CUES[period]
    drop = {
        cue
        for other, cues in _PERIOD_CUES.items()
        if other != period and other in asked
        for cue in cues
        if not any(cue in k for k in keep)
    }
    out = unicodedata.normalize("NFKC", text)
    for cue in sorted(drop, key=len, reverse=True):
        out = re.sub(re.escape(cue), "", out, flags=re.I)
    return out


FIVE_YEAR = re.compile(r"年均(?:增长|增速|分别)|累计|五年|十三五|十二五")


def text_period(section_path: tuple[str, ...], text: str) -> Period | None:
    """Like `chunk_period`, but a review passage or sentence (or its lead-in) that states a
    five-year figure (年均增长, 累计, 这五年, 十三五) is about the five years, not 2020."""
    period = chunk_period(section_path)
    lead_in = section_path[-1] if len(section_path) >= 2 else ""
    if period == "review" and FIVE_YEAR.search(lead_in + text):
        return "fiveyear"
    return period


def chunk_period(section_path: tuple[str, ...]) -> Period | None:
    """The period a chunk's top section is about (by the report's section numbering)."""
    if not section_path:
        return None
    top = section_path[0]
    if top.startswith("一、"):
        return "review"
    if top.startswith("二、"):
        return "outlook"
    if top.startswith("三、"):
        return "plan"
    return None
