"""Example questions that fit the loaded reports, built from their own records.

Each example is a question any government work report answers, phrased with that report's
year, region and glossary: its growth target for the year it plans, its work areas for that
year, a term from its glossary, last year's income growth, and one in English.
"""

from __future__ import annotations

from collections.abc import Sequence

from index.regions import english_name
from ingest.meta import short_name
from ingest.models import DocumentInfo

MAX_EXAMPLES = 6


def examples(documents: Sequence[DocumentInfo], limit: int = MAX_EXAMPLES) -> list[str]:
    """Up to `limit` questions, taking turns among the reports (one of each kind per report)."""
    per_report = [_for_report(d, several=len(documents) > 1) for d in documents]
    out: list[str] = []
    for round_ in range(max((len(p) for p in per_report), default=0)):
        for questions in per_report:
            if round_ < len(questions) and len(out) < limit:
                out.append(questions[round_])
    return out


def _for_report(info: DocumentInfo, *, several: bool) -> list[str]:
    year = info.timeline.year or info.meta.year
    if year is None:
        return []
    region = short_name(info.meta.region) if several else ""
    out = [f"{year}年{region}地区生产总值预期增长多少？"]
    if info.glossary_terms:
        term = info.glossary_terms[0]
        out.append(f"{term}是指什么？" if "“" in term else f"“{term}”是指什么？")
    out.append(f"{year}年{region}重点做好哪些方面的工作？")
    english = english_name(info.meta.region) if several else ""
    owner = f"{english}'s " if english else "the "
    out.append(f"What is {owner}GDP growth target for {year}?")
    out.append(f"{year - 1}年{region}居民人均可支配收入增长了多少？")
    return out
