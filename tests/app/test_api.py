"""The HTTP API through the real app (TestClient, lifespan on) over the deterministic fake service."""

from __future__ import annotations

import logging
import re
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.api import create_app
from app.config import Settings
from app.models import Turn
from tests.app.fakes import FakeQAService
from tests.app.live import PASSAGE_KEYS, make_settings

CJK = re.compile(r"[\u4e00-\u9fff]")
ANSWERED = "2020年地区生产总值增长了多少？"
REFUSED = "2022年地区生产总值预期增长多少？"


def assert_passage_matches(item: dict[str, Any], chunk_dict: dict[str, Any]) -> None:
    assert set(item) == PASSAGE_KEYS
    for key in ("chunk_id", "section_path", "page_start", "page_end", "text", "footnotes"):
        assert item[key] == chunk_dict[key], key
    assert isinstance(item["score"], float)
    for footnote in item["footnotes"]:
        assert set(footnote) == {"number", "term", "definition"}


def assert_chinese_error(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    detail = body["detail"]
    assert isinstance(detail, str) and CJK.search(detail), body
    assert "Traceback" not in response.text and "/srv/" not in response.text
    return detail


# --- /api/ask -------------------------------------------------------------------------------


def test_ask_returns_the_contract_field_by_field(
    client: TestClient, fake_service: FakeQAService
) -> None:
    expected = fake_service.answer(ANSWERED, top_k=4)
    response = client.post("/api/ask", json={"question": ANSWERED, "top_k": 4})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"answer", "refused", "citations", "passages", "timings_ms"}
    assert body["answer"] == expected.text and "[1]" in body["answer"]
    assert body["refused"] is False
    assert [c["n"] for c in body["citations"]] == [c.n for c in expected.citations]
    for item, citation in zip(body["citations"], expected.citations, strict=True):
        assert_passage_matches(item, citation.hit.chunk.to_dict())
        assert item["quote"] == citation.quote and item["quote"] in item["text"]
        assert item["score"] == pytest.approx(citation.hit.score)
    assert body["citations"][0]["footnotes"][0] == {
        "number": 1,
        "term": "六稳",
        "definition": "指稳就业、稳金融、稳外贸、稳外资、稳投资、稳预期。",
    }


def test_ask_passages_are_ranked_with_rank_as_n(
    client: TestClient, fake_service: FakeQAService
) -> None:
    expected = fake_service.answer(ANSWERED, top_k=3).passages
    body = client.post("/api/ask", json={"question": ANSWERED, "top_k": 3}).json()
    passages = body["passages"]
    assert len(passages) == len(expected) <= 3
    assert [p["n"] for p in passages] == list(range(1, len(passages) + 1))
    assert [p["chunk_id"] for p in passages] == [h.chunk.chunk_id for h in expected]
    assert all(p["quote"] == "" for p in passages)
    scores = [p["score"] for p in passages]
    assert scores == sorted(scores, reverse=True)
    for item, hit in zip(passages, expected, strict=True):
        assert_passage_matches(item, hit.chunk.to_dict())


def test_ask_timings_include_the_service_steps_and_the_total(client: TestClient) -> None:
    timings = client.post("/api/ask", json={"question": ANSWERED}).json()["timings_ms"]
    assert {"retrieve", "answer", "total"} <= set(timings)
    assert all(isinstance(v, float) and v >= 0 for v in timings.values())


def test_ask_refusal_has_no_citations_but_related_passages(
    client: TestClient, fake_service: FakeQAService
) -> None:
    expected = fake_service.answer(REFUSED)
    body = client.post("/api/ask", json={"question": REFUSED}).json()
    assert body["refused"] is True
    assert body["answer"] == expected.text
    assert body["citations"] == []
    assert [p["chunk_id"] for p in body["passages"]] == [
        h.chunk.chunk_id for h in expected.passages
    ]
    assert body["passages"], "a refusal still shows the passages it looked at"


def test_ask_passes_question_history_and_top_k_to_the_service(
    client: TestClient, fake_service: FakeQAService
) -> None:
    history = [
        {"role": "user", "content": "2021年的主要预期目标是什么？"},
        {"role": "assistant", "content": "地区生产总值增长 7.5%以上。[1]"},
    ]
    response = client.post(
        "/api/ask", json={"question": "  那农业呢？ ", "history": history, "top_k": 2}
    )
    assert response.status_code == 200
    question, turns, top_k = fake_service.calls[-1]
    assert question == "那农业呢？"
    assert turns == tuple(Turn(h["role"], h["content"]) for h in history)  # type: ignore[arg-type]
    assert top_k == 2


def test_ask_default_top_k_comes_from_settings(tmp_path: Path) -> None:
    service = FakeQAService()
    with TestClient(create_app(make_settings(tmp_path, top_k=2), service)) as client:
        body = client.post("/api/ask", json={"question": ANSWERED}).json()
    assert service.calls[-1][2] == 2
    assert len(body["passages"]) <= 2


@pytest.fixture
def strict_client(tmp_path: Path) -> Iterator[TestClient]:
    settings = make_settings(
        tmp_path, max_question_chars=40, max_top_k=8, max_history_turns=2, max_body_bytes=2048
    )
    with TestClient(create_app(settings, FakeQAService())) as client:
        yield client


TURN = {"role": "user", "content": "你好"}
BAD_REQUESTS = {
    "empty question": {"question": ""},
    "whitespace question": {"question": " \n\t　"},
    "separator-only question": {"question": "\x1d\x1f"},
    "byte-order-mark question": {"question": "\ufeff "},
    "question too long": {"question": "地区生产总值" * 10},
    "question missing": {"top_k": 3},
    "question is a number": {"question": 12},
    "question is null": {"question": None},
    "top_k is a string": {"question": "六稳是什么", "top_k": "5"},
    "top_k is a float": {"question": "六稳是什么", "top_k": 2.5},
    "top_k is zero": {"question": "六稳是什么", "top_k": 0},
    "top_k above max_top_k": {"question": "六稳是什么", "top_k": 9},
    "history not a list": {"question": "六稳是什么", "history": "你好"},
    "history role unknown": {
        "question": "六稳是什么",
        "history": [{"role": "bot", "content": "x"}],
    },
    "history content not text": {
        "question": "六稳是什么",
        "history": [{"role": "user", "content": 1}],
    },
    "history too long": {"question": "六稳是什么", "history": [TURN, TURN, TURN]},
    "body is a list": [],
}


@pytest.mark.parametrize("body", BAD_REQUESTS.values(), ids=BAD_REQUESTS.keys())
def test_ask_rejects_bad_requests_with_a_chinese_422(strict_client: TestClient, body: Any) -> None:
    assert_chinese_error(strict_client.post("/api/ask", json=body), 422)


def test_schema_pattern_and_the_blank_check_agree(strict_client: TestClient) -> None:
    """The pattern the schema states accepts exactly the questions the server does not find blank."""
    pattern = strict_client.get("/openapi.json").json()["components"]["schemas"]["AskRequest"][
        "properties"
    ]["question"]["pattern"]
    for text in ["\x1d", "\ufeff", "\x85 ", "\u3000", "\u2009\n"]:
        assert re.search(pattern, text) is None
        assert strict_client.post("/api/ask", json={"question": text}).status_code == 422
    for text in ["\x1d六稳", "\ufeff六稳"]:
        assert re.search(pattern, text) is not None
        assert strict_client.post("/api/ask", json={"question": text}).status_code == 200


def test_ask_error_messages_name_the_problem(strict_client: TestClient) -> None:
    def detail(body: dict[str, Any]) -> str:
        return str(strict_client.post("/api/ask", json=body).json()["detail"])

    assert "不能为空" in detail({"question": "   "})
    assert "40" in detail({"question": "地区生产总值" * 10})
    assert "top_k" in detail({"question": "六稳是什么", "top_k": 9}) and "8" in detail(
        {"question": "六稳是什么", "top_k": 9}
    )
    assert "question" in detail({"question": 12})
    assert "2" in detail({"question": "六稳是什么", "history": [TURN, TURN, TURN]})


def test_ask_answers_errors_in_english_for_english_questions(strict_client: TestClient) -> None:
    response = strict_client.post("/api/ask", json={"question": "What is the target?", "top_k": 99})
    assert response.status_code == 422
    assert response.json()["detail"] == "Field 'top_k' must be between 1 and 8."
    long_question = {"question": "What is the GDP growth target for the year 2021 please?"}
    assert "too long" in strict_client.post("/api/ask", json=long_question).json()["detail"]


def test_ask_invalid_json_is_a_chinese_422(client: TestClient) -> None:
    response = client.post(
        "/api/ask", content=b'{"question": ', headers={"content-type": "application/json"}
    )
    assert "JSON" in assert_chinese_error(response, 422)


def test_body_over_the_limit_is_413_by_content_length(strict_client: TestClient) -> None:
    response = strict_client.post("/api/ask", json={"question": "六稳" * 2000})
    assert "2048" in assert_chinese_error(response, 413)


def test_body_over_the_limit_is_413_when_streamed_without_length(strict_client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"question": "'
        for _ in range(10):
            yield "六稳".encode() * 100
        yield b'"}'

    response = strict_client.post(
        "/api/ask", content=chunks(), headers={"content-type": "application/json"}
    )
    assert_chinese_error(response, 413)


def test_unexpected_errors_are_a_generic_500_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(make_settings(tmp_path), FakeQAService())
    with TestClient(app, raise_server_exceptions=False) as client, caplog.at_level(logging.ERROR):
        response = client.post("/api/ask", json={"question": "请触发内部错误"})
    assert_chinese_error(response, 500)
    assert "index.faiss" not in response.text
    assert any("index.faiss" in (r.exc_text or "") for r in caplog.records), "the cause is logged"


# --- /api/search, /api/chunks, /api/health --------------------------------------------------


def test_search_returns_ranked_passages(client: TestClient, fake_service: FakeQAService) -> None:
    expected = fake_service.search("六稳 六保", k=2)
    response = client.get("/api/search", params={"q": "六稳 六保", "k": 2, "mode": "bm25"})
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == "六稳 六保" and body["mode"] == "bm25"
    assert [p["n"] for p in body["passages"]] == [1, 2]
    for item, hit in zip(body["passages"], expected, strict=True):
        assert_passage_matches(item, hit.chunk.to_dict())
        assert item["quote"] == ""
    assert "total" in body["timings_ms"]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "  "},
        {"q": "六稳", "k": 0},
        {"q": "六稳", "k": 21},
        {"q": "六稳", "k": "x"},
        {"q": "六稳", "mode": "x"},
    ],
    ids=["no q", "blank q", "k zero", "k over max", "k not int", "bad mode"],
)
def test_search_rejects_bad_parameters(client: TestClient, params: dict[str, Any]) -> None:
    assert_chinese_error(client.get("/api/search", params=params), 422)


def test_chunk_by_id_returns_the_whole_record(
    client: TestClient, fake_service: FakeQAService
) -> None:
    chunk = fake_service.chunks[0]
    response = client.get(f"/api/chunks/{chunk.chunk_id}")
    assert response.status_code == 200
    assert response.json() == chunk.to_dict()


def test_unknown_chunk_is_a_chinese_404(client: TestClient) -> None:
    detail = assert_chinese_error(client.get("/api/chunks/zigong-2021-9999-nope"), 404)
    assert "zigong-2021-9999-nope" in detail


def test_health_reports_model_count_and_build_time(
    client: TestClient, fake_service: FakeQAService
) -> None:
    info = fake_service.info()
    body = client.get("/api/health").json()
    assert body == {
        "status": "ok",
        "model": info.model,
        "dim": info.dim,
        "chunk_count": info.chunk_count,
        "documents": list(info.documents),
        "index_built_at": info.index_built_at,
        "index_version": info.index_version,  # a version directory's name, no path
        "ui": "ready",  # the UI is mounted with the app (`reportqa serve` mounts it late)
    }
    assert info.index_dir not in str(body), "no internal paths on the wire"


def test_unknown_api_path_and_wrong_method_are_json(client: TestClient) -> None:
    assert_chinese_error(client.get("/api/nothing-here"), 404)
    response = client.get("/api/ask")
    assert_chinese_error(response, 405)
    assert response.headers["allow"] == "POST"


# --- app wiring -----------------------------------------------------------------------------


def test_docs_and_openapi_are_served_without_a_cdn(client: TestClient) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200
    js = re.search(r'src="([^"]+swagger-ui-bundle\.js)"', docs.text)
    assert js and js.group(1).startswith("/"), "Swagger UI must come from this server"
    assert client.get(js.group(1)).status_code == 200
    schema = client.get("/openapi.json").json()
    assert {"/api/ask", "/api/search", "/api/chunks/{chunk_id}", "/api/health"} <= set(
        schema["paths"]
    )
    assert {"/v1/chat/completions", "/v1/models"} <= set(schema["paths"])
    error_ref = schema["paths"]["/api/ask"]["post"]["responses"]["422"]["content"][
        "application/json"
    ]
    assert error_ref["schema"]["$ref"].endswith("/ErrorResponse")


def test_ui_is_mounted_at_the_root(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "<title>政府工作报告问答</title>" in response.text or "gradio" in response.text.lower()


def test_lifespan_builds_the_service_once_through_the_factory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[Settings] = []

    def build_service(settings: Settings, *, progress: bool = False) -> FakeQAService:
        built.append(settings)
        return FakeQAService()

    factory = types.ModuleType("app.factory")
    factory.build_service = build_service  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "app.factory", factory)
    settings = make_settings(tmp_path)
    app = create_app(settings)
    assert built == [], "nothing heavy is loaded before the lifespan"
    with TestClient(app) as client:
        assert client.get("/api/health").json()["model"] == "fake-bigram"
        assert client.post("/api/ask", json={"question": ANSWERED}).status_code == 200
    assert built == [settings]
