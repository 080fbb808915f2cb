"""Each report's section tree (from its outline in the index), for "which areas" questions."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
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
        tops = [o for o in info.outline if o.kind == "section" and o.children]
        if periods:
            about = [o for o in tops if o.periods and o.periods[0] in periods]
            if len(about) == 1:
                return Node(doc_id, (about[0].title,), about[0])
        for hit in hits:
            path = hit.chunk.section_path
            if hit.chunk.doc_id == doc_id and path:
                top = next((o for o in tops if o.title == path[0]), None)
                if top is not None:
                    return Node(doc_id, (top.title,), top)
        return None

    def children(self, node: Node) -> list[tuple[str, Chunk]]:
        """(subsection title, the chunk it begins in) in document order."""
        chunks = self._chunks_of(node.doc_id)
        depth = len(node.path)
        out = []
        for child in node.outline.children:
            path = (*node.path, child.title)
            first = next((c for c in chunks if c.section_path[: depth + 1] == path), None)
            if first is not None:
                out.append((child.title, first))
        return out
