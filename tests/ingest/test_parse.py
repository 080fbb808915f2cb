"""parse(): the section tree, title block, lead-ins, glossary and markers of the real report."""

from __future__ import annotations

import re

from ingest.clean import clean
from ingest.models import Document
from ingest.parse import parse, split_paragraphs
from ingest.structure import with_lead_in

CHINESE_ORDINALS = "一二三四五六七八九"


def test_three_top_sections(report_doc: Document) -> None:
    titles = [s.title for s in report_doc.sections]
    assert titles == [
        "一、2020年工作回顾及“十三五”主要成就",
        "二、“十四五”规划和2035年远景目标的主要考虑",
        "三、2021年主要工作安排",
    ]
    assert all(s.level == 1 for s in report_doc.sections)
    for section in report_doc.sections:
        assert report_doc.clean_text[section.start :].startswith(section.title)


def test_nine_subsections_under_the_work_plan(report_doc: Document) -> None:
    first, second, plan = report_doc.sections
    assert not first.children
    # the outlook's six tasks open their paragraphs with 一是 … 六是
    assert [c.title[:2] for c in second.children] == [
        "一是",
        "二是",
        "三是",
        "四是",
        "五是",
        "六是",
    ]
    assert second.children[0].title == "一是奋力抢抓战略机遇，在融入双城经济圈建设上取得新突破"
    assert all(c.style == "一是" and c.level == 2 for c in second.children)
    assert len(plan.children) == 9
    for ordinal, child in zip(CHINESE_ORDINALS, plan.children, strict=True):
        assert child.title.startswith(f"第{ordinal}，") and child.level == 2
        assert plan.start < child.start < child.end <= plan.end
        assert child.paragraphs, child.title
    assert (
        plan.children[0].title == "第一，坚持“外防输入、内防反弹”，慎终如始抓好常态化疫情精准防控"
    )
    assert plan.children[8].title == "第九，强化政府自身建设，努力建设人民满意政府"


def test_section_spans_hold_their_paragraphs(report_doc: Document) -> None:
    text = report_doc.clean_text
    nodes = [n for s in report_doc.sections for n in s.walk()]
    for node in nodes:
        assert node.start < node.heading_stop <= node.end
        for paragraph in node.paragraphs:
            assert node.start < paragraph.start < paragraph.end <= node.end
            assert text[paragraph.start : paragraph.end] == paragraph.text
            assert "\n" not in paragraph.text


def test_title_block(report_doc: Document) -> None:
    assert [p.text for p in report_doc.title_block] == [
        "2021年自贡市政府工作报告",
        "2021年2月5日",
        "在自贡市第十七届人民代表大会第六次会议上",
        "自贡市人民政府市长 何树平",
    ]


def test_closing_address_is_not_part_of_the_last_subsection(report_doc: Document) -> None:
    plan = report_doc.sections[-1]
    closing = [p for p in plan.paragraphs if p.start > plan.children[-1].end]
    assert [p.text[:5] for p in closing] == ["各位代表！"]
    assert all(not p.text.startswith("各位代表") for p in plan.children[-1].paragraphs)


def test_lead_ins_name_the_paragraph_topics(report_doc: Document) -> None:
    plan = report_doc.sections[-1]
    assert [p.lead_in for p in plan.children[0].paragraphs] == [
        "织密织牢防控网络",
        "落实精准防控措施",
        "提升应急处置能力",
    ]
    for child in plan.children:
        for paragraph in child.paragraphs:
            if paragraph.lead_in:
                assert paragraph.text.startswith(paragraph.lead_in + "。")
    with_lead = [p for c in plan.children for p in c.paragraphs if p.lead_in]
    assert len(with_lead) >= 30


def test_lead_in_rule() -> None:
    def lead(text: str) -> str:
        return with_lead_in(split_paragraphs(text)[0]).lead_in

    assert lead("织密织牢防控网络。压紧压实属地责任。") == "织密织牢防控网络"
    assert lead("各位代表！新阶段新征程。") == ""  # an address, not a topic
    assert lead("只有一句话。") == ""  # nothing follows it
    assert (
        lead("今年是开启全面建设社会主义现代化自贡新征程的第一年，是十四五开局之年。其后。") == ""
    )
    # a first sentence that states a figure is a fact of the paragraph, not its topic
    assert lead("地区生产总值增长3.9%、总量连续37年居全国首位。地方一般公共预算收入增长3%。") == ""
    assert lead("货物进出口总额9.5万亿元。服务贸易总额突破2500亿美元。") == ""
    assert lead("5G网络加快建设。新建基站1万个。") == "5G网络加快建设"


def test_glossary_has_26_entries_with_terms_and_definitions(report_doc: Document) -> None:
    glossary = report_doc.glossary
    assert [e.number for e in glossary] == list(range(1, 27))
    for entry in glossary:
        assert entry.term and entry.definition.startswith("指")
        assert report_doc.clean_text[entry.start : entry.end] == (
            f"{entry.number}.{entry.term}：{entry.definition}"
        )
        assert entry.page == report_doc.page_at(entry.start)
    assert glossary[0].term == "六稳"
    assert glossary[16].term == "“1+N”园区功能布局"
    # an entry wrapped across pages 35/36 is one entry
    wrapped = next(e for e in glossary if e.number == 18)
    assert wrapped.definition == "指项目攻坚三年行动、开放发展与营商环境提升年行动。"


def test_every_marker_resolves_to_its_glossary_entry(report_doc: Document) -> None:
    text = report_doc.clean_text
    body_end = report_doc.glossary[0].start
    in_body = [(int(m.group(1)), m.start()) for m in re.finditer(r"\[(\d+)\]", text[:body_end])]
    assert [(r.number, r.start) for r in report_doc.footnote_refs] == in_body
    entries = {e.number: e for e in report_doc.glossary}
    for ref in report_doc.footnote_refs:
        assert text[ref.start : ref.end] == f"[{ref.number}]"
        entry = entries[ref.number]
        before = _unquoted(text[max(0, ref.start - 30) : ref.start])
        assert before.endswith(_unquoted(entry.term)), (ref.number, entry.term, before)
    assert {r.number for r in report_doc.footnote_refs} == set(entries)


def _unquoted(text: str) -> str:
    return text.replace("“", "").replace("”", "")


def test_parse_without_glossary_or_sections() -> None:
    document = parse(clean("标题\n这是一段正文。\n", wrapped=False), "plain")
    assert [p.text for p in document.title_block] == ["标题"]
    assert document.glossary == () and document.footnote_refs == ()
    # no report structure: one section holds the body, with a warning
    assert [s.title for s in document.sections] == ["正文"]
    assert [p.text for p in document.sections[0].paragraphs] == ["这是一段正文。"]
    assert any("章节结构" in w for w in document.warnings)


def test_numbered_body_items_are_not_a_glossary() -> None:
    lines = [
        "标题",
        "一、工作安排",
        "第一，稳定增长",
        "1.扩大投资：多渠道扩大投资。",
        "2.促进消费。",
        "最后一段。",
    ]
    document = parse(clean("\n".join(lines), wrapped=False), "t")
    assert document.glossary == ()
    first = document.sections[0].children[0]
    assert [c.title for c in first.children] == ["1.扩大投资：多渠道扩大投资", "2.促进消费"]
    assert [p.text for p in first.children[-1].paragraphs] == ["最后一段。"]
    glossary = [*lines[:-1], "注释", "1.扩大投资：指多渠道扩大投资。"]
    document = parse(clean("\n".join(glossary), wrapped=False), "t")
    assert [(e.number, e.term) for e in document.glossary] == [(1, "扩大投资")]


def test_glossary_entry_styles_and_wrapped_definitions() -> None:
    """Entries numbered `（1）` / `［2］` / `3、`, with the definition on the lines after the
    term (a web copy) or wrapped over two lines; `附件2` above the heading belongs to it."""
    lines = [
        "2026年某省政府工作报告",
        "各位代表：",
        "一、2025年工作回顾",
        "实施“一降三减”［1］行动。",
        "附件2",
        "名词解释",
        "（1）一降三减：",
        "火灾起数总体下降，",
        "亡人数减少。",
        "［2］四上企业：指规模以上企业。",
        "3、20条措施：指二十项措施。",
    ]
    document = parse(clean("\n".join(lines), wrapped=False), "t")
    assert [(e.number, e.term, e.definition) for e in document.glossary] == [
        (1, "一降三减", "火灾起数总体下降，亡人数减少。"),
        (2, "四上企业", "指规模以上企业。"),
        (3, "20条措施", "指二十项措施。"),
    ]
    assert document.glossary_heading is not None and document.glossary_heading.text == "名词解释"
    assert [(r.number, document.clean_text[r.start : r.end]) for r in document.footnote_refs] == [
        (1, "［1］")
    ]
    assert [s.kind for s in document.sections] == ["section"]  # 附件2 heads the glossary
