"""Report identity and report filters on the HTTP API and /v1 (the real app, a fake service)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.app.fakes import DOC_ID, FAKE_TITLE, FakeQAService

QUESTION = "2020年地区生产总值增长了多少？"


def test_every_citation_and_passage_names_its_report(client: TestClient) -> None:
    body = client.post("/api/ask", json={"question": QUESTION}).json()
    for passage in body["citations"] + body["passages"]:
        assert (passage["doc_id"], passage["title"], passage["year"]) == (DOC_ID, FAKE_TITLE, 2021)
        assert passage["region"] == "示例市"


def test_ask_and_search_take_report_ids(client: TestClient, fake_service: FakeQAService) -> None:
    body = client.post("/api/ask", json={"question": QUESTION, "doc_ids": [DOC_ID]}).json()
    assert body["citations"]
    search = client.get("/api/search", params={"q": "地区生产总值", "doc_ids": [DOC_ID]})
    assert search.status_code == 200 and search.json()["passages"][0]["title"] == FAKE_TITLE


def test_unknown_report_ids_are_a_422_naming_them(client: TestClient) -> None:
    response = client.post("/api/ask", json={"question": QUESTION, "doc_ids": ["nowhere-1999"]})
    assert response.status_code == 422 and "nowhere-1999" in response.json()["detail"]
    search = client.get("/api/search", params={"q": "投资", "doc_ids": ["nowhere-1999", DOC_ID]})
    assert search.status_code == 422 and "nowhere-1999" in search.json()["detail"]
    chat = client.post(
        "/v1/chat/completions",
        json={"model": "reportqa/nowhere-1999", "messages": [{"role": "user", "content": "六稳"}]},
    )
    assert chat.status_code == 422 and "nowhere-1999" in chat.json()["detail"]


def test_documents_lists_the_loaded_reports(client: TestClient) -> None:
    body = client.get("/api/documents").json()
    assert [d["doc_id"] for d in body["documents"]] == [DOC_ID]
    document = body["documents"][0]
    assert (document["title"], document["region"], document["year"]) == (FAKE_TITLE, "示例市", 2021)
    assert document["pages"] == 36 and document["chunks"] > 0
    assert body["index_built_at"]


def test_the_schema_lists_the_loaded_report_ids(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    ask = schema["components"]["schemas"]["AskRequest"]["properties"]["doc_ids"]
    arrays = [o for o in [ask, *ask.get("anyOf", [])] if o.get("type") == "array"]
    assert arrays[0]["items"]["enum"] == [DOC_ID]
    model = schema["components"]["schemas"]["ChatCompletionRequest"]["properties"]["model"]
    assert model["enum"] == ["reportqa", f"reportqa/{DOC_ID}"]
