"""What kind of answer a question wants, from its wording (Chinese and English)."""

from __future__ import annotations

import re
from typing import Literal

QuestionKind = Literal["definition", "list", "number", "date", "person", "section", "general"]

_RULES: tuple[tuple[QuestionKind, re.Pattern[str]], ...] = (
    (
        "definition",
        re.compile(
            r"(是指|指的是|指什么|是什么意思|什么意思|含义|什么是|的定义|具体指|是啥|啥意思"
            r"|what (?:does|do) .+ (?:mean|stand for|refer to)|what is meant|meaning of|define|definition)",
            re.I,
        ),
    ),
    (
        "section",
        re.compile(
            r"(哪几个方面|几个方面|哪些方面|主要工作安排|重点工作|几项|哪几项|九个方面|主要任务"
            r"|main (?:areas|tasks|parts)|what areas|which areas|how is .+ organi[sz]ed|sections?)",
            re.I,
        ),
    ),
    ("date", re.compile(r"(何时|什么时候|哪一天|哪天|几月|日期|哪一年|when\b|what date)", re.I)),
    ("person", re.compile(r"(谁|哪位|什么人|who\b|whom)", re.I)),
    (
        "number",
        re.compile(
            r"(多少|几|比例|比重|增长率|增幅|增速|百分|达到|排名|第几|how (?:many|much)|"
            r"what (?:percentage|percent|share|rate|number|amount)|by how|growth rate)",
            re.I,
        ),
    ),
    (
        "list",
        re.compile(
            r"(哪些|有什么|包括|包含|分别|都有|列举|which|what are|list|what were|name the)", re.I
        ),
    ),
)


def question_kind(question: str) -> QuestionKind:
    for kind, pattern in _RULES:
        if pattern.search(question):
            return kind
    return "general"


_UNIT = r"(?:%|个百分点|万亿元|亿元|万元|元|万人|人次|万户|户|人|家|个|项|所|座|公里|千米|米|平方米|万平方米|亩|万亩|吨|万吨|辆|张|条|天|年|倍|万|亿|千瓦|兆瓦|床|套|处|名|次|批|位|级|台|件)"
NUMBER_WITH_UNIT = re.compile(r"(?:\d+(?:\.\d+)?|[一二三四五六七八九十百千两]+)" + _UNIT)
DATE = re.compile(r"\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?)?|\d{1,2}月\d{1,2}日")
