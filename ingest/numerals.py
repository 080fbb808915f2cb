"""Chinese numerals (`十四`, `二〇二六`, `二十七`) <-> integers, through `cn2an`."""

from __future__ import annotations

import re
from functools import cache

_CN_DATE = re.compile(
    r"([〇零○一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日"
)


def cn_to_int(text: str) -> int | None:
    """The value of a Chinese numeral (`十四` -> 14, `二〇二六` -> 2026); None if not one."""
    return _cn_to_int(text.replace("○", "〇"))


@cache
def _cn_to_int(text: str) -> int | None:
    import cn2an

    try:
        value = cn2an.cn2an(text, "smart")
    except (ValueError, KeyError, TypeError):
        return None
    return int(value) if float(value).is_integer() else None


@cache
def int_to_cn(value: int) -> str:
    """`十四` for 14."""
    import cn2an

    return str(cn2an.an2cn(value, "low"))


def arabic_dates(text: str) -> str:
    """`二〇二六年一月二十七日` -> `2026年1月27日` (other text unchanged, same meaning)."""

    def convert(match: re.Match[str]) -> str:
        parts = [cn_to_int(g) for g in match.groups()]
        if any(p is None for p in parts):
            return match.group(0)
        year, month, day = parts
        return f"{year}年{month}月{day}日"

    return _CN_DATE.sub(convert, text)
