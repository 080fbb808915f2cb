"""Headless Chromium for the UI tests: Debian's chromium through Playwright's Python package
(never `playwright install`), and helpers the browser test modules share."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
TIMEOUT_MS = 30_000
DESKTOP = {"width": 1400, "height": 1000}
PHONE = {"width": 390, "height": 844}

needs_chromium = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="chromium is not on PATH (apt-get install -y chromium chromium-driver)",
    ),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_page(browser: Browser, url: str, viewport: dict[str, int] = DESKTOP) -> Page:
    page = browser.new_page(viewport=viewport, locale="zh-CN")  # type: ignore[arg-type]
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{url}/")
    expect(page.locator("#rq-status")).to_contain_text("个段落")
    return page


def ask(page: Page, question: str) -> None:
    page.locator("#rq-question textarea").fill(question)
    page.locator("#rq-ask").click()


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)
