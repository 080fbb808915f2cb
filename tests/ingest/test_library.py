"""The eight library reports and the bundled one, ingested with nothing but their text.

Every expected value in `EXPECTED` was filled in by reading the report (title block, headings,
glossary, markers), not by running the code: region, level, year, date, speaker, the number of
headings below each top section (every depth), each top section's periods, the glossary's size
and two entries checked by eye. The web copies carry page chrome before and after the report.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli_ingest import ingest_cmd
from app.config import REPO_ROOT
from ingest.models import Chunk, Document
from ingest.pipeline import ingest_path
from tests.ingest.helpers import REPORT, normalise

LIBRARY = REPO_ROOT / "data" / "library"
Counter = Callable[[str], int]


@dataclass(frozen=True)
class Expected:
    doc_id: str
    region: str
    level: str
    year: int
    date: str
    speaker: str
    office: str
    printed_title: str
    meeting: str
    first_line: str  # the report's first and last line (after the chrome is dropped)
    last_line: str
    subsections: tuple[int, ...]  # headings below each top section, at any depth
    periods: tuple[tuple[str, ...], ...]  # each top section's periods
    glossary: int
    samples: tuple[tuple[str, str], ...]  # (term, how its definition starts)
    footnote_refs: int


EXPECTED = (
    Expected(
        "guangdong-2026-government-work-report",
        region="广东省",
        level="省",
        year=2026,
        date="2026-01-26",
        speaker="孟凡利",
        office="省长",
        printed_title="政府工作报告",
        meeting="广东省第十四届人民代表大会第五次会议",
        first_line="政府工作报告",
        last_line="指县级以上人民政府行政主",
        subsections=(6, 5, 14),
        periods=(("review_year", "review_plan"), ("plan_ahead", "long_range"), ("plan_year",)),
        glossary=13,
        samples=(
            ("“四上”企业", "现阶段统计工作实践中"),
            ("“双高计划”", "是“中国特色高水平高职学校和专业建设计划”"),
        ),
        footnote_refs=0,
    ),
    Expected(
        "hainan-2026-government-work-report",
        region="海南省",
        level="省",
        year=2026,
        date="2026-01-27",
        speaker="刘小明",
        office="省长",
        printed_title="政府工作报告",
        meeting="海南省第七届人民代表大会第五次会议",
        first_line="政府工作报告",
        last_line="一般地方性法规制定权、经",
        subsections=(0, 0, 10, 0),
        periods=(("review_year", "review_plan"), ("plan_ahead",), ("plan_year",), ("plan_year",)),
        glossary=28,
        samples=(
            ("一降三减", "全年火灾起数总体下降"),
            ("四大主导产业", "旅游业、现代服务业、高新技术产业"),
        ),
        footnote_refs=28,
    ),
    Expected(
        "jiangxi-2026-government-work-report",
        region="江西省",
        level="省",
        year=2026,
        date="2026-01-27",
        speaker="叶建春",
        office="省长",
        printed_title="2026年江西省政府工作报告",
        meeting="江西省第十四届人民代表大会第四次会议",
        first_line="2026年江西省政府工作",
        last_line="26.治安“三张图”：治",
        subsections=(6, 4, 8),
        periods=(("review_year", "review_plan"), ("plan_ahead", "long_range"), ("plan_year",)),
        glossary=26,
        samples=(
            ("“2030启航计划”", "面向2030年及长远发展"),
            ("“四级三类”国土空间规划", "“四级”为省、市、县、乡"),
        ),
        footnote_refs=0,
    ),
    Expected(
        "beijing-2026-government-work-report",
        region="北京市",
        level="直辖市",
        year=2026,
        date="2026-01-25",
        speaker="殷勇",
        office="市长",
        printed_title="2026年北京市政府工作报告",
        meeting="北京市第十六届人民代表大会第四次会议",
        first_line="2026年北京市政府工作",
        last_line="各位代表！蓝图已经绘就，",
        subsections=(6, 0, 10),
        periods=(("review_year",), ("review_plan", "plan_ahead", "long_range"), ("plan_year",)),
        glossary=0,
        samples=(),
        footnote_refs=0,
    ),
    Expected(
        "zhejiang-2026-government-work-report",
        region="浙江省",
        level="省",
        year=2026,
        date="2026-01-14",
        speaker="刘捷",
        office="省长",
        printed_title="2026年浙江省政府工作报告",
        meeting="浙江省第十四届人民代表大会第四次会议",
        first_line="2026年浙江省政府工作",
        last_line="各位代表！新征程充满光荣",
        subsections=(10, 6, 20),
        periods=(("review_year", "review_plan"), ("plan_ahead",), ("plan_year",)),
        glossary=0,
        samples=(),
        footnote_refs=0,
    ),
    Expected(
        "gansu-2026-government-work-report",
        region="甘肃省",
        level="省",
        year=2026,
        date="2026-01-27",
        speaker="任振鹤",
        office="省长",
        printed_title="2026年甘肃省政府工作报告",
        meeting="甘肃省十四届人民代表大会第四次会议",
        first_line="2026年甘肃省政府工作",
        last_line="各位代表！蓝图绘就、使命",
        subsections=(0, 8, 8),
        periods=(("review_plan", "review_year"), ("plan_ahead",), ("plan_year",)),
        glossary=0,
        samples=(),
        footnote_refs=0,
    ),
    Expected(
        "fujian-2026-government-work-report",
        region="福建省",
        level="省",
        year=2026,
        date="2026-01-27",
        speaker="赵龙",
        office="省长",
        printed_title="2026年福建省政府工作报告",
        meeting="福建省第十四届人民代表大会第四次会议",
        first_line="2026年福建省政府工作",
        last_line="各位代表！让我们更加紧密",
        subsections=(9, 4, 9, 5),
        periods=(
            ("review_year", "review_plan"),
            ("plan_ahead", "long_range"),
            ("plan_year",),
            ("plan_year",),
        ),
        glossary=0,
        samples=(),
        footnote_refs=0,
    ),
    Expected(
        "shanghai-2026-government-work-report",
        region="上海市",
        level="直辖市",
        year=2026,
        date="2026-02-03",
        speaker="龚正",
        office="市长",
        printed_title="2026年上海市政府工作报告",
        meeting="上海市第十六届人民代表大会第四次会议",
        first_line="2026年上海市政府工作",
        last_line="各位代表，团结凝聚力量，",
        subsections=(5, 4, 10, 4),
        periods=(
            ("review_year",),
            ("review_plan", "plan_ahead", "long_range"),
            ("plan_year",),
            ("plan_year",),
        ),
        glossary=0,
        samples=(),
        footnote_refs=0,
    ),
)

ZIGONG = Expected(
    "zigong-2021",
    region="自贡市",
    level="市",
    year=2021,
    date="2021-02-05",
    speaker="何树平",
    office="市长",
    printed_title="2021年自贡市政府工作报告",
    meeting="自贡市第十七届人民代表大会第六次会议",
    first_line="2021年自贡市政府工作",
    last_line="26.行政执法“三项制度”",
    subsections=(0, 6, 9),
    periods=(("review_year", "review_plan"), ("plan_ahead", "long_range"), ("plan_year",)),
    glossary=26,
    samples=(("六稳", "指稳就业、稳金融"), ("三抓联动", "指抓项目投资")),
    footnote_refs=26,
)


@pytest.fixture(scope="module")
def library(count_tokens: Counter) -> dict[str, tuple[Document, list[Chunk]]]:
    paths = sorted(LIBRARY.glob("*.txt"))
    return {p.stem: ingest_path(p, count_tokens=count_tokens) for p in paths}


def _check(expected: Expected, document: Document, chunks: list[Chunk]) -> None:
    meta = document.meta
    assert (meta.region, meta.level, meta.year, meta.date) == (
        expected.region,
        expected.level,
        expected.year,
        expected.date,
    )
    assert (meta.speaker, meta.office, meta.meeting) == (
        expected.speaker,
        expected.office,
        expected.meeting,
    )
    assert meta.printed_title == expected.printed_title
    assert str(expected.year) in meta.title and expected.region in meta.title
    body = document.body_sections
    assert tuple(len(list(s.walk())) - 1 for s in body) == expected.subsections
    assert [set(s.periods) for s in body] == [set(p) for p in expected.periods]
    assert len(document.glossary) == expected.glossary
    entries = {e.term: e.definition for e in document.glossary}
    for term, starts in expected.samples:
        assert entries[term].startswith(starts), term
    assert len(document.footnote_refs) == expected.footnote_refs
    text = document.clean_text
    assert text.startswith(expected.first_line)
    assert text.split("\n")[-1].startswith(expected.last_line)
    assert {c.period for c in chunks if c.kind == "body"} <= {
        p for s in body for p in s.periods
    } | {"unknown"}


@pytest.mark.parametrize("expected", EXPECTED, ids=[e.doc_id.split("-")[0] for e in EXPECTED])
def test_library_report_read_from_its_text(
    expected: Expected, library: dict[str, tuple[Document, list[Chunk]]]
) -> None:
    document, chunks = library[expected.doc_id]
    _check(expected, document, chunks)
    assert document.pages == () and document.warnings == ()
    assert all(c.page_start is None and c.page_end is None for c in chunks)


def test_bundled_report_inferred_without_its_metadata(
    tmp_path: Path, count_tokens: Counter, report_doc: Document
) -> None:
    """Without its .meta.json the bundled report's title block gives the same record."""
    bare = tmp_path / REPORT.name
    shutil.copy(REPORT, bare)
    document, chunks = ingest_path(bare, count_tokens=count_tokens)
    _check(ZIGONG, document, chunks)
    assert len(document.pages) == 36
    given = report_doc.meta  # with its .meta.json (which wins): the same values
    assert (given.region, given.year, given.date, given.speaker) == (
        ZIGONG.region,
        ZIGONG.year,
        ZIGONG.date,
        ZIGONG.speaker,
    )


def test_timeline_of_a_plan_opening_year(library: dict[str, tuple[Document, list[Chunk]]]) -> None:
    timeline = library["beijing-2026-government-work-report"][0].timeline
    assert (timeline.year, timeline.review_year, timeline.plan_year) == (2026, 2025, 2026)
    assert timeline.review_plan is not None and timeline.review_plan.name == "十四五"
    assert timeline.plan_ahead is not None and timeline.plan_ahead.name == "十五五"
    assert (timeline.plan_ahead.start, timeline.plan_ahead.end) == (2026, 2030)
    assert timeline.long_range == (2035,)


def test_invariants_on_every_report(
    library: dict[str, tuple[Document, list[Chunk]]], count_tokens: Counter
) -> None:
    """Offsets are exact, chunks cover the report without loss, ids are stable, and what was
    dropped is exactly the text around the report."""
    for doc_id, (document, chunks) in library.items():
        text = document.clean_text
        for chunk in chunks:
            assert text[chunk.start : chunk.end] == chunk.text
        starts = [c.start for c in chunks]
        assert starts == sorted(starts)
        assert "".join(normalise(c.text) for c in chunks) == normalise(text), doc_id
        raw = (LIBRARY / f"{doc_id}.txt").read_text(encoding="utf-8")
        kept = "".join(
            line for n, line in enumerate(raw.split("\n"), 1) if n not in _dropped(document)
        )
        assert normalise(kept) == normalise(text), doc_id
        again = ingest_path(LIBRARY / f"{doc_id}.txt", count_tokens=count_tokens)[1]
        assert [c.chunk_id for c in again] == [c.chunk_id for c in chunks]


def _dropped(document: Document) -> set[int]:
    return {d.line for d in document.dropped}


def test_web_chrome_is_dropped_and_recorded(
    library: dict[str, tuple[Document, list[Chunk]]],
) -> None:
    document = library["gansu-2026-government-work-report"][0]
    before = [d.text for d in document.dropped if d.where == "before"]
    assert before == ["下载", "打印", "全屏", "收藏", "【字号：", "加大", "还原", "减小", "】"]
    title = [d.text for d in document.dropped if d.where == "title"]
    assert title[:2] == ["来源：甘肃日报", "时间：2026-02-10"]
    assert title[2].startswith("任振鹤作政府工作报告。")  # the photo caption
    assert [d.text for d in document.dropped if d.where == "after"] == ["相关报道："]
    assert not library["guangdong-2026-government-work-report"][0].dropped  # nothing to drop


def test_chrome_lookalikes_inside_the_body_stay(tmp_path: Path, count_tokens: Counter) -> None:
    path = tmp_path / "web.txt"
    lines = [
        "下载",
        "打印",
        "2024年青溪市政府工作报告",
        "——二〇二四年一月二十日在青溪市第九届人民代表大会第三次会议上",
        "来源：青溪日报",
        "青溪市人民政府市长 李明",
        "各位代表：",
        "一、2023年工作回顾",
        "来源：统计公报。全年地区生产总值增长5%。",
        "收藏",
        "二、2024年工作安排",
        "（一）稳增长",
        "扩大有效投资。",
        "相关链接：",
        "青溪日报评论",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    document, _ = ingest_path(path, count_tokens=count_tokens)
    assert [d.line for d in document.dropped] == [1, 2, 5, 14, 15]
    assert "来源：统计公报" in document.clean_text and "\n收藏\n" in document.clean_text
    meta = document.meta
    assert (meta.region, meta.year, meta.date, meta.speaker) == (
        "青溪市",
        2024,
        "2024-01-20",
        "李明",
    )
    assert [s.periods for s in document.body_sections] == [("review_year",), ("plan_year",)]


def test_a_report_without_a_year_is_ingested_with_a_warning(
    tmp_path: Path, count_tokens: Counter
) -> None:
    path = tmp_path / "nameless.txt"
    path.write_text(
        "政府工作报告\n各位代表：\n一、工作回顾\n经济平稳。\n二、工作安排\n稳中求进。\n"
    )
    document, chunks = ingest_path(path, count_tokens=count_tokens)
    assert document.meta.year is None and document.timeline.year is None
    assert any("nameless.meta.json" in w and '"year"' in w for w in document.warnings)
    assert chunks and {c.period for c in chunks} == {"unknown"}


def test_ingest_json_for_the_library(tmp_path: Path, shared_cache_dir: Path) -> None:
    paths = [str(p) for p in sorted(LIBRARY.glob("*.txt"))] + [str(REPORT)]
    args = [
        *paths,
        "--out",
        str(tmp_path / "c.jsonl"),
        "--json",
        "--cache-dir",
        str(shared_cache_dir),
    ]
    result = CliRunner().invoke(ingest_cmd, args)
    assert result.exit_code == 0, result.output
    rows = {row["doc_id"]: row for row in json.loads(result.output)}
    assert len(rows) == 9
    fields = {"doc_id", "title", "region", "level", "year", "date", "speaker", "pages"}
    fields |= {"sections", "subsections", "glossary_entries", "footnote_refs", "chunks"}
    fields |= {"dropped_chars", "periods"}
    for row in rows.values():
        assert fields <= set(row)
    assert rows["zigong-2021"]["pages"] == 36
    assert rows["hainan-2026-government-work-report"]["pages"] is None
    assert rows["hainan-2026-government-work-report"]["glossary_entries"] == 28
    gansu = rows["gansu-2026-government-work-report"]
    assert gansu["periods"]["2026年重点工作"] == ["plan_year"]
    assert gansu["dropped_chars"] > 0
