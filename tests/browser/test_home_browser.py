"""The home page in a real browser: both languages, the language switcher, a phone screen and the keyboard."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ENGLISH_HEADING = "Helping foreign residents feel at home in Japan"
# Hiragana, katakana or kanji: the text is really Japanese, not the English source shown untranslated.
JAPANESE_TEXT = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def language_switcher(page):
    return page.get_by_role("navigation", name=re.compile(r"^(Language|言語)$"))


def test_home_page_opens_in_japanese_and_switches_to_english_and_back(page, live_server, screenshot_dir):
    page.goto("/")
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.locator(".brand-mark")).to_have_text("JII")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_be_visible()
    japanese_heading = heading.inner_text()
    switcher = language_switcher(page)
    expect(switcher.locator("a[hreflang='ja']")).to_have_attribute("aria-current", "true")
    page.screenshot(path=screenshot_dir / "home-ja.png", full_page=True)

    to_english = switcher.locator("a[hreflang='en']")
    expect(to_english).to_have_attribute("lang", "en")
    expect(to_english).to_have_text("English")
    to_english.click()

    expect(page).to_have_url(f"{live_server.url}/en/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(ENGLISH_HEADING)
    expect(page.locator(".brand-mark")).to_have_text("JII")
    expect(page.get_by_role("navigation", name="Language").locator("a[hreflang='en']")).to_have_attribute(
        "aria-current", "true"
    )
    page.screenshot(path=screenshot_dir / "home-en.png", full_page=True)

    to_japanese = language_switcher(page).locator("a[hreflang='ja']")
    expect(to_japanese).to_have_attribute("lang", "ja")
    expect(to_japanese).to_have_text("日本語")
    to_japanese.click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("heading", level=1)).to_have_text(japanese_heading)


def test_home_page_heading_is_translated_into_japanese(page):
    page.goto("/en/")
    english = page.get_by_role("heading", level=1).inner_text()
    page.goto("/")
    japanese = page.get_by_role("heading", level=1).inner_text()
    hint = "fill in locale/ja/LC_MESSAGES/django.po and run `make translations` to compile it"
    assert japanese != english, f"the Japanese home page shows the English heading {english!r}: {hint}"
    assert JAPANESE_TEXT.search(japanese), f"the Japanese heading {japanese!r} has no Japanese text: {hint}"


def test_home_page_fits_a_phone_screen(phone_page, screenshot_dir):
    phone_page.goto("/")
    expect(phone_page.locator("html")).to_have_attribute("lang", "ja")
    expect(phone_page.get_by_role("heading", level=1)).to_be_visible()
    expect(language_switcher(phone_page).locator("a[hreflang='en']")).to_be_visible()
    overflow = phone_page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    phone_page.screenshot(path=screenshot_dir / "home-ja-phone.png", full_page=True)
    assert overflow <= 0, f"the home page scrolls sideways on a 390px wide phone ({overflow}px too wide)"


def test_the_first_tab_focuses_the_skip_link_which_jumps_to_the_content(page, live_server, screenshot_dir):
    page.goto("/")
    skip_link = page.locator("a.skip-link")
    expect(skip_link).not_to_be_in_viewport()

    page.keyboard.press("Tab")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_have_attribute("href", "#main")
    expect(skip_link).to_be_in_viewport()
    page.screenshot(path=screenshot_dir / "home-ja-skip-link.png")

    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/#main")
    expect(page.locator("main#main")).to_be_focused()
