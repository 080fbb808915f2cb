"""Answers that hold on any report, several at once: the real model, a real index of five
reports of four years (Zigong 2021, Qingxi 2023 and 2024, Guangdong and Zhejiang 2026).

Every expected figure was read in the report text. Qingxi is a small report written for these
tests (tests/data/): a mid-plan year, Chinese-numeral date, web chrome, `［n］` glossary.
"""

from __future__ import annotations

import re

import pytest

from app.factory import ReportQAService
from app.models import Answer, Turn

pytestmark = pytest.mark.slow

ZIGONG = "zigong-2021"
GUANGDONG = "guangdong-2026-government-work-report"
ZHEJIANG = "zhejiang-2026-government-work-report"
QINGXI_2023 = "qingxi-2023-government-work-report"
QINGXI_2024 = "qingxi-2024-government-work-report"


@pytest.fixture(scope="module")
def many(many_service: ReportQAService) -> ReportQAService:
    return many_service


def _cited_docs(answer: Answer) -> list[str]:
    return [c.hit.chunk.doc_id for c in answer.citations]


@pytest.mark.parametrize(
    ("question", "doc_id", "figure"),
    [
        # last year's result, this year's target and the five-year figure, per report year
        ("自贡2020年地区生产总值增长了多少？", ZIGONG, "3.9%"),
        ("自贡2021年地区生产总值预期增长目标是多少？", ZIGONG, "7.5%以上"),
        ("自贡“十三五”时期地区生产总值年均增长多少？", ZIGONG, "7.3%"),
        # two years of Qingxi are loaded: 去年/今年 would not say which, a year does
        ("青溪市2022年地区生产总值增长了多少？", QINGXI_2023, "4.6%"),
        ("青溪市2023年地区生产总值增长目标是多少？", QINGXI_2023, "6%左右"),
        ("青溪“十四五”规划实施以来地区生产总值年均增长多少？", QINGXI_2023, "6.1%"),
        ("2025年广东地区生产总值增长了多少？", GUANGDONG, "3.9%"),
        ("广东今年地区生产总值增长目标是多少？", GUANGDONG, "4.5%—5%"),
        ("“十四五”期间浙江全省生产总值年均增长多少？", ZHEJIANG, "5.9%"),
        ("浙江去年GDP增长多少？", ZHEJIANG, "5.5%"),  # GDP is its 全省生产总值
        # a question in traditional Chinese
        ("廣東今年地區生產總值增長目標是多少？", GUANGDONG, "4.5%—5%"),
    ],
)
def test_periods_are_each_reports_own(
    many: ReportQAService, question: str, doc_id: str, figure: str
) -> None:
    answer = many.answer(question)
    assert not answer.refused, answer.text
    assert figure in answer.text, answer.text
    assert _cited_docs(answer)[0] == doc_id
    assert many.answerer.retriever.documents[doc_id].meta.title in answer.text  # named


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        ("青溪市2019年地区生产总值增长了多少？", "year_not_in_evidence"),
        ("广东2023年地区生产总值增长了多少？", "year_not_in_evidence"),
        ("自贡2026年地区生产总值增长目标是多少？", "year_not_in_evidence"),
        ("浙江“十三五”时期全省生产总值年均增长多少？", "time_not_covered"),
        ("江苏省2026年地区生产总值增长目标是多少？", "region_not_loaded"),
        # a figure of another kind: its growth (增长27.7%), not its share of the country
        ("2025年广东新能源汽车产量占全国的比重是多少？", "only_change"),
        # a share asked as 百分之多少: the report gives a rank (跃居全国第一) and amounts
        ("2025年浙江全省生产总值占全国的百分之多少？", "only_change"),
        # a growth asked: the report gives the share (其中制造业外资占比40.9%)
        ("浙江2025年制造业实际使用外资增长了多少？", "only_share"),
        # a growth asked: the report gives the amount (保税燃料油加注880万吨), and the 11.6%
        # beside it is the container throughput's
        ("去年宁波舟山港保税燃料油加注量增长了多少？", "only_level"),
        # an amount asked: the report gives only the growth (旅游综合收入…增长…10.2%)
        ("2025年浙江旅游综合收入是多少？", "only_growth"),
        ("What was Zhejiang's total tourism revenue in 2025?", "only_growth"),
        # the figure found is another indicator's (industrial value added, not investment)
        ("How much did Zigong's industrial investment grow in 2020?", "no_indicator"),
        # or the statistic's for another scope (外贸出口, not 进出口)
        ("去年浙江外贸进出口总额增长了多少？", "no_indicator"),
    ],
)
def test_a_time_region_or_figure_the_reports_lack_is_refused_with_its_reason(
    many: ReportQAService, question: str, reason: str
) -> None:
    answer = many.answer(question)
    assert answer.refused, answer.text
    assert answer.reason.startswith(reason), answer.reason
    if reason == "region_not_loaded":
        assert "2026年广东省政府工作报告" in answer.text  # says which reports are loaded


@pytest.mark.parametrize(
    ("question", "doc_id", "parts", "first"),
    [
        ("自贡2021年重点做好哪几个方面的工作？", ZIGONG, 9, "第一，"),  # 第一，
        ("2025年广东省政府主要做了哪几方面的工作？", GUANGDONG, 6, "一是"),  # 一是
        ("浙江2026年重点工作有哪几个方面？", ZHEJIANG, 10, "（一）"),  # （一）
        ("青溪2023年重点抓好哪几个方面的工作？", QINGXI_2023, 5, "（一）"),
        ("青溪2022年主要做了哪几方面的工作？", QINGXI_2023, 3, "一是"),
    ],
)
def test_section_summaries_in_every_subsection_style(
    many: ReportQAService, question: str, doc_id: str, parts: int, first: str
) -> None:
    answer = many.answer(question)
    assert not answer.refused, answer.text
    assert len(answer.citations) == parts, answer.text
    assert set(_cited_docs(answer)) == {doc_id}
    assert answer.citations[0].quote.startswith(first), answer.citations[0].quote


def test_follow_ups_take_only_what_is_missing(many: ReportQAService) -> None:
    first = many.answer("六稳是指什么？")
    second = many.answer(
        "六保呢？", [Turn("user", "六稳是指什么？"), Turn("assistant", first.text)]
    )
    assert "保居民就业" in second.text and "稳就业" not in second.text
    question = "2025年广东地区生产总值增长了多少？"
    history = [Turn("user", question), Turn("assistant", many.answer(question).text)]
    target = many.answer("那今年的目标呢？", history)
    assert "4.5%—5%" in target.text, target.text
    other = many.answer("浙江呢？", history)
    assert "5.5%" in other.text and _cited_docs(other)[0] == ZHEJIANG, other.text


def test_two_terms_asked_at_once_are_both_answered(many: ReportQAService) -> None:
    answer = many.answer("六稳和六保分别是什么？")
    assert "稳就业" in answer.text and "保居民就业" in answer.text
    assert len(answer.citations) == 2


@pytest.mark.parametrize(
    ("question", "doc_id", "text"),
    [
        ("六稳是指什么？", ZIGONG, "“六稳”指稳就业"),  # other glossaries define other terms
        ("什么是标准海？", GUANGDONG, "“标准海”指"),  # a term quoting itself: no second quotes
        ("十五运会火爆出圈的吉祥物叫什么名字？", GUANGDONG, "喜洋洋"),
    ],
)
def test_a_question_only_one_report_answers_cites_that_report_only(
    many: ReportQAService, question: str, doc_id: str, text: str
) -> None:
    answer = many.answer(question)
    assert text in answer.text and set(_cited_docs(answer)) == {doc_id}, answer.text


def test_a_list_of_targets_is_answered_to_its_last_item(many: ReportQAService) -> None:
    """`主要预期目标为：…；…；…。`: every item, not only the first."""
    answer = many.answer("浙江今年经济社会发展的主要预期目标有哪些？")
    for item in ("全省生产总值增长5%—5.5%", "城镇调查失业率5%以内", "居民消费价格涨幅2%左右"):
        assert item in answer.text, answer.text


def test_a_numbered_list_after_a_paragraph_is_what_it_announces(many: ReportQAService) -> None:
    """`…继续认真办好十方面民生实事…。` then `1.医疗卫生方面。` … `10.除险保安方面。`: a list of
    its own numbering after the section's subsections, announced by the sentence before it."""
    answer = many.answer("浙江今年要办好哪十方面民生实事？")
    assert "“继续认真办好十方面民生实事”共分10个方面" in answer.text, answer.text
    assert "医疗卫生方面" in answer.text and "除险保安方面" in answer.text
    assert len(answer.citations) == 10


def test_a_question_several_reports_answer_is_answered_by_each(many: ReportQAService) -> None:
    answer = many.answer("城镇新增就业目标是多少？")
    lines = answer.text.split("\n")
    assert len(set(_cited_docs(answer))) >= 2 and len(lines) >= 2, answer.text
    assert all("万人" in line for line in lines), answer.text


@pytest.mark.parametrize(
    ("question", "name", "figure", "doc_id"),
    [
        (
            "“十三五”期间投资31亿元、主体完工的那个产业园，今年计划什么时候开园？",
            "恐龙文化科技产业园",
            "暑期",
            ZIGONG,
        ),
        (
            "去年说即将建成投用的那所职业技术学院，今年的目标是什么？",
            "自贡职业技术学院",
            "建成招生",
            ZIGONG,
        ),
        # the answer names the university asked about (two are supported)
        (
            "2025年建校招生的那所理工大学，被支持建设什么样的大学？",
            "宁波东方理工大学",
            "世界一流新型研究型大学",
            ZHEJIANG,
        ),
        # the sentence that names the games is not what is asked of them
        (
            "习近平总书记2025年在广东出席开幕式的那届全国运动会上，广东代表团取得了什么成绩？",
            "第十五届全国运动会",
            "历史最好成绩",
            GUANGDONG,
        ),
    ],
)
def test_a_thing_described_is_found_then_asked_about_by_name(
    many: ReportQAService, question: str, name: str, figure: str, doc_id: str
) -> None:
    answer = many.answer(question)
    assert not answer.refused and figure in answer.text, answer.text
    assert "所问的" in answer.text and name in answer.text, answer.text
    named, *asked = answer.citations
    assert name in named.quote  # [1]: the sentence that names it
    assert asked and all(c.quote != named.quote for c in asked)
    assert set(_cited_docs(answer)) == {doc_id}


def test_a_thing_named_by_its_place_in_a_glossary_list_is_that_item(
    many: ReportQAService,
) -> None:
    answer = many.answer("“两大行动”中的第二个行动里，今年持续深化的“放管服”改革以什么为重点？")
    assert "所问的行动是开放发展与营商环境提升年行动" in answer.text, answer.text
    assert "3+3" in answer.text, answer.text
    assert answer.citations[0].hit.chunk.kind == "glossary"  # [1]: the entry that lists it


def test_a_description_no_sentence_fits_is_answered_as_asked(many: ReportQAService) -> None:
    answer = many.answer("去年说已经整体搬迁的那所音乐学院，今年的目标是什么？")
    assert "所问的" not in answer.text, answer.text


def test_cross_report_questions_answer_one_line_per_report(many: ReportQAService) -> None:
    answer = many.answer("广东和浙江2026年地区生产总值增长目标分别是多少？")
    lines = answer.text.split("\n")
    assert len(lines) == 2 and "4.5%—5%" in lines[0] and "5%—5.5%" in lines[1], answer.text
    assert _cited_docs(answer) == [GUANGDONG, ZHEJIANG]


def test_two_years_of_one_region_go_to_their_own_reports(many: ReportQAService) -> None:
    answer = many.answer("青溪市2023年和2024年地区生产总值增长目标分别是多少？")
    assert "6%左右" in answer.text and "5.5%左右" in answer.text, answer.text
    assert _cited_docs(answer) == [QINGXI_2023, QINGXI_2024]
    result = many.answer("青溪市2023年地区生产总值实际增长了多少？")
    assert "6.2%" in result.text and _cited_docs(result)[0] == QINGXI_2024, result.text


def test_a_report_can_be_chosen(many: ReportQAService) -> None:
    answer = many.answer("今年地区生产总值增长目标是多少？", doc_ids=[ZHEJIANG])
    assert "5%—5.5%" in answer.text and set(_cited_docs(answer)) == {ZHEJIANG}


def test_the_report_facts_come_from_its_title_block(many: ReportQAService) -> None:
    answer = many.answer("2023年青溪市政府工作报告是哪天、在哪次会议上作的？")
    assert "2023年1月12日" in answer.text and "青溪市第八届人民代表大会第三次会议" in answer.text
    assert "二〇二三年一月十二日" in answer.text  # the title block as printed, quoted
    who = many.answer("2026年浙江省政府工作报告由谁作？")
    assert "刘捷" in who.text and _cited_docs(who) == [ZHEJIANG]


@pytest.mark.parametrize(
    ("question", "figure"),
    [
        ("去年广东工业机器人产量占全国的比重是多少？", "4成"),  # 增长31.2%、占全国4成
        ("2025年浙江实际使用外资中制造业外资占比多少？", "40.9%"),
        # the growth of a figure listed after its levels (跨越7万亿、8万亿、9万亿…，年均增长5.9%)
        ("“十四五”期间浙江全省生产总值年均增长多少？", "5.9%"),
    ],
)
def test_a_share_stated_is_answered(many: ReportQAService, question: str, figure: str) -> None:
    answer = many.answer(question)
    assert not answer.refused, answer.text
    assert figure in answer.text.split("报告原文")[0], answer.text


@pytest.mark.parametrize(
    ("question", "doc_id", "figure"),
    [
        (
            "For how many consecutive years has Guangdong's economic output ranked first in the "
            "country?",
            GUANGDONG,
            "37年",
        ),
        ("How fast did Zhejiang's gross regional product grow in 2025?", ZHEJIANG, "5.5%"),
        # a rank asked in English, stated in a clause of its own (`，稳居各省区第1位`)
        ("How do Zhejiang residents' per capita incomes rank among provinces?", ZHEJIANG, "第1位"),
        ("What is Zhejiang's 2026 target for inbound overnight visitors?", ZHEJIANG, "10%以上"),
        # general report vocabulary (markets, emerging): the clause that lists them leads
        (
            "Which emerging export markets will Guangdong step up efforts to open up this year?",
            GUANGDONG,
            "东盟、中东、非洲、中亚",
        ),
    ],
)
def test_english_questions_on_provincial_reports(
    many: ReportQAService, question: str, doc_id: str, figure: str
) -> None:
    answer = many.answer(question)
    assert not answer.refused and answer.language == "en", answer.text
    assert figure in answer.text.split("According to the report")[0], answer.text
    assert _cited_docs(answer)[0] == doc_id


@pytest.mark.parametrize(
    ("question", "figure"),
    [
        # `A、B、C…分别达x、y、z`: each subject takes its own figure
        ("广东高技术制造业增加值占规模以上工业增加值比重是多少？", "34.7%"),
        ("广东先进制造业增加值占规模以上工业增加值比重是多少？", "56.2%"),
        ("广东蔬菜产量要达到多少？", "4200万吨"),
        ("广东茶叶产量要达到多少？", "19万吨以上"),
        # several subjects asked: every figure answers, with its subject
        (
            "广东水果、蔬菜、茶叶产量要达到多少？",
            "水果、蔬菜、茶叶产量分别达2050万吨、4200万吨、19万吨以上",
        ),
        # a rank asked is answered with the rank, not the growth rate beside it
        ("广东地区生产总值总量居全国第几位？", "首位"),
        ("浙江生产总值规模居全国第几位？", "第4位"),
        # a unit after 亿 is part of the figure
        ("浙江“十四五”五年累计使用外资多少？", "846亿美元"),
        # several figures asked at once, without a 分别 list in the report: all are stated
        (
            "浙江2026年粮食播种面积和总产量分别要确保多少？",
            "确保粮食播种面积1530万亩、总产量125亿斤",
        ),
    ],
)
def test_each_figure_of_a_respective_list_goes_to_its_own_subject(
    many: ReportQAService, question: str, figure: str
) -> None:
    answer = many.answer(question)
    assert not answer.refused, answer.text
    assert answer.text.split("报告原文")[0].startswith(figure), answer.text


@pytest.mark.parametrize(
    ("question", "lead"),
    [
        ("“十四五”期间广东人均地区生产总值从多少提高到了多少？", "从9万元提高到11万元"),
        ("浙江一般公共预算收入“十四五”期间从多少提高到多少？", "从7248亿元提高到8865亿元"),
        (
            "From what to what did Zhejiang's per capita GDP rise during the 14th Five-Year "
            "Plan period?",
            "从2020年的10.5万元提高到2025年的14万元左右",
        ),
        # a ratio has no unit
        ("浙江城乡居民收入倍差从多少缩小到多少？", "从1.96缩小至1.81"),
        ("广东城乡居民收入比从多少缩小到多少？", "从2.50:1缩小至2.27:1"),
    ],
)
def test_both_levels_of_a_change_asked_are_stated(
    many: ReportQAService, question: str, lead: str
) -> None:
    answer = many.answer(question)
    assert not answer.refused, answer.text
    assert lead in re.split("报告原文|According to the report", answer.text)[0], answer.text


def test_search_goes_to_the_reports_the_question_names(many: ReportQAService) -> None:
    """A search that names a region (or years only some reports cover) looks in those reports;
    one that names none looks in all; a choice of reports still bounds it."""
    hits = many.search("广东今年地区生产总值增长目标是多少？", k=5)
    assert {h.chunk.doc_id for h in hits} == {GUANGDONG}
    assert "4.5%—5%" in hits[0].chunk.text
    both = many.search("广东和浙江2026年地区生产总值增长目标分别是多少？", k=10)
    assert {h.chunk.doc_id for h in both} == {GUANGDONG, ZHEJIANG}
    # two years of one region: both may hold it (the next year's report looks back)
    by_year = many.search("青溪市2023年地区生产总值增长目标是多少？", k=5)
    assert {h.chunk.doc_id for h in by_year} <= {QINGXI_2023, QINGXI_2024}
    assert by_year[0].chunk.doc_id == QINGXI_2023 and "6%左右" in by_year[0].chunk.text
    zigong = many.search("2020年地区生产总值增长了多少？", k=5)  # a year only one report covers
    assert {h.chunk.doc_id for h in zigong} == {ZIGONG}
    anywhere = many.search("地区生产总值增长目标", k=20)
    assert len({h.chunk.doc_id for h in anywhere}) > 2
    chosen = many.search("广东今年地区生产总值增长目标是多少？", k=5, doc_ids=[ZHEJIANG])
    assert {h.chunk.doc_id for h in chosen} == {ZHEJIANG}


def test_a_sentence_announcing_numbered_parts_is_answered_with_them(
    many: ReportQAService,
) -> None:
    """`…必须聚焦关键领域集中攻坚…。` is followed by （一）…（六）: the list question gets them."""
    answer = many.answer("浙江“十五五”时期要聚焦哪些关键领域集中攻坚？")
    assert "6个方面" in answer.text, answer.text
    for part in ("加快建设创新浙江", "共同富裕先行示范", "经济社会全面绿色转型"):
        assert part in answer.text
    assert len(answer.citations) == 6 and _cited_docs(answer) == [ZHEJIANG] * 6


def test_a_sentence_ending_a_subsection_announces_none_of_the_next(
    many: ReportQAService,
) -> None:
    """The last sentence of `第三，…` is followed by `第四，…`: it announces nothing, so the
    question is answered from its own paragraph, not with the parts 第四 to 第九."""
    answer = many.answer("自贡今年在培育发展数字经济方面有哪些安排？")
    assert not answer.refused and "个方面" not in answer.text, answer.text
    assert "数字" in answer.text.split("报告原文")[0], answer.text
    assert _cited_docs(answer)[0] == ZIGONG


def test_an_indicator_named_in_other_words_or_scope_is_answered(many: ReportQAService) -> None:
    """The English indicator and the scope checks refuse another indicator's figure (above),
    not the one asked in the report's own words (研发投入 for research and development) or of
    its own scope (Zhejiang's 城镇 and 农村 incomes)."""
    named = many.answer("How much did Guangdong spend on research and development in 2025?")
    assert not named.refused and "5350亿元" in named.text.split("According")[0], named.text
    urban = many.answer("2025年浙江城镇居民人均可支配收入增长了多少？")
    assert not urban.refused and "4.3%" in urban.text.split("报告原文")[0], urban.text
