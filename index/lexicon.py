"""Query expansion for BM25: colloquial and English words -> the report's own vocabulary.

BM25 only matches words the report uses. People ask with everyday words ("GDP", "泊车",
"白衣天使") or in English; the dense model bridges some of that, this table the rest. The
entries are general vocabulary of Chinese government work reports, not answers.
"""

from __future__ import annotations

import re

ZH_SYNONYMS: dict[str, str] = {
    "gdp": "地区生产总值",
    "经济增长": "地区生产总值 增长",
    "增速": "增长",
    "增幅": "增长",
    "经济总量": "地区生产总值",
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
    "工作岗位": "就业 岗位",
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
}

EN_TERMS: dict[str, str] = {
    "gdp": "地区生产总值",
    "economy": "经济",
    "economic": "经济",
    "growth": "增长",
    "grow": "增长",
    "grew": "增长",
    "increase": "增长 提高",
    "fixed-asset": "固定资产",
    "fixed asset": "固定资产",
    "investment": "投资",
    "industrial": "工业",
    "industry": "产业 工业",
    "value added": "增加值",
    "value-added": "增加值",
    "revenue": "收入",
    "budget": "预算",
    "income": "收入",
    "consumption": "消费",
    "voucher": "消费券",
    "retail": "零售",
    "export": "出口 外贸",
    "import": "进口 外贸",
    "foreign trade": "外贸",
    "employment": "就业",
    "jobs": "就业",
    "unemployment": "失业率",
    "poverty": "贫困 脱贫",
    "poor": "贫困",
    "village": "村",
    "villages": "村",
    "rural": "农村 乡村",
    "road": "公路 道路",
    "roads": "公路 道路",
    "highway": "高速公路",
    "railway": "铁路",
    "airport": "机场",
    "kilometres": "公里",
    "kilometers": "公里",
    "air quality": "空气质量 优良天数",
    "air": "空气",
    "water": "水",
    "forest": "森林",
    "coverage": "覆盖率",
    "green": "绿地 绿色",
    "park": "公园",
    "environment": "环境 生态",
    "pollution": "污染",
    "commercial complex": "商业综合体",
    "commercial": "商业",
    "complexes": "综合体",
    "shopping": "商业",
    "hospital": "医院",
    "medical": "医疗",
    "health": "健康 卫生",
    "school": "学校",
    "schools": "学校",
    "education": "教育",
    "university": "大学",
    "college": "学院",
    "tourism": "旅游 文旅",
    "tourist": "旅游 景区",
    "lantern": "灯会 灯",
    "dinosaur": "恐龙",
    "salt": "盐",
    "base station": "基站",
    "5g": "5G",
    "epidemic": "疫情",
    "covid": "疫情 新冠肺炎",
    "pandemic": "疫情",
    "reform": "改革",
    "innovation": "创新",
    "enterprise": "企业",
    "enterprises": "企业",
    "company": "企业",
    "companies": "企业",
    "population": "人口",
    "housing": "住房",
    "homestead": "宅基地",
    "homesteads": "宅基地",
    "separation of three rights": "三权分置",
    "grain": "粮食",
    "pig": "生猪",
    "pigs": "生猪",
    "target": "目标",
    "goal": "目标",
    "plan": "计划 规划",
    "13th five-year plan": "十三五",
    "14th five-year plan": "十四五",
    "five-year": "五年",
    "2035": "2035年 远景目标",
    "mayor": "市长",
    "report": "报告",
    "government": "政府",
    "life expectancy": "人均预期寿命",
    "sewage": "污水",
    "garbage": "垃圾",
    "waste": "垃圾 固废",
    "parking": "停车位",
    "startup": "企业开办",
    "register a company": "企业开办",
}

_EN_KEYS = sorted(EN_TERMS, key=len, reverse=True)
_WORD = re.compile(r"[a-z0-9][a-z0-9\-]*")


def translations(query: str) -> list[tuple[str, str]]:
    """(word as asked, the report's words for it) for every lexicon entry in the query."""
    low = query.lower()
    found = [(k, v) for k, v in ZH_SYNONYMS.items() if k in low]
    words = set(_WORD.findall(low))
    for key in _EN_KEYS:
        if (" " in key and key in low) or key in words:
            found.append((key, EN_TERMS[key]))
    return found


def expand(query: str) -> str:
    """The query plus the report's words for the everyday or English words in it."""
    extra = [v for _, v in translations(query)]
    return query if not extra else f"{query} {' '.join(extra)}"
