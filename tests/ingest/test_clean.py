"""clean(): raw PDF text -> clean text + page map, on the real report and on built layouts."""

from __future__ import annotations

import random
import re

import pytest

from ingest.clean import clean, looks_wrapped, printed_lines
from tests.ingest.helpers import normalise, raw_pages

FULL_CHARS = 29  # characters of a full printed line in the built layouts
INDENT_CHARS = 2
# plain CJK characters that cannot open a heading or a numbered item
_POOL = "的是在人有我他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学"


def _paragraph(rng: random.Random, chars: int) -> str:
    """A paragraph of `chars` characters: commas inside, one full stop at the end."""
    body = [rng.choice(_POOL) for _ in range(chars - 1)]
    for index in range(7, chars - 2, 9):
        body[index] = "，"
    return "".join(body) + "。"


def _wrap(paragraph: str) -> list[str]:
    """Printed lines of a paragraph: the first indented by two characters."""
    lines, rest, width = [], paragraph, FULL_CHARS - INDENT_CHARS
    while rest:
        lines.append(rest[:width])
        rest, width = rest[width:], FULL_CHARS
    return lines


def _layout(pages: list[list[str]]) -> str:
    """A text layer: a blank line after every printed line, a space opening every page."""
    out: list[str] = []
    for paragraphs in pages:
        lines = [line for paragraph in paragraphs for line in _wrap(paragraph)]
        lines[0] = " " + lines[0]
        out.extend(f"{line}\n\n" for line in lines)
    return "".join(out)


# built layouts ---------------------------------------------------------------------------


def test_wrapped_paragraphs_are_rejoined_exactly() -> None:
    rng = random.Random(7)
    sizes = [60, 27, 56, 85, 10, 29 + 27, 140, 3, 200, 27 + 2 * 29]  # incl. exactly-full last lines
    paragraphs = [_paragraph(rng, size) for size in sizes]
    result = clean(_layout([paragraphs[:5], paragraphs[5:]]))
    assert result.text == "\n".join(paragraphs)
    assert [span.page for span in result.pages] == [1, 2]
    second_page = result.text.index(paragraphs[5])
    assert result.pages[1].start == second_page


def test_paragraph_continues_across_a_page_break() -> None:
    rng = random.Random(3)
    long_paragraph = _paragraph(rng, 27 + 29 * 4 + 10)
    lines = _wrap(long_paragraph)
    raw = "".join(f"{line}\n\n" for line in lines[:3]) + "".join(
        f" {line}\n\n" if i == 0 else f"{line}\n\n" for i, line in enumerate(lines[3:])
    )
    filler = [_paragraph(rng, 27 + 29 * 3) for _ in range(3)]
    raw = _layout([filler]) + raw
    result = clean(raw)
    assert result.text.split("\n")[-1] == long_paragraph
    last = result.pages[-1]
    assert last.page == 2 and result.text[last.start :] == "".join(lines[3:])


def test_marker_only_line_is_joined_inline() -> None:
    raw = "制定分区分类防控十二大规范\n[7]\n，精准做好重点人群排查管控。\n"
    assert clean(raw).text == "制定分区分类防控十二大规范[7]，精准做好重点人群排查管控。"


def test_page_number_line_is_dropped_and_starts_the_next_page() -> None:
    rng = random.Random(5)
    paragraph = _paragraph(rng, 27 + 29 * 5)
    lines = _wrap(paragraph)
    raw = " " + "\n\n".join(lines[:3]) + "\n\n\n\n24\n\n" + "\n\n".join(lines[3:]) + "\n"
    result = clean(raw)
    assert result.text == paragraph
    assert [(s.page, s.start) for s in result.pages] == [(1, 0), (2, sum(map(len, lines[:3])))]


def test_artifact_spaces_go_latin_spaces_stay() -> None:
    raw = "增长 3.9%、高于全省 0.1 个百分点，人均 GDP 从 3.5 万元增加，新增 4A 级景区 5 个，New York 代表团来访。"
    text = clean(raw, wrapped=False).text
    assert (
        text
        == "增长3.9%、高于全省0.1个百分点，人均GDP从3.5万元增加，新增4A级景区5个，New York代表团来访。"
    )


def test_space_between_cjk_characters_is_kept() -> None:
    assert clean("自贡市人民政府市长 何树平\n", wrapped=False).text == "自贡市人民政府市长 何树平"


def test_unwrapped_text_keeps_lines_as_paragraphs_and_pages_by_form_feed() -> None:
    raw = "  第一段，有缩进。\n第二段。\n\f第三段在第二页。\n"
    result = clean(raw, wrapped=False)
    assert result.text == "第一段，有缩进。\n第二段。\n第三段在第二页。"
    assert [(s.page, result.text[s.start : s.end]) for s in result.pages] == [
        (1, "第一段，有缩进。\n第二段。\n"),
        (2, "第三段在第二页。"),
    ]


def test_printed_lines_reads_pages_from_indents_only_in_pdf_layout() -> None:
    raw = " 甲\n\n 乙\n\n丙\n"
    assert [line.page for line in printed_lines(raw)] == [1, 2, 2]
    assert [line.page for line in printed_lines(raw, pdf_layout=False)] == [1, 1, 1]


def test_looks_wrapped(raw_report: str) -> None:
    assert looks_wrapped(raw_report)
    assert not looks_wrapped(clean(raw_report).text)
    assert not looks_wrapped(
        "短行。\n长一点的一行文字，内容不同。\n再来一行。\n又一行比较长的文字内容在这里。\n末行。\n"
    )
    paragraphs = [_paragraph(random.Random(n), 40 + 37 * n) for n in range(8)]
    assert not looks_wrapped("\n".join(paragraphs))
    assert looks_wrapped(_layout([paragraphs]))


# the real report -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cleaned(raw_report: str):  # type: ignore[no-untyped-def]
    return clean(raw_report)


def test_clean_is_lossless(raw_report: str, cleaned) -> None:  # type: ignore[no-untyped-def]
    page_number_lines = [line for line in raw_report.split("\n") if line.strip() == "24"]
    assert len(page_number_lines) == 1
    without_page_number = "\n".join(line for line in raw_report.split("\n") if line.strip() != "24")
    assert normalise(cleaned.text) == normalise(without_page_number)
    assert cleaned.text.count("[") == raw_report.count("[")  # markers kept, inline


def test_pages_run_1_to_36_and_tile_the_text(cleaned) -> None:  # type: ignore[no-untyped-def]
    pages = cleaned.pages
    assert [span.page for span in pages] == list(range(1, 37))
    assert pages[0].start == 0 and pages[-1].end == len(cleaned.text)
    for left, right in zip(pages, pages[1:], strict=False):
        assert left.end == right.start and left.start < left.end


def test_each_page_holds_exactly_its_raw_page(raw_report: str, cleaned) -> None:  # type: ignore[no-untyped-def]
    expected = raw_pages(raw_report)
    assert len(expected) == len(cleaned.pages)
    for span in cleaned.pages:
        assert normalise(cleaned.text[span.start : span.end]) == normalise(expected[span.page - 1])


def test_no_artifact_space_left(cleaned) -> None:  # type: ignore[no-untyped-def]
    assert not re.search(r"[\u4e00-\u9fff，。、：；（）“”] +[0-9A-Za-z%]", cleaned.text)
    assert not re.search(r"[0-9A-Za-z%] +[\u4e00-\u9fff，。、：；（）“”]", cleaned.text)
    assert "自贡市人民政府市长 何树平" in cleaned.text


def test_paragraphs_end_at_sentence_ends_and_headings_stand_alone(cleaned) -> None:  # type: ignore[no-untyped-def]
    paragraphs = cleaned.text.split("\n")
    headings = [p for p in paragraphs if re.match(r"[一二三]、|第[一二三四五六七八九]，", p)]
    assert len(headings) == 12 and all("。" not in h for h in headings)
    title_block = paragraphs[:4]
    body = [p for p in paragraphs[4:] if p not in headings and p != "相关用语注释"]
    assert all(p[-1] in "。！？：" for p in body), [
        p[-20:] for p in body if p[-1] not in "。！？："
    ]
    assert all(p[0] not in "，。、；：）”" for p in paragraphs)
    assert title_block[-1] == "自贡市人民政府市长 何树平"
    assert sum(1 for p in paragraphs if re.match(r"\d{1,2}\.\D", p)) == 26


def test_extraction_loss_is_kept_as_is(cleaned) -> None:  # type: ignore[no-untyped-def]
    assert "协同打造盐运古道，力争创建4A级景区2个，支持创建天府旅游名县" in cleaned.text
