"""Decide whether the evidence supports an answer. Thresholds are calibrated on the dev split."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from app.extract import ScoredSpan, kind_fit, normalize
from app.figures import PERCENT, PERCENT_LEVEL, states_unit
from app.qtype import QuestionKind, Wants
from index.models import Hit
from index.query import QueryFeatures, chunk_period, text_period

_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
# Places a question may name instead of the report's city: provinces, large cities and the
# other cities of Sichuan. A question about one the report never names cannot be answered.
PLACES = tuple(
    """
    北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南
    广东 海南 四川 贵州 云南 陕西 甘肃 青海 内蒙古 广西 西藏 宁夏 新疆 香港 澳门 台湾
    成都 绵阳 德阳 乐山 宜宾 泸州 内江 南充 眉山 遂宁 广安 达州 巴中 雅安 资阳 攀枝花 广元
    阿坝 甘孜 凉山 广州 深圳 杭州 南京 武汉 西安 长沙 郑州 济南 青岛 苏州 厦门 昆明 贵阳
    合肥 福州 南昌 沈阳 长春 哈尔滨 石家庄 太原 兰州 西宁 银川 乌鲁木齐 拉萨 南宁 海口 呼和浩特
    """.split()
)
# The same places as English questions name them.
EN_PLACES = {
    "beijing": "北京",
    "tianjin": "天津",
    "shanghai": "上海",
    "chongqing": "重庆",
    "sichuan": "四川",
    "guangdong": "广东",
    "zhejiang": "浙江",
    "jiangsu": "江苏",
    "chengdu": "成都",
    "mianyang": "绵阳",
    "deyang": "德阳",
    "leshan": "乐山",
    "yibin": "宜宾",
    "luzhou": "泸州",
    "neijiang": "内江",
    "nanchong": "南充",
    "meishan": "眉山",
    "suining": "遂宁",
    "guang'an": "广安",
    "dazhou": "达州",
    "bazhong": "巴中",
    "ya'an": "雅安",
    "ziyang": "资阳",
    "panzhihua": "攀枝花",
    "guangyuan": "广元",
    "guangzhou": "广州",
    "shenzhen": "深圳",
    "hangzhou": "杭州",
    "nanjing": "南京",
    "wuhan": "武汉",
    "xi'an": "西安",
    "kunming": "昆明",
    "guiyang": "贵阳",
}
_EN_PLACE = re.compile(r"\b(" + "|".join(re.escape(p) for p in EN_PLACES) + r")\b", re.I)
REPORT_YEARS = frozenset({"2020", "2021"})


@dataclass(frozen=True)
class RefusalConfig:
    """Calibrated on the dev split: no answerable dev question falls below these."""

    min_coverage: float = 0.10  # share of the question's idf mass the evidence must hold
    weak_coverage: float = 0.25  # below this, the sentence must also be close in meaning
    min_cosine: float = 0.80  # the question's cosine with the best sentence
    check_period: bool = True


@dataclass(frozen=True)
class Decision:
    refused: bool
    reason: str = ""


def decide(
    features: QueryFeatures,
    want: Wants,
    best: ScoredSpan | None,
    hits: Sequence[Hit],
    corpus: str,
    config: RefusalConfig = RefusalConfig(),
    focus: str | None = None,
) -> Decision:
    """Refuse, with the reason, or not. `focus` is the part of the best sentence the
    question is about (see `extract.focus_clause`); the figure asked must be there."""
    kind = want.kind
    if best is None or not hits:
        return Decision(True, "no passage")
    missing_year = _missing_year(features.text, hits)
    if missing_year:
        return Decision(True, f"year {missing_year} not in the evidence")
    place = _unknown_place(features.text, corpus)
    if place:
        return Decision(True, f"place {place} not in the report")
    if config.check_period and _period_mismatch(features, kind, best):
        return Decision(True, "the figure is given for another period")
    if kind == "number" and _five_year_for_one_year(features, best):
        return Decision(True, "only a five-year figure is given, not one for 2020")
    focus = best.span.text if focus is None else focus
    if want.rate and not PERCENT.search(focus):
        return Decision(True, "a rate is asked but the evidence states none")
    if want.level and not PERCENT_LEVEL.search(focus):
        return Decision(True, "a rate is asked but the evidence states only its change")
    if want.unit is not None and not states_unit(focus, want.unit):
        return Decision(True, f"a figure in {want.unit} is asked but the evidence states none")
    if kind in ("number", "person", "date") and kind_fit(best.span.text, want) == 0:
        return Decision(True, f"the evidence states no {kind}")
    if best.coverage < config.min_coverage or (
        best.coverage < config.weak_coverage and best.cosine < config.min_cosine
    ):
        return Decision(True, f"weak support (coverage {best.coverage:.2f})")
    return Decision(False)


def _missing_year(question: str, hits: Sequence[Hit]) -> str | None:
    evidence = "".join(normalize(h.chunk.text) for h in hits)
    for year in _YEAR.findall(question):
        if year not in REPORT_YEARS and year not in evidence:
            return year
    return None


def _unknown_place(question: str, corpus: str) -> str | None:
    """A place the question is about (it opens the question, or is named as a city or
    province) that the report never mentions. An English question naming one counts too."""
    for name in _EN_PLACE.findall(question.replace("\u2019", "'")):
        place = EN_PLACES[name.lower()]
        if place not in corpus:
            return place
    for place in PLACES:
        if place in corpus or place not in question:
            continue
        if question.startswith(place) or re.search(place + "(?:市|省|县|的)", question):
            return place
    return None


# A question about 2020 itself; `现在`/`目前` (now) asks for the latest level, and a level the
# report gives for the end of the five years is that.
_YEAR_2020 = re.compile(r"2020|去年|上一年|过去一年|last year", re.I)


def _five_year_for_one_year(features: QueryFeatures, best: ScoredSpan) -> bool:
    found = text_period(best.hit.chunk.section_path, best.span.text)
    return (
        features.asked() == {"review"}
        and found == "fiveyear"
        and bool(_YEAR_2020.search(features.text))
    )


def _period_mismatch(features: QueryFeatures, kind: QuestionKind, best: ScoredSpan) -> bool:
    """A number asked for one period (2020, 2021, the 14th five-year plan) that the best
    evidence gives only for another."""
    if kind != "number":
        return False
    asked = {"review" if p == "fiveyear" else p for p in features.asked()}
    if len(asked) != 1:
        return False
    found = chunk_period(best.hit.chunk.section_path)
    return found is not None and found not in asked
