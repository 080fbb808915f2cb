"""Run-in topic sentences: the parts of a section written inside one paragraph."""

from __future__ import annotations

from app.config import REPO_ROOT
from app.sections import Node, SectionTree, run_in_headings
from ingest.models import Chunk, Outline

GANSU = REPO_ROOT / "data" / "library" / "gansu-2026-government-work-report.txt"


def test_run_in_headings_of_a_real_paragraph() -> None:
    """Gansu's review of its last year is one paragraph whose parts are short sentences."""
    line = next(
        line
        for line in GANSU.read_text(encoding="utf-8").splitlines()
        if line.startswith("刚刚过去的")
    )
    assert run_in_headings(line) == [
        "经济运行稳中有进",
        "投资消费回暖向好",
        "新质生产力加快成长",
        "民生工作扎实推进",
        "安全水平持续提升",
    ]


def test_what_is_no_run_in_heading() -> None:
    # a short sentence that ends its paragraph heads nothing; figures, lists and quotes are
    # facts, not headings; a short sentence before a shorter one heads nothing either
    assert run_in_headings("推进改革。加力落实宏观政策，扎实做好各项工作。成效明显。") == [
        "推进改革"
    ]
    assert run_in_headings("增长5.8%。全省地区生产总值增长5.8%，居全国第2位。") == []
    assert run_in_headings("稳就业、保民生。落实就业优先政策，扩大就业容量。") == []
    assert run_in_headings("优化营商环境。好。") == []


BEIJING = REPO_ROOT / "data" / "library" / "beijing-2026-government-work-report.txt"


def test_paragraphs_opening_alike_are_the_parts_of_a_section() -> None:
    """Beijing reviews its five years in paragraphs that each open with `这五年，`; the plan
    paragraphs after them (another period) and the opening paragraph are not parts."""
    lines = BEIJING.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("二、“十四五”时期"))
    title = lines[at]
    chunks = [
        Chunk(
            f"c{i}",
            "bj",
            (title,),
            None,
            None,
            i * 1000,
            i * 1000 + len(line),
            line,
            10,
            position=i,
            period="plan_ahead" if line.startswith("“十五五”") or i > at + 7 else "review_plan",
        )
        for i, line in enumerate(lines[at + 1 : at + 12], start=at + 1)
    ]
    outline = Outline(title, 1, "cn_section", "section", ("review_plan", "plan_ahead"), 0)
    tree = SectionTree({}, lambda doc_id: chunks)
    parts = tree.parallel_leads(Node("bj", (title,), outline), frozenset({"review_plan"}), 3)
    assert [p for p, _ in parts] == [
        "这五年，我们牢记嘱托、锚定蓝图，“四个中心”功能建设不断加强",
        "这五年，我们锐意改革、矢志创新，经济高质量发展取得显著成效",
        "这五年，我们赓续文脉、传承发展，首都文化软实力和影响力不断提升",
        "这五年，我们系统治理、持续攻坚，绿色底色更加鲜明靓丽",
        "这五年，我们以人为本、精细施策，现代化建设成果更多惠及人民群众",
    ]
    assert tree.parallel_leads(Node("bj", (title,), outline), frozenset({"review_plan"}), 6) == []
