"""Web-page chrome around a report copied from a government site (pure).

A copy of a report from a web page carries the page's controls and bylines before the title
(下载 打印 全屏 收藏, 【字号：加大 还原 减小】, 来源：…, 时间：…, a photo caption) and the page's
related links after the report's end (相关报道：…, 责任编辑：…, 分享到…). `trim` finds the report
between them and records what it left out. It drops lines only before the report, inside the
title block (above the opening address `各位代表`) and after the report; a line in the body that
merely looks like chrome stays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.models import Dropped

# Controls and bylines of a web page; a whole (stripped) line must match.
CHROME_LINE = re.compile(
    r"(?:下载|打印|全屏|收藏|关闭|加大|还原|减小|默认|【|】|[\[【]?(?:打印|关闭|收藏|下载)(?:本页|窗口)?[\]】]?"
    r"|【?字号[:：].*|字体[:：].*|(?:分享|转发)(?:到)?[:：]?.{0,30}|来源[:：].{0,40}"
    r"|(?:发布)?(?:时间|日期)[:：].{0,30}|作者[:：].{0,30}|(?:责任)?编辑[:：].{0,30}"
    r"|(?:浏览|阅读|点击)(?:次数|数|量)?[:：].{0,20}|扫一扫.{0,30}|返回顶部|返回首页"
    r"|当前位置[:：].{0,80}|首页\s*[>＞].{0,80}|[大中小](?:\s*[大中小]){0,2})"
)
# Single characters that are chrome only in the run of controls before the report.
_LEADING_ONLY = re.compile(r"[大中小](?:\s*[大中小]){0,2}")
# The start of the page's related links: everything after it is not the report.
RELATED = re.compile(
    r"(?:相关(?:报道|链接|阅读|新闻|文章|稿件|附件)|延伸阅读|推荐阅读|往期回顾)[:：]?.{0,60}"
)
# A photo caption under the title (`殷勇同志作政府工作报告。本报记者 戴冰摄`).
CAPTION = re.compile(r".{0,60}(?:记者|通讯员|摄影|供图|图片来源).{0,20}|.{2,60}摄")
# The opening address that ends the title block.
ADDRESS = re.compile(r"各位代表")
TITLE_ZONE_MAX_LINES = 12
RELATED_TAIL_MAX_CHARS = 80  # lines after a 相关报道 marker are link titles, not report text


@dataclass(frozen=True)
class Trimmed:
    """The source's lines that hold the report (1-based numbers kept) and what was dropped."""

    lines: tuple[tuple[int, str], ...]
    dropped: tuple[Dropped, ...]


def trim(raw: str) -> Trimmed:
    """The report's lines of `raw`, without web-page chrome before, in its title block and
    after its end. Blank lines and form feeds are kept (they are layout for `clean`)."""
    lines = list(enumerate(_split_lines(raw), start=1))
    first = _first_report_line(lines)
    last = _last_report_line(lines, first)
    dropped = [Dropped(n, t.strip(), "before") for n, t in lines[:first] if t.strip()]
    kept: list[tuple[int, str]] = []
    zone_end = _title_zone_end(lines, first, last)
    for index in range(first, last + 1):
        number, text = lines[index]
        if index < zone_end and _is_title_chrome(text):
            dropped.append(Dropped(number, text.strip(), "title"))
            continue
        kept.append((number, text))
    dropped.extend(Dropped(n, t.strip(), "after") for n, t in lines[last + 1 :] if t.strip())
    return Trimmed(tuple(kept), tuple(dropped))


def _split_lines(raw: str) -> list[str]:
    return raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _content(text: str) -> str:
    return text.replace("\f", "").strip()


def _first_report_line(lines: list[tuple[int, str]]) -> int:
    """Index of the first line that is neither blank nor a page control."""
    for index, (_, text) in enumerate(lines):
        content = _content(text)
        if content and not (CHROME_LINE.fullmatch(content) or _LEADING_ONLY.fullmatch(content)):
            return index
    return len(lines)


def _last_report_line(lines: list[tuple[int, str]], first: int) -> int:
    """Index of the report's last line: before the related links and trailing controls."""
    last = len(lines) - 1
    related = _related_start(lines, first)
    if related is not None:
        last = related - 1
    while last >= first and (
        not _content(lines[last][1]) or CHROME_LINE.fullmatch(_content(lines[last][1]))
    ):
        last -= 1
    return last


def _related_start(lines: list[tuple[int, str]], first: int) -> int | None:
    """The line opening the related links, when only short link titles follow it."""
    for index in range(len(lines) - 1, first, -1):
        content = _content(lines[index][1])
        if not content:
            continue
        if RELATED.fullmatch(content):
            tail = [_content(t) for _, t in lines[index + 1 :]]
            if all(len(t) <= RELATED_TAIL_MAX_CHARS for t in tail):
                return index
            return None
        if len(content) > RELATED_TAIL_MAX_CHARS:
            return None
    return None


def _title_zone_end(lines: list[tuple[int, str]], first: int, last: int) -> int:
    """Index of the opening address (`各位代表：`) when it comes within the first lines of
    the report; the title block lies above it. `first` when there is none."""
    seen = 0
    for index in range(first, last + 1):
        content = _content(lines[index][1])
        if not content:
            continue
        if ADDRESS.match(content):
            return index
        seen += 1
        if seen >= TITLE_ZONE_MAX_LINES:
            break
    return first


def _is_title_chrome(text: str) -> bool:
    content = _content(text)
    if not content:
        return False
    return bool(CHROME_LINE.fullmatch(content) or CAPTION.fullmatch(content))
