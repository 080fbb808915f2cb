"""Paragraphs -> section tree, in every numbering Chinese government reports use (pure).

Top sections are `一、…` headings, or, in a report without them, unnumbered heading lines
(`“十四五”时期工作回顾`). Below a top section, any of `（一）`, `第一，`, `一是`, `1.`, `（1）`
opens a subsection, nested by that order (`一是` under `（一）`, or directly under `三、` where
the section has no `（一）`). A subsection heading is either a paragraph of its own or the
first sentence of a paragraph (`（一）壮大实体经济，推动高质量发展。持续…`). A numbering only
counts when it runs in sequence (`一是` followed by `二是`), so a stray `一是` stays text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from ingest.clean import MARKER_RE
from ingest.models import Paragraph, Section
from ingest.numerals import cn_to_int

HEADING_MAX_CHARS = 60  # a heading paragraph: this short, without sentence punctuation
HEADING_SENTENCE_MAX_CHARS = 80  # a heading sentence that opens a paragraph: this short
UNNUMBERED_HEADING_MAX_CHARS = 30
LEAD_IN_MAX_CHARS = 28
SOLE_HEADING_RANK = 2  # a `（一）`/`第一，` heading line may stand alone; `一是`, `1.` need a 2
# a paragraph addressing the delegates closes the work plan rather than continuing a subsection
ADDRESS_RE = re.compile(r"各位代表[！!]")
# a figure stated (`地区生产总值增长3.9%`, `总量9.5万亿元`): a sentence holding one is a fact,
# not the topic of its paragraph
_FIGURE = re.compile(r"\d(?:[\d.]*)\s*(?:%|％|个百分点|万|亿|倍)")
_CN = r"[一二三四五六七八九十]{1,3}"
_SENTENCE_END = "。！？"
_TRAILING = "，。：；！？、,.:;!?"


@dataclass(frozen=True)
class Style:
    name: str  # how the numbering is written, e.g. `（一）`
    rank: int  # 1 = top section; a heading nests under the nearest heading of a lower rank
    pattern: re.Pattern[str]


STYLES: tuple[Style, ...] = (
    Style("一、", 1, re.compile(rf"({_CN})、")),
    Style("（一）", 2, re.compile(rf"[（(]({_CN})[）)]")),
    Style("第一，", 2, re.compile(rf"第({_CN})[，、,]")),
    Style("一是", 3, re.compile(rf"({_CN})是(?![的否])")),
    Style("1.", 4, re.compile(r"(\d{1,2})[.．、](?![\d.．])")),
    Style("（1）", 5, re.compile(r"[（(](\d{1,2})[）)]")),
)
TOP = STYLES[0]


@dataclass(frozen=True)
class Marker:
    style: Style
    number: int


def marker(text: str) -> Marker | None:
    """The numbering a paragraph opens with, if any."""
    for style in STYLES:
        match = style.pattern.match(text)
        if match:
            raw = match.group(1)
            number = int(raw) if raw.isdigit() else cn_to_int(raw)
            return Marker(style, number) if number else None
    return None


def is_heading_like(text: str) -> bool:
    return len(text) <= HEADING_MAX_CHARS and not any(ch in text for ch in "。！？；")


@dataclass
class Node:
    """Mutable section under construction."""

    title: str
    start: int
    heading_end: int
    level: int
    rank: int
    style: str = ""
    kind: str = "section"
    paragraphs: list[Paragraph] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)

    def freeze(self) -> Section:
        children = tuple(child.freeze() for child in self.children)
        ends = [self.heading_end] + [p.end for p in self.paragraphs] + [c.end for c in children]
        return Section(
            title=self.title,
            level=self.level,
            start=self.start,
            end=max(ends),
            paragraphs=tuple(sorted(self.paragraphs, key=lambda p: p.start)),
            children=children,
            style=self.style,
            kind="annex" if self.kind == "annex" else "section",
            heading_end=self.heading_end,
        )


def top_sections(paragraphs: Sequence[Paragraph]) -> list[tuple[int, Node]]:
    """(paragraph index, node) of each top section heading: numbered `一、` headings in
    sequence, or, where there are fewer than two, unnumbered heading lines."""
    numbered = _numbered_tops(paragraphs)
    if len(numbered) >= 2:
        return numbered
    plain = [
        (i, _heading_node(p, len(p.text), level=1, rank=TOP.rank, style=""))
        for i, p in enumerate(paragraphs)
        if _is_unnumbered_heading(p.text)
    ]
    return plain if len(plain) >= 2 else numbered


def _numbered_tops(paragraphs: Sequence[Paragraph]) -> list[tuple[int, Node]]:
    found: list[tuple[int, Node]] = []
    expected = 1
    for index, paragraph in enumerate(paragraphs):
        mark = marker(paragraph.text)
        if mark is None or mark.style is not TOP or not is_heading_like(paragraph.text):
            continue
        if mark.number == expected:
            node = _heading_node(paragraph, len(paragraph.text), 1, TOP.rank, TOP.name)
            found.append((index, node))
            expected += 1
    return found


def _is_unnumbered_heading(text: str) -> bool:
    return (
        4 <= len(text) <= UNNUMBERED_HEADING_MAX_CHARS
        and not any(ch in text for ch in "。！？；：，,:;!?、")
        and marker(text) is None
        and not MARKER_RE.search(text)
    )


def fill(container: Node, paragraphs: Sequence[Paragraph]) -> None:
    """Put `paragraphs` under `container`: subsection headings nest by rank, other
    paragraphs join the innermost open subsection (the container after a closing address)."""
    accepted = _in_sequence(paragraphs, container.rank)
    stack: list[Node] = []
    closing = False
    lead = ""
    for index, paragraph in enumerate(paragraphs):
        mark = accepted.get(index)
        if mark is not None:
            if closing:  # after a closing address, a heading belongs to the container
                stack.clear()
            while stack and stack[-1].rank >= mark.style.rank:
                stack.pop()
            parent = stack[-1] if stack else container
            node, rest = _subsection(paragraph, parent.level + 1, mark)
            parent.children.append(node)
            stack.append(node)
            if rest is not None:
                node.paragraphs.append(rest)
            closing = False
            lead = ""
            continue
        closing = closing or bool(stack and ADDRESS_RE.match(paragraph.text))
        target = stack[-1] if stack and not closing else container
        heads_next = index + 1 < len(paragraphs) and index + 1 not in accepted
        standalone = standalone_lead_in(paragraph.text) if heads_next else None
        if standalone is not None:
            lead = standalone
            target.paragraphs.append(replace(paragraph, lead_in=standalone))
            continue
        with_lead = with_lead_in(paragraph)
        if lead and not with_lead.lead_in:
            with_lead = replace(with_lead, lead_in=lead)
        lead = ""
        target.paragraphs.append(with_lead)


def standalone_lead_in(text: str) -> str | None:
    """A paragraph that is one short sentence (`这是经济实力持续提升的五年。`) heads the
    paragraph after it: its text without the 。."""
    if not text.endswith("。") or len(text) - 1 > LEAD_IN_MAX_CHARS:
        return None
    body = text[:-1]
    if any(ch in body for ch in "。！？；：") or MARKER_RE.search(body):
        return None
    return body


def _in_sequence(paragraphs: Sequence[Paragraph], container_rank: int) -> dict[int, Marker]:
    """The paragraphs whose numbering is a heading: each style runs 1, 2, 3 … under its
    parent, and a run only starts (at 1) when its 2 follows before a lower-ranked heading
    (a `（一）` or `第一，` heading line may also stand alone)."""
    marks = {i: m for i, p in enumerate(paragraphs) if (m := marker(p.text)) is not None}
    marks = {i: m for i, m in marks.items() if m.style.rank > container_rank}
    accepted: dict[int, Marker] = {}
    expected: dict[str, int] = {}
    for index, mark in sorted(marks.items()):
        name, rank = mark.style.name, mark.style.rank
        alone = rank <= SOLE_HEADING_RANK and is_heading_like(paragraphs[index].text)
        starts = mark.number == 1 and (alone or _run_continues(marks, index, mark))
        if not starts and mark.number != expected.get(name):
            continue
        accepted[index] = mark
        expected[name] = mark.number + 1
        for style in STYLES:  # a heading restarts the numbering of everything below it
            if style.rank > rank:
                expected.pop(style.name, None)
    return accepted


def _run_continues(marks: dict[int, Marker], index: int, first: Marker) -> bool:
    for later in sorted(i for i in marks if i > index):
        mark = marks[later]
        if mark.style.rank < first.style.rank:
            return False
        if mark.style is first.style:
            return mark.number == 2
    return False


def _subsection(paragraph: Paragraph, level: int, mark: Marker) -> tuple[Node, Paragraph | None]:
    """The heading node of a numbered paragraph and what follows its heading sentence."""
    text = paragraph.text
    if is_heading_like(text):
        return _heading_node(paragraph, len(text), level, mark.style.rank, mark.style.name), None
    cut = _heading_cut(text)
    node = _heading_node(paragraph, cut, level, mark.style.rank, mark.style.name)
    rest = text[cut:]
    if not rest.strip():
        return node, None
    return node, Paragraph(paragraph.start + cut, paragraph.end, rest)


def _heading_cut(text: str) -> int:
    """Where a heading sentence opening `text` ends (after its 。), else its first clause."""
    ends = [i for i in (text.find(ch) for ch in _SENTENCE_END) if i > 0]
    if ends and min(ends) < HEADING_SENTENCE_MAX_CHARS:
        return min(ends) + 1
    clause = [i for i in (text.find(ch) for ch in "，；：") if i > 0]
    if clause and min(clause) < HEADING_SENTENCE_MAX_CHARS:
        return min(clause) + 1
    return min(len(text), HEADING_MAX_CHARS)


def _heading_node(paragraph: Paragraph, cut: int, level: int, rank: int, style: str) -> Node:
    title = paragraph.text[:cut].rstrip(_TRAILING)
    return Node(title, paragraph.start, paragraph.start + cut, level, rank, style)


def with_lead_in(paragraph: Paragraph) -> Paragraph:
    """The paragraph with its lead-in: a short first sentence (ending in 。) naming the topic
    (one that states a figure is a fact of the paragraph, not its topic)."""
    text = paragraph.text
    first_end = min((i for i in (text.find(p) for p in _SENTENCE_END) if i >= 0), default=-1)
    if first_end <= 0 or text[first_end] != "。" or first_end + 1 >= len(text):
        return paragraph
    sentence = MARKER_RE.sub("", text[:first_end])
    if len(sentence) > LEAD_IN_MAX_CHARS or _FIGURE.search(sentence):
        return paragraph
    return Paragraph(paragraph.start, paragraph.end, text, lead_in=sentence)
