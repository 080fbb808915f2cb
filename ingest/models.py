"""Frozen records that cross the ingest boundary.

Offsets (`start`, `end`) always index into `Document.clean_text`; the invariant
`document.clean_text[x.start:x.end] == x.text` holds for every record that has them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

ChunkKind = Literal["title", "body", "glossary"]


@dataclass(frozen=True)
class DocumentMeta:
    """Bibliographic record of one report (from the `.meta.json` beside the source)."""

    doc_id: str
    title: str
    city: str = ""
    year: int | None = None
    date: str = ""
    meeting: str = ""
    speaker: str = ""
    source: str = ""


@dataclass(frozen=True)
class Footnote:
    """A `[n]` marker resolved to its glossary entry."""

    number: int
    term: str
    definition: str


@dataclass(frozen=True)
class GlossaryEntry:
    number: int
    term: str
    definition: str
    start: int
    end: int
    page: int


@dataclass(frozen=True)
class FootnoteRef:
    """One `[n]` marker in the clean body text (offsets of the marker itself)."""

    number: int
    start: int
    end: int


@dataclass(frozen=True)
class Paragraph:
    start: int
    end: int
    text: str
    lead_in: str = ""  # short topic sentence that opens the paragraph, without its 。


@dataclass(frozen=True)
class Section:
    """A node of the section tree: a top section (`一、…`) or a subsection (`第一，…`)."""

    title: str
    level: int  # 1 = top section, 2 = subsection
    start: int
    end: int
    paragraphs: tuple[Paragraph, ...] = ()
    children: tuple[Section, ...] = ()


@dataclass(frozen=True)
class PageSpan:
    """Clean-text range [start, end) printed on page `page`."""

    page: int
    start: int
    end: int


@dataclass(frozen=True)
class Document:
    meta: DocumentMeta
    clean_text: str
    pages: tuple[PageSpan, ...]
    title_block: tuple[Paragraph, ...] = ()
    sections: tuple[Section, ...] = ()
    glossary: tuple[GlossaryEntry, ...] = ()
    footnote_refs: tuple[FootnoteRef, ...] = ()

    def page_at(self, offset: int) -> int:
        """The page that holds clean-text offset `offset` (clamped to the last page)."""
        for span in self.pages:
            if offset < span.end:
                return span.page
        return self.pages[-1].page if self.pages else 1


@dataclass(frozen=True)
class Chunk:
    chunk_id: str
    doc_id: str
    section_path: tuple[str, ...]
    page_start: int
    page_end: int
    start: int
    end: int
    text: str
    n_tokens: int
    kind: ChunkKind = "body"
    position: int = 0  # order of the chunk within its document
    footnotes: tuple[Footnote, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {
            "chunk_id": self.chunk_id,
            "doc_id": self.doc_id,
            "section_path": list(self.section_path),
            "page_start": self.page_start,
            "page_end": self.page_end,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "n_tokens": self.n_tokens,
            "kind": self.kind,
            "position": self.position,
            "footnotes": [
                {"number": f.number, "term": f.term, "definition": f.definition}
                for f in self.footnotes
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Chunk:
        return cls(
            chunk_id=data["chunk_id"],
            doc_id=data["doc_id"],
            section_path=tuple(data["section_path"]),
            page_start=int(data["page_start"]),
            page_end=int(data["page_end"]),
            start=int(data["start"]),
            end=int(data["end"]),
            text=data["text"],
            n_tokens=int(data["n_tokens"]),
            kind=data.get("kind", "body"),
            position=int(data.get("position", 0)),
            footnotes=tuple(
                Footnote(int(f["number"]), f["term"], f["definition"])
                for f in data.get("footnotes", [])
            ),
        )
