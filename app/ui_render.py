"""Pure rendering for the chat UI: the chat reply (Markdown) and the citations panel (HTML)."""

from __future__ import annotations

import html
import re
from collections.abc import Collection, Sequence
from datetime import UTC, datetime

from app.models import Answer, Quote, ReportRef
from app.render import RELATED_LIMIT, pages_label
from app.service import ServiceInfo
from index.models import Hit
from ingest.models import DocumentInfo

PANEL_EMPTY = (
    '<div class="rq-panel rq-empty">提问后，这里会列出答案引用的原文段落：'
    "所在章节、页码、被引用的句子（高亮）以及相关用语注释。</div>"
)
PANEL_SEARCHING = '<div class="rq-panel rq-empty">正在检索报告……</div>'


def _quote_spans(text: str, offset: int, quotes: Sequence[Quote]) -> list[tuple[int, int]]:
    """Quote ranges relative to the passage, by offsets when they agree, else by search."""
    spans = []
    for quote in quotes:
        start = quote.start - offset
        if not (0 <= start and text[start : start + len(quote.text)] == quote.text):
            start = text.find(quote.text)
        if start >= 0 and quote.text:
            spans.append((start, start + len(quote.text)))
    return sorted(spans)


def highlight(text: str, offset: int, quotes: Sequence[Quote]) -> str:
    """The passage as HTML with each quoted sentence wrapped in <mark>."""
    parts, cursor = [], 0
    for start, end in _quote_spans(text, offset, quotes):
        if start < cursor:
            continue
        parts += [html.escape(text[cursor:start]), f"<mark>{html.escape(text[start:end])}</mark>"]
        cursor = end
    parts.append(html.escape(text[cursor:]))
    return "".join(parts)


def _footnotes(hit: Hit) -> str:
    if not hit.chunk.footnotes:
        return ""
    items = "".join(
        f'<div class="rq-note"><b>[{f.number}] {html.escape(f.term)}</b>：{html.escape(f.definition)}</div>'
        for f in hit.chunk.footnotes
    )
    return f'<div class="rq-notes"><div class="rq-notes-title">注释</div>{items}</div>'


def card(
    label: str,
    hit: Hit,
    report: ReportRef,
    quotes: Sequence[Quote] = (),
    related: bool = False,
    anchor: str = "",
) -> str:
    """One passage: marker, its report's title, section path, page, text with the quote
    highlighted, footnotes (`anchor`: its element id, which an answer's [n] links to)."""
    chunk = hit.chunk
    path = " › ".join(html.escape(part) for part in chunk.section_path) or "（正文）"
    kind = "rq-cite rq-related" if related else "rq-cite"
    pages = pages_label(chunk.page_start, chunk.page_end)
    page = f'<span class="rq-page">{pages}</span>' if pages else ""
    element_id = f' id="{anchor}"' if anchor else ""
    return (
        f'<div class="{kind}"{element_id} data-chunk-id="{html.escape(chunk.chunk_id)}" '
        f'data-doc-id="{html.escape(chunk.doc_id)}">'
        f'<div class="rq-report">{html.escape(report.title)}</div>'
        f'<div class="rq-head"><span class="rq-n">{html.escape(label)}</span>'
        f'<span class="rq-path">{path}</span>'
        f"{page}</div>"
        f'<div class="rq-text">{highlight(chunk.text, chunk.start, quotes)}</div>'
        f"{_footnotes(hit)}</div>"
    )


def citations_html(answer: Answer, number: int | None = None) -> str:
    """The citations panel: cited passages, or a refusal notice with possibly related passages
    (`number`: the answer's number, which names the cards its [n] links open)."""
    if answer.refused or not answer.citations:
        return refusal_html(answer, number)
    cards = "".join(
        card(
            f"[{c.n}]",
            c.hit,
            answer.report(c.hit.chunk.doc_id),
            c.quotes,
            anchor=card_anchor(number, c.n),
        )
        for c in answer.citations
    )
    return f'<div class="rq-panel"><div class="rq-h">引用出处（{len(answer.citations)}）</div>{cards}</div>'


def card_anchor(number: int | None, n: int) -> str:
    return "" if number is None else f"rq-a{number}-c{n}"


def refusal_html(answer: Answer, number: int | None = None) -> str:
    related = answer.passages[:RELATED_LIMIT]
    notice = (
        '<div class="rq-notice rq-refused"><div class="rq-notice-title">报告中未找到答案</div>'
        f"<div>{html.escape(answer.text)}</div></div>"
    )
    if not related:
        return f'<div class="rq-panel">{notice}</div>'
    cards = "".join(
        card("相关", hit, answer.report(hit.chunk.doc_id), related=True) for hit in related
    )
    heading = '<div class="rq-h">可能相关的段落（仅供参考，并非答案）</div>'
    return f'<div class="rq-panel">{notice}{heading}{cards}</div>'


def answer_panel(answer: Answer, number: int, question: str, lost: bool = False) -> str:
    """One answer's citations as a section of the panel, headed by its question (`lost`:
    the passages it cited are no longer in the index)."""
    asked = f'<div class="rq-asked">第 {number + 1} 问：{html.escape(question)}</div>'
    body = notice_html(LOST) if lost else citations_html(answer, number)
    return f'<section class="rq-answer" id="rq-a{number}">{asked}{body}</section>'


LOST = "这个回答引用的报告已不在库中，无法显示出处。"


def panels_html(panels: Sequence[str], notice: str = "", pending: bool = False) -> str:
    """Every answer's section (the latest shown; a click on an answer's [n] shows its own),
    after a notice (searching, an error) when there is one."""
    if not panels and not notice:
        return PANEL_EMPTY
    kind = "rq-panels rq-pending" if pending else "rq-panels"
    return f'<div class="{kind}">{notice}{"".join(panels)}</div>'


def notice_html(message: str) -> str:
    return (
        f'<div class="rq-panel"><div class="rq-notice rq-error">{html.escape(message)}</div></div>'
    )


_BOLD = re.compile(r"\*\*(.+?)\*\*")


def bold_as_html(text: str) -> str:
    """`**x**` as <strong>: CommonMark does not close `**` between CJK characters after
    punctuation (e.g. `增长**7.5%**以上`), so the markers would show literally."""
    return _BOLD.sub(r"<strong>\1</strong>", html.escape(text, quote=False))


def chat_reply(answer: Answer, number: int | None = None) -> str:
    """The assistant message (Markdown): the answer with its [n] markers, or a refusal notice
    (`number`: the answer's number; each [n] then links to its card in the panel)."""
    refused = answer.refused or not answer.citations
    return reply_markdown(answer.text, refused, {c.n for c in answer.citations}, number)


_MARKER = re.compile(r"\[(\d{1,3})\]")


def reply_markdown(text: str, refused: bool, cited: Collection[int], number: int | None) -> str:
    if refused:
        see = "“引用与出处”"
        if number is not None:
            see = f'<a class="rq-ref" href="#rq-a{number}">{see}</a>'
        return f"⚠️ **报告中未找到答案**\n\n> {bold_as_html(text)}\n\n（可能相关的段落见{see}。）"
    body = bold_as_html(text)
    if number is None:
        return body

    def link(match: re.Match[str]) -> str:
        n = int(match.group(1))
        if n not in cited:
            return match.group(0)
        return f'<a class="rq-ref" href="#{card_anchor(number, n)}">[{n}]</a>'

    return _MARKER.sub(link, body)


def status_line(info: ServiceInfo, documents: Sequence[DocumentInfo] = ()) -> str:
    """The header: the loaded reports by title, the index size and its build time in the
    server's local time."""
    titles = "、".join(f"《{d.meta.title}》" for d in documents) or "、".join(info.documents)
    return (
        f"已载入报告：{titles or '（无）'} · {info.chunk_count} 个段落 · 向量模型 `{info.model}` · "
        f"索引构建于 {local_time(info.index_built_at)}"
    )


def local_time(iso: str) -> str:
    """`2026-12-01 21:59 UTC` (the local time zone of the server) for an ISO 8601 time."""
    try:
        when = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    local = when.astimezone()
    return f"{local:%Y-%m-%d %H:%M} {local.tzname() or ''}".strip()


def report_choices(documents: Sequence[DocumentInfo]) -> list[tuple[str, str]]:
    """(label, doc_id) for the report picker: title, region and year."""
    out = []
    for d in documents:
        extra = "，".join(
            x for x in (d.meta.region, f"{d.meta.year}年" if d.meta.year else "") if x
        )
        out.append((f"{d.meta.title}（{extra}）" if extra else d.meta.title, d.doc_id))
    return out
