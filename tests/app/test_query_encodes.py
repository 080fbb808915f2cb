"""The answer path encodes each question's text once: repeats and follow-ups that resolve to
a text already asked reuse its vector (the query cache wired in app/factory.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.factory import ReportQAService, build_service
from app.models import Turn
from tests.app.live import make_settings
from tests.fakes import HashEmbedder


@pytest.fixture(scope="module")
def wired(tmp_path_factory: pytest.TempPathFactory) -> tuple[ReportQAService, HashEmbedder]:
    fake = HashEmbedder()
    settings = make_settings(tmp_path_factory.mktemp("encodes"))
    return build_service(settings, embedder=fake), fake


def query_encodes(fake: HashEmbedder) -> int:
    return sum(len(texts) for kind, texts in fake.calls if kind == "query")


def test_a_question_is_encoded_once_and_a_repeat_not_at_all(
    wired: tuple[ReportQAService, HashEmbedder],
) -> None:
    service, fake = wired
    before = query_encodes(fake)
    service.answer("2021年城镇新增就业目标是多少？")
    assert query_encodes(fake) == before + 1
    service.answer(" 2021年城镇新增就业目标是多少？ ")
    service.search("2021年城镇新增就业目标是多少？")
    assert query_encodes(fake) == before + 1


def test_a_comparison_asked_again_encodes_nothing_new(
    wired: tuple[ReportQAService, HashEmbedder],
) -> None:
    service, fake = wired
    question = "去年地区生产总值增长多少，今年的目标是多少？"
    before = query_encodes(fake)
    answer = service.answer(question)
    after_first = query_encodes(fake)
    assert len(answer.citations) >= 2  # each period answered from its own sentence
    assert after_first == before + 1  # with the question's one vector, not one per period
    service.answer(question, history=[Turn("user", "六稳是指什么？")])
    assert query_encodes(fake) == after_first


def test_the_cache_can_be_turned_off(tmp_path: Path) -> None:
    fake = HashEmbedder()
    service = build_service(make_settings(tmp_path, query_cache_size=0), embedder=fake)
    before = query_encodes(fake)
    service.answer("六保是指什么？")
    service.answer("六保是指什么？")
    assert query_encodes(fake) == before + 2
