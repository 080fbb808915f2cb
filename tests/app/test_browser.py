"""The chat UI in headless Chromium (system package, never `playwright install`)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from app.api import create_app
from app.error_bodies import BUSY
from tests.app.browser import (
    ARTIFACTS,
    TIMEOUT_MS,
    ask,
    browser,
    needs_chromium,
)
from tests.app.fakes import FakeQAService, SlowService
from tests.app.live import LiveServer, free_port, live_server_for, make_settings

__all__ = ["browser"]  # the module's Chromium (a fixture)

pytestmark = needs_chromium


@pytest.fixture
def page(browser: Browser, live_fake_server: LiveServer) -> Iterator[Page]:
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{live_fake_server.url}/")
    expect(page.locator("#rq-status")).to_contain_text("个段落")
    yield page
    page.close()


def fake_of(server: LiveServer) -> FakeQAService:
    service = server.app.state.service
    assert isinstance(service, FakeQAService)
    return service


def test_asking_shows_the_answer_and_its_cited_pages(
    page: Page, live_fake_server: LiveServer
) -> None:
    question = "2020年地区生产总值增长了多少？"
    expected = fake_of(live_fake_server).answer(question)
    ask(page, question)
    cards = page.locator("#rq-citations .rq-cite")
    expect(cards).to_have_count(len(expected.citations))
    chat = page.locator("#rq-chat")
    expect(chat).to_contain_text(expected.citations[0].quote)
    expect(chat).to_contain_text("[1]")
    for card, citation in zip(cards.all(), expected.citations, strict=True):
        chunk = citation.hit.chunk
        expect(card.locator(".rq-n")).to_have_text(f"[{citation.n}]")
        expect(card.locator(".rq-page")).to_contain_text(str(chunk.page_start))
        expect(card.locator("mark")).to_have_text(citation.quote)
    expect(cards.first.locator(".rq-notes")).to_contain_text("稳就业")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ui.png"), full_page=True)


def test_a_question_outside_the_report_looks_like_a_notice(page: Page) -> None:
    ask(page, "2022年地区生产总值预期增长多少？")
    notice = page.locator("#rq-citations .rq-refused")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("报告中未找到答案")
    expect(page.locator("#rq-citations .rq-related").first).to_be_visible()
    expect(page.locator("#rq-citations mark")).to_have_count(0)
    expect(page.locator("#rq-chat")).to_contain_text("报告中未找到答案")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ui-refused.png"), full_page=True)


def test_example_questions_are_asked_when_clicked_and_history_carries_over(page: Page) -> None:
    """The examples come from the loaded report's own year; a click asks one."""
    example = "2021年地区生产总值预期增长多少？"
    page.locator("#rq-examples").get_by_text(example, exact=True).first.click()
    expect(page.locator("#rq-chat")).to_contain_text(example)
    expect(page.locator("#rq-chat")).to_contain_text("3.9%")
    expect(page.locator("#rq-question textarea")).to_have_value("")
    expect(page.locator("#rq-citations .rq-cite:visible").first).to_be_visible()
    ask(page, "“六稳”指的是什么？")
    expect(page.locator("#rq-citations .rq-cite:visible")).to_have_count(1)
    ask(page, "2021年计划新增城镇就业多少人？")
    expect(page.locator("#rq-chat")).to_contain_text("3.5 万人")
    expect(page.locator("#rq-chat")).to_contain_text("3.9%")  # the first answer is still there
    page.locator("#rq-clear").click()
    expect(page.locator("#rq-chat")).not_to_contain_text("3.9%")


def test_a_follow_up_is_asked_with_the_server_side_history(
    page: Page, live_fake_server: LiveServer
) -> None:
    """The page never sends the chat: the follow-up's history comes from the session state."""
    fake = fake_of(live_fake_server)
    ask(page, "2021年主要预期目标是什么？")
    expect(page.locator("#rq-citations .rq-cite:visible").first).to_be_visible()
    first_answer = fake.calls[-1]
    ask(page, "那新增城镇就业呢？")
    expect(page.locator("#rq-chat")).to_contain_text("那新增城镇就业呢？")
    expect(page.locator("#rq-chat .message-row")).to_have_count(4)
    question, history, _ = fake.calls[-1]
    assert question == "那新增城镇就业呢？"
    assert [t.role for t in history] == ["user", "assistant"]
    assert history[0].content == first_answer[0]
    expect(page.locator("#rq-citations .rq-cite:visible").first).to_be_visible()


def test_a_full_queue_shows_a_busy_message_in_chinese(browser: Browser, tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path, ui_queue_size=1), SlowService(delay=2.0))
    with live_server_for(app) as server:
        page = browser.new_page(locale="zh-CN")
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(f"{server.url}/")
        expect(page.locator("#rq-status")).to_contain_text("个段落")
        fill_queue(server)
        ask(page, "六稳是什么？")
        expect(page.get_by_text(BUSY).first).to_be_visible()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "ui-busy.png"), full_page=True)
        page.close()


def fill_queue(server: LiveServer) -> None:
    """One question running and one waiting: the queue (size 1) is full for ~4 s."""
    config = httpx.get(f"{server.url}/config", timeout=10).json()
    fn = next(d for d in config["dependencies"] if d["api_name"] == "ask")["id"]
    for n in range(2):
        body = {"fn_index": fn, "session_hash": f"filler{n}", "data": ["六保是什么？", [], None]}
        assert httpx.post(f"{server.url}/gradio_api/queue/join", json=body).status_code == 200
        time.sleep(0.3)  # the first one starts running, the second one waits


def test_api_docs_render_without_network(browser: Browser, live_fake_server: LiveServer) -> None:
    page = browser.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{live_fake_server.url}/docs")
    expect(page.locator(".opblock-summary-path", has_text="/api/ask")).to_be_visible()
    expect(page.locator(".opblock-summary-path", has_text="/v1/chat/completions")).to_be_visible()
    page.close()


@pytest.mark.slow
def test_real_service_in_the_browser(browser: Browser, live_real_server: LiveServer) -> None:
    """The real report through the UI; this screenshot is the one the README shows."""
    question = "2021年地区生产总值预期增长多少？"
    expected = live_real_server.app.state.service.answer(question, top_k=5)
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{live_real_server.url}/")
    expect(page.locator("#rq-status")).to_contain_text(
        f"{expected_chunk_count(live_real_server)} 个段落"
    )
    ask(page, question)
    cards = page.locator("#rq-citations .rq-cite")
    expect(cards).to_have_count(len(expected.citations))
    first = expected.citations[0].hit.chunk
    expect(cards.first.locator(".rq-page")).to_contain_text(f"第 {first.page_start}")
    expect(cards.first.locator("mark").first).to_be_visible()
    expect(page.locator("#rq-chat")).to_contain_text("7.5%")
    expect(page.locator("#rq-chat")).not_to_contain_text("**")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ui-real.png"), full_page=True)
    page.close()


def expected_chunk_count(server: LiveServer) -> int:
    return int(server.app.state.service.info().chunk_count)


def test_a_picked_report_answers_and_its_title_is_on_the_citation(
    browser: Browser, many_settings: object, many_service: object
) -> None:
    """Five real reports loaded: the header names them by title, the picker lists them, and
    a question asked of the one picked is answered from it, its title on the citation card."""
    settings = many_settings.model_copy(update={"port": free_port()})  # type: ignore[attr-defined]
    with live_server_for(create_app(settings, many_service)) as server:  # type: ignore[arg-type]
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(f"{server.url}/")
        expect(page.locator("#rq-status")).to_contain_text("《2026年浙江省政府工作报告》")
        page.locator("#rq-reports input").click()
        page.get_by_role("option", name="2026年浙江省政府工作报告（浙江省，2026年）").click()
        page.keyboard.press("Escape")
        ask(page, "今年地区生产总值增长目标是多少？")
        card = page.locator("#rq-citations .rq-cite").first
        expect(card).to_be_visible()
        expect(card.locator(".rq-report")).to_have_text("2026年浙江省政府工作报告")
        expect(page.locator("#rq-chat")).to_contain_text("5%—5.5%")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "ui-reports.png"), full_page=True)
        page.close()
