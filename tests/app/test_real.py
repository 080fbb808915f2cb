"""The serving layer over the real service: real report, real bundled model, real index.

The service fixtures (`session_settings`, `real_service`) come from tests/conftest.py and are
built once per session; these tests check the wire contract with real records.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import openai
import pytest
from fastapi.testclient import TestClient
from gradio_client import Client

from app.api import create_app
from app.config import Settings
from app.service import QAService
from app.ui_render import chat_reply
from tests.app.live import PASSAGE_KEYS, LiveServer

pytestmark = pytest.mark.slow

GDP_TARGET = "2021年地区生产总值预期增长多少？"
SIX_STABLE = "“六稳”指的是什么？"
OUTSIDE = "2022年的地区生产总值目标是多少？"


@pytest.fixture(scope="module")
def real_client(session_settings: Settings, real_service: QAService) -> Iterator[TestClient]:
    with TestClient(create_app(session_settings, real_service)) as client:
        yield client


def check_passage(item: dict[str, Any], client: TestClient) -> None:
    assert set(item) == PASSAGE_KEYS
    chunk = client.get(f"/api/chunks/{item['chunk_id']}").json()
    for key in ("section_path", "page_start", "page_end", "text", "footnotes"):
        assert item[key] == chunk[key], key
    assert 1 <= item["page_start"] <= item["page_end"]
    assert item["section_path"] and all(isinstance(part, str) for part in item["section_path"])


def test_real_answer_matches_the_service_and_the_contract(
    real_client: TestClient, real_service: QAService
) -> None:
    expected = real_service.answer(GDP_TARGET, top_k=5)
    body = real_client.post("/api/ask", json={"question": GDP_TARGET, "top_k": 5}).json()
    assert body["answer"] == expected.text
    assert "7.5%" in body["answer"].replace("**", "") and body["refused"] is False
    assert [c["n"] for c in body["citations"]] == [c.n for c in expected.citations] != []
    for item in body["citations"]:
        check_passage(item, real_client)
        assert item["quote"] and item["quote"] in item["text"]
        assert f"[{item['n']}]" in body["answer"]
    assert [p["n"] for p in body["passages"]] == [1, 2, 3, 4, 5]
    for item in body["passages"]:
        check_passage(item, real_client)
        assert item["quote"] == ""


def test_real_citation_carries_the_glossary_definition(real_client: TestClient) -> None:
    body = real_client.post("/api/ask", json={"question": SIX_STABLE}).json()
    footnotes = [f for c in body["citations"] for f in c["footnotes"]]
    assert any(f["term"] == "六稳" and "稳就业" in f["definition"] for f in footnotes), body


def test_real_question_outside_the_report_is_refused(real_client: TestClient) -> None:
    body = real_client.post("/api/ask", json={"question": OUTSIDE}).json()
    assert body["refused"] is True and body["citations"] == []
    assert len(body["passages"]) == 5


def test_real_search_and_health(real_client: TestClient, real_service: QAService) -> None:
    info = real_service.info()
    health = real_client.get("/api/health").json()
    assert (health["chunk_count"], health["model"]) == (info.chunk_count, info.model)
    body = real_client.get("/api/search", params={"q": "新增城镇就业", "k": 3}).json()
    assert [p["n"] for p in body["passages"]] == [1, 2, 3]
    assert any("就业" in p["text"] for p in body["passages"])


def test_real_openai_stream_equals_the_plain_completion(live_real_server: LiveServer) -> None:
    client = openai.OpenAI(base_url=f"{live_real_server.url}/v1", api_key="x", max_retries=0)
    messages: list[Any] = [{"role": "user", "content": GDP_TARGET}]
    plain = client.chat.completions.create(model="reportqa", messages=messages)
    streamed = client.chat.completions.create(model="reportqa", messages=messages, stream=True)
    text = "".join(c.choices[0].delta.content or "" for c in streamed if c.choices)
    assert text == plain.choices[0].message.content
    citations = (plain.model_extra or {})["citations"]
    assert citations and all(f"第 {c['page_start']}" in text for c in citations)


def test_real_ui_endpoint_answers(live_real_server: LiveServer, real_service: QAService) -> None:
    expected = real_service.answer(GDP_TARGET, top_k=5)
    chat, panel = Client(f"{live_real_server.url}/", verbose=False).predict(
        GDP_TARGET, api_name="/ask"
    )
    reply = chat[-1]["content"]
    reply_text = "".join(p.get("text", "") for p in reply) if isinstance(reply, list) else reply
    assert reply_text == chat_reply(expected, 0), "the first answer; its [n] link to its cards"
    assert "**" not in reply_text, "bold is sent as HTML: CommonMark leaves ** between CJK"
    assert panel.count('class="rq-cite" id="rq-a0-c') == len(expected.citations)
    assert "<mark>" in panel
