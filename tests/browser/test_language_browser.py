"""Switching language in the middle of a form keeps what was typed (once, in the same tab)."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_switching_language_on_a_form_keeps_what_was_typed(phone_page, screenshot_dir):
    page = phone_page
    page.goto("/en/spot/request/")
    page.get_by_label("Your name").fill("Nguyen Thi Lan")
    page.get_by_label("Email").fill("lan@example.com")
    page.get_by_label("Child-rearing and education").check()
    page.get_by_label("What do you need? In your own words").fill("A letter from the daycare I cannot read")
    page.get_by_role("link", name="日本語", exact=True).click()
    expect(page).to_have_url(re.compile(r"/spot/request/$"))
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.locator("#id_name")).to_have_value("Nguyen Thi Lan")
    expect(page.locator("#id_email")).to_have_value("lan@example.com")
    expect(page.locator("input[name=category][value=children]")).to_be_checked()
    expect(page.locator("#id_description")).to_have_value("A letter from the daycare I cannot read")
    page.screenshot(path=screenshot_dir / "language-switch-kept.png", full_page=True)
    page.reload()  # put back once only
    expect(page.locator("#id_name")).to_have_value("")


def test_switching_between_languages_with_longer_codes_keeps_what_was_typed_but_not_a_private_story(phone_page):
    page = phone_page
    page.goto("/ja-easy/consultations/request/")
    page.locator("#id_name").fill("Mariam Ahmadi")
    page.locator("#id_description").fill("My husband left; I cannot pay the rent.")
    page.get_by_role("link", name="دری").click()
    expect(page).to_have_url(re.compile(r"/fa-af/consultations/request/$"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("#id_name")).to_have_value("Mariam Ahmadi")
    expect(page.locator("#id_description")).to_have_value("")  # only consultation staff may read it
