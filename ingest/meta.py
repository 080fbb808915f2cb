"""A report's bibliographic record inferred from its title block (pure).

Government work reports open with a title block: the title (`2026年甘肃省政府工作报告` or
just `政府工作报告`), the occasion (`——2026年1月26日在广东省第十四届人民代表大会第五次会议上`,
the date also written `二〇二六年一月二十七日`) and the speaker (`广东省省长 孟凡利`,
`福建省人民政府省长 赵龙`). `infer_meta` reads region, level, year, date, meeting, speaker and
office from it; a `.meta.json` beside the source still wins field by field (`ingest.loaders`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from ingest.numerals import arabic_dates

_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_MEETING = re.compile(r"在(.{4,60}?会议)上")
_REGION_SUFFIX = r"(?:特别行政区|自治区|自治州|自治县|省|市|州|盟|县|区|旗)"
_REGION = re.compile(rf"^(.{{2,12}}?{_REGION_SUFFIX})")
_OFFICES = r"(?:代理)?(?:代)?(?:省长|市长|主席|州长|县长|区长|盟长|旗长|行政长官)"
# `广东省省长 孟凡利`, `福建省人民政府省长 赵龙`, `省长 叶建春`, `上海市市长 龚 正`
_SPEAKER = re.compile(
    rf"^(?P<org>.{{0,24}}?)(?P<office>{_OFFICES})\s*(?P<name>[\u4e00-\u9fff·](?:\s?[\u4e00-\u9fff·]){{1,5}})$"
)
_TITLE_YEAR = re.compile(r"(\d{4})\s*年")
_REPORT = re.compile(r"报告")
_DASHES = "—－-─ "


@dataclass(frozen=True)
class Region:
    name: str
    short: str
    abbr: str
    english: str
    level: str
    cities: tuple[str, ...] = ()  # its prefecture-level divisions, by short name
    abbr_in_questions: bool = False  # the one-character name is distinctive in a question


@cache
def _regions_data() -> dict[str, Any]:
    text = resources.files("ingest").joinpath("data/regions.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def provinces() -> tuple[Region, ...]:
    """China's provincial-level divisions (general data: `ingest/data/regions.json`)."""
    rows = _regions_data()["provinces"]
    return tuple(Region(**{**row, "cities": tuple(row.get("cities", ()))}) for row in rows)


@cache
def suffix_required() -> frozenset[str]:
    """City names that are also everyday words: a question names them only with 市/州."""
    return frozenset(_regions_data().get("suffix_required", ()))


@dataclass(frozen=True)
class InferredMeta:
    title: str = ""
    printed_title: str = ""
    region: str = ""
    level: str = ""
    year: int | None = None
    date: str = ""
    meeting: str = ""
    speaker: str = ""
    office: str = ""

    def values(self) -> dict[str, object]:
        """The fields that were found."""
        return {k: v for k, v in self.__dict__.items() if v not in ("", None)}


def infer_meta(title_lines: Sequence[str]) -> InferredMeta:
    """Everything the title block says about the report."""
    lines = [line.strip() for line in title_lines if line.strip()]
    joined = arabic_dates("".join(lines)).lstrip(_DASHES)
    printed = next((line for line in lines if _REPORT.search(line)), lines[0] if lines else "")
    date = _date(joined)
    meeting = _meeting(joined)
    speaker, office, org = _speaker(lines)
    region = _region(meeting) or _region(printed.lstrip("0123456789年 ")) or _region(org)
    year = int(date[:4]) if date else _title_year(printed)
    return InferredMeta(
        title=display_title(printed, region, year),
        printed_title=printed,
        region=region,
        level=region_level(region),
        year=year,
        date=date,
        meeting=meeting,
        speaker=speaker,
        office=office,
    )


def display_title(printed: str, region: str, year: int | None) -> str:
    """A title that names the report on its own: the printed one, with the year and region
    put in front when it lacks them (`政府工作报告` -> `2026年广东省政府工作报告`)."""
    short = short_name(region)
    title = printed
    if region and short not in title:
        title = f"{region}{title}"
    if year is not None and str(year) not in title:
        title = f"{year}年{title}"
    return title


def short_name(region: str) -> str:
    """`广东` for 广东省, `广西` for 广西壮族自治区, `自贡` for 自贡市."""
    for province in provinces():
        if region == province.name:
            return province.short
    return re.sub(rf"{_REGION_SUFFIX}$", "", region) or region


def region_level(region: str) -> str:
    """The level a region's name shows; a 市 is a 直辖市 when the regions data says so."""
    for province in provinces():
        if region == province.name:
            return province.level
    for suffix, level in (("自治州", "州"), ("自治县", "县"), ("特别行政区", "特别行政区")):
        if region.endswith(suffix):
            return level
    for suffix in ("自治区", "省", "市", "州", "盟", "县", "区", "旗"):
        if region.endswith(suffix):
            return suffix
    return ""


def _date(text: str) -> str:
    match = _DATE.search(text)
    if not match:
        return ""
    year, month, day = (int(g) for g in match.groups())
    return f"{year:04d}-{month:02d}-{day:02d}"


def _meeting(text: str) -> str:
    match = _MEETING.search(text)
    return match.group(1) if match else ""


def _speaker(lines: Sequence[str]) -> tuple[str, str, str]:
    """(name, office, organisation) from the speaker line, e.g. `广东省省长 孟凡利`."""
    for line in reversed(lines):
        match = _SPEAKER.match(line)
        if match:
            name = re.sub(r"\s", "", match.group("name"))
            org = re.sub(r"人民政府$", "", match.group("org"))
            return name, match.group("office"), org
    return "", "", ""


def _region(text: str) -> str:
    match = _REGION.match(text.lstrip("在"))
    if not match:
        return ""
    name = match.group(1)
    for province in provinces():  # `甘肃省十四届…`: the region is the known name, not more
        if name.startswith(province.name) or text.startswith(province.name):
            return province.name
    return name


def _title_year(title: str) -> int | None:
    match = _TITLE_YEAR.search(title)
    return int(match.group(1)) if match else None
