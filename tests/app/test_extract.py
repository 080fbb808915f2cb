"""Sentence scoring, question words and period narrowing: pure functions, no model."""

from __future__ import annotations

from app.compare import sub_question
from app.extract import bigram_coverage, bigrams, coverage, focus_clause, term_groups
from app.figures import PERCENT_LEVEL, states_unit, unit_pattern
from app.qtype import (
    asked_unit,
    is_question_word,
    question_kind,
    wants,
    wants_level,
    wants_summary,
    without_asking_phrases,
)
from app.render import missing_periods_note
from index.query import analyze, for_period
from index.tokenize import ChineseTokenizer
from ingest.sentences import Span

REPORT = "全年地区生产总值增长3.9%。坚持不误农时抓好农业生产，粮食产量达140.8万吨、增速居全省第二。"


def _tokens(text: str) -> list[str]:
    """A whitespace tokenizer is enough to test the grouping rules."""
    return text.split()


def _idf(known: dict[str, float]):  # type: ignore[no-untyped-def]
    return lambda word: known.get(word, 0.0)


def test_question_words_the_report_never_uses_weigh_nothing() -> None:
    groups = term_groups("企业开办 最快 多久 成都", _tokens, _idf({"企业开办": 3.0}))
    words = {g.words[0]: g.weight for g in groups}
    assert "最快" not in words and "多久" not in words
    # a content word the report lacks still weighs as the rarest term (the refusal signal)
    assert words["成都"] == 3.0 and words["企业开办"] == 3.0


def test_a_question_word_the_report_uses_keeps_its_weight() -> None:
    groups = term_groups("包括 六稳", _tokens, _idf({"包括": 1.5, "六稳": 4.0}))
    assert {g.words[0]: g.weight for g in groups} == {"包括": 1.5, "六稳": 4.0}


def test_is_question_word() -> None:
    for word in ("多少", "怎么样", "哪几个", "多久", "有没有", "一共", "分别"):
        assert is_question_word(word), word
    for word in ("地区生产总值", "企业", "增长", "粮食"):
        assert not is_question_word(word), word


def test_translated_terms_match_as_whole_report_words() -> None:
    """`GDP` stands for 地区生产总值 as a whole: 农业生产 must not count as GDP."""
    groups = term_groups("gdp", _tokens, _idf({"地区生产总值": 2.0}))
    assert groups[0].words == ("gdp", "地区生产总值")
    assert coverage("坚持不误农时抓好农业生产", groups) == 0.0
    assert coverage("全年地区生产总值增长3.9%", groups) == 1.0


def test_bigrams_keep_only_pairs_the_report_has() -> None:
    grams = bigrams("规模以上工业企业有多少户", REPORT + "规模以上工业企业")
    assert "规模" in grams and "企业" in grams
    assert "多少" not in grams  # not in the report
    assert bigram_coverage("规模以上工业企业累计达到606户", grams) == 1.0
    assert bigram_coverage("四上单位达到1681户", grams) == 0.0
    assert bigram_coverage("anything", frozenset()) == 0.0


def test_for_period_keeps_one_period_of_a_comparison() -> None:
    question = "去年GDP实际增速和今年的目标分别是多少？"
    asked = analyze(question).asked()
    assert asked == {"review", "plan"}
    review = for_period(question, "review", asked)
    plan = for_period(question, "plan", asked)
    assert analyze(review).asked() == {"review"} and "GDP" in review
    assert analyze(plan).asked() == {"plan"} and "GDP" in plan


def test_for_period_leaves_words_of_periods_not_asked() -> None:
    """预期 is a 2021 cue, but 人均预期寿命 compared over two five-year plans keeps it."""
    question = "人均预期寿命十三五期间提高到多少？十四五末目标是多少？"
    asked = analyze(question).asked()
    assert asked == {"fiveyear", "outlook"}
    assert "人均预期寿命" in for_period(question, "outlook", asked)
    assert "十三五" not in for_period(question, "outlook", asked)


def test_how_long_asks_for_a_number() -> None:
    assert question_kind("注册一家公司最快多久能办好？") == "number"
    assert question_kind("要多长时间？") == "number"


def test_overview_phrases_are_not_content() -> None:
    assert wants_summary("去年疫情防控总体情况怎么样？")
    assert wants_summary("How did the economy do over the past five years?")
    assert not wants_summary("2020年GDP增长了多少？")
    assert "总体" not in without_asking_phrases("去年疫情防控总体情况怎么样？")
    assert (
        without_asking_phrases("今年政府工作的总体要求是什么？") == "今年政府工作的总体要求是什么？"
    )


def test_annual_average_growth_is_a_five_year_cue_but_annual_average_level_is_not() -> None:
    assert analyze("十三五期间GDP年均增长多少？").asked() == {"fiveyear"}
    assert analyze("今年PM2.5年均浓度要降到多少？").asked() == {"plan"}


def test_asked_unit_and_what_states_it() -> None:
    assert asked_unit("2020年全市共有多少所普惠性幼儿园？") == "所"
    assert asked_unit("预计要达到多少亿元？") == "元"
    assert asked_unit("帮助多少人返岗？") == "人"
    assert asked_unit("How many tonnes of grain?") == "吨"
    assert asked_unit("多少个项目？") is None  # 个 answers too many questions to check
    assert asked_unit("增长了多少？") is None
    assert states_unit("帮助7.6万名农民工返岗", "人")  # 名 answers 多少人
    assert states_unit("到位中省资金354.7亿元", "元")
    assert not states_unit("改造老旧小区41个", "户")
    assert unit_pattern("人").search("帮助7.6万名农民工").group(0) == "7.6万名"  # type: ignore[union-attr]


def test_a_rate_level_is_not_a_change_in_points() -> None:
    assert wants_level("去年高考一本上线率是多少？")
    assert not wants_level("去年高考一本上线率提高了多少？")
    assert not wants_level("2020年GDP增长了多少？")
    assert PERCENT_LEVEL.search("普惠性幼儿园在园幼儿比例达83%")
    assert not PERCENT_LEVEL.search("高考一本上线率提高1.58个百分点")


def test_focus_clause_is_the_clause_the_question_is_about() -> None:
    sentence = Span("c", "普惠性幼儿园在园幼儿比例达83%，高考一本上线率提高1.58个百分点。", 0, 33)
    groups = term_groups(
        "高考 一本 上线率", _tokens, _idf({"高考": 3.0, "一本": 3.0, "上线率": 3.0})
    )
    focus = focus_clause(sentence, groups, wants("高考一本上线率是多少？"))
    assert "1.58个百分点" in focus.text and "83%" not in focus.text


def test_fillers_weigh_nothing_even_when_the_report_uses_them() -> None:
    groups = term_groups("常住人口 分别", _tokens, _idf({"常住人口": 4.0, "分别": 2.0}))
    assert [g.words[0] for g in groups] == ["常住人口"]


def test_sub_questions_keep_the_shared_subject() -> None:
    tokens = ChineseTokenizer().tokens
    question = "城镇登记失业率去年实际是多少？今年要控制在多少以内？"
    asked = analyze(question).asked()
    assert sub_question(question, "review", asked, tokens) == "城镇登记失业率去年实际是多少?"
    assert sub_question(question, "plan", asked, tokens) == "城镇登记失业率今年要控制在多少以内?"
    two_topics = "去年GDP增速和今年的粮食产量目标分别是多少？"
    asked = analyze(two_topics).asked()
    assert "粮食" not in sub_question(two_topics, "review", asked, tokens)
    assert "GDP" not in sub_question(two_topics, "plan", asked, tokens)
    # a clause without its own topic borrows the whole question's
    shared = "去年GDP实际增速和今年的目标分别是多少？"
    assert "GDP" in sub_question(shared, "plan", analyze(shared).asked(), tokens)


def test_missing_periods_note_names_them_in_the_question_language() -> None:
    assert missing_periods_note("zh", ["plan"]) == "报告中没有找到2021年的相应数字。"
    assert "13th Five-Year Plan" in missing_periods_note("en", ["fiveyear"])
