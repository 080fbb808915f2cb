"""Split a comparison (`去年…，今年…`) into one sub-question per period it asks about."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from app.qtype import is_question_word
from index.query import Period, analyze, first_cue, for_period

_CLAUSE = re.compile(r"[^，,；;？?。！!]+[，,；;？?。！!]*")
_JOINER = re.compile(r"和|与|跟|以及|还有|\band\b|\bwhile\b", re.I)


def sub_question(
    question: str, period: Period, asked: frozenset[Period], tokens: Callable[[str], list[str]]
) -> str:
    """The question narrowed to one period: the subject named before the first period cue
    (`城镇登记失业率` in `城镇登记失业率去年…？今年…？`), then the clauses about this period.

    When those clauses name no topic of their own (`今年的目标是多少`), the whole question
    with the other periods' cue words removed is used instead."""
    question = unicodedata.normalize("NFKC", question)
    clauses = _clauses(question)
    mine = [c for c in clauses if period in analyze(c).asked()]
    if not mine or len(mine) == len(clauses) or not _has_topic("".join(mine), tokens):
        return for_period(question, period, asked)
    subject = "" if mine[0] is clauses[0] else clauses[0][: first_cue(clauses[0], asked) or 0]
    return subject + "".join(mine)


def _clauses(question: str) -> list[str]:
    """Clauses at punctuation, and at 和/与/and when both sides name a period."""
    out: list[str] = []
    for clause in _CLAUSE.findall(question) or [question]:
        out.extend(_split_joined(clause))
    return out


def _split_joined(clause: str) -> list[str]:
    for match in _JOINER.finditer(clause):
        left, right = clause[: match.end()], clause[match.end() :]
        if analyze(left).asked() and analyze(right).asked():
            return [left, *_split_joined(right)]
    return [clause]


def _has_topic(text: str, tokens: Callable[[str], list[str]]) -> bool:
    """Some word that is neither a period cue nor only how the question is asked."""
    return any(
        not is_question_word(t) and not analyze(t).periods and not _JOINER.fullmatch(t)
        for t in tokens(text)
    )
