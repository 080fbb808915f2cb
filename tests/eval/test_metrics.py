"""Hand-made cases for every metric function."""

from __future__ import annotations

from dataclasses import replace

import pytest

from eval.dataset import EvalItem
from eval.metrics import (
    ItemRun,
    all_evidence_at_k,
    answer_correct,
    answer_fraction,
    citation_supported,
    contains_answer,
    covers,
    evidence_rank,
    false_refusal_rate,
    hit_at_k,
    normalize,
    percentile,
    reciprocal_rank_at_k,
    refusal_accuracy,
    score_item,
    stated,
    summarize,
)


def _item(
    answers: tuple[str, ...] = ("3.9%",),
    match: str = "any",
    evidence: tuple[str, ...] = ("全年地区生产总值增长3.9%",),
    type_: str = "factoid_number",
) -> EvalItem:
    if type_ == "unanswerable":
        answers, evidence = (), ()
    return EvalItem("t", "问题？", answers, match, evidence, type_, "一")


# ---- normalize ---------------------------------------------------------------------------


def test_normalize_removes_whitespace_and_footnote_markers() -> None:
    raw = "扎实做好“六稳”[1]工作，全面落实\n\n“六保”［2］任务\n[7]\n，精准 做好"
    assert normalize(raw) == "扎实做好“六稳”工作,全面落实“六保”任务,精准做好"


def test_normalize_applies_nfkc_and_keeps_years_in_brackets() -> None:
    assert normalize("ＧＤＰ　３．９％（Ｂ 型）") == "GDP3.9%(B型)"
    assert normalize("〔2021〕[2021]") == "〔2021〕[2021]"
    assert normalize("") == ""


# ---- contains_answer: number boundaries --------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "text", "expected"),
    [
        ("3.9%", "全年地区生产总值增长 3.9%、高于全省", True),
        ("3.9%", "增长13.9%", False),
        ("9%", "增长 20.9%", False),
        ("9%", "分别增长8%、9%", True),
        ("10", "共100个", False),
        ("10", "版本1.10", False),
        ("10", "增长10.4%", False),
        ("10%", "投资增长10%，社会", True),
        ("10%", "增长10.4%", False),
        ("20户", "新增企业200户", False),
        ("20户", "新增高新技术企业20户。", True),
        ("7.6万名", "帮助 7.6\n万名农民工", True),
        ("2.93", "Answer: 由3.27缩小至2.93.   2026年浙江…", True),  # a full stop, not a decimal
        ("2.9", "Answer: 由3.27缩小至2.93.   2026年浙江…", False),
        ("何树平", "市长 何树平", True),
        ("第四届", "办好第十四届市运会", False),
        ("", "任何文字", False),
        ("3.9%", "", False),
    ],
)
def test_contains_answer(answer: str, text: str, expected: bool) -> None:
    assert contains_answer(answer, text) is expected


def test_contains_answer_finds_a_later_valid_occurrence() -> None:
    assert contains_answer("3.9%", "一是13.9%，二是3.9%")


def test_contains_answer_ignores_footnote_markers_inside_text() -> None:
    assert contains_answer("六稳工作", "做好“六稳”[1]工作") is False
    assert contains_answer("“六稳”工作", "做好“六稳”[1]工作")


# ---- answer_correct / answer_fraction ----------------------------------------------------


def test_answer_correct_any_and_all() -> None:
    any_item = _item(answers=("3.5万人以上", "3.5万人"))
    assert answer_correct(any_item, "新增城镇就业3.5万人")
    list_item = _item(answers=("稳就业", "稳金融", "稳外贸"), match="all")
    assert answer_correct(list_item, "稳就业、稳金融、稳外贸")
    assert not answer_correct(list_item, "稳就业、稳金融")


def test_answer_fraction_gives_partial_credit_for_lists() -> None:
    list_item = _item(answers=("稳就业", "稳金融", "稳外贸", "稳外资"), match="all")
    assert answer_fraction(list_item, "稳就业、稳外资") == 0.5
    assert answer_fraction(list_item, "") == 0.0
    assert answer_fraction(_item(), "增长3.9%") == 1.0
    assert answer_fraction(_item(), "增长13.9%") == 0.0


def test_unanswerable_items_are_never_answer_correct() -> None:
    item = _item(type_="unanswerable")
    assert not answer_correct(item, "任何文字")
    assert answer_fraction(item, "任何文字") == 0.0


# ---- retrieval ---------------------------------------------------------------------------

EVIDENCE = ("全年地区生产总值增长3.9%、高于全省0.1个百分点",)
PASSAGES = (
    "农业增加值增长5.7%",
    "全年地区生产总值增长 3.9%、高于全省 0.1 个百分点，规模以上",
    "其他",
)


def test_evidence_rank_and_hits() -> None:
    assert evidence_rank(EVIDENCE, PASSAGES) == 2
    assert evidence_rank(EVIDENCE, PASSAGES[:1]) is None
    assert hit_at_k(EVIDENCE, PASSAGES, k=2)
    assert not hit_at_k(EVIDENCE, PASSAGES, k=1)
    assert reciprocal_rank_at_k(EVIDENCE, PASSAGES, k=5) == 0.5
    assert reciprocal_rank_at_k(EVIDENCE, PASSAGES, k=1) == 0.0


def test_evidence_rank_uses_the_first_passage_with_any_evidence() -> None:
    evidence = ("不存在的句子", "农业增加值增长5.7%")
    assert evidence_rank(evidence, PASSAGES) == 1


def test_retrieval_with_empty_inputs() -> None:
    assert evidence_rank((), PASSAGES) is None
    assert evidence_rank(EVIDENCE, ()) is None
    assert not hit_at_k(EVIDENCE, (), k=5)
    assert reciprocal_rank_at_k((), PASSAGES) == 0.0
    assert not all_evidence_at_k((), PASSAGES)


def test_all_evidence_at_k_needs_every_string() -> None:
    evidence = ("农业增加值增长5.7%", "全年地区生产总值增长3.9%")
    assert all_evidence_at_k(evidence, PASSAGES, k=2)
    assert not all_evidence_at_k(evidence, PASSAGES, k=1)


def test_evidence_split_across_chunks_counts_for_the_larger_half() -> None:
    evidence = "城镇登记失业率控制在4.5%以内"  # 16 characters
    first, second = (
        "……节能减排和环境保护指标完成省下任务，城镇登记失业率控制",
        "在4.5%以内。确定这样的目标",
    )
    assert covers(first, evidence)  # 9 of 16 characters, at the end of the chunk
    assert not covers(second, evidence)  # only 7 of 16
    assert evidence_rank((evidence,), (second, first)) == 2
    assert not covers("城镇登记失业率3.7%", evidence)


def test_short_evidence_needs_full_containment() -> None:
    assert covers("……新建基站1500个", "基站1500个")
    assert not covers("……新建基站", "基站1500个")


# ---- citations ---------------------------------------------------------------------------


def test_citation_supported_by_one_passage() -> None:
    assert citation_supported(EVIDENCE, ("无关", PASSAGES[1]))
    assert not citation_supported(EVIDENCE, ("无关", PASSAGES[0]))


def test_citation_supported_by_concatenated_passages() -> None:
    evidence = ("主要预期目标是：地区生产总值增长7.5%以上",)
    cited = (
        "主要预期",
        "目标是：地区生产",
        "总值增长 7.5%以上，农业",
    )  # no single piece covers half
    assert not any(covers(text, evidence[0]) for text in cited)
    assert citation_supported(evidence, cited)
    assert not citation_supported(evidence, tuple(reversed(cited)))


def test_citation_supported_empty_inputs() -> None:
    assert not citation_supported((), PASSAGES)
    assert not citation_supported(EVIDENCE, ())


# ---- refusals and percentiles ------------------------------------------------------------


def test_refusal_metrics() -> None:
    items = [_item(), _item(), _item(type_="unanswerable"), _item(type_="unanswerable")]
    refused = [True, False, True, False]
    assert refusal_accuracy(items, refused) == 0.5
    assert false_refusal_rate(items, refused) == 0.5
    assert refusal_accuracy(items[:2], refused[:2]) is None
    assert false_refusal_rate([], []) is None
    with pytest.raises(ValueError):
        refusal_accuracy(items, refused[:3])


def test_percentile_interpolates() -> None:
    assert percentile([5.0], 95) == 5.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile([4.0, 1.0, 3.0, 2.0], 0) == 1.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 100) == 4.0
    assert percentile([0.0, 10.0], 95) == pytest.approx(9.5)
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1.0], 101)


# ---- per-item scores and the summary -----------------------------------------------------


def test_score_item_and_summarize_by_type() -> None:
    number = _item()
    listing = _item(
        answers=("稳就业", "稳金融"), match="all", evidence=("稳就业、稳金融",), type_="list"
    )
    trap = _item(type_="unanswerable")
    runs = [
        ItemRun(number, "增长3.9%", False, PASSAGES, (PASSAGES[1],), 10.0),
        ItemRun(listing, "稳就业", False, ("稳就业、稳金融",), ("无关",), 20.0),
        ItemRun(trap, "", True, (), (), 30.0),
    ]
    scores = [score_item(run, k=5) for run in runs]
    assert [s.correct for s in scores] == [True, False, False]
    assert [s.rank for s in scores] == [2, 1, None]
    summary = summarize(scores, k=5)
    overall = summary.overall
    assert (overall.count, overall.answerable) == (3, 2)
    assert overall.answer_accuracy == 0.5
    assert overall.answer_partial == 0.75
    assert overall.hit_at_k == 1.0
    assert overall.mrr_at_k == 0.75
    assert overall.citation_support == 0.5
    assert overall.refusal_accuracy == 1.0
    assert overall.false_refusal_rate == 0.0
    assert overall.latency_p50_ms == 20.0
    assert set(summary.by_type) == {"factoid_number", "list", "unanswerable"}
    assert summary.by_type["unanswerable"].answer_accuracy is None
    assert summary.to_dict()["by_type"]["list"]["answer_partial"] == 0.5


def test_refused_answerable_item_scores_zero() -> None:
    score = score_item(ItemRun(_item(), "增长3.9%", True, PASSAGES, (PASSAGES[1],)))
    assert not score.correct and score.fraction == 0.0 and not score.citation_ok
    assert score.hit  # retrieval is judged independently of the refusal


def test_summarize_empty() -> None:
    summary = summarize([])
    assert summary.overall.count == 0
    assert summary.overall.answer_accuracy is None and summary.overall.latency_p50_ms is None
    assert summary.by_type == {}


def test_stated_accuracy_needs_the_answer_in_its_own_words() -> None:
    quote = "开通3条地铁新线、新增运营里程30公里，总里程达909公里、居“全国”首位；[1]"
    wrong = f"30公里。报告原文：“{quote}”"
    assert stated(wrong).strip() == "30公里。"
    english = f"Answer: 909公里. According to the report: “{quote}” (From: 某报告)"
    assert "909公里" in stated(english) and "30公里" not in stated(english)
    two = f"甲：30公里。报告原文：“{quote}” 乙：909公里。报告原文：“{quote}”"
    assert stated(two).count("公里") == 2  # one quote per report, each dropped
    only_quote = "实施“十大工程”，总里程达909公里。[1]"
    assert stated(only_quote) == only_quote  # an answer that is only a quote is itself
    item = _item(answers=("909公里",), evidence=("总里程达909公里",))
    scores = [
        score_item(ItemRun(item, text, False, (quote,), (quote,)))
        for text in (wrong, english, only_quote)
    ]
    assert [s.correct for s in scores] == [True, True, True]
    assert [s.stated_correct for s in scores] == [False, True, True]
    assert summarize(scores).overall.answer_stated == pytest.approx(2 / 3)


def test_wrong_and_other_report_rates() -> None:
    """[1] from another report is a wrong report; a later line from one is another report."""
    about = replace(_item(), doc_ids=("a",))
    runs = [
        ItemRun(about, "增长3.9%", False, first_cited_doc="a", cited_docs=("a",)),
        ItemRun(about, "增长3.9%", False, first_cited_doc="a", cited_docs=("a", "b")),
        ItemRun(about, "增长3.9%", False, first_cited_doc="b", cited_docs=("b", "a")),
        ItemRun(about, "", True),  # refused: neither
        ItemRun(_item(), "增长3.9%", False, first_cited_doc="b", cited_docs=("b",)),  # no report
    ]
    scores = [score_item(run) for run in runs]
    assert [s.wrong_report for s in scores] == [False, False, True, False, False]
    assert [s.other_report for s in scores] == [False, True, True, False, False]
    overall = summarize(scores, k=5).overall
    assert overall.wrong_report_rate == pytest.approx(1 / 3)
    assert overall.other_report_rate == pytest.approx(2 / 3)
