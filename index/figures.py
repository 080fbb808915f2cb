"""What figures look like in report text: numbers with units, percentages, dates, names."""

from __future__ import annotations

import re

_UNITS = (
    "微克/立方米 立方米 平方公里 平方千米 平方米 公里 千米 米 亩 斤 吨 美元 欧元 港元 元 元/人 "
    "元/千瓦时 分/千瓦时 人次 人 户 家 个 项 所 座 辆 张 条 天 工作日 个工作日 年 倍 千瓦时 千瓦 "
    "兆瓦 床 套 处 名 头 只 次 批 位 级 台 件 岁 小时 个月 周 标准箱 标箱 列 班 趟 架 艘 栋 幢 间 "
    "株 棵 场 场次 期 届 公顷 千克 公斤 立方 羽 枚 本 部 门 支 例 宗 笔 单 P"
).split()
# longest first: `35个月` is 35 months, not 35 of something
MEASURE = "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True))
SCALE = r"(?:万亿|万|亿)"  # 万/亿 before a unit
_NUMBER = r"(?<![\d.A-Za-z])\d+(?:\.\d+)?"  # not the tail of a longer number or a code
_BOUND = r"(?:以上|以内|左右)?"

# `4.5%—5%`, `5—5.5%`, `4.5%-5%`: a range is one figure
_RANGE = r"(?:%?[—–－~～-]\d+(?:\.\d+)?)?"
_ABOUT = r"(?:余|多)?"  # `6.8万余个`, `100多家`
# an ordinal rank (`第4位`, `第十五届`)
_ORDINAL = r"第(?:\d+|[一二三四五六七八九十]+)(?:位|个|名|批|次|届)"
# a place in an order: `第4位`, `首位`
ORDINAL = re.compile(rf"{_ORDINAL}|首位")
# a ratio, which has no unit: `2.27:1`, `2：1以内`, or a bare decimal a change starts from or
# ends at (`收入倍差从1.96缩小至1.81`, `比值由3.27缩小至2.93`)
_RATIO = (
    r"(?<![\d.])\d+(?:\.\d+)?[:：]1(?![\d.])"
    r"|(?<=[至到由从为])\d+\.\d+(?=[缩扩收提增降下上减]|[，,。；;、）)]|$)"
)
# an amount written as a magnitude (`经济总量突破千亿元`, `迈上万亿元台阶`)
_MAGNITUDE = r"(?<![\d.])(?:[两三四五六七八九]?[十百千]|万)亿(?:美)?元"
NUMBER_WITH_UNIT = re.compile(
    rf"{_ORDINAL}|(?:{_RATIO}){_BOUND}|{_MAGNITUDE}"
    rf"|(?<![\d.A-Za-z])(?!(?:19|20)\d\d(?:[—–－~～-](?:19|20)\d\d)?年)\d+(?:\.\d+)?{_RANGE}{_ABOUT}"
    rf"(?:%|个百分点|{SCALE}{_ABOUT}(?:{MEASURE})?|(?:{MEASURE})){_BOUND}"
)
# a share in tenths (`占全国4成`)
_TENTHS = r"(?<![\d.])\d+(?:\.\d+)?成(?![本果绩员立交都为效长熟])"
PERCENT = re.compile(rf"{_NUMBER}{_RANGE}(?:%|个百分点){_BOUND}|{_TENTHS}{_BOUND}")
# words that state a change, not a level (`增长27.7%`); `增加值` is a noun, not `增加`
CHANGE_VERBS = (
    "增长",
    "下降",
    "提高",
    "提升",
    "降低",
    "增加",
    "减少",
    "上升",
    "增幅",
    "增速",
    "涨幅",
    "降幅",
    "回落",
    "上涨",
)
CHANGE_WORD = re.compile("|".join(f"{v}(?!值)" if v == "增加" else v for v in CHANGE_VERBS))
# an amount added (`新增普惠托位8897个`): a change stated as an amount
_INCREMENT = re.compile(r"新增|净增|新添|多增")


def states_change(before: str) -> bool:
    """The words before a figure state it as a change (`增长`, `新增`), not as a level."""
    return bool(CHANGE_WORD.search(before) or _INCREMENT.search(before))


# a figure stated as a change: not the level of a rate
_AFTER_CHANGE = "".join(
    f"(?<!{verb}{tail})"
    for verb in CHANGE_VERBS
    for tail in ("", "了", "约", "近", "超", "逾", "超过")
)
# a rate's level (`83%`, `4成`), not a change in percentage points (`提高1.58个百分点`) nor
# a growth rate (`产量增长27.7%`: asked its share of the country, that is not it)
PERCENT_LEVEL = re.compile(rf"{_AFTER_CHANGE}(?:{_NUMBER}{_RANGE}%|{_TENTHS}){_BOUND}")
PERSON = re.compile(
    r"(?<!总)(?:市长|书记|主任|局长|主席|省长|县长|区长)\s*[\u4e00-\u9fff]{2,3}(?=[\s，。、；]|$)"
)
DATE = re.compile(
    r"\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?)?|\d{1,2}月\d{1,2}日|\d{1,2}月(?:底|初|上旬|中旬|下旬)"
    # a time of the year without a number (`暑期开园`, `年底前建成`, `上半年完成`)
    r"|[上下]半年|年底|年初|年内|年中|暑期|[一二三四]季度|春节前"
)

_UNIT_OF = re.compile(rf"\d{_ABOUT}{SCALE}?{_ABOUT}({MEASURE})")
# units that answer the same question (多少人 <- 7.6万名)
_SAME_UNIT = {"名": "人", "人次": "人", "家": "户", "千米": "公里", "平方千米": "平方公里"}


def canonical_unit(unit: str) -> str:
    """`万名` -> 人, `亿元` -> 元: the unit without its scale, in the form questions use."""
    unit = re.sub(rf"^{SCALE}", "", unit)
    return _SAME_UNIT.get(unit, unit)


def states_unit(text: str, unit: str) -> bool:
    """`text` states a number in `unit` (`7.6万名` states 人, `354.7亿元` states 元)."""
    return any(canonical_unit(u) == unit for u in _UNIT_OF.findall(text))


def unit_pattern(unit: str) -> re.Pattern[str]:
    """A number in `unit` or a unit that answers the same (`万名` for 人)."""
    names = sorted({unit, *(u for u, same in _SAME_UNIT.items() if same == unit)}, key=len)
    alternatives = "|".join(re.escape(n) for n in reversed(names))
    return re.compile(rf"第?{_NUMBER}{_ABOUT}{SCALE}?{_ABOUT}(?:{alternatives}){_BOUND}")
