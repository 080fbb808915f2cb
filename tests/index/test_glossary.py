"""Which glossary terms a question names (index/glossary.py)."""

from __future__ import annotations

import pytest

from index.glossary import entries, named_terms
from ingest.models import Chunk

TERMS = [
    "六稳",
    "六保",
    "四早四集中",
    "四清四无",
    "宅基地“三权分置”",
    "“四上”企业",
    "四上单位",
    "六稳六保",
]


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("六保和六稳分别是什么", ["六保", "六稳"]),  # in the question's order
        ("“六稳六保”指什么", ["六稳六保"]),  # the longer term, not its parts
        ("疫情防控的“四早”是什么", ["四早四集中"]),  # a quoted part of one term
        ("“三权分置”是什么", ["宅基地“三权分置”"]),
        ("什么是四上企业", ["“四上”企业"]),  # quotes aside
        ("“四上”是什么", []),  # a quoted part held by several terms names none
        ("四早是什么", []),  # an unquoted part names nothing
        ("乡村振兴有哪些安排", []),
    ],
)
def test_named_terms(question: str, named: list[str]) -> None:
    assert named_terms(question, TERMS) == named


def test_entries_are_the_glossary_chunks_by_term() -> None:
    def chunk(i: int, kind: str, path: tuple[str, ...]) -> Chunk:
        return Chunk(f"c{i}", "doc", path, 1, 1, 0, 4, "text", 1, kind=kind, position=i)  # type: ignore[arg-type]

    body = chunk(0, "body", ("一、回顾",))
    entry = chunk(1, "glossary", ("相关用语注释", "六稳"))
    assert entries([body, entry]) == {"六稳": entry}
