"""DocumentInfo <-> JSON (the index keeps one record per document beside the chunks)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from ingest.models import DocumentInfo, DocumentMeta, Outline, Plan, Timeline, parse_period


def info_to_dict(info: DocumentInfo) -> dict[str, Any]:
    return asdict(info)


def info_from_dict(data: dict[str, Any]) -> DocumentInfo:
    timeline = data.get("timeline") or {}
    return DocumentInfo(
        meta=DocumentMeta(**data["meta"]),
        timeline=Timeline(
            year=timeline.get("year"),
            review_plan=_plan(timeline.get("review_plan")),
            plan_ahead=_plan(timeline.get("plan_ahead")),
            long_range=tuple(timeline.get("long_range", ())),
        ),
        outline=tuple(_outline(o) for o in data.get("outline", ())),
        glossary_heading=data.get("glossary_heading", ""),
        pages=data.get("pages"),
        glossary_terms=tuple(data.get("glossary_terms", ())),
    )


def _plan(data: dict[str, Any] | None) -> Plan | None:
    return None if not data else Plan(**data)


def _outline(data: dict[str, Any]) -> Outline:
    return Outline(
        title=data["title"],
        level=int(data["level"]),
        style=data.get("style", ""),
        kind="annex" if data.get("kind") == "annex" else "section",
        periods=tuple(parse_period(p) for p in data.get("periods", ())),
        start=int(data.get("start", 0)),
        children=tuple(_outline(c) for c in data.get("children", ())),
    )
