"""Split passages into sentences and clauses, keeping offsets into the clean text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.models import Chunk

_SENTENCE_END = re.compile(r"[^。！？；!?;\n]*(?:[。！？；!?;]+[”’」』）)]*|\n|$)")
_CLAUSE_END = re.compile(r"[^，,。！？；!?;\n]*(?:[，,。！？；!?;]+[”’」』）)]*|\n|$)")


@dataclass(frozen=True)
class Span:
    """A piece of a chunk: text plus absolute clean-text offsets."""

    chunk_id: str
    text: str
    start: int
    end: int


def _pieces(chunk: Chunk, pattern: re.Pattern[str]) -> list[Span]:
    out: list[Span] = []
    for m in pattern.finditer(chunk.text):
        raw = m.group(0)
        if not raw.strip():
            continue
        lead = len(raw) - len(raw.lstrip())
        text = raw.strip()
        start = chunk.start + m.start() + lead
        out.append(Span(chunk.chunk_id, text, start, start + len(text)))
    return out


def sentences(chunk: Chunk) -> list[Span]:
    """Sentences ending in 。！？； (a newline also ends one)."""
    return _pieces(chunk, _SENTENCE_END)


def clauses(sentence: Span) -> list[Span]:
    """Comma-level pieces of one sentence (offsets stay absolute)."""
    fake = Chunk(sentence.chunk_id, "", (), 0, 0, sentence.start, sentence.end, sentence.text, 0)
    return _pieces(fake, _CLAUSE_END)
