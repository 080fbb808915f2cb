"""The report's section tree, derived from chunk paths (for "which areas" questions)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from index.models import Hit
from ingest.models import Chunk

# the heading of one of the numbered areas of work: `第一，…`
SUBSECTION = re.compile(r"^第[一二三四五六七八九十]+[，,]")


class SectionTree:
    def __init__(self, chunks: Sequence[Chunk]) -> None:
        self._children: dict[str, list[tuple[str, Chunk]]] = {}
        for chunk in sorted(chunks, key=lambda c: (c.doc_id, c.position)):
            path = chunk.section_path
            if len(path) >= 2 and SUBSECTION.match(path[1]):
                kids = self._children.setdefault(path[0], [])
                if not any(title == path[1] for title, _ in kids):
                    kids.append((path[1], chunk))

    def children(self, parent: str) -> list[tuple[str, Chunk]]:
        """(subsection title, its first chunk) in document order."""
        return list(self._children.get(parent, []))

    def parent_with_children(self, hits: Sequence[Hit]) -> str | None:
        """The top section with subsections that the best-ranked hits point to."""
        for hit in hits:
            path = hit.chunk.section_path
            if path and path[0] in self._children:
                return path[0]
        return None
