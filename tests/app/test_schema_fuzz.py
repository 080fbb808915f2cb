"""Property-based requests from the OpenAPI schema (schemathesis, every check): never a 500,
every response as documented, schema-valid requests accepted and invalid ones rejected. The
schema carries this server's limits (app/openapi_limits.py); schemathesis.toml lists the two it
cannot state.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from app.api import create_app
from app.blank import NONBLANK_PATTERN
from tests.app.fakes import FakeQAService
from tests.app.live import make_settings

APP = create_app(
    make_settings(Path(tempfile.gettempdir()) / "reportqa-fuzz"), FakeQAService(), ui=False
)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def lifespan() -> Iterator[None]:
    with TestClient(APP):  # runs the lifespan, which puts the service on APP.state
        yield


@schema.parametrize()
@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: schemathesis.Case) -> None:
    case.call_and_validate()


def test_the_schema_states_this_servers_limits(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path, max_question_chars=40, max_top_k=8, max_history_turns=2, max_turn_chars=90
    )
    with TestClient(create_app(settings, FakeQAService(), ui=False)) as client:
        spec = client.get("/openapi.json").json()
    parts = spec["components"]["schemas"]
    ask = parts["AskRequest"]["properties"]
    assert (ask["question"]["minLength"], ask["question"]["maxLength"]) == (1, 40)
    assert (ask["top_k"]["minimum"], ask["top_k"]["maximum"]) == (1, 8)
    assert ask["history"]["maxItems"] == 2
    turn = parts["HistoryTurnIn"]
    assert turn["then"]["properties"]["content"]["maxLength"] == 40
    assert turn["else"]["then"]["properties"]["content"]["maxLength"] == 90
    search = {p["name"]: p["schema"] for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    assert search["q"]["maxLength"] == 40 and search["q"]["pattern"] == NONBLANK_PATTERN
    assert (search["k"]["minimum"], search["k"]["maximum"]) == (1, 8)
    chunk = spec["paths"]["/api/chunks/{chunk_id}"]["get"]["parameters"][0]["schema"]
    assert chunk["maxLength"] == 200
    assert parts["ContentPart"]["properties"]["type"]["const"] == "text"
