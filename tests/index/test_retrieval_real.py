"""Retrieval with the real bundled model and a real FAISS + BM25 index of the report."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow

KNOWN = [
    ("2021年计划新建多少个5G基站？", "新建基站1500个"),
    ("六保是指什么？", "保居民就业"),
    ("2020年全市地区生产总值增长了多少？", "全年地区生产总值增长3.9%"),
    ("“十三五”期间全社会固定资产投资累计完成多少？", "4090亿元"),
]


@pytest.mark.parametrize(("question", "evidence"), KNOWN)
def test_known_question_ranks_its_paragraph_first(
    real_service, question: str, evidence: str
) -> None:  # type: ignore[no-untyped-def]
    hits = real_service.search(question, k=5, mode="hybrid")
    assert evidence in hits[0].chunk.text
    assert hits[0].dense_score > 0 and hits[0].lexical_score > 0


def test_english_question_finds_the_chinese_paragraph(real_service) -> None:  # type: ignore[no-untyped-def]
    hits = real_service.search("How many 5G base stations will be built in 2021?", k=5)
    assert "新建基站1500个" in hits[0].chunk.text


def test_every_mode_ranks_and_hybrid_combines_both_signals(real_service) -> None:  # type: ignore[no-untyped-def]
    question = "疫情期间自贡派了多少医护人员驰援武汉？"
    ranked = {m: real_service.search(question, k=5, mode=m) for m in ("bm25", "dense", "hybrid")}
    assert all(len(h) == 5 for h in ranked.values())
    assert ranked["bm25"][0].dense_score == 0.0
    assert ranked["dense"][0].lexical_score == 0.0
    assert "99名医护人员" in ranked["hybrid"][0].chunk.text
