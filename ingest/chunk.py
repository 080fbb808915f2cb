"""Document -> Chunk records: by section and paragraph, within a token budget.

Each section scope (the title block, the opening, a top section's own paragraphs, a subsection,
the closing, one glossary entry) is a *block*; nothing crosses a block boundary. Inside a block
every paragraph is a unit whose path is the block's path plus its lead-in; `ingest.budget` cuts
units over the budget at sentence ends and joins pieces too small to stand (a heading, a
"各位代表：" line) to a neighbour. Chunk text is always `clean_text[start:end]`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ingest.budget import BudgetSplitter, Piece, TokenCounter, Unit
from ingest.models import Chunk, ChunkKind, Document, Footnote, Paragraph, Period, Section
from ingest.parse import glossary_start, split_paragraphs
from ingest.timeline import leading_period, text_period

TITLE_LABEL = "标题"
OPENING_LABEL = "引言"
CLOSING_LABEL = "结束语"
BODY_LABEL = "正文"  # a document without numbered sections
DEFAULT_MAX_TOKENS = 256
DEFAULT_MIN_TOKENS = 24


@dataclass(frozen=True)
class Block:
    """A section scope: its units are chunked together, never with another block's."""

    kind: ChunkKind
    units: tuple[Unit, ...]
    periods: tuple[Period, ...] = ()


def chunk_document(
    document: Document,
    count_tokens: TokenCounter,
    *,
    max_tokens: int = DEFAULT_MAX_TOKENS,
    min_tokens: int = DEFAULT_MIN_TOKENS,
) -> list[Chunk]:
    """All chunks of `document`, in text order, each within `max_tokens`."""
    splitter = BudgetSplitter(document.clean_text, count_tokens, max_tokens, min_tokens)
    chunks: list[Chunk] = []
    periods = _PeriodTracker(document)
    for block in blocks(document):
        for piece in splitter.pieces(block.units):
            period = periods.of(block, piece)
            chunks.append(_make_chunk(document, block, piece, len(chunks), period))
    return chunks


class _PeriodTracker:
    """The period of each chunk of a section about several periods: the part the section is
    in (it opens with its first period; a chunk that opens with another, or whose lead-in is
    about the five years, starts a new part), narrowed by the chunk's own cues."""

    def __init__(self, document: Document) -> None:
        self.timeline = document.timeline
        self.text = document.clean_text
        self.section: tuple[Period, ...] = ()
        self.current: Period = "unknown"

    def of(self, block: Block, piece: Piece) -> Period:
        if not block.periods:
            return "unknown"
        if block.periods != self.section:
            self.section, self.current = block.periods, block.periods[0]
        if len(self.section) == 1:
            return text_period(self.text[piece.start : piece.end], self.section, self.timeline)
        lead = piece.path[-1] if len(piece.path) > 1 else ""
        first = self.text[piece.start : piece.end]
        opens = leading_period(lead, self.timeline, self.section) if lead else None
        opens = opens or leading_period(first, self.timeline, self.section)
        if opens is not None:
            self.current = opens
        return self.current


def chunk_id(doc_id: str, position: int, text: str) -> str:
    """Deterministic id: the same document, position and text always give the same id."""
    return hashlib.sha1(f"{doc_id}\x1f{position}\x1f{text}".encode()).hexdigest()[:16]


def blocks(document: Document) -> Iterator[Block]:
    """The section scopes of a document, in text order."""
    if document.title_block:
        first, last = document.title_block[0], document.title_block[-1]
        yield Block("title", (Unit(first.start, last.end, (TITLE_LABEL,)),))
    opening_start = document.title_block[-1].end if document.title_block else 0
    opening_end = document.sections[0].start if document.sections else _body_end(document)
    opening = split_paragraphs(document.clean_text, opening_start, opening_end)
    if opening:
        label = OPENING_LABEL if document.sections else BODY_LABEL
        yield Block("body", tuple(_units(opening, (label,))))
    body = document.body_sections
    for section in document.sections:
        yield from _section_blocks(section, (), last=bool(body) and section is body[-1])
    yield from _glossary_blocks(document)


def _section_blocks(
    section: Section, parent: tuple[str, ...], *, last: bool = False
) -> Iterator[Block]:
    """A node's heading and its own paragraphs up to its first subsection as one block, each
    subsection's recursively, and each run of its own paragraphs between or after its
    subsections as another block (after the last one of the report: the closing)."""
    kind: ChunkKind = "annex" if section.kind == "annex" else "body"
    path = (*parent, section.title)
    runs = _runs(section)
    units = list(_units(runs[0][1], path))
    if section.heading_stop > section.start:
        first = runs[0][1]
        if first and first[0].start == section.heading_stop:  # heading sentence + its paragraph
            units[0] = Unit(section.start, first[0].end, path)
        else:
            units.insert(0, _heading(section, path))
    if units:
        yield Block(kind, tuple(units), section.periods)
    for child, paragraphs in runs[1:]:
        if child is not None:
            yield from _section_blocks(child, path)
        if paragraphs:
            closing = last and child is section.children[-1]
            run_path = (CLOSING_LABEL,) if closing else path
            yield Block(kind, tuple(_units(paragraphs, run_path)), section.periods)


def _runs(section: Section) -> list[tuple[Section | None, list[Paragraph]]]:
    """The node's own paragraphs grouped by the subsection they follow (None: before all)."""
    runs: list[tuple[Section | None, list[Paragraph]]] = [(None, [])]
    children = iter(section.children)
    following = next(children, None)
    for paragraph in section.paragraphs:
        while following is not None and following.start < paragraph.start:
            runs.append((following, []))
            following = next(children, None)
        runs[-1][1].append(paragraph)
    while following is not None:
        runs.append((following, []))
        following = next(children, None)
    return runs


def _glossary_blocks(document: Document) -> Iterator[Block]:
    heading = document.glossary_heading
    label = heading.text if heading else ""
    zone = glossary_start(document)
    for index, entry in enumerate(document.glossary):
        path = (label, entry.term)
        units = [Unit(entry.start, entry.end, path)]
        if index == 0 and heading is not None:
            units.insert(0, Unit(zone, heading.end, path, heading=True))
        yield Block("glossary", tuple(units))


def _heading(section: Section, path: tuple[str, ...]) -> Unit:
    return Unit(section.start, section.heading_stop, path, heading=True)


def _units(paragraphs: Iterable[Paragraph], path: tuple[str, ...]) -> Iterator[Unit]:
    for paragraph in paragraphs:
        lead = (paragraph.lead_in,) if paragraph.lead_in else ()
        yield Unit(paragraph.start, paragraph.end, (*path, *lead))


def _body_end(document: Document) -> int:
    return glossary_start(document)


def _make_chunk(
    document: Document, block: Block, piece: Piece, position: int, period: Period
) -> Chunk:
    text = document.clean_text[piece.start : piece.end]
    doc_id = document.meta.doc_id
    kind = block.kind
    return Chunk(
        chunk_id=chunk_id(doc_id, position, text),
        doc_id=doc_id,
        section_path=piece.path,
        page_start=document.page_at(piece.start),
        page_end=document.page_at(piece.end - 1),
        start=piece.start,
        end=piece.end,
        text=text,
        n_tokens=piece.tokens,
        kind=kind,
        position=position,
        footnotes=_footnotes(document, kind, piece),
        period=period,
    )


def _footnotes(document: Document, kind: ChunkKind, piece: Piece) -> tuple[Footnote, ...]:
    """Glossary entries for the markers (`[n]`, `①`) the document found in the piece; a
    glossary chunk carries its entry."""
    entries = {entry.number: entry for entry in document.glossary}
    if kind == "glossary":
        numbers = [e.number for e in document.glossary if piece.start <= e.start < piece.end]
    else:
        numbers = [r.number for r in document.footnote_refs if piece.start <= r.start < piece.end]
    seen = dict.fromkeys(n for n in numbers if n in entries)
    return tuple(Footnote(n, entries[n].term, entries[n].definition) for n in seen)
