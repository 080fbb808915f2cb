"""Clean text -> Document: title block and metadata, section tree, annexes, glossary,
footnote markers, timeline and each section's period (pure).

The layout read here is that of Chinese government work reports in general: a title block
(title, occasion and date, speaker), an opening address, numbered top sections (see
`ingest.structure` for every subsection style), a closing address, then annexes and a glossary
whose entries define the terms that carry `[n]` markers in the body.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import fields, replace
from typing import Any

from ingest.clean import MARKER_RE, CleanText
from ingest.glossary import Glossary, annex_starts, find_glossary, is_annex_heading
from ingest.meta import infer_meta
from ingest.models import (
    Document,
    DocumentMeta,
    FootnoteRef,
    GlossaryEntry,
    Paragraph,
    Period,
    Section,
    Timeline,
)
from ingest.structure import (
    Node,
    fill,
    is_heading_like,
    marker,
    top_sections,
)
from ingest.timeline import build_timeline, heading_periods, infer_year, section_periods

log = logging.getLogger(__name__)

TITLE_LINE_MAX_CHARS = 40
TITLE_BLOCK_MAX_LINES = 6
BODY_TITLE = "正文"  # the one section of a document without any section structure
_TRAILING_PUNCT = "，。：；！？、,.:;!?"
_ADDRESS = re.compile(r"各位代表")
_CIRCLED = re.compile(r"[①-⑳]")


def split_paragraphs(text: str, start: int = 0, end: int | None = None) -> list[Paragraph]:
    """The "\\n"-separated paragraphs of text[start:end], with offsets into `text`."""
    stop = len(text) if end is None else end
    paragraphs: list[Paragraph] = []
    offset = start
    while offset < stop:
        newline = text.find("\n", offset, stop)
        para_end = stop if newline == -1 else newline
        if para_end > offset:
            paragraphs.append(Paragraph(offset, para_end, text[offset:para_end]))
        offset = para_end + 1
    return paragraphs


def parse(clean: CleanText, doc_id: str, given: Mapping[str, Any] | None = None) -> Document:
    """The document of `clean`; `given` holds the fields of its `.meta.json` (they win)."""
    paragraphs = split_paragraphs(clean.text)
    title_block = _title_block(paragraphs)
    rest = paragraphs[len(title_block) :]
    glossary = find_glossary(rest)
    body = rest if glossary is None else rest[: glossary.first]
    meta, warnings = _meta(doc_id, title_block, given or {})
    tops = top_sections(body)
    year = meta.year or infer_year(node.title for _, node in tops)
    if meta.year is None and year is not None:
        meta = replace(meta, year=year)
        warnings = [w for w in warnings if "year" not in w]
    timeline = build_timeline(year, clean.text)
    sections, structure_warning = _sections(body, tops, timeline)
    entries = _paged_entries(glossary, clean) if glossary else ()
    body_end = glossary.start if glossary else len(clean.text)
    refs = footnote_refs(clean.text, body_end, circled=glossary is not None)
    _warn_unresolved(doc_id, refs, entries)
    return Document(
        meta=meta,
        clean_text=clean.text,
        pages=clean.pages,
        title_block=tuple(title_block),
        sections=sections,
        glossary=entries,
        footnote_refs=refs,
        timeline=timeline,
        dropped=clean.dropped,
        warnings=tuple(warnings + structure_warning),
        glossary_heading=glossary.heading if glossary else None,
    )


def glossary_start(document: Document) -> int:
    """Where the glossary zone begins (the end of the body and annexes)."""
    if document.glossary_heading is None:
        return len(document.clean_text)
    before = split_paragraphs(document.clean_text, 0, document.glossary_heading.start)
    if before and is_annex_heading(before[-1].text):
        return before[-1].start
    return document.glossary_heading.start


def _title_block(paragraphs: list[Paragraph]) -> list[Paragraph]:
    """Leading short lines without sentence punctuation: title, date, meeting, speaker."""
    block: list[Paragraph] = []
    for paragraph in paragraphs[:TITLE_BLOCK_MAX_LINES]:
        text = paragraph.text
        if len(text) > TITLE_LINE_MAX_CHARS or text[-1] in _TRAILING_PUNCT:
            break
        if marker(text) is not None or _ADDRESS.match(text):
            break
        block.append(paragraph)
    return block


def _meta(
    doc_id: str, title_block: Sequence[Paragraph], given: Mapping[str, Any]
) -> tuple[DocumentMeta, list[str]]:
    """Inferred metadata overridden by the given fields; warnings for what is missing."""
    inferred = infer_meta([p.text for p in title_block]).values()
    known = {f.name for f in fields(DocumentMeta)}
    values: dict[str, Any] = {"doc_id": doc_id, "title": doc_id}
    values.update(inferred)
    values.update({k: v for k, v in given.items() if k in known and v not in ("", None)})
    meta = DocumentMeta(**values)
    warnings = []
    if meta.year is None:
        warnings.append(
            f"{meta.source or doc_id}：无法确定报告年份（year），请在 {doc_id}.meta.json "
            '中填写 "year" 字段'
        )
    return meta, warnings


def _sections(
    body: Sequence[Paragraph], tops: list[tuple[int, Node]], timeline: Timeline
) -> tuple[tuple[Section, ...], list[str]]:
    """The top sections with their subsections, then the annexes, each with its periods."""
    annexes = [i for i in annex_starts(body) if not tops or i > tops[-1][0]]
    body_stop = annexes[0] if annexes else len(body)
    if not tops:
        return _unstructured(body[:body_stop], annexes, body, timeline)
    nodes: list[Section] = []
    previous: tuple[Period, ...] = ()
    for n, (index, node) in enumerate(tops):
        stop = tops[n + 1][0] if n + 1 < len(tops) else body_stop
        section = _filled(node, body[index + 1 : stop])
        previous = _section_periods(section, timeline, previous)
        nodes.append(_with_periods(section, previous, timeline))
    nodes.extend(_annexes(body, annexes, timeline))
    return tuple(nodes), []


def _unstructured(
    paragraphs: Sequence[Paragraph],
    annexes: list[int],
    body: Sequence[Paragraph],
    timeline: Timeline,
) -> tuple[tuple[Section, ...], list[str]]:
    """A document without top sections: one section holding all its paragraphs."""
    if not paragraphs:
        return tuple(_annexes(body, annexes, timeline)), []
    first = paragraphs[0]
    node = Node(BODY_TITLE, first.start, first.start, 1, 1)
    section = _filled(node, paragraphs)
    periods = section_periods("", [p.text for p in paragraphs], timeline)
    warning = "未找到章节结构（一、二、三……），全文作为一个章节导入"
    log.warning(warning)
    sections = [_with_periods(section, periods, timeline), *_annexes(body, annexes, timeline)]
    return tuple(sections), [warning]


def _filled(node: Node, paragraphs: Sequence[Paragraph]) -> Section:
    fill(node, paragraphs)
    return node.freeze()


def _annexes(body: Sequence[Paragraph], starts: list[int], timeline: Timeline) -> list[Section]:
    out = []
    for n, index in enumerate(starts):
        stop = starts[n + 1] if n + 1 < len(starts) else len(body)
        label = body[index]
        inner = list(body[index + 1 : stop])
        title, heading_end = label.text, label.end
        if inner and is_heading_like(inner[0].text) and marker(inner[0].text) is None:
            title, heading_end = f"{label.text} {inner[0].text}", inner[0].end
            inner = inner[1:]
        node = Node(title, label.start, heading_end, 1, 0, kind="annex")
        section = _filled(node, inner)
        out.append(_with_periods(section, heading_periods(title, timeline), timeline))
    return out


def _section_periods(
    section: Section, timeline: Timeline, previous: tuple[Period, ...]
) -> tuple[Period, ...]:
    texts = [p.text for n in section.walk() for p in n.paragraphs]
    if not section.paragraphs and section.children:
        texts.insert(0, section.children[0].title)
    return section_periods(section.title, texts, timeline, previous)


def _with_periods(section: Section, periods: Sequence[Period], timeline: Timeline) -> Section:
    """The section and its subsections with periods: a subsection whose heading names
    periods of its own has those, else its parent's."""
    periods = tuple(periods) or ("unknown",)
    children = tuple(
        _with_periods(child, heading_periods(child.title, timeline) or periods, timeline)
        for child in section.children
    )
    return replace(section, periods=periods, children=children)


def _paged_entries(glossary: Glossary, clean: CleanText) -> tuple[GlossaryEntry, ...]:
    pager = Document(meta=DocumentMeta("", ""), clean_text=clean.text, pages=clean.pages)
    return tuple(replace(e, page=pager.page_at(e.start)) for e in glossary.entries)


def footnote_refs(text: str, body_end: int, *, circled: bool = False) -> tuple[FootnoteRef, ...]:
    """The `[n]` / `［n］` markers of the body (and `①` … where there is a glossary)."""
    refs = [
        FootnoteRef(int(m.group()[1:-1]), m.start(), m.end())
        for m in MARKER_RE.finditer(text, 0, body_end)
    ]
    if circled:
        refs.extend(
            FootnoteRef(ord(m.group()) - ord("①") + 1, m.start(), m.end())
            for m in _CIRCLED.finditer(text, 0, body_end)
        )
    return tuple(sorted(refs, key=lambda r: r.start))


def _warn_unresolved(
    doc_id: str, refs: tuple[FootnoteRef, ...], glossary: tuple[GlossaryEntry, ...]
) -> None:
    known = {entry.number for entry in glossary}
    missing = sorted({ref.number for ref in refs} - known)
    if missing:
        log.warning("%s: footnote markers without a glossary entry: %s", doc_id, missing)
