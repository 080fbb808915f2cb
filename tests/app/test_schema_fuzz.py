"""Property-based requests from the OpenAPI schema (schemathesis): never a 500, and every
response matches the documented schema and status codes.

Schema-valid requests may still get a 422: limits such as max_top_k come from settings at run
time, so the `positive_data_acceptance` check is left out.
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
    case.call_and_validate(excluded_checks=[schemathesis.checks.positive_data_acceptance])
