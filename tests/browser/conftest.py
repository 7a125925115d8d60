"""Playwright against Debian's chromium (never a downloaded browser), one browser per test.

Playwright's sync API runs an event loop in the test thread while it is started, so Django's ORM refuses to work
there (SynchronousOnlyOperation). The fixtures below are function-scoped and depend on `live_server`, so the
browser is started after the test database is ready and stopped before pytest-django flushes it: create any data
in fixtures that run before `browser`, not in the test body. `live_server` makes the test transactional, and the
flush after a transactional test removes what migrations created (languages, coordinator groups);
`django_db_serialized_rollback` puts that back before each browser test.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Debian's launcher means to add this when /dev/shm is small, but its check can misfire; always safe.
    "--disable-dev-shm-usage",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def screenshot_dir():
    """test-output/browser/ at the repository root (git-ignored)."""
    path = Path(settings.BASE_DIR) / "test-output" / "browser"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def browser(live_server, django_db_serialized_rollback):
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"Browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium); "
            "Playwright must not download its own browser.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """new_page(viewport=..., **context_options): a page in a fresh context (own cookies), Japanese browser."""
    contexts = []

    def make(viewport=DESKTOP, **options):
        options.setdefault("locale", "ja-JP")
        context = browser.new_context(base_url=live_server.url, viewport=viewport, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def phone_page(new_page):
    return new_page(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
