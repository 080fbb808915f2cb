"""Sentence scoring, question words and period narrowing: pure functions, no model."""

from __future__ import annotations

from app.evidence import english_unnamed, indicator_phrase, other_scope
from app.extract import (
    bigram_coverage,
    bigrams,
    coverage,
    focus_clause,
    key_span,
    level_instead,
    names_another_subject,
    respective,
    subject_before,
    term_groups,
    whole_list,
)
from app.refusal import Figure, only_changes
from app.render import missing_periods_note, period_label
from index.figures import NUMBER_WITH_UNIT, PERCENT_LEVEL, states_unit, unit_pattern
from index.qtype import (
    asked_unit,
    is_question_word,
    question_kind,
    wants,
    wants_level,
    wants_summary,
    without_asking_phrases,
)
from index.query import analyze, resolve
from ingest.sentences import Span
from ingest.timeline import build_timeline

T2021 = build_timeline(2021, "到2035年基本实现社会主义现代化")
T2026 = build_timeline(2026, "到2035年")


def _periods(question: str, timeline=T2021):  # type: ignore[no-untyped-def]
    return resolve(analyze(question), timeline).periods


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
    """`GDP` stands for 地区生产总值 (or a report's 全省生产总值) as a whole: 农业生产 must not
    count as GDP."""
    groups = term_groups("gdp", _tokens, _idf({"地区生产总值": 2.0}))
    assert groups[0].words == ("gdp", "地区生产总值", "生产总值")
    assert coverage("坚持不误农时抓好农业生产", groups) == 0.0
    assert coverage("全年地区生产总值增长3.9%", groups) == 1.0
    assert coverage("全省生产总值增长5.5%", groups) == 1.0


def test_bigrams_keep_only_pairs_the_report_has() -> None:
    grams = bigrams("规模以上工业企业有多少户", REPORT + "规模以上工业企业")
    assert "规模" in grams and "企业" in grams
    assert "多少" not in grams  # not in the report
    assert bigram_coverage("规模以上工业企业累计达到606户", grams) == 1.0
    assert bigram_coverage("四上单位达到1681户", grams) == 0.0
    assert bigram_coverage("anything", frozenset()) == 0.0


def test_a_comparison_resolves_to_one_period_per_time_asked() -> None:
    question = "去年GDP实际增速和今年的目标分别是多少？"
    query = analyze(question)
    assert _periods(question) == {"review_year", "plan_year"}
    review, plan = (query.narrowed(a, target=a.value == 0) for a in query.times)
    assert resolve(review, T2021).periods == {"review_year"} and "GDP" in review.text
    assert resolve(plan, T2021).periods == {"plan_year"} and "GDP" in plan.text


def test_narrowing_keeps_the_words_of_what_is_compared() -> None:
    """预期 in 人均预期寿命 is not a target; two five-year plans compared keep it."""
    question = "人均预期寿命十三五期间提高到多少？十四五末目标是多少？"
    query = analyze(question)
    assert _periods(question) == {"review_plan", "plan_ahead"}
    ahead = query.narrowed(query.times[1], target=True)
    assert "人均预期寿命" in ahead.text and "十三五" not in ahead.text


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


def test_periods_are_the_reports_own() -> None:
    """The same words name different periods in a 2021 and a 2026 report."""
    assert _periods("十三五期间GDP年均增长多少？") == {"review_plan"}
    assert _periods("今年PM2.5年均浓度要降到多少？") == {"plan_year"}
    assert _periods("“十四五”期间年均增长多少？") == {"plan_ahead"}
    assert _periods("“十四五”期间年均增长多少？", T2026) == {"review_plan"}
    assert _periods("去年GDP增长了多少？", T2026) == {"review_year"}
    assert _periods("2025年GDP增长了多少？") == {"plan_ahead"}  # the end of the plan ahead
    # a year outside the report's own periods: only evidence that names it answers
    assert resolve(analyze("2026年的目标是多少？"), T2021).years == (2026,)
    assert resolve(analyze("十三五时期增长多少？"), T2026).uncovered == ("“十三五”",)


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
    question = "城镇登记失业率去年实际是多少？今年要控制在多少以内？"
    query = analyze(question)
    review, plan = (query.narrowed(a, target=a.value == 0) for a in query.times)
    assert review.text == "城镇登记失业率去年实际是多少?"
    assert "城镇登记失业率" in plan.text and plan.text.endswith("今年要控制在多少以内?")
    two = analyze("去年GDP增速和今年的粮食产量目标分别是多少？")
    review, plan = (two.narrowed(a, target=a.value == 0) for a in two.times)
    assert "粮食" not in review.text and "GDP" not in plan.text
    # a clause without its own topic borrows the whole question's
    shared = analyze("去年GDP实际增速和今年的目标分别是多少？")
    assert "GDP" in shared.narrowed(shared.times[1], target=True).text


def test_missing_periods_note_names_them_in_the_question_language() -> None:
    label = period_label("plan_year", T2021, "zh")
    assert missing_periods_note("zh", [label]) == "报告中没有找到2021年的相应数字。"
    english = period_label("review_plan", T2021, "en")
    assert "13th Five-Year Plan" in missing_periods_note("en", [english])
    assert period_label("review_plan", T2026, "zh") == "“十四五”时期"


def test_a_share_asked_as_a_percentage_or_of_value_added_is_a_rate_level() -> None:
    assert wants("广东海上风电装机规模占全国的百分之多少？").rate
    assert wants_level("北京数字经济增加值占地区生产总值的比重是多少？")  # 增加值 is no change
    assert not wants_level("去年数字经济增加值增长了多少？")


def test_a_growth_rate_is_not_a_level_a_share_in_tenths_is() -> None:
    assert not PERCENT_LEVEL.search("新能源汽车产量增长27.7%")
    assert not PERCENT_LEVEL.search("出口同比增长超过5%")
    assert PERCENT_LEVEL.search("工业机器人产量增长31.2%、占全国4成").group(0) == "4成"
    assert PERCENT_LEVEL.search("常住人口城镇化率提高到76.58%").group(0) == "76.58%"
    assert not PERCENT_LEVEL.search("全面建成投产")


def test_the_figure_of_a_list_is_the_one_whose_own_words_match() -> None:
    text = "包括：地区生产总值年均增速5%左右、全员劳动生产率达58万元/人左右、彩化率达24.2%。"
    sentence = Span("c", text, 0, len(text))
    known = {"全员": 3.8, "劳动生产率": 3.8, "目标": 1.0}
    groups = term_groups("全员 劳动生产率 目标", _tokens, _idf(known))
    key = key_span(sentence, groups, wants("全员劳动生产率的目标是多少？"))
    assert key is not None and key.text == "58万元/人左右"
    listed = "地区生产总值5.2万亿元、增长5.4%"
    assert subject_before(listed, listed.index("5.4%")) == "地区生产总值5.2万亿元、增长"
    listed = "企业达7.6万家、增加值增长3%"
    assert subject_before(listed, listed.index("3%")) == "增加值增长"


def test_a_change_asked_is_answered_with_a_change_or_refused_as_a_level() -> None:
    known = {"生产总值": 3.0, "年均": 1.0, "保有量": 4.0, "新能源汽车": 4.0}
    # a change listed after levels belongs to their subject (`跨越7万亿、8万亿…，年均增长`)
    text = "全省生产总值连续跨越7万亿、8万亿、9万亿三个大台阶，年均增长5.9%，规模稳居全国第4位。"
    assert subject_before(text, text.index("5.9%")).startswith("全省生产总值")
    sentence = Span("c", text, 0, len(text))
    groups = term_groups("生产总值 年均", _tokens, _idf(known))
    asked = wants("全省生产总值年均增长多少？")
    assert asked.rate and not asked.level
    key = key_span(sentence, groups, asked)
    assert key is not None and key.text == "5.9%"
    assert level_instead(sentence, groups) is None
    # only the level is given; the percentages beside it are other indicators'
    text = "新能源汽车保有量超130万辆，绿色电力占比达36%，细颗粒物年均浓度下降11.5%。"
    sentence = Span("c", text, 0, len(text))
    groups = term_groups("新能源汽车 保有量", _tokens, _idf(known))
    level = level_instead(sentence, groups)
    assert level is not None and level.text == "130万辆"
    before = text[: level.start]
    assert Figure(level.text, before).is_level()
    assert not Figure("8897个", "新增普惠托位").is_level()  # an amount added is a change
    assert not Figure("3.2万人", "城镇就业增加").is_level()
    assert not Figure("11.6%", "增长").is_level()


def test_the_level_a_change_reaches_is_a_level_and_a_share_is_a_rate() -> None:
    reached = wants("换乘比例去年是多少？今年要提升到多少？")
    assert reached.rate and reached.level  # `提升到` asks the level reached
    assert wants("森林覆盖率提高至多少？").level
    change = wants("比例提高了多少？")
    assert change.rate and not change.level
    assert not wants("居民消费价格涨了多少？").level  # `涨` asks a change
    share = wants("封测规模占国内市场的份额是多少？")
    assert share.rate and share.level  # `份额` is a share


def test_an_amount_asked_where_only_growth_is_given() -> None:
    assert only_changes(
        "全域旅游人数、旅游综合收入分别增长9.2%、10.2%，入境过夜游客人数增长24.9%。"
    )
    assert not only_changes("地区生产总值5.2万亿元、增长5.4%")  # the amount is there
    assert not only_changes("研发投入强度达3.3%")  # a level, not a growth
    asked = wants("2025年浙江旅游综合收入是多少？")
    assert asked.kind == "number" and not (asked.rate or asked.change or asked.unit)
    assert wants("去年来北京的境外游客比前年多了多少？").change
    assert wants("工厂交电费便宜了多少？").change


def test_english_number_questions_name_their_measure() -> None:
    assert question_kind("What is Guangdong's R&D spending intensity target for 2026?") == "number"
    assert question_kind("What is the value of exports in 2025?") == "number"
    assert question_kind("What is the target of the reform?") != "number"


def test_each_subject_of_a_respective_list_takes_its_own_figure() -> None:
    text = "原煤、原油、天然气产量分别达到7000万吨、1280万吨、10亿立方米"
    figures = list(NUMBER_WITH_UNIT.finditer(text))
    known = {"原煤": 4.0, "原油": 4.0, "天然气": 4.0, "产量": 2.0}

    def asked(question: str) -> int | None:
        return respective(text, figures, term_groups(question, _tokens, _idf(known)))

    assert asked("原煤 产量") == 0
    assert asked("原油 产量") == 1
    assert asked("天然气 产量") == 2
    assert asked("产量") is None  # what all of them share tells none apart
    sentence = Span("c", text, 0, len(text))
    groups = term_groups("原油 产量", _tokens, _idf(known))
    key = key_span(sentence, groups, wants("原油产量要达到多少？"))
    assert key is not None and key.text == "1280万吨"
    # the shared words after the last subject do not make it the one asked
    shares = "先进制造业、高技术制造业增加值占规模以上工业增加值比重分别达56.2%、34.7%"
    groups = term_groups("数字经济 增加值 比重", _tokens, _idf({"增加值": 2.0, "比重": 2.0}))
    assert respective(shares, list(PERCENT_LEVEL.finditer(shares)), groups) is None
    # counts that differ, or no list before 分别: no alignment
    uneven = "原煤、原油产量分别达到7000万吨、1280万吨、10亿立方米"
    assert respective(uneven, list(NUMBER_WITH_UNIT.finditer(uneven)), groups) is None


def test_a_unit_after_a_scale_is_part_of_the_figure() -> None:
    for text, figure in [
        ("粮食总产量125亿斤", "125亿斤"),
        ("实际使用外资115.6亿美元", "115.6亿美元"),
        ("外调绿电规模达450亿千瓦时", "450亿千瓦时"),
        ("算力规模达到11.4万P", "11.4万P"),  # computing power, in petaflops
    ]:
        match = NUMBER_WITH_UNIT.search(text)
        assert match is not None and match.group(0) == figure


def test_a_ratio_is_a_figure_though_it_has_no_unit() -> None:
    for text, figures in [
        ("城乡居民收入比从2.50:1缩小至2.27:1", ["2.50:1", "2.27:1"]),
        ("城乡居民收入比收窄至2：1以内", ["2：1以内"]),
        ("城乡居民收入比值由3.27缩小至2.93。", ["3.27", "2.93"]),
        ("收入倍差从1.96缩小至1.81", ["1.96", "1.81"]),
        # a version or a code is no figure
        ("建设数字政府2.0版，PM2.5浓度下降", []),
    ]:
        assert [m.group(0) for m in NUMBER_WITH_UNIT.finditer(text)] == figures, text


def test_english_rate_and_change_words_are_whole_words() -> None:
    assert not wants("How many corporate headquarters will be attracted?").rate
    assert not wants("How many enterprises were added?").change
    assert not wants("How many stock exchange listings were there?").change
    assert wants("What is the growth rate of GDP?").rate
    assert wants("What share of exports goes to Europe?").level
    assert wants("How fast did exports grow?").change
    assert question_kind("Which companies were listed?") == "list"


def test_a_respective_list_asked_by_what_its_subjects_share_answers_whole() -> None:
    text = "城镇、农村居民人均可支配收入分别增长3.4%、5.2%"
    known = {"居民": 2.0, "人均": 2.0, "可支配收入": 3.0, "城镇": 3.0, "农村": 3.0}
    shared = term_groups("居民 人均 可支配收入", _tokens, _idf(known))
    assert whole_list(text, shared) == (0, len(text))
    sentence = Span("c", f"全年{text}。", 0, len(text) + 3)
    key = key_span(sentence, shared, wants("居民人均可支配收入增长多少？"))
    assert key is not None and key.text == f"全年{text}"  # the list with its scope
    rural = term_groups("农村 居民 可支配收入", _tokens, _idf(known))
    assert whole_list(text, rural) is None  # one subject asked: its own figure
    assert respective(text, list(NUMBER_WITH_UNIT.finditer(text)), rural) == 1
    assert not names_another_subject(text, shared)
    both = term_groups("城镇 农村 可支配收入", _tokens, _idf(known))
    assert whole_list(text, both) == (0, len(text))  # several subjects asked


def test_a_respective_list_of_other_subjects_does_not_state_the_indicator() -> None:
    text = "文化及相关产业、旅游及相关产业增加值占地区生产总值比重分别超过2%、5%"
    known = {"工业": 3.0, "增加值": 2.0, "文化": 3.0}
    assert names_another_subject(text, term_groups("工业 增加值", _tokens, _idf(known)))
    assert not names_another_subject(text, term_groups("文化 增加值", _tokens, _idf(known)))
    assert not names_another_subject("工业增加值增长5%", term_groups("工业", _tokens, _idf(known)))
    # what the indicator is about is named (城乡, both subjects); its other words may differ
    both = "城乡居民人均可支配收入分别增长5%、6.5%"
    known = {"城乡": 3.0, "收入": 2.0, "年均": 1.0}
    assert not names_another_subject(both, term_groups("城乡 收入 年均", _tokens, _idf(known)))


def test_a_time_clause_is_no_indicator() -> None:
    """`抗击疫情时…有多少` frames the figure in time: it names no indicator to check."""
    assert indicator_phrase(analyze("抗击疫情时有多少志愿者站了出来？")) == ""
    assert indicator_phrase(analyze("2025年城镇居民人均可支配收入增长了多少？")) == (
        "城镇居民人均可支配收入"
    )
    assert indicator_phrase(analyze("每周平均工作小时是多少？")) == "每周平均工作小时"


def test_urban_and_rural_in_one_word_are_two_subjects() -> None:
    text = "城乡居民人均可支配收入分别增长5%、6.5%左右"
    figures = list(NUMBER_WITH_UNIT.finditer(text))
    known = {"农村": 3.0, "城镇": 3.0, "居民": 2.0, "可支配收入": 3.0}
    rural = term_groups("农村 居民 可支配收入", _tokens, _idf(known))
    urban = term_groups("城镇 居民 可支配收入", _tokens, _idf(known))
    assert respective(text, figures, rural) == 1
    assert respective(text, figures, urban) == 0


def test_a_list_question_gets_the_clause_that_lists_not_the_one_restating_it() -> None:
    text = "推动重大水利工程建设，加快建设向家坝灌区、长征渠引水工程。"
    sentence = Span("c", text, 0, len(text))
    known = {"推动": 1.0, "重大": 1.0, "水利": 3.0, "工程": 2.0, "建设": 1.0}
    groups = term_groups("推动 重大 水利 工程 建设", _tokens, _idf(known))
    key = key_span(sentence, groups, wants("推动重大水利工程建设，涉及哪些工程？"))
    assert key is not None and key.text.startswith("加快建设向家坝灌区、长征渠引水工程")
    # a clause that adds a name to the question's words is no echo
    named = "凤鸣通用机场建成运营。"
    groups = term_groups("通用 机场 建成 运营", _tokens, _idf({"机场": 3.0, "运营": 1.0}))
    key = key_span(Span("c", named, 0, len(named)), groups, wants("建成运营的通用机场叫什么？"))
    assert key is not None and key.text.startswith("凤鸣")
    # only echoes: no key, the quoted sentence answers
    echo = "推动重大水利工程建设。"
    groups = term_groups("推动 重大 水利 工程 建设", _tokens, _idf(known))
    assert (
        key_span(Span("c", echo, 0, len(echo)), groups, wants("推动重大水利工程建设吗？")) is None
    )


def test_a_rank_asked_wants_the_place_not_the_rate() -> None:
    asked = wants("规模以上工业增加值增速在全省排第几位？")
    assert asked.rank and not asked.rate and not asked.change
    assert not wants("排名世界第一的港口吞吐量是多少？").rank  # a rank that only describes
    assert not wants("For how many years has it ranked first in the country?").rank
    text = "规模以上工业增加值增长5.1%、居全省第4位"
    groups = term_groups("规模以上 工业 增加值 增速", _tokens, _idf({"工业": 2.0, "增加值": 2.0}))
    key = key_span(Span("c", text, 0, len(text)), groups, asked)
    assert key is not None and key.text == "第4位"


def test_a_which_question_leads_with_the_clause_naming_what_it_asks_for() -> None:
    assert wants("今年支持哪些骨干企业去开拓沿线市场？").thing == "骨干企业"
    assert wants("要启动建设哪两座博物馆？").thing == "博物馆"
    assert wants("通用机场叫什么名字？").thing == ""  # a name, not a kind of thing
    text = "积极拓展东南亚、南亚等沿线市场，支持华西能源、硬质合金等骨干企业开拓市场。"
    known = {"骨干企业": 3.0, "开拓": 2.0, "沿线": 3.0, "市场": 1.0}
    groups = term_groups("支持 骨干企业 开拓 沿线 市场", _tokens, _idf(known))
    key = key_span(Span("c", text, 0, len(text)), groups, wants("支持哪些骨干企业开拓沿线市场？"))
    assert key is not None and key.text.startswith("支持华西能源")


def test_a_count_is_of_the_noun_after_it() -> None:
    """`新增39个国省创新平台、996项国家专利`: 39个 counts the platforms, not 996项 after them."""
    text = "新增39个国省创新平台、996项国家专利"
    groups = term_groups("创新 平台", _tokens, _idf({"创新": 2.0, "平台": 2.0}))
    key = key_span(Span("c", text, 0, len(text)), groups, wants("新增了多少个创新平台？"))
    assert key is not None and key.text == "39个"
    clusters = "培育形成3个万亿级和7个千亿级产业集群"
    groups = term_groups("万亿级 产业集群", _tokens, _idf({"万亿级": 4.0, "产业集群": 2.0}))
    key = key_span(Span("c", clusters, 0, len(clusters)), groups, wants("万亿级产业集群有几个？"))
    assert key is not None and key.text == "3个"


def test_a_word_bounding_a_figure_is_stated_with_it() -> None:
    groups = term_groups("新能源汽车 保有量", _tokens, _idf({"新能源汽车": 3.0, "保有量": 3.0}))
    asked = wants("新能源汽车保有量达到多少？")
    for text, figure in [
        ("新能源汽车保有量超130万辆", "超130万辆"),
        ("新能源汽车保有量不少于28万辆", "不少于28万辆"),
        ("新能源汽车保有量节约30万辆", "30万辆"),  # 节约 is no bound
    ]:
        key = key_span(Span("c", text, 0, len(text)), groups, asked)
        assert key is not None and key.text == figure, text
        assert text[key.start : key.end] == key.text  # offsets stay exact


def test_both_levels_of_a_change_asked_are_stated() -> None:
    """`从多少提高到多少` asks where the change started and where it ended: the answer states
    both levels (the years between them too); `提高到多少` asks only the level reached."""
    assert wants("人均预期寿命从多少提高到多少？").span
    assert wants("一般公共预算收入由多少增加至多少？").span
    assert wants("From what to what did per capita GDP rise?").span
    assert not wants("人均预期寿命提高到多少？").span
    weights = {"人均": 2.0, "生产总值": 2.0, "实验室": 2.0}
    groups = term_groups("人均 生产总值 实验室", _tokens, _idf(weights))
    for text, both in [
        ("人均地区生产总值从9万元提高到11万元", "从9万元提高到11万元"),
        ("人均地区生产总值从2020年的10.5万元提高到2025年的14万元左右", None),
        ("全国重点实验室从15家跃升到38家", "从15家跃升到38家"),
    ]:
        sentence = Span("c", text, 0, len(text))
        key = key_span(sentence, groups, wants("人均地区生产总值从多少提高到多少？"))
        expected = both or text[text.index("从") :]
        assert key is not None and key.text == expected, text
        assert text[key.start : key.end] == key.text
        reached = key_span(sentence, groups, wants("人均地区生产总值提高到多少？"))
        assert reached is not None and reached.text == text[text.rindex("到") + 1 :].replace(
            "2025年的", ""
        )


def test_several_figures_asked_at_once_are_stated_together() -> None:
    assert wants("粮食播种面积和总产量分别要确保多少？").several == 2
    assert wants("安排重大项目多少个、年度投资多少？").several == 2
    assert wants("原煤、原油、天然气产量分别是多少？").several == 3
    assert wants("去年服务业增加值增长了多少？").several == 1
    assert wants("人均预期寿命从多少提高到多少？").several == 1  # one change, both levels
    # one figure per time asked: the comparison answers each period on its own
    assert analyze("去年GDP实际增速和今年的目标分别是多少？").wants.several == 1
    assert wants("城镇登记失业率去年实际是多少，今年要控制在多少以内？").several == 1
    text = "严守耕地红线，严格占补平衡管理，确保粮食播种面积1530万亩、总产量125亿斤。"
    groups = term_groups(
        "粮食 播种 面积 总产量",
        _tokens,
        _idf(dict.fromkeys(["粮食", "播种", "面积", "总产量"], 2.0)),
    )
    sentence = Span("c", text, 0, len(text))
    key = key_span(sentence, groups, wants("粮食播种面积和总产量分别要确保多少？"))
    assert key is not None and key.text == "确保粮食播种面积1530万亩、总产量125亿斤"
    assert text[key.start : key.end] == key.text
    one = key_span(sentence, groups, wants("粮食播种面积要确保多少？"))
    assert one is not None and one.text == "1530万亩"


def test_an_english_indicator_is_named_by_a_report_word_for_it() -> None:
    def unnamed(question: str, evidence: str) -> str:
        groups = term_groups(question, str.split, lambda _: 1.0)
        return english_unnamed(analyze(question), groups, evidence)

    jobs = "How many new urban jobs did Beijing create in 2025?"
    assert unnamed(jobs, "提供11.2万个高校毕业生就业岗位") == "urban jobs"
    assert unnamed(jobs, "城镇新增就业26.1万人") == ""
    # a plan's name is a time, not an indicator; a Chinese question is judged otherwise
    plan = "How many 5G base stations were built during the 14th Five-Year Plan?"
    assert unnamed(plan, "累计建成5G基站8.2万个") == ""
    assert unnamed("城镇新增就业多少人？", "就业岗位11.2万个") == ""


def test_a_statistic_of_another_scope_is_not_the_one_asked() -> None:
    asked = "城镇居民人均可支配收入"
    assert other_scope(asked, "全体居民人均可支配收入增长6.1%，")
    assert not other_scope(asked, "城镇和农村居民人均可支配收入分别增长4.3%、5.5%")
    assert not other_scope(asked, "城乡居民人均可支配收入分别增长5%、6%")  # 城乡 holds 城镇
    assert not other_scope(asked, "居民人均可支配收入增长5%")  # no scope named: not judged
    assert other_scope("外贸进出口总额", "外贸出口增长7.2%，")
    assert not other_scope("外贸出口", "外贸进出口总额增长3%，其中出口增长5%")
