"""Answer text in the question's language (Chinese, or English framing around Chinese quotes)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from app.models import Answer
from ingest.models import Chunk

Lang = Literal["zh", "en"]
RELATED_LIMIT = 3  # "possibly related" passages shown with a refusal


def refusal_text(lang: Lang, has_related: bool) -> str:
    if lang == "en":
        text = "The report does not contain an answer to this question."
        return text + (" Possibly related passages are listed below." if has_related else "")
    text = "报告中没有找到该问题的答案。"
    return text + ("以下是可能相关的段落，仅供参考。" if has_related else "")


def fact_answer(lang: Lang, keys: Sequence[str], quotes: Sequence[tuple[str, int]]) -> str:
    """The key fact(s) when found, then the quoted sentence(s) with [n] markers."""
    body = "".join(f"{text}[{n}]" for text, n in quotes)
    keys = list(dict.fromkeys(k.strip("，,。；;、 ") for k in keys if k.strip("，,。；;、 ")))
    if lang == "en":
        lead = f"Answer: {'; '.join(keys)}. " if keys else ""
        return f"{lead}According to the report: “{body}”"
    return f"{'；'.join(keys)}。报告原文：“{body}”" if keys else body


def definition_answer(lang: Lang, term: str, definition: str, n: int) -> str:
    if lang == "en":
        return f"“{term}” is defined in the report's glossary as: {definition}[{n}]"
    return (
        f"“{term}”{definition}[{n}]"
        if definition.startswith("指")
        else (f"“{term}”：{definition}[{n}]")
    )


def section_answer(lang: Lang, parent: str, titles: Sequence[tuple[str, int]]) -> str:
    items = "\n".join(f"{i}. {t}[{n}]" for i, (t, n) in enumerate(titles, start=1))
    if lang == "en":
        return f"The report lists {len(titles)} areas under “{parent}”:\n{items}"
    return f"“{parent}”共分{len(titles)}个方面：\n{items}"


_PERIOD_NAMES: dict[str, tuple[str, str]] = {
    "review": ("2020年", "2020"),
    "fiveyear": ("“十三五”时期", "the 13th Five-Year Plan period"),
    "outlook": ("“十四五”时期", "the 14th Five-Year Plan period"),
    "plan": ("2021年", "2021"),
}


def missing_periods_note(lang: Lang, periods: Sequence[str]) -> str:
    """Said after a comparison answer when the report gives no figure for some periods."""
    names = [_PERIOD_NAMES[p][1 if lang == "en" else 0] for p in periods]
    if lang == "en":
        return f"The report gives no such figure for {' or '.join(names)}."
    return f"报告中没有找到{'、'.join(names)}的相应数字。"


def pages_label(page_start: int | None, page_end: int | None, english: bool = False) -> str:
    """`第 3 页`, `第 3–4 页` (`p. 3`); "" for a source without pages."""
    if page_start is None:
        return ""
    end = page_start if page_end is None else page_end
    pages = str(page_start) if page_start == end else f"{page_start}–{end}"
    return f"p. {pages}" if english else f"第 {pages} 页"


def message_text(answer: Answer) -> str:
    """The answer followed by its sources (or, for a refusal, the possibly related passages):
    the plain-text form the OpenAI-compatible API and `reportqa ask` print."""
    english = answer.language == "en"
    lines = [answer.text]
    if answer.citations:
        lines += ["", "Sources:" if english else "参考来源："]
        lines += [f"[{c.n}] {_where(c.hit.chunk, english)}：“{c.quote}”" for c in answer.citations]
    elif answer.passages:
        lines += ["", "Possibly related:" if english else "可能相关的段落："]
        lines += [f"- {_where(h.chunk, english)}" for h in answer.passages[:RELATED_LIMIT]]
    return "\n".join(lines)


def _where(chunk: Chunk, english: bool) -> str:
    """Section path and pages of a passage (the path alone where the source has no pages)."""
    pages = pages_label(chunk.page_start, chunk.page_end, english)
    path = " > ".join(chunk.section_path)
    return f"{path}，{pages}" if pages else path
