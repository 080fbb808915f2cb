"""Records that cross the answer boundary (no web imports here)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

from index.models import Hit
from ingest.models import DocumentInfo

Role = Literal["user", "assistant"]


@dataclass(frozen=True)
class Turn:
    role: Role
    content: str


@dataclass(frozen=True)
class Quote:
    """A sentence quoted from a passage, with offsets into the document's clean text."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Citation:
    n: int  # the marker number used in the answer text: [n]
    hit: Hit
    quotes: tuple[Quote, ...] = ()

    @property
    def quote(self) -> str:
        return "".join(q.text for q in self.quotes)


@dataclass(frozen=True)
class ReportRef:
    """Which report a passage comes from, as citations name it."""

    doc_id: str
    title: str
    region: str = ""
    year: int | None = None


def report_refs(documents: Iterable[DocumentInfo]) -> Callable[[str], ReportRef]:
    """doc_id -> how passages of that report name it (an unknown id names itself)."""
    refs = {
        d.doc_id: ReportRef(d.doc_id, d.meta.title, d.meta.region, d.meta.year) for d in documents
    }
    return lambda doc_id: refs.get(doc_id) or ReportRef(doc_id, doc_id)


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    refused: bool
    citations: tuple[Citation, ...] = ()
    passages: tuple[Hit, ...] = ()  # ranked passages looked at (top_k)
    language: Literal["zh", "en"] = "zh"
    kind: str = ""  # question kind the answerer detected (number, list, definition, ...)
    reason: str = ""  # why the answer was refused (for evaluation reports and logs)
    timings_ms: dict[str, float] = field(default_factory=dict)
    reports: tuple[ReportRef, ...] = ()  # every report a citation or passage comes from
    effective_question: str = ""  # the question after follow-up resolution

    def report(self, doc_id: str) -> ReportRef:
        return next((r for r in self.reports if r.doc_id == doc_id), ReportRef(doc_id, doc_id))
