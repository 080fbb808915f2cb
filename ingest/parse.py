"""Clean text -> Document: title block, section tree, lead-ins, footnote markers, glossary (pure).

Structure is read from paragraph openings, which is how Chinese government work reports are
laid out: top sections `一、…`, subsections `第一，…`, a closing glossary (`相关用语注释`) of
numbered entries `1.术语：指…` that define the terms carrying the `[n]` markers in the body.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from ingest.clean import MARKER_RE, CleanText
from ingest.models import (
    Document,
    DocumentMeta,
    FootnoteRef,
    GlossaryEntry,
    Paragraph,
    Section,
)

log = logging.getLogger(__name__)

TOP_HEADING_RE = re.compile(r"[一二三四五六七八九十]{1,3}、")
SUB_HEADING_RE = re.compile(r"第[一二三四五六七八九十]{1,3}，")
GLOSSARY_ENTRY_RE = re.compile(r"(\d{1,3})\.(?!\d)")
# a paragraph addressing the delegates closes the work plan rather than continuing a subsection
ADDRESS_RE = re.compile(r"各位代表[！!]")
HEADING_MAX_CHARS = 60
TITLE_LINE_MAX_CHARS = 40
TITLE_BLOCK_MAX_LINES = 6
LEAD_IN_MAX_CHARS = 28
_TRAILING_PUNCT = "，。：；！？、,.:;!?"


@dataclass
class _Node:
    """Mutable section under construction."""

    heading: Paragraph
    level: int
    paragraphs: list[Paragraph] = field(default_factory=list)
    children: list[_Node] = field(default_factory=list)

    def freeze(self) -> Section:
        children = tuple(child.freeze() for child in self.children)
        ends = [self.heading.end] + [p.end for p in self.paragraphs] + [c.end for c in children]
        return Section(
            title=self.heading.text,
            level=self.level,
            start=self.heading.start,
            end=max(ends),
            paragraphs=tuple(sorted(self.paragraphs, key=lambda p: p.start)),
            children=children,
        )


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


def parse(clean: CleanText, meta: DocumentMeta) -> Document:
    paragraphs = split_paragraphs(clean.text)
    title_block = _title_block(paragraphs)
    rest = paragraphs[len(title_block) :]
    glossary_at = _glossary_heading_index(rest)
    body = rest if glossary_at is None else rest[:glossary_at]
    entries = [] if glossary_at is None else rest[glossary_at + 1 :]
    body_end = len(clean.text) if glossary_at is None else rest[glossary_at].start
    pager = Document(meta=meta, clean_text=clean.text, pages=clean.pages)
    glossary = tuple(_glossary_entry(p, pager.page_at(p.start)) for p in entries)
    refs = _footnote_refs(clean.text, body_end)
    _warn_unresolved(refs, glossary)
    return Document(
        meta=meta,
        clean_text=clean.text,
        pages=clean.pages,
        title_block=tuple(title_block),
        sections=_sections(body),
        glossary=glossary,
        footnote_refs=refs,
    )


def glossary_heading(document: Document) -> Paragraph | None:
    """The heading paragraph of the glossary (`相关用语注释`), if the document has one."""
    if not document.glossary:
        return None
    before = split_paragraphs(document.clean_text, 0, document.glossary[0].start)
    return before[-1] if before else None


def _title_block(paragraphs: list[Paragraph]) -> list[Paragraph]:
    """Leading short lines without sentence punctuation: title, date, meeting, speaker."""
    block: list[Paragraph] = []
    for paragraph in paragraphs[:TITLE_BLOCK_MAX_LINES]:
        text = paragraph.text
        if len(text) > TITLE_LINE_MAX_CHARS or text[-1] in _TRAILING_PUNCT:
            break
        if TOP_HEADING_RE.match(text) or SUB_HEADING_RE.match(text):
            break
        block.append(paragraph)
    return block


def _glossary_heading_index(paragraphs: list[Paragraph]) -> int | None:
    """The glossary heading: a short unpunctuated paragraph (not a section heading) after
    which every paragraph to the end is a numbered entry `1.` `2.` … in order."""
    numbers = [_entry_number(p.text) for p in paragraphs]
    for index in range(len(paragraphs) - 2, -1, -1):
        following = numbers[index + 1 :]
        if following != list(range(1, len(following) + 1)):
            continue
        text = paragraphs[index].text
        if _is_heading_like(text) and not (
            TOP_HEADING_RE.match(text) or SUB_HEADING_RE.match(text)
        ):
            return index
    return None


def _entry_number(text: str) -> int | None:
    match = GLOSSARY_ENTRY_RE.match(text)
    return int(match.group(1)) if match else None


def _is_heading_like(text: str) -> bool:
    return len(text) <= HEADING_MAX_CHARS and not any(ch in text for ch in "。！？；")


def _sections(paragraphs: list[Paragraph]) -> tuple[Section, ...]:
    tops: list[_Node] = []
    closing = False
    for paragraph in paragraphs:
        text = paragraph.text
        if TOP_HEADING_RE.match(text) and _is_heading_like(text):
            tops.append(_Node(paragraph, 1))
            closing = False
        elif tops and SUB_HEADING_RE.match(text) and _is_heading_like(text):
            tops[-1].children.append(_Node(paragraph, 2))
            closing = False
        elif tops:
            node = tops[-1]
            closing = closing or bool(node.children and ADDRESS_RE.match(text))
            target = node.children[-1] if node.children and not closing else node
            target.paragraphs.append(with_lead_in(paragraph))
    return tuple(node.freeze() for node in tops)


def with_lead_in(paragraph: Paragraph) -> Paragraph:
    """The paragraph with its lead-in: a short first sentence (ending in 。) naming the topic."""
    text = paragraph.text
    first_end = min((i for i in (text.find(p) for p in "。！？") if i >= 0), default=-1)
    if first_end <= 0 or text[first_end] != "。" or first_end + 1 >= len(text):
        return paragraph
    sentence = MARKER_RE.sub("", text[:first_end])
    if len(sentence) > LEAD_IN_MAX_CHARS:
        return paragraph
    return Paragraph(paragraph.start, paragraph.end, text, lead_in=sentence)


def _glossary_entry(paragraph: Paragraph, page: int) -> GlossaryEntry:
    text = paragraph.text
    match = GLOSSARY_ENTRY_RE.match(text)
    number = int(match.group(1)) if match else 0
    body = text[match.end() :] if match else text
    term, colon, definition = body.partition("：")
    if not colon:
        term, colon, definition = body.partition(":")
    if not colon:
        term, definition = body, ""
    return GlossaryEntry(
        number=number,
        term=term.strip(),
        definition=definition.strip(),
        start=paragraph.start,
        end=paragraph.end,
        page=page,
    )


def _footnote_refs(text: str, body_end: int) -> tuple[FootnoteRef, ...]:
    return tuple(
        FootnoteRef(int(m.group()[1:-1]), m.start(), m.end())
        for m in MARKER_RE.finditer(text, 0, body_end)
    )


def _warn_unresolved(refs: tuple[FootnoteRef, ...], glossary: tuple[GlossaryEntry, ...]) -> None:
    known = {entry.number for entry in glossary}
    missing = sorted({ref.number for ref in refs} - known)
    if missing:
        log.warning("footnote markers without a glossary entry: %s", missing)
