"""Frozen records that cross the ingest boundary.

Offsets (`start`, `end`) always index into `Document.clean_text`; the invariant
`document.clean_text[x.start:x.end] == x.text` holds for every record that has them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, cast

ChunkKind = Literal["title", "body", "glossary", "annex"]
# What part of a report's calendar a passage is about, relative to that report's own year Y:
# the year under review (Y-1), the five-year plan under review (the one that ended with Y-1),
# the year planned (Y), the five-year plan ahead (the one Y opens, or the one in progress),
# long-range goals (beyond the plan ahead), or unknown.
Period = Literal["review_year", "review_plan", "plan_year", "plan_ahead", "long_range", "unknown"]
PERIODS: tuple[Period, ...] = (
    "review_year",
    "review_plan",
    "plan_year",
    "plan_ahead",
    "long_range",
    "unknown",
)
# Region levels, as the names end: 省, 自治区, 直辖市 (a 市 the regions data lists as one),
# 特别行政区, 市, 州 (自治州), 盟, 县, 区, 旗; "" when unknown.
RegionLevel = str


@dataclass(frozen=True)
class DocumentMeta:
    """Bibliographic record of one report: the `.meta.json` beside the source where present,
    else inferred from the report's title block (see `ingest.meta`)."""

    doc_id: str
    title: str  # a title that names the report on its own (`2026年广东省政府工作报告`)
    region: str = ""  # `广东省`, `北京市`, `自贡市`
    level: RegionLevel = ""
    year: int | None = None  # the year the report is delivered in and plans (Y)
    date: str = ""  # ISO delivery date
    meeting: str = ""  # `广东省第十四届人民代表大会第五次会议`
    speaker: str = ""  # the name only
    office: str = ""  # `省长`, `市长`
    source: str = ""  # the source file's name
    printed_title: str = ""  # the title as printed (`政府工作报告`)


@dataclass(frozen=True)
class Plan:
    """A five-year plan: its ordinal (14 for “十四五”), its name and its years."""

    ordinal: int
    name: str  # `十四五`
    start: int
    end: int


@dataclass(frozen=True)
class Timeline:
    """The calendar of one report, derived from its year and its headings (`ingest.timeline`).

    `review_plan` is the plan that ended the year before `year` (only when `year` opens a new
    plan); `plan_ahead` is the plan `year` opens or is in the middle of."""

    year: int | None = None
    review_plan: Plan | None = None
    plan_ahead: Plan | None = None
    long_range: tuple[int, ...] = ()  # goal years beyond the plan ahead (`2035`)

    @property
    def review_year(self) -> int | None:
        return None if self.year is None else self.year - 1

    @property
    def plan_year(self) -> int | None:
        return self.year


@dataclass(frozen=True)
class Dropped:
    """Text of the source left out of the clean text: web-page chrome around the report."""

    line: int  # 1-based line of the source
    text: str
    where: Literal["before", "title", "after"]


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
    page: int | None


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


SectionKind = Literal["section", "annex"]


@dataclass(frozen=True)
class Section:
    """A node of the section tree: a top section (`一、…` or an unnumbered heading line), or
    a subsection at any depth (`（一）`, `第一，`, `一是`, `1.`), or an annex (`附件1`).

    `start`..`heading_end` is the heading itself; a heading that opens a paragraph
    (`（一）壮大实体经济，推动高质量发展。持续…`) ends at its sentence end, and the rest of that
    paragraph is the node's first paragraph."""

    title: str
    level: int  # 1 = top section or annex, 2 = subsection, 3 = its subsection, ...
    start: int
    end: int
    paragraphs: tuple[Paragraph, ...] = ()
    children: tuple[Section, ...] = ()
    style: str = ""  # the numbering: `一、` `（一）` `第一，` `一是` `1.` `（1）`, "" unnumbered
    kind: SectionKind = "section"
    periods: tuple[Period, ...] = ()  # what the section is about, main period first
    heading_end: int = -1  # -1: the heading is `title` long

    @property
    def heading_stop(self) -> int:
        return self.heading_end if self.heading_end >= 0 else self.start + len(self.title)

    def walk(self) -> Iterator[Section]:
        """This node and every node below it, in text order."""
        yield self
        for child in self.children:
            yield from child.walk()


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
    pages: tuple[PageSpan, ...]  # empty when the source has no pages (a web copy, a .docx)
    title_block: tuple[Paragraph, ...] = ()
    sections: tuple[Section, ...] = ()  # top sections, then annexes
    glossary: tuple[GlossaryEntry, ...] = ()
    footnote_refs: tuple[FootnoteRef, ...] = ()
    timeline: Timeline = field(default_factory=Timeline)
    dropped: tuple[Dropped, ...] = ()
    warnings: tuple[str, ...] = ()
    glossary_heading: Paragraph | None = None

    def page_at(self, offset: int) -> int | None:
        """The page that holds clean-text offset `offset` (clamped to the last page); None
        when the source has no pages."""
        for span in self.pages:
            if offset < span.end:
                return span.page
        return self.pages[-1].page if self.pages else None

    @property
    def body_sections(self) -> tuple[Section, ...]:
        return tuple(s for s in self.sections if s.kind == "section")


@dataclass(frozen=True)
class Chunk:
    chunk_id: str
    doc_id: str
    section_path: tuple[str, ...]
    page_start: int | None  # None: the source has no pages
    page_end: int | None
    start: int
    end: int
    text: str
    n_tokens: int
    kind: ChunkKind = "body"
    position: int = 0  # order of the chunk within its document
    footnotes: tuple[Footnote, ...] = field(default_factory=tuple)
    period: Period = "unknown"

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
            "period": self.period,
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
            page_start=_page(data.get("page_start")),
            page_end=_page(data.get("page_end")),
            start=int(data["start"]),
            end=int(data["end"]),
            text=data["text"],
            n_tokens=int(data["n_tokens"]),
            kind=data.get("kind", "body"),
            position=int(data.get("position", 0)),
            period=parse_period(data.get("period")),
            footnotes=tuple(
                Footnote(int(f["number"]), f["term"], f["definition"])
                for f in data.get("footnotes", [])
            ),
        )


def _page(value: Any) -> int | None:
    return None if value is None else int(value)


def parse_period(value: Any) -> Period:
    if value is None:
        return "unknown"
    if value not in PERIODS:
        raise ValueError(f"unknown period {value!r}")
    return cast(Period, value)


@dataclass(frozen=True)
class Outline:
    """A heading of a document's section tree, without the text under it."""

    title: str
    level: int
    style: str
    kind: SectionKind
    periods: tuple[Period, ...]
    start: int
    children: tuple[Outline, ...] = ()


@dataclass(frozen=True)
class DocumentInfo:
    """What later stages need of a document besides its chunks: its record, its calendar and
    its section tree (kept in the index beside the chunks)."""

    meta: DocumentMeta
    timeline: Timeline = field(default_factory=Timeline)
    outline: tuple[Outline, ...] = ()
    glossary_heading: str = ""
    pages: int | None = None  # None: the source has no pages
    glossary_terms: tuple[str, ...] = ()

    @property
    def doc_id(self) -> str:
        return self.meta.doc_id

    def top_periods(self, title: str) -> tuple[Period, ...]:
        """The periods of the top section titled `title` (() when there is none)."""
        return next((o.periods for o in self.outline if o.title == title), ())


def outline_of(section: Section) -> Outline:
    return Outline(
        title=section.title,
        level=section.level,
        style=section.style,
        kind=section.kind,
        periods=section.periods,
        start=section.start,
        children=tuple(outline_of(child) for child in section.children),
    )


def document_info(document: Document) -> DocumentInfo:
    heading = document.glossary_heading.text if document.glossary_heading else ""
    return DocumentInfo(
        meta=document.meta,
        timeline=document.timeline,
        outline=tuple(outline_of(s) for s in document.sections),
        glossary_heading=heading,
        pages=len(document.pages) if document.pages else None,
        glossary_terms=tuple(e.term for e in document.glossary),
    )
