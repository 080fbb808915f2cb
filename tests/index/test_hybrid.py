"""Fusion logic with a fake embedder (the real model is tested in test_retrieval_real.py)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from index.hybrid import FusionConfig, HybridRetriever
from index.store import IndexStore
from ingest.models import Chunk
from tests.fakes import HashEmbedder


def chunk(i: int, top: str, text: str, kind: str = "body", term: str = "") -> Chunk:
    path = (top, term) if term else (top,)
    return Chunk(
        f"c{i}", "doc", path, 1, 1, i * 100, i * 100 + len(text), text, 10, kind=kind, position=i
    )  # type: ignore[arg-type]


CHUNKS = [
    chunk(0, "一、2020 年工作回顾", "全年地区生产总值增长3.9%，城镇新增就业2.6万人。"),
    chunk(1, "三、2021 年主要工作安排", "地区生产总值增长8%左右，城镇新增就业2.5万人。"),
    chunk(2, "三、2021 年主要工作安排", "扎实做好六稳工作，全面落实六保任务。"),
    chunk(
        3,
        "相关用语注释",
        "六稳：指稳就业、稳金融、稳外贸、稳外资、稳投资、稳预期。",
        kind="glossary",
        term="六稳",
    ),
    chunk(4, "一、2020 年工作回顾", "推进乡村振兴，巩固拓展脱贫攻坚成果。"),
    chunk(
        5,
        "相关用语注释",
        "宅基地“三权分置”：指落实宅基地集体所有权，保障宅基地农户资格权。",
        kind="glossary",
        term="宅基地“三权分置”",
    ),
]


@pytest.fixture(scope="module")
def retriever(tmp_path_factory: pytest.TempPathFactory) -> HybridRetriever:
    cache = tmp_path_factory.mktemp("cache")
    store = IndexStore.build(CHUNKS, HashEmbedder(), cache_dir=cache)
    return HybridRetriever(store, HashEmbedder())


def test_modes_return_ranked_hits_with_both_scores(retriever: HybridRetriever) -> None:
    for mode in ("bm25", "dense", "hybrid"):
        hits = retriever.search("乡村振兴", k=3, mode=mode)  # type: ignore[arg-type]
        assert [h.rank for h in hits] == [1, 2, 3]
        assert hits[0].chunk.chunk_id == "c4"
        assert all(a.score >= b.score for a, b in zip(hits, hits[1:], strict=False))
    hybrid = retriever.search("乡村振兴", k=1)[0]
    assert hybrid.dense_score > 0 and hybrid.lexical_score > 0


def test_period_cue_separates_review_from_plan(retriever: HybridRetriever) -> None:
    review = retriever.search("2020年城镇新增就业多少人", k=1)[0]
    plan = retriever.search("2021年城镇新增就业目标", k=1)[0]
    assert review.chunk.chunk_id == "c0"
    assert plan.chunk.chunk_id == "c1"


def test_glossary_term_prefers_its_entry(retriever: HybridRetriever) -> None:
    assert retriever.search("六稳是指什么", k=1)[0].chunk.chunk_id == "c3"


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("六稳是指什么", "c3"),
        ("“三权分置”是什么", "c5"),  # a quoted part of the term
        ("宅基地三权分置是什么", "c5"),  # the term without its quotes
    ],
)
def test_a_glossary_term_the_question_names_boosts_its_entry_only(
    retriever: HybridRetriever, question: str, entry: str
) -> None:
    flat = HybridRetriever(
        retriever.store, HashEmbedder(), replace(retriever.config, glossary_boost=0)
    )
    boosted = {h.chunk.chunk_id: h.score for h in retriever.search(question, k=len(CHUNKS))}
    plain = {h.chunk.chunk_id: h.score for h in flat.search(question, k=len(CHUNKS))}
    assert boosted[entry] - plain[entry] == pytest.approx(retriever.config.glossary_boost)
    assert all(boosted[c] == pytest.approx(plain[c]) for c in plain if c != entry)


def test_without_priors_the_weights_decide(retriever: HybridRetriever) -> None:
    lexical_only = HybridRetriever(
        retriever.store,
        HashEmbedder(),
        FusionConfig(dense_weight=0.0, period_boost=0, glossary_boost=0, number_boost=0),
    )
    bm25 = retriever.search("六保任务", k=3, mode="bm25")
    fused = lexical_only.search("六保任务", k=3)
    assert [h.chunk.chunk_id for h in fused] == [h.chunk.chunk_id for h in bm25]


@pytest.mark.parametrize("weight", [0.0, 1.5])
def test_dense_score_weighs_the_best_sentence_beside_the_chunk(
    retriever: HybridRetriever, weight: float
) -> None:
    weighted = HybridRetriever(
        retriever.store, HashEmbedder(), FusionConfig(sentence_weight=weight)
    )
    qvec = weighted.encode("城镇新增就业")
    for hit in weighted.search("城镇新增就业", k=3, mode="dense", qvec=qvec):
        row = retriever.store.row_of(hit.chunk.chunk_id)
        assert row is not None
        chunk_cos = float(retriever.store.dense.scores_for(qvec, [row])[0])
        best = max(s.cosine for s in hit.sentences)
        assert hit.dense_score == pytest.approx(
            (chunk_cos + weight * best) / (1 + weight), abs=1e-5
        )


def test_empty_query_and_k_larger_than_corpus(retriever: HybridRetriever) -> None:
    assert retriever.search("   ", k=3) == []
    assert len(retriever.search("就业", k=50)) == len(CHUNKS)


def test_tokenizer_keeps_glossary_terms_whole(tmp_path: Path) -> None:
    from index.tokenize import ChineseTokenizer

    tokens = ChineseTokenizer(["四上单位"], cache_dir=tmp_path).tokens("“四上单位”[17]是指什么？")
    assert "四上单位" in tokens and "17" not in tokens and "什么" not in tokens


def test_the_noun_check_tags_as_jieba_posseg_does(tmp_path: Path) -> None:
    import jieba.posseg

    from index.tokenize import ChineseTokenizer

    tokenizer = ChineseTokenizer(["六稳", "放管服"], cache_dir=tmp_path)
    reference = jieba.posseg.POSTokenizer(tokenizer._jieba)
    phrases = [
        "固定资产投资",
        "出门走",
        "要建",
        "六稳六保",
        "放管服改革",
        "PM2.5浓度",
        "城镇新增就业",
    ]
    assert [tokenizer.names_a_thing(p) for p in phrases] == [
        any(pair.flag[0] in "nlj" or pair.flag in ("vn", "eng") for pair in reference.cut(p))
        for p in phrases
    ]
    assert [tokenizer.names_a_thing(p) for p in phrases[:3]] == [True, False, False]
    ours = [[(w.word, w.flag) for w in tokenizer._pos.cut(p)] for p in phrases]
    assert ours == [[(w.word, w.flag) for w in reference.cut(p)] for p in phrases]
