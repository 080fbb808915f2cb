"""A thing a question names by what the report says of it (index/bridge.py), with jieba's
real part-of-speech tags."""

from __future__ import annotations

import pytest

from index.bridge import listed_item, name_ending_in
from index.figures import DATE, NUMBER_WITH_UNIT
from index.query import analyze
from index.tokenize import ChineseTokenizer


@pytest.mark.parametrize(
    ("question", "description", "head", "rest", "place"),
    [
        (
            "去年说即将建成投用的那所职业技术学院，今年的目标是什么？",
            "去年说即将建成投用",
            "职业技术学院",
            "今年的目标是什么?",
            False,
        ),
        (
            "习近平总书记在广东出席开幕式的那届全国运动会上，广东代表团取得了什么成绩？",
            "习近平总书记在广东出席开幕式",
            "全国运动会",
            "广东代表团取得了什么成绩?",
            False,
        ),
        (
            "即将联调联试的那段城际铁路今年要实现什么？",
            "即将联调联试",
            "城际铁路",
            "今年要实现什么?",
            False,
        ),
        (
            "全球首座“钍基熔盐实验堆”所在的城市，今年被支持建设什么样板区？",
            "全球首座“钍基熔盐实验堆”",
            "城市",
            "今年被支持建设什么样板区?",
            True,
        ),
    ],
)
def test_a_thing_described_is_read_from_the_question(
    question: str, description: str, head: str, rest: str, place: bool
) -> None:
    bridge = analyze(question).bridge
    assert bridge is not None
    assert (bridge.description, bridge.head, bridge.rest) == (description, head, rest)
    assert bridge.place is place
    assert bridge.asked_of("某某" + head) == "某某" + head + rest


@pytest.mark.parametrize(
    "question",
    [
        "今年地区生产总值增长目标是多少？",
        "六稳是指什么？",
        "那个县今年要建什么？",  # no description before it
        "去年说即将建成投用的那所职业技术学院？",  # nothing asked of it
    ],
)
def test_a_question_naming_things_has_no_bridge(question: str) -> None:
    assert analyze(question).bridge is None


PLACES = {"自贡", "温州", "广东"}


@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory: pytest.TempPathFactory) -> ChineseTokenizer:
    return ChineseTokenizer((), cache_dir=tmp_path_factory.mktemp("jieba"))


@pytest.mark.parametrize(
    ("sentence", "head", "name"),
    [
        # a place tagged as a verb is part of the name; 、 ends it
        (
            "四川轻化工大学东部新城校区、自贡职业技术学院即将建成投用",
            "职业技术学院",
            "自贡职业技术学院",
        ),
        ("投资31亿元的恐龙文化科技产业园主体完工", "产业园", "恐龙文化科技产业园"),  # 的 ends it
        (
            "习近平总书记亲临广东视察并出席第十五届全国运动会开幕式",
            "全国运动会",
            "第十五届全国运动会",
        ),
        ("中通快递川南分拨中心一期建成投产", "快递分拨中心", "川南分拨中心"),  # a tail of the head
        ("西南（自贡）国际陆港加快建设", "陆港", "西南（自贡）国际陆港"),  # brackets inside
        ("富顺县、沿滩区获评全省县域经济发展进步县", "县", "富顺县"),
        ("宁波东方理工大学建校招生", "理工大学", "宁波东方理工大学"),  # a place word inside
        ("城际铁路即将联调联试", "城际铁路", None),  # no name before the head
    ],
)
def test_the_name_ending_in_the_head(
    tokenizer: ChineseTokenizer, sentence: str, head: str, name: str | None
) -> None:
    assert name_ending_in(tokenizer.tagged(sentence), head, PLACES.__contains__) == name


@pytest.mark.parametrize(
    "text", ["确保恐龙文化科技产业园暑期开园", "年底前建成", "6月底完成", "3月5日"]
)
def test_a_time_of_the_year_is_a_date(text: str) -> None:
    assert DATE.search(text)


def test_an_amount_written_as_a_magnitude_is_a_figure() -> None:
    assert NUMBER_WITH_UNIT.search("庆阳、酒泉经济总量突破千亿元").group(0) == "千亿元"  # type: ignore[union-attr]
    assert NUMBER_WITH_UNIT.search("迈上万亿元台阶").group(0) == "万亿元"  # type: ignore[union-attr]
    assert NUMBER_WITH_UNIT.search("打造千亿级产业集群") is None  # a class, not an amount


@pytest.mark.parametrize(
    ("question", "term", "item", "rest"),
    [
        (
            "“两大行动”中的第二个行动里，今年持续深化的“放管服”改革以什么为重点？",
            "两大行动",
            2,
            "今年持续深化的“放管服”改革以什么为重点?",
        ),
        (
            "“两大行动”里排在第一的那个行动，今年要聚力推动多少个市级重大项目？",
            "两大行动",
            1,
            "今年要聚力推动多少个市级重大项目?",
        ),
        (
            "“三抓联动”注释里列的第二项工作，去年举办了多少场次专题活动？",
            "三抓联动",
            2,
            "去年举办了多少场次专题活动?",
        ),
    ],
)
def test_a_thing_named_by_its_place_in_a_glossary_list(
    question: str, term: str, item: int, rest: str
) -> None:
    bridge = analyze(question).bridge
    assert bridge is not None
    assert (bridge.term, bridge.item, bridge.rest) == (term, item, rest)


@pytest.mark.parametrize(
    ("definition", "n", "item"),
    [
        ("指项目攻坚三年行动、开放发展与营商环境提升年行动。", 2, "开放发展与营商环境提升年行动"),
        ("：指抓项目投资、招商引资、园区建设", 1, "抓项目投资"),
        ("指国家级高新技术产业开发区和沿滩工业园、航空产业园等多个特色产业园", 3, "航空产业园"),
        ("指项目攻坚三年行动、开放发展与营商环境提升年行动。", 3, None),  # no third
        ("指世界一流大学和一流学科。", 1, "世界一流大学"),
        ("中外互鉴", 1, None),  # one item is no list
    ],
)
def test_listed_item(definition: str, n: int, item: str | None) -> None:
    assert listed_item(definition, n) == item
