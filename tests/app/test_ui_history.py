"""Each answer keeps its citations, and the conversation's text-only copy in the browser
restores it: the handler called directly over the fake service, and the copy's checks."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.ui import ChatHandler
from app.ui_history import from_stored, to_stored, valid_stored
from app.ui_session import MAX_EXCHANGES, Conversation, ConversationLimits
from tests.app.fakes import FakeQAService

QUESTIONS = (
    "“六稳”指的是什么？",
    "2021年计划新增城镇就业多少人？",
    "2022年地区生产总值预期增长多少？",
)


def ask_all(handler: ChatHandler, questions: tuple[str, ...]) -> tuple[Any, ...]:
    """(chat, panel, conversation, the browser's copy) after asking `questions` in turn."""
    talk = None
    for question in questions:
        *_, (chat, panel, talk) = handler.respond(question, None, talk)
    return chat, panel, talk, handler.stored_copy(talk)


def test_every_answer_keeps_its_own_citations_and_links() -> None:
    chat, panel, talk, stored = ask_all(ChatHandler(FakeQAService(), 5, 20), QUESTIONS)
    assert [e.question for e in talk.exchanges] == list(QUESTIONS)
    for number in range(3):
        assert f'<section class="rq-answer" id="rq-a{number}">' in panel
    assert 'href="#rq-a0-c1"' in chat[1]["content"] and 'id="rq-a0-c1"' in panel
    assert 'href="#rq-a1-c1"' in chat[3]["content"] and 'id="rq-a1-c1"' in panel
    assert 'href="#rq-a2"' in chat[5]["content"], "a refusal links to its related passages"
    assert panel.index('id="rq-a2"') > panel.index('id="rq-a1"') > panel.index('id="rq-a0"')
    assert [item["q"] for item in stored["items"]] == list(QUESTIONS)


def test_the_stored_copy_restores_chat_panels_and_follow_up_turns() -> None:
    service = FakeQAService()
    handler = ChatHandler(service, 5, 20)
    chat, panel, talk, stored = ask_all(handler, QUESTIONS)
    sent = json.loads(json.dumps(stored))  # what the browser sends back
    header, _, _, restored_chat, restored_panel, restored = handler.page_loaded(sent)
    assert restored_chat == chat and restored_panel == panel
    assert restored.turns == talk.turns and restored.next_number == 3
    assert "已载入报告" in header
    *_, (chat_after, _, _) = handler.respond("那新增城镇就业呢？", None, restored)
    assert service.calls[-1][1] == talk.turns, "a follow-up after a reload has its history"
    assert 'href="#rq-a3-c1"' in chat_after[-1]["content"]


def test_a_passage_no_longer_in_the_index_is_left_out() -> None:
    handler = ChatHandler(FakeQAService(), 5, 20)
    *_, stored = ask_all(handler, QUESTIONS[:1])
    stored["items"][0]["c"][0][1] = "gone-report-0001-abc"
    _, _, _, chat, panel, talk = handler.page_loaded(stored)
    assert "已不在库中" in panel and len(talk.exchanges) == 1
    assert "rq-cite" not in panel and chat[0]["content"] == QUESTIONS[0]


def test_the_copy_is_bounded_by_its_byte_budget() -> None:
    limits = ConversationLimits(store_bytes=3000)
    handler = ChatHandler(FakeQAService(), 5, 20, limits)
    *_, stored = ask_all(handler, QUESTIONS * 3)
    assert len(json.dumps(stored, ensure_ascii=False).encode()) <= 3000
    assert 0 < len(stored["items"]) < 9 and stored["items"][-1]["q"] == QUESTIONS[-1]


def test_the_chat_keeps_at_most_max_exchanges_panels() -> None:
    handler = ChatHandler(FakeQAService(), 5, 20)
    _, panel, talk, _ = ask_all(handler, QUESTIONS[:1] * (MAX_EXCHANGES + 3))
    assert len(talk.exchanges) == len(talk.panels) == MAX_EXCHANGES
    assert talk.first == 3 and 'id="rq-a2"' not in panel and 'id="rq-a3"' in panel


GOOD = {
    "v": 1,
    "items": [{"q": "问", "a": "答[1]", "r": False, "c": [[1, "c1", [["答", 5]]]], "p": []}],
}


def item(**change: Any) -> dict[str, Any]:
    return {"v": 1, "items": [{**GOOD["items"][0], **change}]}


@pytest.mark.parametrize(
    "value",
    [
        "text",
        [GOOD],
        {"v": 2, "items": []},
        {"v": 1, "items": [], "extra": 1},
        {"v": 1, "items": [GOOD["items"][0]] * (MAX_EXCHANGES + 1)},
        item(q=["not", "text"]),
        item(q="长" * 20_001),
        item(r="yes"),
        item(c=[[1, "c1", [["答", "5"]]]]),
        item(c=[[True, "c1", []]]),
        item(c=[[1, {"path": "/etc/passwd", "meta": {"_type": "gradio.FileData"}}, []]]),
        item(p=[{"path": "/etc/passwd"}]),
        item(extra="x"),
    ],
    ids=lambda v: json.dumps(v, ensure_ascii=False)[:40],
)
def test_anything_but_the_copys_own_shape_is_refused(value: object) -> None:
    assert not valid_stored(value)
    assert from_stored(value, ConversationLimits()) == ()


def test_the_copys_own_shape_is_accepted_and_clipped_to_the_limits() -> None:
    assert valid_stored(None) and valid_stored(GOOD)
    long = item(q="问" * 50, a="答" * 50)
    (exchange,) = from_stored(long, ConversationLimits(max_question_chars=10, max_turn_chars=20))
    assert len(exchange.question) == 10 and len(exchange.answer) == 20
    assert valid_stored(to_stored(from_stored(GOOD, ConversationLimits()), 10_000))


def test_an_empty_conversation_restores_to_nothing() -> None:
    handler = ChatHandler(FakeQAService(), 5, 20)
    *_, chat, panel, talk = handler.page_loaded(None)
    assert chat == [] and talk == Conversation() and "提问后" in panel
