"""chunk_document(): coverage, offsets, pages, budget, paths and ids on the real report."""

from __future__ import annotations

import bisect
from collections.abc import Callable
from pathlib import Path

import pytest

from ingest.chunk import CLOSING_LABEL, OPENING_LABEL, TITLE_LABEL, chunk_document
from ingest.models import Chunk, Document
from ingest.pipeline import ingest_path
from tests.ingest.helpers import REPORT, normalise, raw_pages

Counter = Callable[[str], int]


def test_nothing_lost_nothing_doubled(report_doc: Document, report_chunks: list[Chunk]) -> None:
    joined = "".join(normalise(chunk.text) for chunk in report_chunks)
    assert joined == normalise(report_doc.clean_text)
    text = report_doc.clean_text
    for left, right in zip(report_chunks, report_chunks[1:], strict=False):
        assert left.end <= right.start and not text[left.end : right.start].strip()


def test_offsets_round_trip(report_doc: Document, report_chunks: list[Chunk]) -> None:
    for position, chunk in enumerate(report_chunks):
        assert report_doc.clean_text[chunk.start : chunk.end] == chunk.text
        assert chunk.text == chunk.text.strip() and chunk.position == position
        assert chunk.doc_id == report_doc.meta.doc_id == "zigong-2021"


def test_page_range_holds_the_text(raw_report: str, report_chunks: list[Chunk]) -> None:
    """Each chunk's first and last characters lie on page_start and page_end of the raw file."""
    pages = [normalise(page) for page in raw_pages(raw_report)]
    page_ends = [sum(len(p) for p in pages[: i + 1]) for i in range(len(pages))]
    offset = 0
    for chunk in report_chunks:
        size = len(normalise(chunk.text))
        first_page = bisect.bisect_right(page_ends, offset) + 1
        last_page = bisect.bisect_right(page_ends, offset + size - 1) + 1
        assert (chunk.page_start, chunk.page_end) == (first_page, last_page), chunk.text[:30]
        offset += size
    assert report_chunks[0].page_start == 1 and report_chunks[-1].page_end == 36


@pytest.mark.parametrize("max_tokens", [64, 128, 256, 512])
def test_no_chunk_over_the_budget(
    report_doc: Document, count_tokens: Counter, max_tokens: int
) -> None:
    chunks = chunk_document(report_doc, count_tokens, max_tokens=max_tokens, min_tokens=16)
    assert chunks and all(count_tokens(c.text) == c.n_tokens <= max_tokens for c in chunks)
    assert "".join(normalise(c.text) for c in chunks) == normalise(report_doc.clean_text)
    _assert_within_sections(report_doc, chunks)


def test_chunks_stay_inside_their_sections(
    report_doc: Document, report_chunks: list[Chunk]
) -> None:
    _assert_within_sections(report_doc, report_chunks)


def _assert_within_sections(document: Document, chunks: list[Chunk]) -> None:
    tops = {s.title: s for s in document.sections}
    children = {c.title: c for s in document.sections for c in s.children}
    glossary_start = document.glossary[0].start
    for chunk in chunks:
        head = chunk.section_path[0]
        if chunk.kind == "glossary":
            assert chunk.start >= glossary_start - len("相关用语注释\n")
            continue
        if head in tops:
            node = children.get(chunk.section_path[1]) if len(chunk.section_path) > 1 else None
            node = node or tops[head]
            assert node.start <= chunk.start and chunk.end <= node.end, chunk.section_path
            for child in () if node in children.values() else node.children:
                assert chunk.end <= child.start or chunk.start >= child.end
        else:
            assert chunk.end <= document.sections[0].start or chunk.start >= (
                document.sections[-1].children[-1].end
            )


def test_small_pieces_join_neighbours(report_chunks: list[Chunk]) -> None:
    body = [c for c in report_chunks if c.kind == "body"]
    assert min(c.n_tokens for c in body) >= 24
    assert not any(c.text in {"各位代表：", "重点抓好以下九个方面工作："} for c in body)


def test_title_opening_and_closing_chunks(report_chunks: list[Chunk]) -> None:
    title = report_chunks[0]
    assert title.kind == "title" and title.section_path == (TITLE_LABEL,)
    assert "何树平" in title.text and "2021年2月5日" in title.text
    assert [c.kind for c in report_chunks].count("title") == 1
    opening = report_chunks[1]
    assert opening.section_path == (OPENING_LABEL,) and opening.text.startswith("各位代表：\n现在")
    closing = [c for c in report_chunks if c.section_path == (CLOSING_LABEL,)]
    assert len(closing) == 1 and closing[0].text.startswith("各位代表！")


def test_lead_in_ends_the_path(report_doc: Document, report_chunks: list[Chunk]) -> None:
    plan = report_doc.sections[-1]
    first = plan.children[0].title
    path = (plan.title, first, "织密织牢防控网络")
    assert plan.title == "三、2021年主要工作安排" and first.startswith("第一，")
    matching = [c for c in report_chunks if c.section_path == path]
    assert matching and "织密织牢防控网络。" in matching[0].text
    leads = {p.lead_in for c in plan.children for p in c.paragraphs if p.lead_in}
    assert leads <= {c.section_path[-1] for c in report_chunks}


def test_glossary_chunks(report_doc: Document, report_chunks: list[Chunk]) -> None:
    glossary = [c for c in report_chunks if c.kind == "glossary"]
    assert [c.section_path for c in glossary] == [
        ("相关用语注释", e.term) for e in report_doc.glossary
    ]
    for chunk, entry in zip(glossary, report_doc.glossary, strict=True):
        assert chunk.text.endswith(report_doc.clean_text[entry.start : entry.end])
        assert [(f.number, f.term, f.definition) for f in chunk.footnotes] == [
            (entry.number, entry.term, entry.definition)
        ]


def test_footnotes_resolve_every_marker(report_doc: Document, report_chunks: list[Chunk]) -> None:
    entries = {e.number: e for e in report_doc.glossary}
    seen: list[int] = []
    for chunk in (c for c in report_chunks if c.kind != "glossary"):
        refs = [r.number for r in report_doc.footnote_refs if chunk.start <= r.start < chunk.end]
        assert [f.number for f in chunk.footnotes] == list(dict.fromkeys(refs))
        for footnote in chunk.footnotes:
            entry = entries[footnote.number]
            assert (footnote.term, footnote.definition) == (entry.term, entry.definition)
        seen.extend(refs)
    assert sorted(seen) == sorted(r.number for r in report_doc.footnote_refs)


def test_ids_are_stable_and_unique(count_tokens: Counter, report_chunks: list[Chunk]) -> None:
    _, again = ingest_path(REPORT, count_tokens=count_tokens)
    assert [c.chunk_id for c in again] == [c.chunk_id for c in report_chunks]
    assert again == report_chunks
    ids = [c.chunk_id for c in report_chunks]
    assert len(set(ids)) == len(ids) and all(len(i) == 16 for i in ids)
    int(ids[0], 16)


def test_an_oversize_sentence_is_split_at_clauses_then_characters(count_tokens: Counter) -> None:
    from ingest.clean import clean
    from ingest.models import DocumentMeta
    from ingest.parse import parse

    long_sentence = "，".join(["推动高质量发展取得新成效"] * 40) + "。"
    unbroken = "稳" * 600 + "。"
    document = parse(
        clean(f"标题\n{long_sentence}\n{unbroken}\n", wrapped=False), DocumentMeta("t", "标题")
    )
    chunks = chunk_document(document, count_tokens, max_tokens=48, min_tokens=8)
    assert all(c.n_tokens <= 48 for c in chunks)
    assert "".join(normalise(c.text) for c in chunks) == normalise(document.clean_text)
    assert chunks[1].text.endswith("，")  # clause cut


def test_circled_markers_carry_their_glossary_entries(
    tmp_path: Path, count_tokens: Callable[[str], int]
) -> None:
    """A report marking its terms `①` (as many PDFs do) gets the entries on its chunks."""
    source = tmp_path / "circled-2025-government-work-report.txt"
    source.write_text(
        "2025年青溪市政府工作报告\n各位代表：\n一、2024年工作回顾\n"
        "培育“四上”企业①120家，推进“三旧”改造②。\n二、2025年工作安排\n"
        "继续培育“四上”企业①。\n名词解释\n"
        "1.“四上”企业：指规模以上工业企业、有资质的建筑业企业等。\n"
        "2.“三旧”改造：指旧城镇、旧厂房、旧村庄改造。\n",
        encoding="utf-8",
    )
    document, chunks = ingest_path(source, count_tokens=count_tokens)
    assert [r.number for r in document.footnote_refs] == [1, 2, 1]
    body = [c for c in chunks if c.kind == "body"]
    notes = {c.text.split("，")[0][:6]: [f.term for f in c.footnotes] for c in body}
    assert any(terms == ["“四上”企业", "“三旧”改造"] for terms in notes.values()), notes
    assert any(terms == ["“四上”企业"] for terms in notes.values()), notes
