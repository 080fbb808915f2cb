"""The end matter of a report: its glossary and its annexes (pure).

A glossary is a heading (`相关用语注释`, `名词解释`, `注释`, `《政府工作报告》有关内容名词注释`,
`附：名词解释`) followed by numbered entries (`1.`, `1、`, `（1）`, `［1］`) running 1, 2, 3 …; an
entry is `术语：定义` on one line, or `术语：` with the definition on the lines after it (a web
copy), or wrapped over several lines. Annexes (`附件1`) follow the body's closing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ingest.models import GlossaryEntry, Paragraph

GLOSSARY_WORDS = re.compile(r"注释|注解|名词解释|名词解析|用语解释|术语|释义|词语解释")
GLOSSARY_HEADING_MAX_CHARS = 40
ENTRY_RE = re.compile(r"(?:(\d{1,3})[.．、](?!\d)|[（(](\d{1,3})[）)]|[\[［](\d{1,3})[\]］])")
# an entry whose term starts with a digit (`20.2026年10件民生实事`): known by its place in the run
_NUMBERED_RE = re.compile(r"(\d{1,3})[.．、]")
ANNEX_RE = re.compile(r"附件\s*[\d一二三四五六七八九十]{0,3}|附[:：]?\s*.{0,20}")
_COLONS = "：:"


@dataclass(frozen=True)
class Glossary:
    start: int  # where the glossary zone begins (an annex label above the heading included)
    heading: Paragraph
    entries: tuple[GlossaryEntry, ...]
    first: int  # index of the first paragraph of the glossary zone


def entry_number(text: str, expected: int | None = None) -> int | None:
    """The number an entry opens with; `20.2026年…` counts only as the `expected` one."""
    match = ENTRY_RE.match(text)
    if match:
        return int(next(g for g in match.groups() if g))
    loose = _NUMBERED_RE.match(text)
    if loose and expected is not None and int(loose.group(1)) == expected:
        return expected
    return None


def _entry_start(text: str) -> int:
    match = ENTRY_RE.match(text) or _NUMBERED_RE.match(text)
    return match.end() if match else 0


def is_annex_heading(text: str) -> bool:
    return len(text) <= GLOSSARY_HEADING_MAX_CHARS and bool(ANNEX_RE.fullmatch(text))


def find_glossary(paragraphs: Sequence[Paragraph]) -> Glossary | None:
    """The glossary at the end of the paragraphs: the last heading after which the numbered
    entries run 1, 2, 3 … to the end (lines between entries continue the entry before)."""
    for index in range(len(paragraphs) - 2, -1, -1):
        heading = paragraphs[index]
        if not _heading_candidate(heading.text):
            continue
        groups = _entry_groups(paragraphs[index + 1 :])
        named = bool(GLOSSARY_WORDS.search(heading.text))
        if groups is None or (not named and (len(groups) < 2 or any(len(g) > 1 for g in groups))):
            continue
        first = index - 1 if index > 0 and is_annex_heading(paragraphs[index - 1].text) else index
        entries = tuple(_entry(group) for group in groups)
        return Glossary(paragraphs[first].start, heading, entries, first)
    return None


def _heading_candidate(text: str) -> bool:
    return (
        len(text) <= GLOSSARY_HEADING_MAX_CHARS
        and not any(ch in text for ch in "。！？；")
        and entry_number(text) is None
    )


def _entry_groups(paragraphs: Sequence[Paragraph]) -> list[list[Paragraph]] | None:
    """The paragraphs grouped by entry when they are entries numbered 1, 2, … in order
    (the first paragraph opening entry 1); None otherwise."""
    groups: list[list[Paragraph]] = []
    for paragraph in paragraphs:
        number = entry_number(paragraph.text, expected=len(groups) + 1)
        if number is not None and number == len(groups) + 1:
            groups.append([paragraph])
        elif groups and number is None:
            groups[-1].append(paragraph)
        else:
            return None
    return groups or None


def _entry(group: list[Paragraph]) -> GlossaryEntry:
    """One entry from its paragraphs: number, term, definition, and its offsets."""
    first = group[0]
    start = _entry_start(first.text)
    number = int(re.sub(r"\D", "", first.text[:start]) or 0)
    body = first.text[start:]
    cut = min((i for i in (body.find(c) for c in _COLONS) if i >= 0), default=-1)
    term, definition = (body[:cut], body[cut + 1 :]) if cut >= 0 else (body, "")
    definition += "".join(p.text for p in group[1:])
    return GlossaryEntry(
        number=number,
        term=term.strip(),
        definition=definition.strip(),
        start=first.start,
        end=group[-1].end,
        page=None,
    )


def annex_starts(paragraphs: Sequence[Paragraph]) -> list[int]:
    """Indexes of the annex headings (`附件1`, `附件2`) among the paragraphs."""
    return [i for i, p in enumerate(paragraphs) if is_annex_heading(p.text)]
