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
from ingest.clean import MARKER_RE
from ingest.models import Chunk, ChunkKind, Document, Footnote, Paragraph, Section
from ingest.parse import glossary_heading, split_paragraphs

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
    for block in blocks(document):
        for piece in splitter.pieces(block.units):
            chunks.append(_make_chunk(document, block.kind, piece, len(chunks)))
    return chunks


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
    for index, section in enumerate(document.sections):
        yield from _section_blocks(section, last=index == len(document.sections) - 1)
    yield from _glossary_blocks(document)


def _section_blocks(section: Section, *, last: bool) -> Iterator[Block]:
    path = (section.title,)
    first_child = section.children[0].start if section.children else section.end + 1
    last_child = section.children[-1].end if section.children else section.end + 1
    intro = [p for p in section.paragraphs if p.start < first_child]
    tail = [p for p in section.paragraphs if p.start > last_child]
    yield Block("body", (_heading(section, path), *_units(intro, path)))
    for child in section.children:
        child_path = (*path, child.title)
        yield Block("body", (_heading(child, child_path), *_units(child.paragraphs, child_path)))
    if tail:
        yield Block("body", tuple(_units(tail, (CLOSING_LABEL,) if last else path)))


def _glossary_blocks(document: Document) -> Iterator[Block]:
    heading = glossary_heading(document)
    label = heading.text if heading else ""
    for index, entry in enumerate(document.glossary):
        path = (label, entry.term)
        units = [Unit(entry.start, entry.end, path)]
        if index == 0 and heading is not None:
            units.insert(0, Unit(heading.start, heading.end, path, heading=True))
        yield Block("glossary", tuple(units))


def _heading(section: Section, path: tuple[str, ...]) -> Unit:
    return Unit(section.start, section.start + len(section.title), path, heading=True)


def _units(paragraphs: Iterable[Paragraph], path: tuple[str, ...]) -> Iterator[Unit]:
    for paragraph in paragraphs:
        lead = (paragraph.lead_in,) if paragraph.lead_in else ()
        yield Unit(paragraph.start, paragraph.end, (*path, *lead))


def _body_end(document: Document) -> int:
    heading = glossary_heading(document)
    return heading.start if heading else len(document.clean_text)


def _make_chunk(document: Document, kind: ChunkKind, piece: Piece, position: int) -> Chunk:
    text = document.clean_text[piece.start : piece.end]
    doc_id = document.meta.doc_id
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
    )


def _footnotes(document: Document, kind: ChunkKind, piece: Piece) -> tuple[Footnote, ...]:
    """Glossary entries for the `[n]` markers in the piece; a glossary chunk carries its entry."""
    entries = {entry.number: entry for entry in document.glossary}
    if kind == "glossary":
        numbers = [e.number for e in document.glossary if piece.start <= e.start < piece.end]
    else:
        text = document.clean_text[piece.start : piece.end]
        numbers = [int(m.group()[1:-1]) for m in MARKER_RE.finditer(text)]
    seen = dict.fromkeys(n for n in numbers if n in entries)
    return tuple(Footnote(n, entries[n].term, entries[n].definition) for n in seen)
