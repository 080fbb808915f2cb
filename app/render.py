"""Answer text in the question's language (Chinese, or English framing around Chinese quotes)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from app.models import Answer
from app.refusal import Reason, Verdict
from ingest.models import Chunk, Period, Timeline

Lang = Literal["zh", "en"]
RELATED_LIMIT = 3  # "possibly related" passages shown with a refusal


def refusal_text(lang: Lang, has_related: bool, why: str = "") -> str:
    if lang == "en":
        text = "The report does not contain an answer to this question."
        text += f" {why}" if why else ""
        return text + (" Possibly related passages are listed below." if has_related else "")
    text = "报告中没有找到该问题的答案。" + why
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
    term = _quoted(term)
    if lang == "en":
        return f"{term} is defined in the report's glossary as: {definition}[{n}]"
    return (
        f"{term}{definition}[{n}]" if definition.startswith("指") else f"{term}：{definition}[{n}]"
    )


def _quoted(term: str) -> str:
    """The term in quotes, unless it quotes itself already (`宅基地“三权分置”`, `“四上”企业`)."""
    return term if re.search(r"[“”\"「」]", term) else f"“{term}”"


def section_answer(lang: Lang, parent: str, titles: Sequence[tuple[str, int]]) -> str:
    items = "\n".join(f"{i}. {t}[{n}]" for i, (t, n) in enumerate(titles, start=1))
    if lang == "en":
        return f"The report lists {len(titles)} areas under “{parent}”:\n{items}"
    return f"“{parent}”共分{len(titles)}个方面：\n{items}"


def period_label(period: Period, timeline: Timeline, lang: Lang) -> str:
    """A period of one report in words: `2025年`, `“十四五”时期` (`the 14th Five-Year Plan
    period`), the long-range vision — from that report's own timeline."""
    english = lang == "en"
    if period == "review_year" and timeline.review_year is not None:
        return str(timeline.review_year) if english else f"{timeline.review_year}年"
    if period == "plan_year" and timeline.year is not None:
        return str(timeline.year) if english else f"{timeline.year}年"
    plan = timeline.review_plan if period == "review_plan" else timeline.plan_ahead
    if period in ("review_plan", "plan_ahead") and plan is not None:
        if english:
            return f"the {_ordinal(plan.ordinal)} Five-Year Plan period ({plan.start}–{plan.end})"
        return f"“{plan.name}”时期"
    if period == "long_range" and timeline.long_range:
        years = "、".join(str(y) for y in timeline.long_range)
        return f"the long-range goals ({years})" if english else f"{years}年远景目标"
    return "another period" if english else "其他时期"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def missing_periods_note(lang: Lang, labels: Sequence[str]) -> str:
    """Said after a comparison answer when the report gives no figure for some periods."""
    if lang == "en":
        return f"The report gives no such figure for {' or '.join(labels)}."
    return f"报告中没有找到{'、'.join(labels)}的相应数字。"


def bridge_note(lang: Lang, head: str, name: str, n: int) -> str:
    """Which thing the question described: `所问的职业技术学院是<某市>职业技术学院[1]。`"""
    if lang == "en":
        return f"The {head} asked about is {name}[{n}]."
    return f"所问的{head}是{name}[{n}]。"


def report_note(lang: Lang, title: str) -> str:
    """Names the report an answer comes from when several are loaded."""
    return f"(From: {title})" if lang == "en" else f"（出自《{title}》）"


def refusal_reason(lang: Lang, verdict: Verdict, timeline: Timeline, title: str = "") -> str:
    """Why the report does not answer, in the question's language ("" when there is nothing
    more specific to say than that it does not)."""
    reason, detail = verdict.reason, verdict.detail
    en = lang == "en"
    if reason is Reason.REGION_NOT_LOADED:
        loaded = ("; " if en else "、").join(verdict.loaded)
        if en:
            return f"No loaded report is about {detail}. Loaded reports: {loaded}."
        return f"已加载的报告中没有关于{detail}的报告。已加载：{loaded}。"
    if reason is Reason.PLACE_NOT_IN_EVIDENCE:
        return (
            f"The report says nothing about {detail}." if en else f"报告中没有关于{detail}的内容。"
        )
    if reason in (Reason.TIME_NOT_COVERED, Reason.YEAR_NOT_IN_EVIDENCE):
        if en:
            return f"The report gives no figure for {detail}."
        where = f"《{title}》" if title else "报告"
        return f"{where}没有给出{detail}的相应内容。"
    if reason is Reason.OTHER_PERIOD and verdict.found is not None and verdict.asked:
        found = period_label(verdict.found, timeline, lang)
        asked = period_label(verdict.asked[0], timeline, lang)
        if en:
            return f"The report gives this figure for {found}, not for {asked}."
        return f"报告给出的是{found}的数字，没有{asked}的。"
    if reason is Reason.NO_RATE or reason is Reason.ONLY_CHANGE:
        return "The report states no such rate." if en else "报告中没有给出相应的比率。"
    if reason is Reason.ONLY_SHARE:
        if en:
            return "The report gives this as a share, not as a change."
        return "报告给出的是所占比重，没有给出增长情况。"
    if reason is Reason.ONLY_GROWTH:
        if en:
            return "The report gives this figure's growth, not its amount."
        return "报告给出的是增长情况，没有给出总量。"
    if reason is Reason.ONLY_LEVEL:
        if en:
            return "The report gives this figure's level, not its change."
        return "报告给出的是总量或水平，没有给出增长情况。"
    if reason is Reason.NO_INDICATOR:
        return (
            "The report states no such figure." if en else f"报告中没有关于“{detail}”的相应数字。"
        )
    if reason is Reason.NO_UNIT:
        return (
            "The report states no such figure." if en else f"报告中没有以“{detail}”计的相应数字。"
        )
    return ""


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
        lines += [
            f"[{c.n}] {_where(answer, c.hit.chunk, english)}：“{c.quote}”" for c in answer.citations
        ]
    elif answer.passages:
        lines += ["", "Possibly related:" if english else "可能相关的段落："]
        lines += [f"- {_where(answer, h.chunk, english)}" for h in answer.passages[:RELATED_LIMIT]]
    return "\n".join(lines)


def _where(answer: Answer, chunk: Chunk, english: bool) -> str:
    """The report, section path and pages of a passage (no pages where the source has none)."""
    pages = pages_label(chunk.page_start, chunk.page_end, english)
    path = " > ".join(chunk.section_path)
    where = f"《{answer.report(chunk.doc_id).title}》{path}"
    return f"{where}，{pages}" if pages else where
