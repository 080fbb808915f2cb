"""The sentences of every chunk row, with their periods, in the order their vectors are stored."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ingest.models import Chunk, DocumentInfo, Period
from ingest.sentences import Span, sentences
from ingest.timeline import cues, sentence_period


class SentenceTable:
    """Row r's sentences (spans and periods), matching `SentenceVectors` row by row."""

    def __init__(self, chunks: Sequence[Chunk], documents: Mapping[str, DocumentInfo]) -> None:
        self.spans: list[tuple[Span, ...]] = []
        self.periods: list[tuple[Period, ...]] = []
        self.mentions: list[tuple[frozenset[Period], ...]] = []
        for chunk in chunks:
            info = documents.get(chunk.doc_id)
            spans = tuple(sentences(chunk))
            self.spans.append(spans)
            if info is None:
                self.periods.append(tuple(chunk.period for _ in spans))
                self.mentions.append(tuple(frozenset() for _ in spans))
                continue
            self.mentions.append(
                tuple(frozenset(c.period for c in cues(s.text, info.timeline)) for s in spans)
            )
            section = info.top_periods(chunk.section_path[0]) if chunk.section_path else ()
            self.periods.append(
                tuple(sentence_period(s.text, chunk.period, section, info.timeline) for s in spans)
            )
