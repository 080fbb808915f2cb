"""Places a question names (index/regions.py), from the general data and a report's metadata."""

from __future__ import annotations

from index.regions import RegionIndex
from ingest.models import DocumentMeta


def names(index: RegionIndex, text: str) -> list[str]:
    return [place.name for place in index.find(text)]


def test_provinces_and_cities_by_every_name() -> None:
    regions = RegionIndex()
    assert names(regions, "广东和广州的地区生产总值") == ["广东省", "广州市"]
    assert names(regions, "在粤企业") == ["广东省"]  # a distinctive one-character name
    assert names(regions, "杭州市的") == ["杭州市"]
    assert regions.mentions("去年广东省、广东") == [("广东省", 2), ("广东", 6)]


def test_english_names_match_as_whole_words_in_any_case() -> None:
    regions = RegionIndex()
    text = "What about Guangdong and guangzhou, GUANGDONG?"
    assert regions.mentions(text) == [("Guangdong", 11), ("guangzhou", 25), ("GUANGDONG", 36)]
    assert names(regions, text) == ["广东省", "广州市"]
    assert names(regions, "Shanghaiese food") == []  # not a whole word


def test_a_city_that_is_also_a_word_needs_its_suffix() -> None:
    regions = RegionIndex()
    assert names(regions, "长治久安") == []
    assert regions.mentions("长治久安，长治市") == [("长治市", 5)]


def test_a_reports_own_region_is_known_from_its_metadata() -> None:
    own = DocumentMeta(doc_id="qingxi-2024", title="2024年清溪市政府工作报告", region="清溪市")
    assert names(RegionIndex(), "清溪的目标") == []
    assert names(RegionIndex([own]), "清溪的目标") == ["清溪市"]
    assert names(RegionIndex([own]), "清溪市") == ["清溪市"]


def test_a_one_character_name_joined_to_another_region_names_only_a_loaded_one() -> None:
    """`京津冀`, `成渝`, `粤港澳` name areas of several regions: the question asks about the
    area, so a region of it without a loaded report is no reason to refuse."""
    assert names(RegionIndex(), "京津冀协同发展") == []
    assert names(RegionIndex(), "成渝地区双城经济圈") == []
    assert names(RegionIndex(), "粤港澳大湾区") == []
    guangdong = DocumentMeta(doc_id="gd", title="2026年广东省政府工作报告", region="广东省")
    assert names(RegionIndex([guangdong]), "粤港澳大湾区") == ["广东省"]
    assert names(RegionIndex(), "闽南地区") == ["福建省"]  # a direction qualifies, joins nothing
    assert names(RegionIndex(), "在渝企业") == ["重庆市"]
