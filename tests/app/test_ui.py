"""The chat UI: its endpoint through gradio_client on a live server, and its rendering."""

from __future__ import annotations

import re
from typing import Any

import pytest
from gradio_client import Client

from app.errors import QuestionTooLongError
from app.models import Answer, Citation, Quote, Turn
from app.ui import ChatHandler
from app.ui_render import bold_as_html, chat_reply, citations_html, highlight, pages_label
from app.ui_session import MAX_CHAT_MESSAGES, Conversation, ConversationLimits
from index.models import Hit
from tests.app.fakes import FakeQAService
from tests.app.live import LiveServer

ANSWERED = "“六稳”指的是什么？"
REFUSED = "2022年地区生产总值预期增长多少？"


def message_text(message: dict[str, Any]) -> str:
    content = message["content"]
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content)
    return str(content)


@pytest.fixture(scope="module")
def gradio(live_fake_server: LiveServer) -> Client:
    return Client(f"{live_fake_server.url}/", verbose=False)


def without_tags(text: str) -> str:
    return re.sub(r"<[^>]+>", "", text)


def test_ui_endpoint_answers_through_gradio_client(
    gradio: Client, live_fake_server: LiveServer
) -> None:
    expected = live_fake_server.app.state.service.answer(ANSWERED)
    chat, panel = gradio.predict(ANSWERED, api_name="/ask")
    assert [m["role"] for m in chat] == ["user", "assistant"]
    assert message_text(chat[0]) == ANSWERED
    assert without_tags(message_text(chat[1])) == expected.text
    assert '<a class="rq-ref" href="#rq-a0-c1">[1]</a>' in message_text(chat[1])
    chunk = expected.citations[0].hit.chunk
    assert f"第 {chunk.page_start} 页" in panel and 'id="rq-a0-c1"' in panel
    assert f"<mark>{expected.citations[0].quote}</mark>" in panel
    assert chunk.section_path[0] in panel


def test_ui_endpoint_shows_a_refusal_differently(gradio: Client) -> None:
    chat, panels = gradio.predict(REFUSED, api_name="/ask")
    panel = panels.split("<section")[-1]  # this answer's (the client keeps its session)
    assert "报告中未找到答案" in message_text(chat[-1])
    assert 'class="rq-notice rq-refused"' in panel
    assert "可能相关的段落" in panel and "<mark>" not in panel


# --- the handler, called directly -----------------------------------------------------------


def run(handler: ChatHandler, question: str, talk: Conversation | None = None) -> tuple[Any, ...]:
    *_, last = handler.respond(question, None, talk)
    return last


def test_handler_keeps_history_across_turns() -> None:
    service = FakeQAService()
    handler = ChatHandler(service, top_k=3, max_history_turns=20)
    chat, _, talk = run(handler, "2021年主要预期目标是什么？")
    chat, _, talk = run(handler, "那新增城镇就业呢？", talk)
    first_answer = service.calls[0]
    assert service.calls[1][1] == (
        Turn("user", "2021年主要预期目标是什么？"),
        Turn("assistant", service.answer(first_answer[0]).text),
    )
    assert service.calls[1][2] == 3
    assert len(chat) == 4 and len(talk.turns) == 4
    assert all(isinstance(m["content"], str) for m in chat), "the chat is text only"


def test_handler_trims_history_to_the_limit() -> None:
    service = FakeQAService()
    handler = ChatHandler(service, top_k=5, max_history_turns=2)
    talk = Conversation(turns=tuple(Turn("user", f"问题{i}") for i in range(5)))
    run(handler, "六稳是什么？", talk)
    assert [t.content for t in service.calls[-1][1]] == ["问题3", "问题4"]


def test_handler_remembers_a_bounded_conversation() -> None:
    limits = ConversationLimits(max_history_turns=4, max_question_chars=30, max_turn_chars=20)
    handler = ChatHandler(FakeQAService(max_question_chars=30), 5, 4, limits)
    talk = Conversation()
    for _ in range(40):
        _, _, talk = run(handler, ANSWERED, talk)
    assert len(talk.turns) == 4 and len(talk.chat) == MAX_CHAT_MESSAGES
    assert max(len(t.content) for t in talk.turns if t.role == "assistant") == 20
    _, _, talk = run(handler, "很长的问题" * 100, talk)
    assert len(talk.chat[-2]["content"]) == 30 and talk.chat[-2]["content"].endswith("…")
    assert "问题过长" in talk.chat[-1]["content"], "an over-long question is refused, not stored"


def test_handler_shows_a_pending_state_first() -> None:
    steps = list(ChatHandler(FakeQAService(), 5, 20).respond(ANSWERED, None, None))
    assert len(steps) == 2
    assert "正在检索" in message_text(steps[0][0][-1]) and "正在检索" in steps[0][1]


def test_handler_rejects_blank_questions_without_calling_the_service() -> None:
    service = FakeQAService()
    chat, panel, talk = run(ChatHandler(service, 5, 20), "   ")
    assert chat == [] and talk == Conversation() and service.calls == []
    assert "请输入问题" in panel


def test_handler_turns_service_errors_into_notices() -> None:
    class TooLong(FakeQAService):
        def answer(
            self, question: str, history: Any = (), top_k: int = 5, doc_ids: Any = None
        ) -> Answer:
            raise QuestionTooLongError("too long")

    chat, panel, talk = run(ChatHandler(TooLong(), 5, 20), "六稳是什么？")
    assert "问题过长" in message_text(chat[-1]) and "rq-error" in panel
    assert talk.turns == (), "a failed question is not remembered"
    chat, panel, _ = run(ChatHandler(FakeQAService(), 5, 20), "请触发内部错误")
    assert "服务器内部错误" in panel and "index.faiss" not in panel


# --- rendering ------------------------------------------------------------------------------


def test_highlight_marks_the_quote_by_offsets_and_escapes_html() -> None:
    text = "甲<b>乙</b>。丙丁。"
    quote = Quote("丙丁。", start=100 + text.index("丙"), end=100 + len(text))
    assert highlight(text, 100, [quote]) == "甲&lt;b&gt;乙&lt;/b&gt;。<mark>丙丁。</mark>"


def test_highlight_falls_back_to_search_when_offsets_disagree() -> None:
    assert (
        highlight("一二三。四五。", 0, [Quote("四五。", 999, 1002)])
        == "一二三。<mark>四五。</mark>"
    )
    assert highlight("一二三。", 0, [Quote("不存在。", 0, 4)]) == "一二三。"


def test_citations_panel_shows_path_page_quote_and_footnotes() -> None:
    service = FakeQAService()
    answer = service.answer("2020年地区生产总值增长了多少？")
    panel = citations_html(answer)
    first = answer.citations[0].hit.chunk
    assert f"引用出处（{len(answer.citations)}）" in panel
    assert panel.count('class="rq-cite"') == len(answer.citations)
    assert " › ".join(first.section_path) in panel
    for footnote in first.footnotes:
        assert f"[{footnote.number}] {footnote.term}" in panel and footnote.definition in panel
    assert re.search(r"<mark>[^<]*3\.9%", panel)


def test_pages_label_shows_ranges() -> None:
    assert pages_label(29, 29) == "第 29 页"
    assert pages_label(29, 30) == "第 29–30 页"


def test_chat_reply_keeps_markers_and_flags_refusals() -> None:
    service = FakeQAService()
    answered = service.answer(ANSWERED)
    assert chat_reply(answered) == answered.text
    refused = service.answer(REFUSED)
    assert chat_reply(refused).startswith("⚠️ **报告中未找到答案**")
    hit = answered.citations[0].hit
    empty = Answer(question="q", text="无", refused=False, citations=(), passages=(hit,))
    assert "rq-refused" in citations_html(empty), "no citation is shown as not found"
    assert isinstance(Citation(1, Hit(hit.chunk, 1.0)).quote, str)


def test_bold_markers_become_html_and_text_is_escaped() -> None:
    assert bold_as_html("增长**7.5%**以上<b>") == "增长<strong>7.5%</strong>以上&lt;b&gt;"
    assert bold_as_html("“六稳”[1]") == "“六稳”[1]"
