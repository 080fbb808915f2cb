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


_DIGITS = {c: n for n, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "两": 2}
_SMALL = re.compile(r"([一二三四五六七八九])?十([一二三四五六七八九])?")


@cache
def _cn_to_int(text: str) -> int | None:
    small = _small(text)
    if small is not None:
        return small
    import cn2an  # 0.3 s to import: only for what `_small` does not read

    try:
        value = cn2an.cn2an(text, "smart")
    except (ValueError, KeyError, TypeError):
        return None
    return int(value) if float(value).is_integer() else None


def _small(text: str) -> int | None:
    """Digit-by-digit numerals (`二〇二六`) and 1-99 (`十四`, `二十七`), as cn2an reads them
    (tested against it), without importing it; None for anything else."""
    if text and all(c in _DIGITS for c in text):
        return int("".join(str(_DIGITS[c]) for c in text)) if len(text) > 1 else _DIGITS[text]
    match = _SMALL.fullmatch(text)
    if match is None:
        return None
    tens, ones = match.groups()
    return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)


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
