"""PDF-extracted text -> clean text + page map (pure).

The input follows the conventions of a PDF text layer as we receive it:

- every printed line is a line of its own; blank lines are layout only;
- a line that begins with a space (or follows a form feed) is the first line of a new page;
  a line holding nothing but a page number (`24`) also ends a page;
- a footnote marker `[n]` may sit alone on a line, splitting one printed line in three;
- a space between a CJK character and a Latin letter or digit is a spacing artifact.

Text copied from a web page (one paragraph per line) has no pages; an inline element the page
set apart (`PM` `2.5` `年平均浓度`, a subscript) comes as a fragment line of its own and is joined
back into its paragraph. Web-page chrome around the report is dropped first (`ingest.chrome`)
and recorded in `CleanText.dropped`.

`clean` removes exactly those artifacts and nothing else. Paragraphs are re-joined from their
wrapped lines and separated by a single "\\n"; offsets into the result are the coordinate system
of everything downstream, so nothing may edit the text afterwards.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from ingest.chrome import trim
from ingest.models import Dropped, PageSpan

# a footnote marker: `[1]`, or `［1］` as web copies write it
MARKER_RE = re.compile(r"\[\d{1,3}\]|［\d{1,3}］")
# an inline fragment a web page set apart from its line (`2.5` in `PM2.5`, `3` in `m3`)
_FRAGMENT_RE = re.compile(r"[\d.]{1,4}")
# a short bold phrase a web page set apart (`…经济社会发展的` `主要目标` `是：…`): it follows a line
# cut after a word that cannot end a sentence
_PHRASE_RE = re.compile(r"[^，。！？：；、,.:;!?“”]{1,8}")
_CUT_AFTER = frozenset("的和与及或在对为把被将从向以等之")
_OPENS_BLOCK_RE = re.compile(r"[（(]?[一二三四五六七八九十\d]{1,3}[、.．）)]|附件|各位代表")
_PAGE_NUMBER_RE = re.compile(r"\d{1,3}")
# lines that always open a paragraph: `一、` `第一，` headings and numbered items `1.`
_BLOCK_START_RE = re.compile(
    r"(?:[一二三四五六七八九十]{1,3}、|第[一二三四五六七八九十]{1,3}，|\d{1,3}\.(?!\d))"
)
_SPACES_RE = re.compile(r" +")
_INDENT_CHARS = frozenset(" \t\u3000")
_SENTENCE_END = frozenset("。！？：；")
_CLOSERS = frozenset("”’」』）》")
_WIDE_PUNCT = frozenset("“”‘’…—·")

# lines at least this share of the widest line's width count when estimating the full width
FULL_LINE_SHARE = 0.75
# a printed line at least this much narrower than a full line ends its paragraph
SHORT_MARGIN = 6
# a paragraph's first line is indented by two CJK characters (width 4); allow some compression
INDENT_MARGIN = 2
# text counts as wrapped when at least this share of its (at least this many) lines is full width
WRAPPED_MIN_SHARE = 0.5
WRAPPED_MIN_LINES = 5
WRAPPED_MIN_WIDTH = 30  # a printed page line holds at least 15 CJK characters


@dataclass(frozen=True)
class CleanText:
    """Clean text and the page each offset was printed on (spans cover the text in order)."""

    text: str
    pages: tuple[PageSpan, ...]  # empty when the source has no pages
    dropped: tuple[Dropped, ...] = ()


@dataclass(frozen=True)
class _Line:
    """One printed line (marker-only fragments already joined back in)."""

    text: str
    page: int


def clean(raw: str, *, wrapped: bool = True) -> CleanText:
    """Turn extracted text into clean text plus its page map.

    `wrapped=True` is for PDF text layers (one printed line per line, paragraphs wrapped);
    `wrapped=False` treats every non-blank line as a paragraph (docx, markdown, plain text).
    """
    trimmed = trim(raw)
    report = "\n".join(text for _, text in trimmed.lines)
    lines = printed_lines(report, pdf_layout=wrapped)
    paragraphs = _group_paragraphs(lines) if wrapped else _web_paragraphs(lines)
    assembled = _assemble(paragraphs)
    paged = "\f" in report or (wrapped and len(assembled.pages) > 1)
    return CleanText(assembled.text, assembled.pages if paged else (), trimmed.dropped)


def _web_paragraphs(lines: list[_Line]) -> list[list[_Line]]:
    """One paragraph per line, except that a fragment line (`2.5` after `…以PM`) joins the
    line before it and the line after it."""
    paragraphs: list[list[_Line]] = []
    glue_next = False
    for line in lines:
        fragment = bool(paragraphs) and _is_fragment(paragraphs[-1][-1].text, line.text)
        if fragment or (glue_next and not _OPENS_BLOCK_RE.match(line.text)):
            paragraphs[-1].append(line)
            glue_next = fragment
        else:
            paragraphs.append([line])
            glue_next = False
    return paragraphs


def _is_fragment(before: str, text: str) -> bool:
    """`text` is an inline piece of the line before it, set apart by the web page."""
    last = before[-1:]
    if _FRAGMENT_RE.fullmatch(text):
        return last.isascii() and last.isalpha()
    return last in _CUT_AFTER and bool(_PHRASE_RE.fullmatch(text))


def printed_lines(raw: str, *, pdf_layout: bool = True) -> list[_Line]:
    """Split raw text into printed lines with their page numbers, dropping layout-only lines.

    A form feed always starts a page. With `pdf_layout` (a PDF text layer) an indented line
    also starts a page, a line holding only a number is a page number (dropped, and the next
    line starts a page), and a marker-only line is joined back into the printed line it split.
    """
    lines: list[_Line] = []
    page = 0
    new_page = True
    glue_next = False
    for source in raw.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\f").split("\n"):
        if source.startswith("\f"):
            new_page = True
            source = source[1:]
        text = source.strip()
        if not text:
            continue
        if pdf_layout and _PAGE_NUMBER_RE.fullmatch(text):
            new_page = True
            continue
        if new_page or (pdf_layout and source[0] in _INDENT_CHARS):
            page += 1
            new_page = glue_next = False
        if pdf_layout and lines and MARKER_RE.fullmatch(text):
            lines[-1] = _Line(lines[-1].text + text, lines[-1].page)
            glue_next = True
            continue
        if glue_next:
            lines[-1] = _Line(lines[-1].text + text, lines[-1].page)
            glue_next = False
            continue
        lines.append(_Line(text, page))
    return lines


def display_width(text: str) -> int:
    """Printed width in half-em units: CJK 2, Latin 1, spaces 0, a footnote marker 2."""
    width = 2 * len(MARKER_RE.findall(text))
    for char in MARKER_RE.sub("", text):
        if char.isspace():
            continue
        width += 2 if _is_wide(char) else 1
    return width


def full_width(lines: Iterable[_Line]) -> int:
    """The width of a full printed line: the most common width among the wide lines.

    Wide lines are those of at least FULL_LINE_SHARE of the widest line; the most common of
    their widths (the widest on a tie) is the width lines wrap at.
    """
    widths = [display_width(line.text) for line in lines]
    if not widths:
        return 0
    floor = max(widths) * FULL_LINE_SHARE
    counts = Counter(width for width in widths if width >= floor)
    best = max(counts.values())
    return max(width for width, count in counts.items() if count == best)


def looks_wrapped(raw: str) -> bool:
    """Whether text looks like a PDF text layer: most lines share one (full) printed width."""
    lines = printed_lines(raw)
    if len(lines) < WRAPPED_MIN_LINES:
        return False
    full = full_width(lines)
    if full < WRAPPED_MIN_WIDTH:
        return False
    near_full = sum(1 for line in lines if abs(display_width(line.text) - full) <= SHORT_MARGIN)
    return near_full / len(lines) >= WRAPPED_MIN_SHARE


def _group_paragraphs(lines: list[_Line]) -> list[list[_Line]]:
    full = full_width(lines)
    paragraphs: list[list[_Line]] = []
    current: list[_Line] = []
    for index, line in enumerate(lines):
        current.append(line)
        following = lines[index + 1] if index + 1 < len(lines) else None
        if following is None or _ends_paragraph(line, following, full):
            paragraphs.append(current)
            current = []
    return paragraphs


def _ends_paragraph(line: _Line, following: _Line, full: int) -> bool:
    """Whether `line` is the last printed line of its paragraph."""
    if display_width(line.text) <= full - SHORT_MARGIN:
        return True
    if not _ends_sentence(line.text):
        return False
    indented = display_width(following.text) <= full - INDENT_MARGIN
    return indented or bool(_BLOCK_START_RE.match(following.text))


def _ends_sentence(text: str) -> bool:
    stripped = MARKER_RE.sub("", text).rstrip("".join(_CLOSERS))
    return bool(stripped) and stripped[-1] in _SENTENCE_END


def _is_wide(char: str) -> bool:
    return char in _WIDE_PUNCT or unicodedata.east_asian_width(char) in ("W", "F")


def _is_latin(char: str) -> bool:
    return char.isascii() and not char.isspace()


def _join_lines(lines: list[_Line]) -> list[tuple[str, int]]:
    """Characters of one paragraph with their pages; a space only between wrapped Latin words."""
    chars: list[tuple[str, int]] = []
    for line in lines:
        if chars and chars[-1][0].isalpha() and chars[-1][0].isascii() and line.text[0].isalpha():
            if line.text[0].isascii():
                chars.append((" ", line.page))
        chars.extend((char, line.page) for char in line.text)
    return chars


def _drop_artifact_spaces(chars: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Remove runs of spaces between a CJK character and a Latin one (either order), and
    leading or trailing spaces; a space between two Latin or two CJK characters stays."""
    text = "".join(char for char, _ in chars)
    dropped: set[int] = set()
    for run in _SPACES_RE.finditer(text):
        before = text[run.start() - 1] if run.start() > 0 else ""
        after = text[run.end()] if run.end() < len(text) else ""
        if _is_artifact_gap(before, after):
            dropped.update(range(run.start(), run.end()))
    return [pair for index, pair in enumerate(chars) if index not in dropped]


def _is_artifact_gap(before: str, after: str) -> bool:
    if not before or not after:
        return True
    return (_is_wide(before) and _is_latin(after)) or (_is_latin(before) and _is_wide(after))


def _assemble(paragraphs: list[list[_Line]]) -> CleanText:
    chars: list[tuple[str, int]] = []
    for lines in paragraphs:
        body = _drop_artifact_spaces(_join_lines(lines))
        if not body:
            continue
        if chars:
            chars.append(("\n", chars[-1][1]))
        chars.extend(body)
    text = "".join(char for char, _ in chars)
    return CleanText(text, _page_spans([page for _, page in chars]))


def _page_spans(pages: list[int]) -> tuple[PageSpan, ...]:
    starts: list[tuple[int, int]] = []
    for offset, page in enumerate(pages):
        if not starts or starts[-1][0] != page:
            starts.append((page, offset))
    ends = [offset for _, offset in starts[1:]] + [len(pages)]
    return tuple(
        PageSpan(page, start, end) for (page, start), end in zip(starts, ends, strict=True)
    )
