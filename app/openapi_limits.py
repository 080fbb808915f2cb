"""The OpenAPI schema states the limits the server enforces, with this app's settings.

The edge checks the limits itself, to answer with a precise Chinese message (app/deps.py), so
pydantic does not enforce them; this puts the same numbers into the generated schema, so that
a client generated from it (or schemathesis) sends what the server accepts: the question's and
`q`'s length, `top_k`/`k` in 1..max_top_k, the number of history turns and each turn's length
by role, and the report ids (`doc_ids`, `/v1` `model`) of the reports loaded when the schema is
built. Two limits JSON Schema cannot state are in the descriptions: the body size (413) and,
for a follow-up, the length of the question once completed from the history (422).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fastapi import FastAPI

from app.blank import NONBLANK_PATTERN
from app.config import Settings

Schema = dict[str, Any]


def question_bounds(settings: Settings) -> Schema:
    return {"minLength": 1, "maxLength": settings.max_question_chars, "pattern": NONBLANK_PATTERN}


def top_k_bounds(settings: Settings) -> Schema:
    return {"minimum": 1, "maximum": settings.max_top_k}


def content_by_role(settings: Settings, content: str = "content") -> Schema:
    """A user turn is a question (max_question_chars); an answer may be longer."""

    def longest(limit: int) -> Schema:
        return {"properties": {content: {"maxLength": limit}}}

    return {
        "if": {"properties": {"role": {"const": "user"}}, "required": ["role"]},
        "then": longest(settings.max_question_chars),
        "else": {
            "if": {"properties": {"role": {"const": "assistant"}}, "required": ["role"]},
            "then": longest(settings.max_turn_chars),
        },
    }


def _update_parameter(operation: Schema, name: str, bounds: Schema) -> None:
    for parameter in operation.get("parameters", []):
        if parameter["name"] == name:
            parameter["schema"].update(bounds)


def _known_ids(node: Schema, doc_ids: Sequence[str]) -> None:
    """Items of the array in `node` (directly or in its anyOf) must be one of `doc_ids`."""
    for option in [node, *node.get("anyOf", [])]:
        if option.get("type") == "array":
            option["items"] = {**option.get("items", {}), "enum": list(doc_ids)}


def apply_limits(schema: Schema, settings: Settings, doc_ids: Sequence[str] = ()) -> Schema:
    parts = schema["components"]["schemas"]
    ask = parts["AskRequest"]["properties"]
    ask["question"].update(question_bounds(settings))
    ask["top_k"].update(top_k_bounds(settings))
    ask["history"]["maxItems"] = settings.max_history_turns
    parts["HistoryTurnIn"].update(content_by_role(settings))
    parts["ChatMessageIn"].update(content_by_role(settings))
    parts["ChatCompletionRequest"]["properties"]["top_k"].update(top_k_bounds(settings))
    search = schema["paths"]["/api/search"]["get"]
    _update_parameter(search, "q", question_bounds(settings))
    _update_parameter(search, "k", top_k_bounds(settings))
    if doc_ids:
        _known_ids(ask["doc_ids"], doc_ids)
        for parameter in search.get("parameters", []):
            if parameter["name"] == "doc_ids":
                _known_ids(parameter["schema"], doc_ids)
        models = ["reportqa", *(f"reportqa/{d}" for d in doc_ids)]
        parts["ChatCompletionRequest"]["properties"]["model"]["enum"] = models
    return schema


def install_schema_limits(app: FastAPI, settings: Settings) -> None:
    """`app.openapi()` (and /openapi.json) with the limits above, built once (again after the
    loaded reports change: set `app.openapi_schema = None`)."""
    build: Callable[[], Schema] = app.openapi

    def openapi() -> Schema:
        if app.openapi_schema is None:
            app.openapi_schema = apply_limits(build(), settings, _loaded_ids(app))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _loaded_ids(app: FastAPI) -> list[str]:
    service = getattr(app.state, "service", None)
    if service is None:
        return []
    return [d.doc_id for d in service.documents()]
