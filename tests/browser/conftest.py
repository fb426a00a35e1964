"""The desk in a real browser: Debian's Chromium driven by Playwright against the app
served over HTTP in a thread, on the test database (committed, then emptied).

`make test-browser` runs these (marked `browser`; the other parts leave them out).
Screenshots of each page a test visits go to CONSOLE_SCREENSHOTS (default
build/screenshots/), the CI's artifacts for review."""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest

from server import PROJECT_ROOT
from tests.conftest import serve_in_thread

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SHOTS = Path(os.environ.get("CONSOLE_SCREENSHOTS", PROJECT_ROOT / "build" / "screenshots"))
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Chromium's own words (a date field's 年/月/日, 选择文件, a form's hints) in Chinese,
    # as a Chinese computer shows them (Debian's chromium-l10n has the translations).
    "--lang=zh-CN",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def desk_url(app) -> str:
    """The app (the session's, on the test database) behind a real HTTP server."""
    url, server = serve_in_thread(app)
    yield url.rstrip("/")
    server.shutdown()


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Chromium on Linux takes its own words' language from LANGUAGE (LANG stays: a
        # locale this machine lacks would make it read file names as ASCII).
        chinese = {**os.environ, "LANGUAGE": "zh_CN:zh"}
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, env=chinese)
        yield browser
        browser.close()
    # Playwright's event loop may leave its executor's worker ("asyncio_0") finishing:
    # wait for it, so the run's check for threads left behind sees none.
    for thread in threading.enumerate():
        if thread.name.startswith("asyncio_") and thread is not threading.current_thread():
            thread.join(timeout=10)


@pytest.fixture
def page(chromium, committed_db):
    """A fresh browser profile at 1366×768 in Chinese on Shanghai's clock."""
    context = chromium.new_context(
        viewport={"width": 1366, "height": 768}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def shot(page, name: str) -> Path:
    """A full-page screenshot for review (build/screenshots/<name>.png)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{re.sub(r'[^a-z0-9_-]', '-', name.lower())}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
