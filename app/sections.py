"""Each report's section tree (from its outline in the index), for "which areas" questions."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from index.models import Hit
from ingest.models import Chunk, DocumentInfo, Outline, Period


@dataclass(frozen=True)
class Node:
    """A heading of one report, with its path from the top."""

    doc_id: str
    path: tuple[str, ...]
    outline: Outline


class SectionTree:
    def __init__(
        self, documents: Mapping[str, DocumentInfo], chunks_of: Callable[[str], list[Chunk]]
    ) -> None:
        self._documents = documents
        self._chunks_of = chunks_of

    def parent_for(
        self, doc_id: str, hits: Sequence[Hit], periods: frozenset[Period]
    ) -> Node | None:
        """The section whose subsections answer: the top section about the period asked, else
        the top section (with subsections) that the best-ranked hits of this report are in."""
        info = self._documents.get(doc_id)
        if info is None:
            return None
        tops = [o for o in info.outline if o.kind == "section"]
        if periods:
            main = [o for o in tops if o.periods and o.periods[0] in periods]
            about = main or [o for o in tops if set(o.periods) & periods]
            if len(about) == 1:
                return Node(doc_id, (about[0].title,), about[0])
            tops = about or tops
        for hit in hits:
            path = hit.chunk.section_path
            if hit.chunk.doc_id == doc_id and path:
                top = next((o for o in tops if o.title == path[0]), None)
                if top is not None:
                    return Node(doc_id, (top.title,), top)
        return None

    def titled(self, doc_id: str, words: Sequence[str]) -> Node | None:
        """The heading with subsections whose title holds most of `words` (at least two, and
        at least 60% of them): `哪些目标任务` asks for the section `…的主要目标任务`."""
        info = self._documents.get(doc_id)
        if info is None or len(words) < 2:
            return None
        best: tuple[float, Node] | None = None
        for top in info.outline:
            for path, node in _with_paths(top, ()):
                if not node.children:
                    continue
                held = sum(1 for w in words if w in node.title)
                share = held / len(words)
                if held >= 2 and share >= TITLE_SHARE and (best is None or share > best[0]):
                    best = (share, Node(doc_id, path, node))
        return best[1] if best else None

    def lead_ins(self, node: Node, periods: frozenset[Period]) -> list[tuple[str, Chunk]]:
        """The topic sentences heading the paragraphs of `node` about `periods` (all of them
        without), each with the first chunk it heads: `这是经济实力持续提升的五年` …"""
        seen: dict[str, Chunk] = {}
        for chunk in self._body_of(node, periods):
            if len(chunk.section_path) == len(node.path) + 1:
                seen.setdefault(chunk.section_path[-1], chunk)
        return list(seen.items())

    def run_ins(self, node: Node, periods: frozenset[Period]) -> list[tuple[str, Chunk]]:
        """The short topic sentences set inside the paragraphs of `node` about `periods` (a
        web copy loses the bold of `经济运行稳中有进。加力落实宏观政策，…`), each with its
        chunk, in document order."""
        seen: dict[str, Chunk] = {}
        for chunk in self._body_of(node, periods):
            for title in run_in_headings(chunk.text):
                seen.setdefault(title, chunk)
        return list(seen.items())

    def parallel_leads(
        self, node: Node, periods: frozenset[Period], least: int
    ) -> list[tuple[str, Chunk]]:
        """The first sentences of the paragraphs of `node` about `periods` that open alike,
        each with its chunk: at least `least` paragraphs opening with the same short clause
        (`这五年，我们牢记嘱托、锚定蓝图，“四个中心”功能建设不断加强。`, `这五年，…`)."""
        alike: dict[str, list[tuple[str, Chunk]]] = {}
        for chunk in self._body_of(node, periods):
            for paragraph in chunk.text.split("\n"):
                opening = _OPENING.match(paragraph)
                sentence = _SENTENCE.match(paragraph.strip())
                if opening and sentence:
                    first = sentence.group(0).rstrip("。！？!?")
                    alike.setdefault(opening.group(1), []).append((first, chunk))
        parts = max(alike.values(), key=len, default=[])
        return parts if len(parts) >= least else []

    def _body_of(self, node: Node, periods: frozenset[Period]) -> Iterator[Chunk]:
        """The body chunks under `node` about `periods` (all of them without)."""
        for chunk in self._chunks_of(node.doc_id):
            if chunk.section_path[: len(node.path)] != node.path or chunk.kind != "body":
                continue
            if not periods or chunk.period in periods:
                yield chunk

    def announced(
        self, doc_id: str, end: int, *, from_any: bool
    ) -> tuple[Node, list[tuple[str, Chunk]]] | None:
        """The numbered parts a sentence ending at offset `end` announces: the subsections
        that begin right after it (`要努力实现以下目标任务：` then `一是…`, `二是…`); unless
        `from_any`, only when they begin with the first of their numbering style in the
        section (`（一）` of its subsections, or `1.` of a list after `（九）`, not `第四`)."""
        info = self._documents.get(doc_id)
        if info is None:
            return None
        for top in info.outline:
            for path, node in _with_paths(top, ()):
                kids = node.children if from_any else _first_of_each_style(node.children)
                first = next((c for c in kids if 0 <= c.start - end <= ANNOUNCE_GAP), None)
                if first is not None:
                    parent = Node(doc_id, path, node)
                    return parent, self.children(parent, first)
        return None

    def children(self, node: Node, since: Outline | None = None) -> list[tuple[str, Chunk]]:
        """(subsection title, the chunk it begins in) in document order (from `since` on,
        when given, in its numbering style)."""
        chunks = self._chunks_of(node.doc_id)
        depth = len(node.path)
        out = []
        kids = node.outline.children
        if since is not None:
            kids = kids[kids.index(since) :]
        style = kids[0].style if kids else ""
        for child in kids:
            if child.style != style:  # a list of another numbering inside the section
                continue
            path = (*node.path, child.title)
            first = next((c for c in chunks if c.section_path[: depth + 1] == path), None)
            if first is not None:
                out.append((child.title, first))
        return out


TITLE_SHARE = 0.6
ANNOUNCE_GAP = 2  # characters between an announcing sentence and the first part (a newline)
RUN_IN_MIN_CHARS, RUN_IN_MAX_CHARS = 4, 14
# a whole sentence of a paragraph, with what ends it; not `ingest.sentences`, which also ends
# one at `；`: an item of a `；` list (`…增长3%左右；居民收入增长与经济增长同步。`) heads nothing
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")
# a paragraph's opening clause that parallel paragraphs share (`这五年，`)
_OPENING = re.compile(r"\s*([^，,。；;：:\n]{2,6})[，,]")
# what a run-in heading holds no more of than a short clause: no figures, lists or quotes
_NOT_A_HEADING = re.compile(r"[\d，,、；;：:“”\"（）()]")


def _first_of_each_style(children: Sequence[Outline]) -> list[Outline]:
    """The first child of each numbering style (`（一）`, `1.`): where a list of parts begins."""
    firsts: dict[str, Outline] = {}
    for child in children:
        firsts.setdefault(child.style, child)
    return list(firsts.values())


def run_in_headings(text: str) -> list[str]:
    """The short sentences of a paragraph that head what follows them in it
    (`…收官。经济运行稳中有进。加力落实…`), without their 。."""
    out = []
    for paragraph in text.split("\n"):
        sentences = _SENTENCE.findall(paragraph)
        for i, sentence in enumerate(sentences[:-1]):
            body = sentence.rstrip("。！？!?")
            if sentence == body or _NOT_A_HEADING.search(body):
                continue
            if RUN_IN_MIN_CHARS <= len(body) <= RUN_IN_MAX_CHARS and len(sentences[i + 1]) > len(
                sentence
            ):
                out.append(body)
    return out


def _with_paths(outline: Outline, parent: tuple[str, ...]) -> list[tuple[tuple[str, ...], Outline]]:
    path = (*parent, outline.title)
    out = [(path, outline)]
    for child in outline.children:
        out.extend(_with_paths(child, path))
    return out
