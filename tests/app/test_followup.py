from __future__ import annotations

from app.followup import is_elliptical, resolve
from app.models import Turn
from index.qtype import question_kind


def test_year_follow_up_keeps_topic_and_replaces_year() -> None:
    history = [Turn("user", "2020年地区生产总值增长了多少？"), Turn("assistant", "3.9%")]
    resolved = resolve("那2021年的目标呢？", history)
    assert "2021" in resolved and "2020" not in resolved
    assert "地区生产总值" in resolved and "多少" in resolved


def test_pronoun_follow_up_names_the_term_again() -> None:
    history = [Turn("user", "四上单位是指什么？"), Turn("assistant", "…")]
    assert "四上单位" in resolve("它包括哪些？", history)


def test_self_contained_question_is_unchanged() -> None:
    history = [Turn("user", "六稳是指什么？")]
    question = "2021年城镇新增就业目标是多少？"
    assert resolve(question, history) == question
    assert not is_elliptical(question)


def test_no_history_is_unchanged() -> None:
    assert resolve("那2021年呢？", []) == "那2021年呢？"


def test_question_kinds() -> None:
    assert question_kind("六稳是指什么？") == "definition"
    assert question_kind("2020年GDP增长了多少？") == "number"
    assert question_kind("四上单位包括哪些？") == "list"
    assert question_kind("报告是谁作的？") == "person"
    assert question_kind("2021年的工作安排分为哪几个方面？") == "section"
    assert question_kind("What was the GDP growth rate in 2020?") == "number"
    assert question_kind("What does 六保 mean?") == "definition"
