"""Run-in topic sentences: the parts of a section written inside one paragraph."""

from __future__ import annotations

from app.config import REPO_ROOT
from app.sections import run_in_headings

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
