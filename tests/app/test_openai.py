"""The OpenAI-compatible endpoints through the official `openai` client against a live server."""

from __future__ import annotations

from typing import Any, cast

import openai
import pytest
from openai.types.chat import ChatCompletionMessageParam, ChatCompletionUserMessageParam

from app.models import Turn
from app.openai_compat import message_text
from tests.app.fakes import FakeQAService
from tests.app.live import LiveServer

QUESTION = "“六稳”指的是什么？"
REFUSED = "2022年地区生产总值预期增长多少？"


@pytest.fixture(scope="module")
def oai(live_fake_server: LiveServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{live_fake_server.url}/v1", api_key="not-needed", max_retries=0)


@pytest.fixture(scope="module")
def fake(live_fake_server: LiveServer) -> FakeQAService:
    return cast(FakeQAService, live_fake_server.app.state.service)


def user(text: str) -> ChatCompletionUserMessageParam:
    return {"role": "user", "content": text}


def test_models_lists_the_service(oai: openai.OpenAI) -> None:
    """`reportqa` answers from every report, `reportqa/<doc_id>` from one."""
    models = oai.models.list()
    assert [m.id for m in models.data] == ["reportqa", "reportqa/zigong-2021"]
    assert models.data[0].owned_by == "reportqa"


def test_a_model_selects_a_report(oai: openai.OpenAI, fake: FakeQAService) -> None:
    one = oai.chat.completions.create(model="reportqa/zigong-2021", messages=[user(QUESTION)])
    assert one.choices[0].message.content
    with pytest.raises(openai.UnprocessableEntityError) as error:
        oai.chat.completions.create(model="reportqa/nowhere-1999", messages=[user(QUESTION)])
    assert "nowhere-1999" in str(error.value)


def test_completion_text_carries_answer_and_sources(
    oai: openai.OpenAI, fake: FakeQAService
) -> None:
    expected = fake.answer(QUESTION)
    completion = oai.chat.completions.create(model="reportqa", messages=[user(QUESTION)])
    choice = completion.choices[0]
    assert choice.finish_reason == "stop" and choice.message.role == "assistant"
    content = choice.message.content or ""
    assert content == message_text(expected)
    assert content.startswith(expected.text)
    assert "参考来源：" in content and "第 33 页" in content
    assert completion.model == "reportqa" and completion.id.startswith("chatcmpl-")
    assert completion.usage is not None and completion.usage.completion_tokens == len(content)


def test_completion_has_structured_citations(oai: openai.OpenAI, fake: FakeQAService) -> None:
    expected = fake.answer(QUESTION)
    completion = oai.chat.completions.create(model="reportqa", messages=[user(QUESTION)])
    extra: dict[str, Any] = completion.model_extra or {}
    assert extra["refused"] is False
    citations = extra["citations"]
    assert [c["n"] for c in citations] == [c.n for c in expected.citations]
    for item, citation in zip(citations, expected.citations, strict=True):
        chunk = citation.hit.chunk
        assert item["chunk_id"] == chunk.chunk_id
        assert item["section_path"] == list(chunk.section_path)
        assert (item["page_start"], item["page_end"]) == (chunk.page_start, chunk.page_end)
        assert item["quote"] == citation.quote


def test_streamed_completion_matches_the_plain_one(oai: openai.OpenAI) -> None:
    plain = oai.chat.completions.create(model="reportqa", messages=[user(QUESTION)])
    stream = oai.chat.completions.create(
        model="reportqa",
        messages=[user(QUESTION)],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == plain.choices[0].message.content
    assert len([c for c in chunks if c.choices and c.choices[0].delta.content]) > 1, (
        "really streamed"
    )
    final = [c for c in chunks if c.choices and c.choices[0].finish_reason == "stop"]
    assert len(final) == 1
    final_extra = final[0].model_extra or {}
    assert final_extra["citations"] == (plain.model_extra or {})["citations"]
    assert chunks[-1].choices == [] and chunks[-1].usage is not None


def test_earlier_messages_become_the_history(oai: openai.OpenAI, fake: FakeQAService) -> None:
    messages: list[ChatCompletionMessageParam] = [
        {"role": "system", "content": "你是报告问答助手。"},
        user("2021年的主要预期目标是什么？"),
        {"role": "assistant", "content": "地区生产总值增长 7.5%以上。[1]"},
        {"role": "user", "content": [{"type": "text", "text": "那新增城镇就业呢？"}]},
    ]
    oai.chat.completions.create(model="reportqa", messages=messages)
    question, history, _ = fake.calls[-1]
    assert question == "那新增城镇就业呢？"
    assert history == (
        Turn("user", "2021年的主要预期目标是什么？"),
        Turn("assistant", "地区生产总值增长 7.5%以上。[1]"),
    )


def test_refusal_is_flagged_and_lists_related_passages(oai: openai.OpenAI) -> None:
    completion = oai.chat.completions.create(model="reportqa", messages=[user(REFUSED)])
    extra = completion.model_extra or {}
    assert extra["refused"] is True and extra["citations"] == []
    assert "可能相关的段落：" in (completion.choices[0].message.content or "")


@pytest.mark.parametrize(
    "messages",
    [
        [user("   ")],
        [user("六稳是什么"), {"role": "assistant", "content": "x"}],
        [],
    ],
    ids=["blank question", "last message not from the user", "no messages"],
)
def test_bad_requests_raise_a_422_with_a_chinese_message(
    oai: openai.OpenAI, messages: list[ChatCompletionMessageParam]
) -> None:
    with pytest.raises(openai.UnprocessableEntityError) as error:
        oai.chat.completions.create(model="reportqa", messages=messages)
    body = cast(dict[str, Any], error.value.body)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"]), body


def test_english_question_gets_an_english_error(oai: openai.OpenAI) -> None:
    with pytest.raises(openai.UnprocessableEntityError) as error:
        oai.chat.completions.create(
            model="reportqa",
            messages=[user("What is the target?")],
            extra_body={"top_k": 999},
        )
    assert "between 1 and" in str(error.value)
