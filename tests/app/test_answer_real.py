"""The answerer on the real report with the real bundled model: each question kind."""

from __future__ import annotations

import re

import pytest

from app.errors import EmptyQuestionError, QuestionTooLongError
from app.models import Turn

pytestmark = pytest.mark.slow


def _ask(service, question: str, history=()):  # type: ignore[no-untyped-def]
    answer = service.answer(question, history)
    assert answer.passages, "every answer carries the passages it looked at"
    return answer


def _has(text: str, figure: str) -> bool:
    """`figure` in `text`, not inside a longer number."""
    return re.search(rf"(?<![\d.]){re.escape(figure)}", text) is not None


def test_recurring_number_traps_pick_the_asked_period(real_service) -> None:  # type: ignore[no-untyped-def]
    actual = _ask(real_service, "2020年全市地区生产总值增长了多少？")
    five_year = _ask(real_service, "“十三五”期间地区生产总值年均增长多少？")
    target = _ask(real_service, "2021年地区生产总值的预期增长目标是多少？")
    assert _has(actual.text, "3.9%") and not actual.refused
    assert _has(five_year.text, "7.3%") and not _has(five_year.text, "3.9%")
    assert _has(target.text, "7.5%")
    assert actual.citations[0].hit.chunk.section_path[0].startswith("一、")
    assert target.citations[0].hit.chunk.section_path[0].startswith("三、")


def test_comparison_answers_each_period_from_its_own_sentence(real_service) -> None:  # type: ignore[no-untyped-def]
    answer = _ask(real_service, "去年GDP的实际增速和今年的目标各是多少？")
    assert not answer.refused
    assert _has(answer.text, "3.9%") and _has(answer.text, "7.5%")
    tops = {c.hit.chunk.section_path[0][:2] for c in answer.citations}
    assert tops == {"一、", "三、"}, "one citation from the review, one from the plan"


def test_a_level_asked_for_now_may_come_from_the_five_year_review(real_service) -> None:  # type: ignore[no-untyped-def]
    """`现在` asks for the latest level; the five-year review states it (no refusal), while
    a 2020 growth figure the report gives only as a five-year average is still refused."""
    now = _ask(real_service, "自贡目前人均公园绿地面积是多少平方米？")
    assert not now.refused and _has(now.text, "14.6平方米")
    only_average = _ask(real_service, "2020年社会消费品零售总额增长了多少？")
    assert only_average.refused


def test_the_best_sentence_stays_when_it_is_of_the_asked_period(real_service) -> None:  # type: ignore[no-untyped-def]
    answer = _ask(real_service, "2021年重大项目计划完成投资多少亿元？")
    assert _has(answer.text, "850亿元") and not _has(answer.text, "500亿元")


def test_overall_question_answers_with_the_paragraph_heading(real_service) -> None:  # type: ignore[no-untyped-def]
    """`怎么样` questions get the report's own summary: the heading of the paragraph."""
    answer = _ask(real_service, "这五年自贡的经济整体上发展得如何？")
    assert not answer.refused
    assert "经济持续较快增长，综合实力明显提升" in answer.text
    assert answer.citations[0].hit.chunk.page_start == 8
    # with the sentence after the heading: what it sums up
    assert "地区生产总值实现1458.44亿元" in answer.citations[0].quote
    follows = _ask(real_service, "“十三五”时期三大攻坚战打得怎么样？")
    assert "三大攻坚战成效显著" in follows.text and "打赢脱贫攻坚战" in follows.text


def test_a_metric_named_annual_average_is_not_a_five_year_question(real_service) -> None:  # type: ignore[no-untyped-def]
    """年均浓度 names a metric; the 2021 plan states no PM2.5 figure, so it is refused."""
    answer = _ask(real_service, "2021年PM2.5年均浓度的目标值是多少微克/立方米？")
    assert answer.refused, answer.text


@pytest.mark.parametrize(
    ("question", "figure"),
    [
        ("What will the service sector's added value growth target be for 2021?", "9.0%"),
        ("How many old residential communities were renovated in 2020?", "41个"),
        ("What is the target for the number of new market entities in 2021?", "1万户"),
        # a count names the noun after it: 39个 innovation platforms, then 996项 patents
        (
            "How many new innovation platforms at national and provincial level did Zigong "
            "gain during the 13th Five-Year Plan?",
            "Answer: 39个",
        ),
        # `corporate` holds no rate, and headquarters are the report's 总部
        ("How many corporate headquarters is the city to attract in 2021?", "15户以上"),
    ],
)
def test_english_questions_reach_the_report_vocabulary(real_service, question, figure) -> None:  # type: ignore[no-untyped-def]
    answer = _ask(real_service, question)
    assert not answer.refused and answer.language == "en"
    assert figure in answer.text


def test_a_figure_asked_within_a_time_clause_is_answered(real_service) -> None:  # type: ignore[no-untyped-def]
    """`…时` frames the question in time; it is no indicator the sentence must name."""
    answer = _ask(real_service, "疫情来袭时有多少党员干部、志愿者挺身而出？")
    assert not answer.refused and "5.7万名" in answer.text


def test_an_area_of_several_regions_is_no_region_missing_from_the_library(real_service) -> None:  # type: ignore[no-untyped-def]
    """成渝 names the Chengdu-Chongqing area: Chongqing's report is not loaded, but the
    question is about the area in this report."""
    answer = _ask(real_service, "今年融入成渝地区双城经济圈建设有哪些安排？")
    assert not answer.refused, answer.text
    assert "成渝" in answer.text


def test_citations_point_at_the_quoted_text(real_service) -> None:  # type: ignore[no-untyped-def]
    answer = _ask(real_service, "2021年计划新建多少个5G基站？")
    assert "1500个" in answer.text
    for citation in answer.citations:
        chunk = citation.hit.chunk
        assert f"[{citation.n}]" in answer.text
        assert 1 <= chunk.page_start <= chunk.page_end <= 36
        for quote in citation.quotes:
            assert chunk.start <= quote.start < quote.end <= chunk.end
            assert chunk.text[quote.start - chunk.start : quote.end - chunk.start] == quote.text


def test_glossary_definition_answers_from_its_entry(real_service) -> None:  # type: ignore[no-untyped-def]
    answer = _ask(real_service, "六稳是指什么？")
    assert answer.kind == "definition" and not answer.refused
    for item in ("稳就业", "稳金融", "稳外贸", "稳外资", "稳投资", "稳预期"):
        assert item in answer.text
    assert answer.citations[0].hit.chunk.kind == "glossary"


def test_footnoted_passage_carries_its_definitions(real_service) -> None:  # type: ignore[no-untyped-def]
    answer = _ask(real_service, "2020年疫情防控中创新开展了什么工作？")
    footnoted = [c for c in answer.passages if c.chunk.footnotes]
    assert footnoted, "passages with [n] markers resolve them to the glossary"
    for hit in footnoted:
        for f in hit.chunk.footnotes:
            assert f"[{f.number}]" in hit.chunk.text and f.definition


def test_a_list_question_leads_with_the_items_not_its_own_words(real_service) -> None:  # type: ignore[no-untyped-def]
    answer = _ask(real_service, "电子信息产业有哪些企业建成投产？")
    assert answer.text.startswith("超越科技、中誉瑞禾、朗星达"), answer.text
    museums = _ask(real_service, "文物保护方面要建设哪两座博物馆？")  # the clause naming them
    assert "盐都工业遗址博物馆和盐业历史博物馆新馆" in museums.text.split("报告原文")[0]


def test_list_question_gathers_the_items(real_service) -> None:  # type: ignore[no-untyped-def]
    answer = _ask(real_service, "“四上单位”包括哪些？")
    assert "规模以上工业企业" in answer.text and "限额以上批零住餐企业" in answer.text


def test_section_question_answers_from_the_section_tree(real_service) -> None:  # type: ignore[no-untyped-def]
    answer = _ask(real_service, "2021年的主要工作安排分为哪几个方面？")
    assert answer.kind == "section"
    assert len(answer.citations) == 9
    assert answer.text.count("\n") >= 9 and "第九" in answer.text


def test_english_question_gets_english_framing_around_the_chinese_quote(real_service) -> None:  # type: ignore[no-untyped-def]
    answer = _ask(real_service, "What was the GDP growth rate of Zigong in 2020?")
    assert answer.language == "en" and not answer.refused
    assert answer.text.startswith(("Answer:", "According to"))
    assert _has(answer.text, "3.9%")


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("2022年自贡GDP增长目标是多少？", "zh"),
        ("成都市2020年地区生产总值增长了多少？", "zh"),
        ("What was Zigong's GDP growth target for 2019?", "en"),
        ("How much did Mianyang's GDP grow in 2020?", "en"),  # another city, in English
        ("2020年全市有多少所普惠性幼儿园？", "zh"),  # only a share (83%) is given
        ("去年高考一本上线率是多少？", "zh"),  # only its change (1.58个百分点) is given
        ("2021年建筑业总产值计划达到多少亿元？", "zh"),  # only a growth rate is given
    ],
)
def test_near_miss_questions_are_refused_with_related_passages(
    real_service, question: str, lang: str
) -> None:  # type: ignore[no-untyped-def]
    answer = _ask(real_service, question)
    assert answer.refused and not answer.citations
    expected = "does not contain" if lang == "en" else "没有找到"
    assert expected in answer.text and answer.passages and answer.reason


def test_the_answerable_twins_of_near_misses_are_answered(real_service) -> None:  # type: ignore[no-untyped-def]
    share = _ask(real_service, "2020年普惠性幼儿园在园幼儿比例达到多少？")
    change = _ask(real_service, "去年高考一本上线率提高了多少？")
    assert _has(share.text, "83%") and _has(change.text, "1.58个百分点")


def test_comparison_says_which_period_the_report_lacks(real_service) -> None:  # type: ignore[no-untyped-def]
    answer = _ask(real_service, "去年GDP增速和今年的全市常住人口目标分别是多少？")
    assert not answer.refused and _has(answer.text, "3.9%")
    assert "报告中没有找到2021年的相应数字" in answer.text


def test_follow_up_resolves_against_history(real_service) -> None:  # type: ignore[no-untyped-def]
    first = _ask(real_service, "2020年规模以上工业增加值增长多少？")
    history = [Turn("user", "2020年规模以上工业增加值增长多少？"), Turn("assistant", first.text)]
    follow = _ask(real_service, "那2021年的目标呢？", history)
    assert _has(first.text, "5.1%")
    assert _has(follow.text, "9.0%") and not follow.refused


def test_bad_questions_raise_domain_errors(real_service) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(EmptyQuestionError):
        real_service.answer("   ")
    with pytest.raises(QuestionTooLongError):
        real_service.answer("问" * 5000)
