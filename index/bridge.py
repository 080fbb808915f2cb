"""A thing a question names by what the report says of it, not by its name.

`去年说即将建成投用的那所职业技术学院，今年的目标是什么？` asks about a college the report names
elsewhere: first find the sentence the description (`去年说即将建成投用`) fits, read the name
ending in the head noun there (`自贡职业技术学院`), then ask the rest of the question of it
(`自贡职业技术学院今年的目标是什么？`). A head that is a kind of place (`那座城市`, `所在的城市`)
is a region the sentence names.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# `<description>的那<measure word><head>` or `<description>所在的<head>`, then the question
_REFERENCE = re.compile(
    r"(?P<description>[^，,。？?；;！!]{4,40}?)"
    r"(?:的那[个所届座家条项段位款批只名]?|所在的)"
    r"(?P<head>[\u4e00-\u9fff]{1,12}?)"
    r"(?P<tail>[上里中]?[，,]|(?=今年|去年|明年|还|又|要|将))"
)
_PLACE_HEAD = re.compile(r"(?:城市|市|县|区|省|地方|地区)$")


@dataclass(frozen=True)
class Bridge:
    description: str  # what the report says of the thing (`去年说即将建成投用`)
    head: str  # the kind of thing (`职业技术学院`); a place's modifier stays (`福建城市`)
    rest: str  # the question asked of it (`今年的目标是什么？`)

    @property
    def place(self) -> bool:
        """The thing is a region (`那座城市`, `所在的城市`)."""
        return bool(_PLACE_HEAD.search(self.head))

    def asked_of(self, name: str) -> str:
        """The question asked of the thing by its name."""
        return name + self.rest


def bridge_of(text: str) -> Bridge | None:
    """The reference by description the question opens its last clause with, if any."""
    match = _REFERENCE.search(text)
    if match is None or not match.end() < len(text):
        return None
    rest = text[match.end() :].lstrip("，, ")
    if not re.search(r"[\u4e00-\u9fff]{2}", rest):
        return None
    return Bridge(match.group("description").strip(), match.group("head"), rest)


# parts of a name: nouns of every kind, numerals and measure words (`第十五届`), abbreviations,
# distinguishing words, directions and place words (`东部新城校区`, `宁波东方理工大学`), Latin
_NAME_PART = re.compile(r"n|m|q|j|b|f|s|eng")
_OPEN, _CLOSE = frozenset("（("), frozenset("）)")


def name_ending_in(
    tagged: list[tuple[str, str]], head: str, is_place: Callable[[str], bool]
) -> str | None:
    """The name that ends in `head` (or in a tail of it longer than half) in a sentence
    tagged by jieba: the words before it back to the first that is no part of a name (a word
    that is a place, `自贡`, is part of one whatever its tag). None when no name longer than
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
    name, at = "", 0
    before: list[tuple[str, str]] = []
    for word, flag in tagged:
        if at >= start:
            break
        before.append((word[: start - at], flag))
        at += len(word)
    name, outside, inside = "", "", False  # in brackets a name holds (`西南（自贡）国际陆港`)
    for word, flag in reversed(before):
        if word in _CLOSE:
            inside, outside = True, name
        elif word in _OPEN and inside:
            inside = False
        elif not (inside or _NAME_PART.match(flag) or is_place(word)):
            break
        name = word + name
    return outside if inside else name  # a bracket the sentence never opens is no part
