"""Query expansion for BM25: colloquial and English words -> the report's own vocabulary.

BM25 only matches words the report uses. People ask with everyday words ("GDP", "泊车",
"白衣天使") or in English; the dense model bridges some of that, this table the rest. The
entries are general vocabulary of Chinese government work reports, not answers.
"""

from __future__ import annotations

import re
from functools import cache

from index.lexicon_en import EN_TERMS
from ingest.timeline import plan_name

ZH_SYNONYMS: dict[str, str] = {
    "gdp": "地区生产总值 生产总值",
    "经济增长": "地区生产总值 生产总值 增长",
    "增速": "增长",
    "增幅": "增长",
    "经济总量": "地区生产总值 生产总值",
    "规上": "规模以上",
    "泊车": "停车位",
    "停车场": "停车位",
    "车位": "停车位",
    "白衣天使": "医护人员 医务人员",
    "医生": "医护人员 医疗",
    "护士": "医护人员",
    "脏水": "污水",
    "污水处理": "污水 处理率",
    "注册公司": "企业开办",
    "公司": "企业",
    "注册": "开办",
    "开公司": "企业开办",
    "办公司": "企业开办",
    "老百姓": "群众 居民",
    "收入": "收入 可支配收入",
    "工资": "收入",
    "失业": "失业率",
    "找工作": "就业",
    "工作岗位": "就业",
    "穷人": "贫困人口",
    "扶贫": "脱贫 贫困",
    "安全事故": "安全生产 事故",
    "生产事故": "安全生产 事故",
    "垃圾": "生活垃圾",
    "填埋": "填埋 焚烧",
    "空气": "空气质量 优良天数",
    "污染": "环境 污染",
    "公园": "公园 绿地",
    "看病": "医疗 医院",
    "上学": "教育 学校",
    "房子": "住房",
    "马路": "道路",
    "高铁": "高铁 铁路",
    "网络": "5G 信息",
    "活到": "人均预期寿命 预期寿命",
    "能活": "人均预期寿命 预期寿命",
    "寿命": "人均预期寿命 预期寿命",
    "每度": "千瓦时",
    "电费": "电价",
    "便宜": "下降 降低",
    "工厂和商户": "工商业",
    "厕所": "户厕 厕所",
}


# (key, its words with hyphens read as spaces), longest first
_EN_KEYS = [(k, k.replace("-", " ")) for k in sorted(EN_TERMS, key=len, reverse=True)]
# `the 14th five-year plan`: the plan's Chinese name, whatever its number
_PLAN_EN = re.compile(r"(\d{1,2})(?:st|nd|rd|th) five-year plan")
_NON_WORD = re.compile(r"[^a-z0-9&'\-.]+|\.(?!\d)")


@cache
def _key_pattern(key: str) -> re.Pattern[str]:
    """A key as whole words, plural allowed ("industrial park" also finds "industrial
    parks"); compiled for a text holding the key only (hundreds of keys, 30 ms)."""
    return re.compile(rf" {re.escape(key)}(?:e?s)? ")


def translations(query: str) -> list[tuple[str, str]]:
    """(word as asked, the report's words for it) for every lexicon entry in the query.

    English phrases match longest first and use up their words: in "13th five-year plan"
    neither "plan" nor "five-year" is translated again."""
    low = query.lower().replace("’", "'")
    found = [(k, v) for k, v in ZH_SYNONYMS.items() if k in low]
    found += [(m.group(0), plan_name(int(m.group(1)))) for m in _PLAN_EN.finditer(low)]
    # a hyphen joins words as a space does (`service-sector`, `service sector`)
    rest = f" {_NON_WORD.sub(' ', _PLAN_EN.sub(' | ', low)).replace('-', ' ')} "
    for key, words in _EN_KEYS:  # longest first
        if f" {words}" not in rest:
            continue
        pattern = _key_pattern(words)
        if pattern.search(rest):
            found.append((key, EN_TERMS[key]))
            rest = pattern.sub(" | ", rest)
    return found


def expand(query: str) -> str:
    """The query plus the report's words for the everyday or English words in it."""
    extra = [v for _, v in translations(query)]
    return query if not extra else f"{query} {' '.join(extra)}"
