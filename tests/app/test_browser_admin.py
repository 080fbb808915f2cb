"""Uploading and removing a report from the chat page (admin token set), in headless
Chromium: progress while it is ingested and embedded, the new report served at once, a wrong
token refused; without a token the panel is not there."""

from __future__ import annotations

import faulthandler
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from app.api import create_app
from app.factory import build_service
from tests.app.browser import browser, needs_chromium, open_page, screenshot
from tests.app.live import LiveServer, live_server_for
from tests.app.managed import TOKEN, managed_settings
from tests.fakes import SlowPassages
from tests.reports import make_library, write_report

__all__ = ["browser"]  # the module's Chromium (a fixture)
pytestmark = needs_chromium


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("admin-ui")
    library = make_library(root / "library")
    settings = managed_settings(library, root, reload_interval=0)
    service = build_service(settings, embedder=SlowPassages(delay=1.5))
    with live_server_for(create_app(settings, service)) as live:
        yield live


@pytest.fixture
def page(browser: Browser, server: LiveServer) -> Iterator[Page]:
    page = open_page(browser, server.url)
    page.get_by_text("管理报告（需管理令牌）").click()
    yield page
    page.close()


@contextmanager
def stacks_on_failure() -> Iterator[None]:
    """On an assertion error, print every thread's stack (the server runs in this process)."""
    try:
        yield
    except AssertionError:
        faulthandler.dump_traceback(all_threads=True)
        raise


def served(server: LiveServer) -> list[str]:
    return [d.doc_id for d in server.app.state.service.documents()]


def test_an_upload_shows_its_progress_and_is_served_when_done(
    page: Page, server: LiveServer, tmp_path: Path
) -> None:
    page.locator("#rq-admin-token").fill(TOKEN)
    page.locator("#rq-upload-file").set_input_files(write_report(tmp_path, "honghe"))
    page.locator("#rq-upload").click()
    status = page.locator("#rq-admin-status")
    expect(status).to_contain_text("向量化新报告")
    expect(page.locator("#rq-admin-progress")).to_be_visible()
    with stacks_on_failure():  # a slow load once hung here in CI: show where, if it recurs
        expect(status).to_contain_text("已添加《2026年红河市政府工作报告》", timeout=120_000)
    assert "honghe-2026" in served(server)
    screenshot(page, "ui-admin-upload.png")
    page.reload()
    expect(page.locator("#rq-status")).to_contain_text("红河市")
    page.get_by_text("管理报告（需管理令牌）").click()
    page.locator("#rq-admin-token").fill(TOKEN)
    page.locator("#rq-remove-id").click()
    page.locator("#rq-remove-id").select_option("honghe-2026")
    page.locator("#rq-remove").click()
    expect(status).to_contain_text("已移除 honghe-2026")
    assert "honghe-2026" not in served(server)


def test_a_wrong_token_is_refused_and_nothing_changes(
    page: Page, server: LiveServer, tmp_path: Path
) -> None:
    before = served(server)
    page.locator("#rq-admin-token").fill("not-the-token")
    page.locator("#rq-upload-file").set_input_files(write_report(tmp_path, "jinsha"))
    page.locator("#rq-upload").click()
    expect(page.locator("#rq-admin-status")).to_contain_text("未添加：管理令牌不正确。")
    assert served(server) == before


def test_without_a_token_there_is_no_admin_panel(
    browser: Browser, live_fake_server: LiveServer
) -> None:
    page = open_page(browser, live_fake_server.url)
    assert page.locator("#rq-manage").count() == 0 and page.locator("#rq-admin").count() == 0
    page.close()
