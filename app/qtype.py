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
    ("list", re.compile(r"(哪几|哪些|有哪)")),
    (
        "number",
        re.compile(
            r"(多少|几|多久|多长时间|比例|比重|增长率|增幅|增速|百分|达到|排名|第几|how (?:many|much)|"
            r"what (?:percentage|percent|share|rate|number|amount)|by how|growth rate|how fast|how quickly)",
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


def wants_rate(question: str) -> bool:
    """The question asks for a rate or share (a percentage), not an amount."""
    return bool(_RATE.search(question))


PERSON = re.compile(
    r"(?<!总)(?:市长|书记|主任|局长|主席|省长|县长|区长)\s*[\u4e00-\u9fff]{2,3}(?=[\s，。、；]|$)"
)
DATE = re.compile(r"\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?)?|\d{1,2}月\d{1,2}日")
