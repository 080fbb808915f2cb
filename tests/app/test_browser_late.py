"""A browser opened while `reportqa serve` still builds the UI reaches the chat by itself."""

from __future__ import annotations

import threading
from pathlib import Path

from playwright.sync_api import Browser, expect

from app.api import create_app
from tests.app.browser import TIMEOUT_MS, ask, browser, needs_chromium
from tests.app.fakes import FakeQAService
from tests.app.live import live_server_for, make_settings
from tests.app.test_ui_late import held_build

__all__ = ["browser", "held_build"]  # fixtures

pytestmark = needs_chromium


def test_a_browser_opened_during_loading_reaches_the_chat(
    browser: Browser, tmp_path: Path, held_build: threading.Event
) -> None:
    fake = FakeQAService()
    question = "2020年地区生产总值增长了多少？"
    expected = fake.answer(question).citations[0].quote
    app = create_app(make_settings(tmp_path), fake, ui="late")
    with live_server_for(app) as server:
        page = browser.new_page(locale="zh-CN")
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(f"{server.url}/")
        expect(page.locator("body")).to_contain_text("对话界面正在加载")
        held_build.set()
        # reloaded by itself once the build (seconds on a loaded machine) is done
        expect(page.locator("#rq-status")).to_contain_text("个段落", timeout=TIMEOUT_MS)
        ask(page, question)
        expect(page.locator("#rq-chat")).to_contain_text(expected)
        page.close()
