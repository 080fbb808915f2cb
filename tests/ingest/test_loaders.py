"""Loaders: .txt (UTF-8 / GB18030), .md, .docx, .pdf, metadata, and every bad-file case."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from ingest.errors import (
    BinaryFileError,
    EmptyFileError,
    FileTooLargeError,
    IngestError,
    UndecodableFileError,
    UnsupportedFormatError,
)
from ingest.loaders import load_source, markdown_paragraphs
from ingest.pipeline import ingest_path
from tests.ingest.helpers import REPORT, normalise

Counter = Callable[[str], int]

LINES = [
    "2022年某市政府工作报告",
    "各位代表：",
    "现在，我代表市人民政府向大会报告工作。",
    "一、过去一年的工作",
    "我们抓早抓实，经济稳步复苏。全年地区生产总值增长 5.2%。",
    "二、今年的工作安排",
    "第一，稳定经济增长",
    "扩大有效投资。实施项目攻坚[1]行动，确保重大项目开工。",
    "相关用语注释",
    "1.项目攻坚：指集中力量推进重大项目建设。",
]


def _assert_structure(path: Path, count_tokens: Counter) -> None:
    """The small report of LINES, ingested from `path`, has its whole structure back."""
    document, chunks = ingest_path(path, count_tokens=count_tokens)
    assert [s.title for s in document.sections] == ["一、过去一年的工作", "二、今年的工作安排"]
    assert [c.title for c in document.sections[1].children] == ["第一，稳定经济增长"]
    assert [(e.term, e.definition) for e in document.glossary] == [
        ("项目攻坚", "指集中力量推进重大项目建设。")
    ]
    assert "增长5.2%" in document.clean_text
    lead = next(c for c in chunks if c.section_path[-1] == "扩大有效投资")
    assert [f.term for f in lead.footnotes] == ["项目攻坚"]
    assert "".join(normalise(c.text) for c in chunks) == normalise("".join(LINES))


# formats ---------------------------------------------------------------------------------


def test_real_report_with_its_metadata() -> None:
    source = load_source(REPORT)
    assert source.wrapped
    assert source.doc_id == "zigong-2021" and source.given["speaker"] == "何树平"
    assert source.given["date"] == "2021-02-05" and source.given["year"] == 2021


def test_gb18030_text(tmp_path: Path, count_tokens: Counter) -> None:
    path = tmp_path / "report-gbk.txt"
    path.write_bytes("\n".join(LINES).encode("gb18030"))
    source = load_source(path)
    assert source.text == "\n".join(LINES) and not source.wrapped
    assert source.doc_id == "report-gbk" and source.given == {"source": path.name}
    _assert_structure(path, count_tokens)


def test_utf8_bom_text(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeff".encode() + "\n".join(LINES).encode())
    assert load_source(path).text.startswith("2022年")


def test_markdown(tmp_path: Path, count_tokens: Counter) -> None:
    markdown = "\n".join(
        [
            f"# {LINES[0]}",
            "",
            LINES[1],
            "",
            LINES[2],
            "",
            f"## {LINES[3]}",
            "我们抓早抓实，**经济稳步复苏**。全年地区",
            "生产总值增长 5.2%。",
            f"## {LINES[5]}",
            f"### {LINES[6]}",
            LINES[7],
            "",
            f"## {LINES[8]}",
            f"- {LINES[9]}",
        ]
    )
    path = tmp_path / "report.md"
    path.write_text(markdown, encoding="utf-8")
    assert (
        markdown_paragraphs(markdown)[4]
        == "我们抓早抓实，经济稳步复苏。全年地区生产总值增长 5.2%。"
    )
    assert load_source(path).text.split("\n")[0] == LINES[0]
    _assert_structure(path, count_tokens)


def test_markdown_joins_wrapped_latin_words_with_a_space() -> None:
    assert markdown_paragraphs("The report\nwas adopted.\n\n* item") == [
        "The report was adopted.",
        "item",
    ]


def test_docx(tmp_path: Path, count_tokens: Counter) -> None:
    import docx

    document = docx.Document()
    document.add_heading(LINES[0], level=1)
    for line in LINES[1:]:
        document.add_paragraph(line)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "指标", "目标"
    path = tmp_path / "report.docx"
    document.save(str(path))
    source = load_source(path)
    assert source.text.splitlines() == [*LINES, "指标 目标"] and not source.wrapped
    (tmp_path / "report-plain.docx").write_bytes(path.read_bytes())
    _strip_table(tmp_path / "report-plain.docx")
    _assert_structure(tmp_path / "report-plain.docx", count_tokens)


def _strip_table(path: Path) -> None:
    import docx

    document = docx.Document(str(path))
    for table in document.tables:
        table._element.getparent().remove(table._element)
    document.save(str(path))


def _cjk_font() -> object:
    from matplotlib import font_manager

    for family in ("Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei", "SimHei"):
        properties = font_manager.FontProperties(family=family)
        try:
            font_manager.findfont(properties, fallback_to_default=False)
        except ValueError:
            continue
        return properties
    pytest.skip("no CJK font installed for matplotlib to embed in a test PDF")


def _write_pdf(path: Path, pages: list[list[str]]) -> None:
    """A real text PDF: matplotlib's PDF backend embedding a TrueType (Type 42) CJK font."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    font = _cjk_font()
    with matplotlib.rc_context({"pdf.fonttype": 42}), PdfPages(path) as pdf:
        for lines in pages:
            figure = plt.figure(figsize=(8.27, 11.69))
            for row, line in enumerate(lines):
                figure.text(0.08, 0.92 - 0.04 * row, line, fontproperties=font)
            pdf.savefig(figure)
            plt.close(figure)


def test_pdf(tmp_path: Path, count_tokens: Counter) -> None:
    path = tmp_path / "report.pdf"
    _write_pdf(path, [LINES[:5], LINES[5:8], LINES[8:]])
    source = load_source(path)
    assert source.wrapped and source.text.count("\f") == 2
    _assert_structure(path, count_tokens)
    document, chunks = ingest_path(path, count_tokens=count_tokens)
    assert [span.page for span in document.pages] == [1, 2, 3]
    assert document.page_at(document.clean_text.index("二、今年")) == 2
    assert [c.page_start for c in chunks if c.kind == "glossary"] == [3]


def test_pdf_without_a_text_layer(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    _write_pdf(path, [[]])
    with pytest.raises(EmptyFileError, match="scan.pdf"):
        load_source(path)


# metadata --------------------------------------------------------------------------------


def test_metadata_is_derived_without_a_meta_file(tmp_path: Path, count_tokens: Counter) -> None:
    path = tmp_path / "plain-report.txt"
    path.write_text("\n\n  某市政府工作报告  \n正文。\n", encoding="utf-8")
    meta = ingest_path(path, count_tokens=count_tokens)[0].meta
    assert (meta.doc_id, meta.title, meta.source) == ("plain-report", "某市政府工作报告", path.name)
    assert (meta.region, meta.year) == ("", None)  # nothing says which region or year


def test_meta_file_overrides_and_keeps_defaults(tmp_path: Path, count_tokens: Counter) -> None:
    path = tmp_path / "r.txt"
    path.write_text("2021年青溪市政府工作报告\n正文。\n", encoding="utf-8")
    (tmp_path / "r.meta.json").write_text(
        json.dumps({"doc_id": "r-2022", "year": 2022, "unknown": 1}), encoding="utf-8"
    )
    document = ingest_path(path, count_tokens=count_tokens)[0]
    meta = document.meta
    assert (meta.doc_id, meta.year, meta.region) == ("r-2022", 2022, "青溪市")  # the file wins
    assert meta.title == "2021年青溪市政府工作报告"  # inferred where the file says nothing
    assert document.timeline.year == 2022


def test_broken_meta_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "r.txt"
    path.write_text("标题行\n", encoding="utf-8")
    (tmp_path / "r.meta.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(IngestError, match="r.meta.json"):
        load_source(path)


# bad files -------------------------------------------------------------------------------


def _bad(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("name", "data", "error"),
    [
        ("empty.txt", b"", EmptyFileError),
        ("blank.txt", b" \n\r\n\t\n", EmptyFileError),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), BinaryFileError),
        ("controls.txt", bytes(range(1, 9)) * 50, BinaryFileError),
        ("latin1.txt", "\xff\xfe caf\xe9 ".encode("latin-1") * 20, UndecodableFileError),
        ("report.rtf", b"{\\rtf1 text}", UnsupportedFormatError),
        ("noext", b"text", UnsupportedFormatError),
        ("broken.docx", b"not a zip archive", UndecodableFileError),
        ("broken.pdf", b"%PDF-1.4 nothing else", UndecodableFileError),
        ("empty.md", b"", EmptyFileError),
    ],
)
def test_bad_files_raise_errors_naming_the_file(
    tmp_path: Path, name: str, data: bytes, error: type[IngestError]
) -> None:
    path = _bad(tmp_path, name, data)
    with pytest.raises(error) as raised:
        load_source(path)
    assert str(path) in str(raised.value)


def test_too_large(tmp_path: Path) -> None:
    path = _bad(tmp_path, "big.txt", "正文。\n".encode() * 100)
    with pytest.raises(FileTooLargeError, match="big.txt"):
        load_source(path, max_bytes=100)
    assert load_source(path, max_bytes=10_000).text


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="missing.txt"):
        load_source(tmp_path / "missing.txt")
