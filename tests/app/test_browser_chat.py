"""The chat in headless Chromium, desktop and 390 px wide: questions sent meanwhile queue,
every answer's [n] opens its own citations, the conversation survives a reload, and on a
narrow screen a refusal's related passages come right after the chat."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from app.api import create_app
from tests.app.browser import PHONE, ask, browser, needs_chromium, open_page, screenshot
from tests.app.fakes import SlowService
from tests.app.live import LiveServer, live_server_for, make_settings

__all__ = ["browser"]  # the module's Chromium (a fixture)
pytestmark = needs_chromium

FIRST, SECOND = "“六稳”指的是什么？", "2021年计划新增城镇就业多少人？"
REFUSED = "2022年地区生产总值预期增长多少？"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    settings = make_settings(tmp_path_factory.mktemp("chat"))
    with live_server_for(create_app(settings, SlowService(delay=0.6))) as live:
        yield live


@pytest.fixture
def page(browser: Browser, server: LiveServer) -> Iterator[Page]:
    page = open_page(browser, server.url)
    yield page
    page.close()


def answered(page: Page, count: int) -> None:
    """Wait until the chat holds `count` answers, none of them still pending."""
    expect(page.locator('#rq-chat [data-testid="bot"]')).to_have_count(count)
    expect(page.locator("#rq-chat")).not_to_contain_text("正在检索报告")


def bot_messages(page: Page) -> list[str]:
    return page.locator('#rq-chat [data-testid="bot"]').all_inner_texts()


def user_messages(page: Page) -> list[str]:
    return page.locator('#rq-chat [data-testid="user"]').all_inner_texts()


def test_a_question_sent_while_one_is_answered_waits_and_is_answered_after_it(
    page: Page, server: LiveServer
) -> None:
    box = page.locator("#rq-question textarea")
    box.fill(FIRST)
    box.press("Enter")
    expect(box).to_have_value("")
    box.fill(SECOND)  # while the first is being answered
    box.press("Enter")
    expect(box).to_have_value("")
    answered(page, 2)
    assert user_messages(page) == [FIRST, SECOND]
    assert "稳就业" in bot_messages(page)[0] and "3.5 万人" in bot_messages(page)[1]
    service = server.app.state.service
    assert service.order[-2:] == [FIRST, SECOND]


def visible_cards(page: Page) -> list[str]:
    cards = page.locator("#rq-citations .rq-cite:visible")
    return [c.get_attribute("id") or "" for c in cards.all()]


def test_each_answers_citation_links_open_its_own_cards(page: Page) -> None:
    ask(page, FIRST)
    expect(page.locator('#rq-chat [data-testid="bot"] a.rq-ref')).to_have_count(1)
    ask(page, SECOND)
    expect(page.locator("#rq-chat")).to_contain_text("3.5 万人")
    expect(page.locator("#rq-citations .rq-cite:visible").first).to_have_id("rq-a1-c1")
    first_answer = page.locator('#rq-chat [data-testid="bot"]').first
    first_answer.locator("a.rq-ref", has_text="[1]").click()
    expect(page.locator("#rq-a0-c1")).to_be_visible()
    assert visible_cards(page) == ["rq-a0-c1"]
    expect(page.locator("#rq-a0")).to_contain_text(FIRST)
    second_answer = page.locator('#rq-chat [data-testid="bot"]').nth(1)
    second_answer.locator("a.rq-ref", has_text="[1]").click()
    expect(page.locator("#rq-a1-c1")).to_be_visible()
    assert visible_cards(page) == ["rq-a1-c1"]
    assert page.url.endswith("/"), "the link is handled in the page, not followed"


STORED = "() => localStorage.getItem('reportqa-conversation-v1')"


def wait_until_stored(page: Page, before: str | None) -> str:
    """The page writes its copy once an answer is in (a moment after it is shown)."""
    page.wait_for_function(f"(before) => ({STORED})() !== before", arg=before)
    return str(page.evaluate(STORED))


def test_the_conversation_survives_a_reload(page: Page, server: LiveServer) -> None:
    ask(page, FIRST)
    first = wait_until_stored(page, None)
    ask(page, SECOND)
    expect(page.locator('#rq-chat [data-testid="bot"]')).to_have_count(2)
    expect(page.locator("#rq-chat")).to_contain_text("3.5 万人")
    wait_until_stored(page, first)
    page.reload()
    expect(page.locator('#rq-chat [data-testid="bot"]')).to_have_count(2)
    assert user_messages(page) == [FIRST, SECOND]
    expect(page.locator("#rq-citations .rq-cite:visible").first).to_have_id("rq-a1-c1")
    page.locator('#rq-chat [data-testid="bot"]').first.locator("a.rq-ref").first.click()
    expect(page.locator("#rq-a0-c1")).to_be_visible()
    ask(page, "那新增城镇就业呢？")
    answered(page, 3)
    _, history, _ = server.app.state.service.calls[-1]
    assert [t.content for t in history if t.role == "user"] == [FIRST, SECOND]
    stored = (
        wait_until_stored(page, None) if page.evaluate(STORED) is None else page.evaluate(STORED)
    )
    page.locator("#rq-clear").click()
    wait_until_stored(page, stored)
    page.reload()
    expect(page.locator("#rq-status")).to_contain_text("个段落")
    expect(page.locator("#rq-chat")).not_to_contain_text("3.5 万人")


def box_of(page: Page, selector: str) -> dict[str, float]:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box


def test_on_a_narrow_screen_the_related_passages_follow_the_refusal(
    browser: Browser, server: LiveServer
) -> None:
    page = open_page(browser, server.url, PHONE)
    ask(page, REFUSED)
    related = page.locator("#rq-citations .rq-related").first
    expect(related).to_be_visible()
    chat, examples = box_of(page, "#rq-chat"), box_of(page, "#rq-examples")
    panel = box_of(page, "#rq-citations")
    assert chat["y"] + chat["height"] <= panel["y"] < examples["y"], (chat, panel, examples)
    assert panel["width"] >= 300, "the panel spans the narrow screen"
    assert box_of(page, "#rq-citations .rq-refused")["y"] < box_of(page, ".rq-related")["y"]
    screenshot(page, "ui-narrow-refused.png")
    page.close()


def test_on_a_desktop_the_citations_sit_beside_the_chat(page: Page) -> None:
    ask(page, REFUSED)
    expect(page.locator("#rq-citations .rq-related").first).to_be_visible()
    chat, panel = box_of(page, "#rq-chat"), box_of(page, "#rq-citations")
    assert panel["x"] >= chat["x"] + chat["width"] and abs(panel["y"] - chat["y"]) < 80
    screenshot(page, "ui-desktop-refused.png")


def test_a_tampered_copy_in_browser_storage_is_refused_not_shown(
    browser: Browser, server: LiveServer, tmp_path: Path
) -> None:
    """The stored copy is encrypted by Gradio's page code; a client that sends its own
    shape anyway gets the guard's 422, and the page still works."""
    page = open_page(browser, server.url)
    ask(page, FIRST)
    expect(page.locator('#rq-chat [data-testid="bot"]')).to_have_count(1)
    page.evaluate(
        "() => { for (const k of Object.keys(localStorage)) localStorage.setItem(k, 'x'); }"
    )
    page.reload()
    expect(page.locator("#rq-status")).to_contain_text("个段落")
    ask(page, SECOND)
    expect(page.locator("#rq-chat")).to_contain_text("3.5 万人")
    page.close()
