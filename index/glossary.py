"""Which glossary terms a question names: read once, for retrieval and for the answer alike.

A report's glossary (名词解释, 注释) defines terms; a question names a term when it holds the
term itself (quotes aside), the longest of overlapping terms winning, or when a quoted part of
it (`“四早”` for `四早四集中`) belongs to that one term only.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from ingest.models import Chunk

_QUOTED = re.compile(r"[“\"「『]([^”\"」』]{2,20})[”\"」』]")
_QUOTES = re.compile(r"[“”\"'‘’《》「」]")


def entries(chunks: Sequence[Chunk]) -> dict[str, Chunk]:
    """The glossary entries among `chunks`, by term."""
    return {c.section_path[-1]: c for c in chunks if c.kind == "glossary" and c.section_path}


def named_terms(text: str, terms: Collection[str]) -> list[str]:
    """The terms of one glossary that `text` names, in the order the text names them."""
    bare = _bare(text)
    named = [t for t in terms if _bare(t) and _bare(t) in bare]
    named = [t for t in named if not any(t != o and _bare(t) in _bare(o) for o in named)]
    for quoted in _QUOTED.findall(text):
        holders = [t for t in terms if len(quoted) >= 2 and quoted in _bare(t)]
        if len(holders) == 1 and holders[0] not in named:
            named.append(holders[0])
    return sorted(named, key=lambda t: bare.find(_bare(t)) if _bare(t) in bare else len(bare))


def _bare(text: str) -> str:
    return _QUOTES.sub("", text)
