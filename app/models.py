"""Records that cross the answer boundary (no web imports here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from index.models import Hit

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
