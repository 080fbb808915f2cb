"""What the chat remembers of each answer, and its copy in the browser's storage.

An `Exchange` is text only: the question, the answer text, whether it was refused, and which
passages it cited (chunk id, [n], the quoted sentences) or showed as related. The panel of
any answer is rendered again from it and the index's own chunks, so an old answer's `[n]`
still opens its citations, and a reload restores the conversation. The browser's copy
(gr.BrowserState) is data a client sends back: `valid_stored` checks its shape and bounds
before the handler sees it (app/ui_guard.py), `from_stored` keeps only what fits the limits,
and a chunk id the index no longer has is dropped when the panel is rendered.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from app.models import Answer, Citation, Quote, ReportRef
from app.ui_session import MAX_EXCHANGES, ConversationLimits, clip
from index.models import Hit
from ingest.models import Chunk

STORE_VERSION = 1
MAX_CITED = 20
MAX_QUOTES = 8
MAX_RELATED = 5
MAX_TEXT = 20_000  # any one text in the stored copy, as the guard checks it
MAX_ID = 200


@dataclass(frozen=True)
class Cited:
    n: int
    chunk_id: str
    quotes: tuple[Quote, ...] = ()


@dataclass(frozen=True)
class Exchange:
    question: str
    answer: str
    refused: bool
    cited: tuple[Cited, ...] = ()
    related: tuple[str, ...] = ()  # chunk ids shown beside a refusal


def exchange_of(question: str, answer: Answer, related: int) -> Exchange:
    """What is kept of an answer (one without citations counts as refused, as it is shown)."""
    cited = tuple(Cited(c.n, c.hit.chunk.chunk_id, c.quotes) for c in answer.citations)
    refused = answer.refused or not cited
    shown = answer.passages[:related] if refused else ()
    return Exchange(question, answer.text, refused, cited, tuple(h.chunk.chunk_id for h in shown))


def answer_of(
    exchange: Exchange, chunk: Callable[[str], Chunk | None], report: Callable[[str], ReportRef]
) -> Answer:
    """The exchange as an Answer to render, its passages looked up (missing ones left out)."""
    citations = []
    for cited in exchange.cited:
        found = chunk(cited.chunk_id)
        if found is not None:
            citations.append(Citation(cited.n, Hit(found, 0.0), cited.quotes))
    passages = [Hit(found, 0.0) for i in exchange.related if (found := chunk(i)) is not None]
    hits = [c.hit for c in citations] + passages
    reports = tuple(report(d) for d in dict.fromkeys(h.chunk.doc_id for h in hits))
    return Answer(
        question=exchange.question,
        text=exchange.answer,
        refused=exchange.refused,
        citations=tuple(citations),
        passages=tuple(passages),
        reports=reports,
    )


# --- the browser's copy -----------------------------------------------------------------------


def to_stored(exchanges: Sequence[Exchange], budget_bytes: int) -> dict[str, Any]:
    """The newest exchanges that fit in `budget_bytes` of JSON (the page sends it back whole
    when it loads, so it must fit in a request body)."""
    items = [_item(e) for e in exchanges[-MAX_EXCHANGES:]]
    while items and _size({"v": STORE_VERSION, "items": items}) > budget_bytes:
        items.pop(0)
    return {"v": STORE_VERSION, "items": items}


def _item(e: Exchange) -> dict[str, Any]:
    cited = [[c.n, c.chunk_id, [[q.text, q.start] for q in c.quotes]] for c in e.cited]
    return {"q": e.question, "a": e.answer, "r": e.refused, "c": cited, "p": list(e.related)}


def _size(value: object) -> int:
    return len(json.dumps(value, ensure_ascii=False).encode())


def valid_stored(value: object) -> bool:
    """A stored conversation's shape: nothing but bounded text, numbers and lists."""
    if value is None:
        return True
    if not isinstance(value, dict) or set(value) != {"v", "items"}:
        return False
    items = value["items"]
    return (
        value["v"] == STORE_VERSION
        and isinstance(items, list)
        and len(items) <= MAX_EXCHANGES
        and all(_valid_item(i) for i in items)
    )


def _valid_item(item: object) -> bool:
    if not isinstance(item, dict) or set(item) != {"q", "a", "r", "c", "p"}:
        return False
    cited, related = item["c"], item["p"]
    return (
        _text(item["q"])
        and _text(item["a"])
        and type(item["r"]) is bool
        and isinstance(cited, list)
        and len(cited) <= MAX_CITED
        and all(_valid_cited(c) for c in cited)
        and isinstance(related, list)
        and len(related) <= MAX_RELATED
        and all(_text(r, MAX_ID) for r in related)
    )


def _valid_cited(cited: object) -> bool:
    if not isinstance(cited, list) or len(cited) != 3:
        return False
    n, chunk_id, quotes = cited
    return (
        _number(n)
        and _text(chunk_id, MAX_ID)
        and isinstance(quotes, list)
        and len(quotes) <= MAX_QUOTES
        and all(
            isinstance(q, list) and len(q) == 2 and _text(q[0]) and _number(q[1]) for q in quotes
        )
    )


def _text(value: object, limit: int = MAX_TEXT) -> bool:
    return isinstance(value, str) and len(value) <= limit


def _number(value: object) -> bool:
    return type(value) is int and 0 <= value < 10**9


def from_stored(value: object, limits: ConversationLimits) -> tuple[Exchange, ...]:
    """The exchanges of a stored copy (nothing when it is not valid), clipped to the limits."""
    if not valid_stored(value) or value is None:
        return ()
    exchanges = []
    for item in value["items"]:  # type: ignore[index]
        cited = tuple(
            Cited(n, chunk_id, tuple(Quote(t, s, s + len(t)) for t, s in quotes))
            for n, chunk_id, quotes in item["c"]
        )
        question = clip(item["q"], limits.max_question_chars)
        answer = clip(item["a"], limits.max_turn_chars)
        if question.strip():
            exchanges.append(Exchange(question, answer, item["r"], cited, tuple(item["p"])))
    return tuple(exchanges[-MAX_EXCHANGES:])
