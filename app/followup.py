"""Resolve an elliptical follow-up question against the previous turns, without an LLM.

A follow-up takes what it names itself and only what is missing from the question before it:
`六保呢？` after `六稳是指什么？` asks `六保是指什么`; `那今年的目标呢？` after
`<Y-1>年地区生产总值增长了多少？` keeps the indicator, changes the period and asks for the
target; `浙江呢？` after a question about 广东 asks the same about 浙江; `它包括哪些？` after
`六稳是指什么？` names 六稳 again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from app.models import Turn
from index.query import TimeAsk, simplified, time_asks

# the places a text names, each as (name as written, start)
PlaceFinder = Callable[[str], Sequence[tuple[str, int]]]

_OPENING = re.compile(r"^(?:那么?|那个|还有|另外|and|what about|how about)\s*", re.I)
_PRONOUN = re.compile(r"它们|它|其中|这些|这个|该项|\bthis\b|\bthat\b|\bthey\b|\bit\b", re.I)
_ELLIPSIS_END = re.compile(r"(?:呢|吗)?\s*[？?。]?$")
# where a question's predicate starts: what it asks about the topic
_PREDICATE = re.compile(
    r"是指|指的是|指什么|是什么|是多少|分别|有哪些|包括哪些|包括|有什么|预期|目标|"
    r"增长了?|提高了?|下降了?|达到了?|完成了?|实现了?|多少|哪些|几|怎么样|如何|什么时候|何时|谁|"
    r"\b(?:is|was|were|are|did|does|do|grow|grew|reach|reached)\b",
    re.I,
)
_TARGET = re.compile(r"目标|计划|预期|target|goal", re.I)
_TRIM = "，,的 "
MAX_TURN_CHARS = 1000  # a previous turn longer than this is not built on


def previous_question(history: Sequence[Turn]) -> str | None:
    for turn in reversed(history):
        text = turn.content.strip()
        if turn.role == "user" and text and len(text) <= MAX_TURN_CHARS:
            return text
    return None


def is_elliptical(question: str) -> bool:
    q = question.strip()
    if _OPENING.match(q) or _PRONOUN.search(q):
        return True
    return len(q) <= 10 and bool(re.search(r"(呢|吗)\s*[？?]?$", q))


def resolve(question: str, history: Sequence[Turn], places: PlaceFinder = lambda _: ()) -> str:
    """The question made self-contained; unchanged when it is not a follow-up."""
    prev = previous_question(history)
    if prev is None or not is_elliptical(question):
        return question
    prev, current = simplified(prev), simplified(question.strip())
    if _PRONOUN.search(current):
        return _pronoun_resolved(current, prev)
    named = _ELLIPSIS_END.sub("", _OPENING.sub("", current)).strip(_TRIM)
    if not named:
        return prev
    times = time_asks(named)
    rest = _cut(named, [(a.start, len(a.text)) for a in times]).strip(_TRIM)
    if times and (not rest or _TARGET.fullmatch(rest)):
        return _new_time(prev, times, rest)
    found = list(places(named))
    if found and not _cut(named, [(s, len(n)) for n, s in found]).strip(_TRIM):
        return _new_place(prev, "".join(n for n, _ in found), places)
    return _new_topic(prev, named)


def _cut(text: str, spans: Sequence[tuple[int, int]]) -> str:
    for start, length in sorted(spans, reverse=True):
        text = text[:start] + text[start + length :]
    return text


def _replace_first(text: str, spans: Sequence[tuple[int, int]], new: str) -> str:
    """`text` with its first span replaced by `new` and the others removed; `new` in front
    when there is no span."""
    if not spans:
        return f"{new}{text}"
    first = min(spans)
    rest = [s for s in spans if s != first]
    out = _cut(text, rest) if rest else text
    shift = sum(length for start, length in rest if start < first[0])
    at = first[0] - shift
    return out[:at] + new + out[at + first[1] :]


def _new_time(prev: str, times: Sequence[TimeAsk], target: str) -> str:
    """The previous question about the time (and the target) the follow-up names."""
    spans = [(a.start, len(a.text)) for a in time_asks(prev)]
    out = _replace_first(prev, spans, "".join(a.text for a in times))
    if target and target not in out:
        match = _PREDICATE.search(out)
        at = match.start() if match else len(out)
        out = out[:at] + target + out[at:]
    return out


def _new_place(prev: str, place: str, places: PlaceFinder) -> str:
    return _replace_first(prev, [(s, len(n)) for n, s in places(prev)], place)


def _new_topic(prev: str, named: str) -> str:
    """The previous question about the new topic: its times, the new topic, its predicate
    (`六保` + `是指什么`)."""
    asks = time_asks(prev)
    times = "" if any(a.text in named for a in asks) else "".join(a.text for a in asks)
    body = _cut(prev, [(a.start, len(a.text)) for a in asks])
    match = _PREDICATE.search(body)
    return f"{times}{named}{body[match.start() :] if match else ''}"


def _pronoun_resolved(question: str, prev: str) -> str:
    """`它包括哪些？` after `六稳是指什么？`: the pronoun stands for the previous topic."""
    asks = time_asks(prev)
    body = _cut(prev, [(a.start, len(a.text)) for a in asks])
    match = _PREDICATE.search(body)
    topic = (body[: match.start()] if match else body).strip(_TRIM)
    current = _OPENING.sub("", question)
    times = "" if time_asks(current) else "".join(a.text for a in asks)
    return times + _PRONOUN.sub(topic, current, count=1)
