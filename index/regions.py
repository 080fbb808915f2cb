"""Regions a question names, from general data and the loaded reports' own metadata.

Provinces are known by full name (`广东省`), short name (`广东`), English name (`Guangdong`)
and, where it is distinctive, their one-character name (`粤`); cities by name (`广州`, `广州市`)
and pinyin (`Guangzhou`). A city whose name is also an everyday word (`长治久安`) counts only
with 市/州 after it. The data is `ingest/data/regions.json`; a report's region (a city) is known
from its metadata even where the data lacks it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal

from ingest.meta import provinces, short_name, suffix_required
from ingest.models import DocumentMeta

_SUFFIX = r"(?:市|州|地区|盟)"


@dataclass(frozen=True)
class Place:
    name: str  # canonical: `广东省`, `广州市`
    province: str  # the province a city is in ("" for a province, or where unknown)


@dataclass(frozen=True)
class _Name:
    """A name of a place: as written (`plain`), only before 市/州/地区/盟 (`suffix`), or as
    a whole English word in any case (`word`). Found literally; the two others' regex is
    compiled only for a text holding the name (hundreds of names, a few in any text)."""

    name: str
    place: Place
    rule: Literal["plain", "suffix", "word"] = "plain"

    @property
    def source(self) -> str:
        """The name's regex source (its length orders the names)."""
        if self.rule == "plain":
            return re.escape(self.name)
        if self.rule == "suffix":
            return rf"({re.escape(self.name)}){_SUFFIX}"
        return rf"\b{re.escape(self.name)}\b"

    def spans(self, text: str, lowered: str) -> Iterator[tuple[int, int]]:
        """Where the name occurs in `text` (`lowered`: the same text in lower case)."""
        if self.name not in text and not (self.rule == "word" and self.name.lower() in lowered):
            return
        if self.rule == "plain":
            start = text.find(self.name)
            while start >= 0:
                yield start, start + len(self.name)
                start = text.find(self.name, start + len(self.name))
            return
        for match in _compiled(self.source, self.rule == "word").finditer(text):
            yield match.span()


@cache
def _compiled(source: str, ignore_case: bool) -> re.Pattern[str]:
    return re.compile(source, re.I if ignore_case else 0)


class RegionIndex:
    """Finds the places a question names."""

    def __init__(self, documents: Sequence[DocumentMeta] = ()) -> None:
        known = {n.place.name for n in _general_names(english=False)}
        self._loaded = [meta.region for meta in documents if meta.region]
        self._own = list(
            dict.fromkeys(
                Place(meta.region, "")
                for meta in documents
                if meta.region and meta.region not in known
            )
        )
        self._names = _longest_first(
            [*_general_names(english=False), *self._names_of_own(english=False)]
        )
        self._first = _by_first_char(self._names)
        # with the English names, built for the first English text
        self._all: tuple[list[_Name], dict[str, list[int]]] | None = None

    def _names_of_own(self, *, english: bool) -> list[_Name]:
        return [
            n
            for place in self._own
            for n in _names_of(place, short_name(place.name), english_only=english)
        ]

    def _patterns(self, text: str, lowered: str) -> list[_Name]:
        """The names that could occur in `text`, longest first: Chinese names; for a text
        with Latin letters, English names too (pinyin takes 0.5 s to load, and no Chinese
        name overlaps an English one). Only names starting with one of the text's
        characters are candidates (hundreds of names, a few dozen characters)."""
        names, first = self._names, self._first
        if _LATIN.search(text):
            if self._all is None:
                english = [*_general_names(english=True), *self._names_of_own(english=True)]
                every = [*self._names, *_longest_first(english)]
                self._all = every, _by_first_char(every)
            names, first = self._all
        ranks = sorted({r for char in {*text, *lowered} for r in first.get(char, ())})
        return [names[r] for r in ranks]

    def find(self, text: str) -> tuple[Place, ...]:
        """The places `text` names, in order of first mention, each once."""
        found: dict[str, Place] = {}
        for _, _, place in self._mentions(text):
            found.setdefault(place.name, place)
        return tuple(found.values())

    def mentions(self, text: str) -> list[tuple[str, int]]:
        """Each mention of a place in `text`: (the words as written, where they start)."""
        return [(text[s:e], s) for s, e, _ in self._mentions(text)]

    def _mentions(self, text: str) -> list[tuple[int, int, Place]]:
        taken: list[tuple[int, int, Place]] = []
        lowered = text.lower()
        for name in self._patterns(text, lowered):
            for start, end in name.spans(text, lowered):
                if any(s < end and start < e for s, e, _ in taken):
                    continue
                if len(name.name) == 1 and _joined(text, start, end) and not self._is_loaded(name):
                    continue
                taken.append((start, end, name.place))
        return sorted(taken, key=lambda m: m[0])

    def _is_loaded(self, name: _Name) -> bool:
        return any(same_region(name.place.name, region) for region in self._loaded)


def _joined(text: str, start: int, end: int) -> bool:
    """A one-character name written beside another region's (`京津冀`, `成渝`, `粤港澳`) is
    part of the name of an area of several regions: it names that region only when one of
    its reports is loaded (`粤港澳大湾区` with Guangdong's), else it asks about the area,
    not about a region missing from the library."""
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    return bool({before, after} & _joining_chars())


# a direction beside a one-character name qualifies it (`闽南`), it joins no other region
_DIRECTIONS = frozenset("东南西北中")


@cache
def _joining_chars() -> frozenset[str]:
    """Every province's one-character name and the first character of every city."""
    chars = {p.abbr for p in provinces() if p.abbr}
    chars |= {city[0] for p in provinces() for city in p.cities if city}
    return frozenset(chars - _DIRECTIONS)


def same_region(place: str, region: str) -> bool:
    """Whether `place` names the region `region` (`广东` and `广东省`, `自贡` and `自贡市`)."""
    return bool(place and region) and (place == region or short_name(place) == short_name(region))


_LATIN = re.compile(r"[A-Za-z]")


def _by_first_char(names: list[_Name]) -> dict[str, list[int]]:
    """Each name's position in `names`, under its first character (in both cases)."""
    out: dict[str, list[int]] = {}
    for rank, name in enumerate(names):
        for char in {name.name[0], name.name[0].lower()}:
            out.setdefault(char, []).append(rank)
    return out


def _longest_first(names: list[_Name]) -> list[_Name]:
    # longest first, so `广州市` is found before `广州` and `海南州` before `海南`
    return sorted(names, key=lambda n: -len(n.source))


@cache
def _general_names(*, english: bool) -> tuple[_Name, ...]:
    """The data's places by their Chinese names, or (`english`) by their English ones."""
    out: list[_Name] = []
    required = suffix_required()
    for province in provinces():
        place = Place(province.name, "")
        out.extend(
            _names_of(
                place, province.short, english=province.english, pinyin=False, english_only=english
            )
        )
        if province.abbr_in_questions and not english:
            out.append(_Name(province.abbr, place))
        for city in province.cities:
            city_place = Place(_city_name(city), province.name)
            bare = city.removesuffix("市")
            out.extend(
                _names_of(city_place, bare, suffix_only=city in required, english_only=english)
            )
    return tuple(out)


def _city_name(city: str) -> str:
    if city.endswith(("市", "自治州", "盟", "地区")):
        return city
    return f"{city}市"


def _names_of(
    place: Place,
    short: str,
    *,
    english: str = "",
    suffix_only: bool = False,
    pinyin: bool = True,
    english_only: bool = False,
) -> Iterable[_Name]:
    """The patterns of a place's Chinese names, or (`english_only`) of its English ones."""
    if english_only:
        for word in {english, _pinyin(short) if pinyin else ""} - {""}:
            yield _Name(word, place, "word")
        return
    yield _Name(place.name, place)
    if short and short != place.name:
        yield _Name(short, place, "suffix" if suffix_only else "plain")


@cache
def _pinyin(name: str) -> str:
    """`Zigong` for 自贡 (place names in English questions)."""
    from pypinyin import lazy_pinyin

    if not name or not re.fullmatch(r"[\u4e00-\u9fff]+", name):
        return ""
    return "".join(lazy_pinyin(name)).capitalize()


@cache
def _province_by_place() -> dict[str, str]:
    return {
        n.place.name: n.place.province for n in _general_names(english=False) if n.place.province
    }


def province_of(place: str) -> str:
    """The province a city is in ("" for a province or an unknown place)."""
    return _province_by_place().get(place, "")


def english_name(region: str) -> str:
    """`Guangdong` for 广东省, `Zigong` for 自贡市 ("" for an unknown name)."""
    for province in provinces():
        if region == province.name:
            return province.english
    return _pinyin(short_name(region)) if region else ""


def place_names(place: str) -> tuple[str, ...]:
    """The ways a text may name a place: full, short, and a province's one-character name
    (`援鄂` names 湖北省)."""
    names = [place, short_name(place)]
    for province in provinces():
        if province.name == place:  # a province is named by its cities too (`驰援武汉`)
            names += [province.abbr, *(c.removesuffix("市") for c in province.cities)]
    return tuple(dict.fromkeys(n for n in names if n))
