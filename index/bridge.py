"""A thing a question names by what the report says of it, not by its name.

`去年说即将建成投用的那所职业技术学院，今年的目标是什么？` asks about a college the report names
elsewhere: first find the sentence the description (`去年说即将建成投用`) fits, read the name
ending in the head noun there (`<某市>职业技术学院`), then ask the rest of the question of
it (`<某市>职业技术学院今年的目标是什么？`). A head that is a kind of place (`那座城市`, `所在的城市`)
is a region the sentence names. A thing named by its place in a glossary term's list
(`“两大行动”中的第二个行动`) is that item of the term's definition.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ingest.numerals import cn_to_int

# `<description>的那<measure word><head>` or `<description>所在的<head>`, then the question
_REFERENCE = re.compile(
    r"(?P<description>[^，,。？?；;！!]{4,40}?)"
    r"(?:的那[个所届座家条项段位款批只名]?|所在的)"
    r"(?P<head>[\u4e00-\u9fff]{1,12}?)"
    r"(?P<tail>[上里中]?[，,]|(?=今年|去年|明年|还|又|要|将))"
)
# `“<term>”中的第<n>个<head>`, then the question
_ITEM_OF = re.compile(
    r"[“\"「](?P<term>[^”\"」]{2,20})[”\"」][^，,。？?“”]{0,8}?(?:注释)?(?:中的|里的|中|里)?"
    r"(?:列出的|列的|排在)?第(?P<n>[一二三四五六七八九十]|\d{1,2})(?:个|项|位|条)?(?:的那[个项位条]?)?"
    r"(?P<head>[\u4e00-\u9fff]{0,8}?)"
    r"(?P<tail>[上里中]?[，,]|(?=今年|去年|明年))"
)
# what divides the items of a definition (`指项目攻坚三年行动、开放发展与营商环境提升年行动`)
_ITEMS = re.compile(r"[、，,；;]|和")
_ETC = re.compile(r"等.*$")
_PLACE_HEAD = re.compile(r"(?:城市|市|县|区|省|地方|地区)$")


@dataclass(frozen=True)
class Bridge:
    description: str  # what the report says of the thing (`去年说即将建成投用`)
    head: str  # the kind of thing (`职业技术学院`); a place's modifier stays (`福建城市`)
    rest: str  # the question asked of it (`今年的目标是什么？`)
    term: str = ""  # a glossary term whose definition lists the thing (`两大行动`)
    item: int = 0  # its place in that list, from 1

    @property
    def place(self) -> bool:
        """The thing is a region (`那座城市`, `所在的城市`)."""
        return bool(_PLACE_HEAD.search(self.head))

    def asked_of(self, name: str) -> str:
        """The question asked of the thing by its name."""
        return name + self.rest


def bridge_of(text: str) -> Bridge | None:
    """The reference by description or by place in a glossary list that the question opens
    its last clause with, if any."""
    item = _ITEM_OF.search(text)
    if item is not None and (rest := _rest(text, item.end())):
        n = cn_to_int(item.group("n"))
        if n:
            return Bridge("", item.group("head"), rest, item.group("term"), n)
    match = _REFERENCE.search(text)
    if match is None or not (rest := _rest(text, match.end())):
        return None
    return Bridge(match.group("description").strip(), match.group("head"), rest)


def _rest(text: str, end: int) -> str:
    """What the question asks after the reference ("" when nothing is)."""
    rest = text[end:].lstrip("，, ")
    return rest if re.search(r"[\u4e00-\u9fff]{2}", rest) else ""


def listed_item(definition: str, n: int) -> str | None:
    """The `n`-th item a glossary definition lists (`指A、B和C等…`), from 1."""
    body = re.sub(r"^\s*[：:]?\s*指", "", definition.strip()).rstrip("。；; ")
    items = [_ETC.sub("", i).strip() for i in _ITEMS.split(body)]
    items = [i for i in items if i]
    return items[n - 1] if 0 < n <= len(items) and len(items) > 1 else None


# parts of a name: nouns of every kind, numerals and measure words (`第十五届`), abbreviations,
# distinguishing words, directions and place words (`东部新城校区`, `宁波东方理工大学`), Latin
_NAME_PART = re.compile(r"n|m|q|j|b|f|s|eng")
_OPEN, _CLOSE = frozenset("（("), frozenset("）)")


def name_ending_in(
    tagged: list[tuple[str, str]], head: str, is_place: Callable[[str], bool]
) -> str | None:
    """The name that ends in `head` (or in a tail of it longer than half) in a sentence
    tagged by jieba: the words before it back to the first that is no part of a name (a word
    that is a place is part of one whatever its tag: jieba may tag a city as a verb). None when no name longer than
    the head is written there."""
    text = "".join(word for word, _ in tagged)
    shortest = len(head) // 2 + 1
    for tail in (head[i:] for i in range(len(head) - shortest + 1)):
        for match in re.finditer(re.escape(tail), text):
            name = _name_before(tagged, match.start(), is_place) + tail
            if not head.endswith(name):  # more than (a tail of) the head
                return name
    return None


def _name_before(tagged: list[tuple[str, str]], start: int, is_place: Callable[[str], bool]) -> str:
    """The name parts written right before offset `start` (a word cut there counts by its
    part before `start`)."""
    at = 0
    before: list[tuple[str, str]] = []
    for word, flag in tagged:
        if at >= start:
            break
        before.append((word[: start - at], flag))
        at += len(word)
    name, outside, inside = "", "", False  # in brackets a name holds (`中国（<某市>）博览会`)
    for word, flag in reversed(before):
        if word in _CLOSE:
            inside, outside = True, name
        elif word in _OPEN and inside:
            inside = False
        elif not (inside or _NAME_PART.match(flag) or is_place(word)):
            break
        name = word + name
    return outside if inside else name  # a bracket the sentence never opens is no part
