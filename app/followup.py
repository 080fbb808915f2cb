"""Resolve an elliptical follow-up question against the previous turns, without an LLM.

`那2021年的目标呢？` after `2020年地区生产总值增长了多少？` becomes a question about 2021
that keeps the earlier topic; `它包括哪些？` after `六稳是指什么？` names 六稳 again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from app.models import Turn

_YEAR = re.compile(r"(?:19|20)\d{2}年?")
_PRONOUN_START = re.compile(
    r"^(?:那么?|那个|它们?|这个?|其|该|那这|and|what about|how about)\s*", re.I
)
_PRONOUN_ANY = re.compile(r"(它们?|其中|这些|这个|该项|this|that|they|it)", re.I)
_ELLIPSIS_END = re.compile(r"(呢|吗)?[？?]?$")
_TOPIC_STRIP = re.compile(r"(是多少|多少|是什么|什么|哪些|有哪些|怎么样|如何|吗|呢|[？?。！!，,])")


def previous_question(history: Sequence[Turn]) -> str | None:
    for turn in reversed(history):
        if turn.role == "user" and turn.content.strip():
            return turn.content.strip()
    return None


def is_elliptical(question: str) -> bool:
    q = question.strip()
    if _PRONOUN_START.match(q) or _PRONOUN_ANY.search(q):
        return True
    return len(q) <= 8 and q.endswith(("呢", "呢？", "呢?"))


def resolve(question: str, history: Sequence[Turn]) -> str:
    """The question made self-contained; unchanged when it is not a follow-up."""
    prev = previous_question(history)
    if prev is None or not is_elliptical(question):
        return question
    current = _PRONOUN_START.sub("", question.strip())
    current = _ELLIPSIS_END.sub("", current)
    topic = _TOPIC_STRIP.sub(" ", prev)
    if _YEAR.search(current):
        topic = _YEAR.sub(" ", topic)
    subject = _PRONOUN_ANY.sub("", current).strip()
    return " ".join(p for p in (subject, topic.strip(), _question_word(question, prev)) if p)


def _question_word(question: str, prev: str) -> str:
    for word in ("哪些", "多少", "是什么", "什么时候", "谁"):
        if word in question:
            return word
    for word in ("多少", "哪些", "是什么"):
        if word in prev:
            return word
    return ""
