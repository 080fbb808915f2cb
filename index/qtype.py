"""What kind of answer a question wants, from its wording (Chinese and English)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from index.figures import MEASURE, SCALE, canonical_unit

QuestionKind = Literal["definition", "list", "number", "date", "person", "section", "general"]

# a rank asked in English (`what place`, `ranks among`): a number question
_RANK_EN = r"what (?:place|rank)|(?<![a-z])ranks? (?:among|in)(?![a-z])"

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
            r"(哪几个?方面|几个?方面|哪些方面|主要工作安排|重点工作|几项|哪几项|[一二三四五六七八九十两]+个方面|主要任务"
            r"|怎样概括|如何概括|怎么概括|概括为"
            r"|重点任务|哪些任务|哪些工作|主要目标任务"
            r"|main (?:areas|tasks|parts)|what areas|which areas|how is .+ organi[sz]ed|sections?)",
            re.I,
        ),
    ),
    ("date", re.compile(r"(何时|什么时候|哪一天|哪天|几月|日期|哪一年|when\b|what date)", re.I)),
    ("person", re.compile(r"(谁|哪位|什么人|who\b|whom)", re.I)),
    ("list", re.compile(r"(哪几|哪些|有哪|哪[两三四五六七八九十]+(?:个|项|大|类|条)?方面)")),
    (
        "number",
        re.compile(
            r"(多少|几|多久|多长时间|比例|比重|增长率|增幅|增速|百分|达到|排名|第几|how (?:many|much)|"
            r"from what\b.{0,40}?\bto what\b|"
            rf"{_RANK_EN}|"
            r"(?:grow|grew|grown|increase|increased|rise|rose|fall|fell|drop|dropped) by|"
            r"what (?:percentage|percent|share|rate|number|amount)|by how|growth rate|how fast|how quickly|"
            r"what (?:was|is|were|are|will be) (?:the )?[\w\s'&-]{0,40}?"
            r"(?:growth|rate|share|total|output|revenue|income|number|amount|intensity|ratio|"
            r"coverage|value|volume|capacity)"
            r"(?=\s+(?:in|for|of|by|during|last|this|over|at|from|since|target)\b|\s*[?.]|$))",
            re.I,
        ),
    ),
    (
        "list",
        re.compile(
            r"(哪些|有什么|包括|包含|分别|都有|列举|which|what are|\blist\b|what were|name the)",
            re.I,
        ),
    ),
)


# How people ask, not what they ask about: interrogatives and everyday filler words. When the
# report never uses such a word it says nothing about whether the report holds the answer.
_INTERROGATIVE = re.compile(r"[几哪谁怎啥]|什么|多少|多久|多长|有没有|是否")
# Words that only shape a question (`分别是多少`), even though the report uses them too.
_ALWAYS_FILLER = frozenset("分别 大概 大约 到底 究竟 一共 总共 各是".split())
_FILLER = _ALWAYS_FILLER | frozenset(
    """
    期间 叫 叫做 去 得 又 帮 按 名字 意思 包括 内容 概括 总结 一家 最快 最终 长时间
    没 没有 以后 一样 列出 预计 这份 完整 说法 字 干得 打算 时候 显示 相比 均 百分之
    具体 主要 现在 目前 能 会 可以 需要 应该 呢 吗 啊 吧
    """.split()
)


_ASKING_PHRASES = re.compile(r"总体情况|整体情况|总的情况|总体上|整体上|总的来说|大体上|总体来看")


def without_asking_phrases(question: str) -> str:
    """The question without phrases that only ask for an overview (`总体情况`), whose words
    the report uses with other meanings (`总体战`)."""
    return _ASKING_PHRASES.sub(" ", question)


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


_ASKED_UNIT = re.compile(rf"(?:多少|几)\s*({SCALE}?(?:{MEASURE}))")
# units too general to check (多少个 may be answered in 座, 所, 项 …)
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
    unit = canonical_unit(match.group(1))
    return None if unit in _UNCHECKED else unit


# English words whole from their start (`rate`, not `corporate`; `rise`, not `enterprise`)
_RATE = re.compile(
    r"增长|增速|增幅|涨幅|涨|比重|比例|占比|份额|率|百分|"
    r"(?<![a-z])(?:grow|rates?(?![a-z])|shares?(?![a-z])|percent)",
    re.I,
)


_SUMMARY = re.compile(
    r"怎么样|怎样|如何|情况|总体|整体|成效|成绩|成就|概括|总结|面临|形势|机遇|挑战|问题|怎么干|"
    r"how (?:did|was|were|is|are|has|have)|overall|summar|challenges?|opportunit",
    re.I,
)


def wants_summary(question: str) -> bool:
    """The question asks how something went or stands overall (a heading answers it)."""
    return bool(_SUMMARY.search(question))


# a change asked (`提高了多少`), not the level it reaches (`提高到多少`, `下降至`)
_CHANGE = re.compile(
    r"(?:增长|提高|提升|下降|降低|减少|增加(?!值)|上升)(?![到至])|增速|增幅|涨|多了|少了|便宜|变化|"
    r"(?<![a-z])(?:grow|increase|decrease|declin|drop|rise|rose|fell|fall|change|by how)",
    re.I,
)


def wants_level(question: str) -> bool:
    """A rate asked as a level (`比例是多少`), not as a change (`比例提高了多少`)."""
    return wants_rate(question) and not _CHANGE.search(question)


def wants_rate(question: str) -> bool:
    """The question asks for a rate or share (a percentage), not an amount."""
    return bool(_RATE.search(question))


@dataclass(frozen=True)
class Wants:
    """What an answer to the question must look like."""

    kind: QuestionKind
    rate: bool = False  # a percentage, not an amount
    level: bool = False  # the rate itself (`83%`), not its change (`1.58个百分点`)
    unit: str | None = None  # `多少户` wants 户 (canonical, see `asked_unit`)
    change: bool = False  # a change asked (`增长了多少`, `多了多少`), not a level or amount
    summary: bool = False  # how something went overall: a paragraph heading answers it
    rank: bool = False  # a place in an order (`排第几位`): `第4位` answers it, not a rate
    thing: str = ""  # what the question asks instances of (`企业` of `哪几家企业建成投产`)
    span: bool = False  # where a change started and ended (`从多少提高到多少`): both levels
    several: int = 1  # figures asked at once (`播种面积和总产量分别要确保多少`: 2)


# both ends of a change asked: `从多少提高到多少`, `由多少降至多少`, `from what to what`
_SPAN = re.compile(
    r"[从由]多少.{0,8}?[到至](?:了)?多少|from (?:what|how much|how many)\b.{0,60}?\bto (?:what|how)",
    re.I,
)


# a rank asked (`排全国第几位`, `排名是多少`), whatever it is a rank of (`增速`); not a rank
# that only describes what is asked about (`排名世界第一的港口，吞吐量是多少`)
_RANK = re.compile(
    rf"第几|名次|位次|排名(?:是|第|多少|如何|怎样)|{_RANK_EN}|how .{{0,60}}(?<![a-z])rank(?![a-z])",
    re.I,
)


# `哪些骨干企业`, `哪两座博物馆`, `什么产业孵化园`: the words after the interrogative and its
# measure word, up to a particle or a verb-like break
_THING = re.compile(
    r"(?:哪些|哪[几两三四五六七八九十\d]*[个家座项所条类种位批]?|什么)"
    r"([\u4e00-\u9fff]{2,6}?)(?=[？?，,。；;、]|$|呢|吗|了|是|要|在|将|去|可以|能|有|都)"
)


# several subjects asked their figures at once: `A和B分别…多少`, `A、B、C分别是多少`
_JOINED_SUBJECTS = re.compile(
    r"[\u4e00-\u9fff]{2,}(?:(?:和|与|及|、)[\u4e00-\u9fff]{2,}?)+(?=分别)"
)
_JOINER = re.compile(r"和|与|及|、")
_HOW_MANY = re.compile(r"多少|几(?![乎])")


def figures_asked(question: str) -> int:
    """How many figures one question asks for at once, in one of its clauses: the subjects
    of a `分别` (`播种面积和总产量分别要确保多少`), or the `多少` it asks (`重大项目多少个、年度
    投资多少`); 1 otherwise. Several clauses are several questions (`去年…多少，今年…多少`: see
    `Query.narrowed`)."""
    most = 1
    for part in re.split(r"[？?。，,；;]", question):
        joined = _JOINED_SUBJECTS.search(part)
        subjects = len(_JOINER.findall(joined.group(0))) + 1 if joined else 1
        if subjects > 1 and not _HOW_MANY.search(part, joined.end() if joined else 0):
            subjects = 1
        most = max(most, subjects, len(_HOW_MANY.findall(part)))
    return most


def asked_thing(question: str) -> str:
    """What a which/what question asks instances of ("" when it names none)."""
    match = _THING.search(question)
    return match.group(1) if match and match.group(1) not in _NO_THING else ""


_NO_THING = frozenset({"名字", "名称", "内容", "意思", "东西", "情况"})


def wants(question: str, kind: QuestionKind | None = None) -> Wants:
    kind = kind or question_kind(question)
    number = kind == "number"
    rank = number and bool(_RANK.search(question))
    rate = number and not rank and wants_rate(question)
    change = not rank and bool(_CHANGE.search(question))
    span = number and bool(_SPAN.search(question))
    return Wants(
        kind=kind,
        rate=rate,
        level=rate and not change,
        unit=asked_unit(question) if number and not rank else None,
        summary=wants_summary(question),
        change=change,
        rank=rank,
        thing=asked_thing(question) if kind in ("list", "general") else "",
        span=span,
        several=figures_asked(question) if number and not (rank or span) else 1,
    )
