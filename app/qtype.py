"""What kind of answer a question wants, from its wording (Chinese and English)."""

from __future__ import annotations

import re
from dataclasses import dataclass
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
    ("list", re.compile(r"(哪几|哪些|有哪)")),
    (
        "number",
        re.compile(
            r"(多少|几|多久|多长时间|比例|比重|增长率|增幅|增速|百分|达到|排名|第几|how (?:many|much)|"
            r"what (?:percentage|percent|share|rate|number|amount)|by how|growth rate|how fast|how quickly|"
            r"what (?:was|is|were|are|will be) (?:the )?[\w\s'-]{0,40}?"
            r"(?:growth|rate|share|total|output|revenue|income|number|amount)"
            r"(?=\s+(?:in|for|of|by|during|last|this|over|at|from|since|target)\b|\s*[?.]|$))",
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


# How people ask, not what they ask about: interrogatives and everyday filler words. When the
# report never uses such a word it says nothing about whether the report holds the answer.
_INTERROGATIVE = re.compile(r"[几哪谁怎啥]|什么|多少|多久|多长|有没有|是否")
_FILLER = frozenset(
    """
    期间 一共 总共 叫 叫做 去 得 又 帮 按 名字 意思 包括 内容 概括 总结 一家 最快 最终 长时间
    没 没有 以后 一样 列出 预计 这份 完整 说法 字 干得 打算 时候 显示 相比 各是 均 百分之
    分别 大概 大约 到底 究竟 具体 主要 现在 目前 能 会 可以 需要 应该 呢 吗 啊 吧
    """.split()
)


_ASKING_PHRASES = re.compile(r"总体情况|整体情况|总的情况|总体上|整体上|总的来说|大体上|总体来看")


def without_asking_phrases(question: str) -> str:
    """The question without phrases that only ask for an overview (`总体情况`), whose words
    the report uses with other meanings (`总体战`)."""
    return _ASKING_PHRASES.sub(" ", question)


# Words that only shape a question (`分别是多少`), even though the report uses them too.
_ALWAYS_FILLER = frozenset("分别 大概 大约 到底 究竟 一共 总共 各是".split())


def is_filler(token: str) -> bool:
    """A word that only shapes the question, whether or not the report uses it."""
    return token in _ALWAYS_FILLER


def is_question_word(token: str) -> bool:
    """An interrogative or filler word of the question (`多久`, `怎么样`, `一共`)."""
    return token in _FILLER or bool(_INTERROGATIVE.search(token))


def question_kind(question: str) -> QuestionKind:
    for kind, pattern in _RULES:
        if pattern.search(question):
            return kind
    return "general"


_MEASURE = (
    r"微克/立方米|立方米|平方公里|平方米|公里|千米|米|亩|吨|元|人次|人|户|家|个|项|所|座|辆|张|条|天|"
    r"工作日|年|倍|千瓦|兆瓦|床|套|处|名|头|只|次|批|位|级|台|件|岁|小时|个月|周|标准箱|"
    r"列|班|趟|架|艘|栋|幢|间|株|棵|场|期|届|公顷|千克|公斤|立方|羽|枚|本|部|门|支|例|宗|笔|单"
)
_UNIT = rf"(?:%|个百分点|(?:万亿|万|亿)(?:{_MEASURE})?|(?:{_MEASURE}))(?:以上|以内|左右)?"
NUMBER_WITH_UNIT = re.compile(
    r"(?<![\d.A-Za-z])(?!(?:19|20)\d\d年)\d+(?:\.\d+)?"
    + _UNIT
    + r"|第[一二三四五六七八九十]+(?:届|个|批|次)"
)
_ASKED_UNIT = re.compile(rf"(?:多少|几)\s*((?:万亿|万|亿)?(?:{_MEASURE}))")
_UNIT_OF = re.compile(rf"\d(?:万亿|万|亿)?({_MEASURE})")
# units that answer the same question (多少人 <- 7.6万名); 个 and 年 are too general to check
_SAME_UNIT = {"名": "人", "人次": "人", "家": "户", "千米": "公里"}
_UNCHECKED = frozenset({"个", "年", "次", "位", "级", "期", "届", "批"})


_ASKED_UNIT_EN = re.compile(
    r"(?:how many|number of|in)\s+(tonnes|tons|kilometres|kilometers|km|households|mu|"
    r"square (?:metres|meters)|yuan)\b",
    re.I,
)
_EN_UNITS = {
    "tonnes": "吨",
    "tons": "吨",
    "kilometres": "公里",
    "kilometers": "公里",
    "km": "公里",
    "households": "户",
    "mu": "亩",
    "square metres": "平方米",
    "square meters": "平方米",
    "yuan": "元",
}


def asked_unit(question: str) -> str | None:
    """The unit a `多少户` / `几所` / `多少亿元` / `how many tonnes` question asks for, in
    canonical form (None when it names none, or only a general one like 个)."""
    english = _ASKED_UNIT_EN.search(question)
    if english:
        return _EN_UNITS[english.group(1).lower()]
    match = _ASKED_UNIT.search(question)
    if not match:
        return None
    unit = re.sub(r"^(?:万亿|万|亿)", "", match.group(1))
    return None if unit in _UNCHECKED else _SAME_UNIT.get(unit, unit)


def states_unit(text: str, unit: str) -> bool:
    """`text` states a number in `unit` (`7.6万名` states 人, `354.7亿元` states 元)."""
    return any(_SAME_UNIT.get(u, u) == unit for u in _UNIT_OF.findall(text))


def unit_pattern(unit: str) -> re.Pattern[str]:
    """A number in `unit` or a unit that answers the same (`万名` for 人)."""
    names = sorted({unit, *(u for u, same in _SAME_UNIT.items() if same == unit)}, key=len)
    alternatives = "|".join(re.escape(n) for n in reversed(names))
    return re.compile(
        rf"(?<![\d.A-Za-z])\d+(?:\.\d+)?(?:万亿|万|亿)?(?:{alternatives})(?:以上|以内|左右)?"
    )


PERCENT = re.compile(r"(?<![\d.A-Za-z])\d+(?:\.\d+)?(?:%|个百分点)(?:以上|以内|左右)?")
_RATE = re.compile(r"增长|增速|增幅|比重|比例|占比|率|growth|grow|rate|share|percent", re.I)


_SUMMARY = re.compile(
    r"怎么样|怎样|如何|情况|总体|整体|成效|成绩|成就|概括|总结|面临|形势|机遇|挑战|问题|怎么干|"
    r"how (?:did|was|were|is|are|has|have)|overall|summar|challenges?|opportunit",
    re.I,
)


def wants_summary(question: str) -> bool:
    """The question asks how something went or stands overall (a heading answers it)."""
    return bool(_SUMMARY.search(question))


_CHANGE = re.compile(
    r"增长|增速|增幅|提高|提升|下降|降低|减少|增加|上升|多了|少了|变化|"
    r"grow|increase|decrease|declin|drop|rise|rose|fell|fall|change|by how",
    re.I,
)
# a rate's level (`83%`), not a change in percentage points (`提高1.58个百分点`)
PERCENT_LEVEL = re.compile(r"(?<![\d.A-Za-z])\d+(?:\.\d+)?%(?:以上|以内|左右)?")


def wants_level(question: str) -> bool:
    """A rate asked as a level (`比例是多少`), not as a change (`比例提高了多少`)."""
    return wants_rate(question) and not _CHANGE.search(question)


def wants_rate(question: str) -> bool:
    """The question asks for a rate or share (a percentage), not an amount."""
    return bool(_RATE.search(question))


PERSON = re.compile(
    r"(?<!总)(?:市长|书记|主任|局长|主席|省长|县长|区长)\s*[\u4e00-\u9fff]{2,3}(?=[\s，。、；]|$)"
)
DATE = re.compile(r"\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?)?|\d{1,2}月\d{1,2}日")


@dataclass(frozen=True)
class Wants:
    """What an answer to the question must look like."""

    kind: QuestionKind
    rate: bool = False  # a percentage, not an amount
    level: bool = False  # the rate itself (`83%`), not its change (`1.58个百分点`)
    unit: str | None = None  # `多少户` wants 户 (canonical, see `asked_unit`)
    summary: bool = False  # how something went overall: a paragraph heading answers it


def wants(question: str, kind: QuestionKind | None = None) -> Wants:
    kind = kind or question_kind(question)
    number = kind == "number"
    return Wants(
        kind=kind,
        rate=number and wants_rate(question),
        level=number and wants_level(question),
        unit=asked_unit(question) if number else None,
        summary=wants_summary(question),
    )
