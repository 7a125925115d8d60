"""Residents' languages in a real browser on a phone: an Afghan mother asks for Spot help in Dari (right to left),
a guardian enrols a child in plain Japanese (readings over the kanji), and axe-core finds no serious or critical
problem on any public page in any language."""

import re
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from hanamaru.models import Class, Session
from jii.models import Area, Language
from tests.browser.conftest import PHONE
from tests.page_checks import (
    FORMS,
    axe_violations,
    language_prefix,
    open_campaign,
    public_paths,
    resident_with_everything,
)

pytestmark = pytest.mark.browser


def translated(language, text):
    with translation.override(language):
        return gettext(text)


@pytest.fixture
def places(transactional_db):
    """Created before the browser starts (the ORM cannot run while Playwright's event loop does)."""
    klass = Class.objects.create(
        name={"ja": "はなまるクラス 目黒", "en": "Hanamaru class Meguro"},
        venue={"ja": "JII 目黒 活動室", "en": "JII Meguro activity room"},
        address={"ja": "東京都目黒区下目黒5-27-5", "en": "5-27-5 Shimomeguro, Meguro-ku, Tokyo"},
        area=Area.objects.get(code="tokyo-meguro"), level="first_steps",
        age_band="lower_primary", capacity=3, tutors_needed=2,
    )  # fmt: skip
    starts = timezone.now() + timedelta(days=4)
    Session.objects.create(klass=klass, starts_at=starts, ends_at=starts + timedelta(minutes=90))
    return {
        "klass": klass,
        "campaign": open_campaign().slug,
        "status": resident_with_everything(klass),
        "dari": str(Language.objects.get(code="fa").pk),
        "vietnamese": str(Language.objects.get(code="vi").pk),
        "meguro": str(Area.objects.get(code="tokyo-meguro").pk),
        "from": (timezone.localdate() + timedelta(days=2)).isoformat(),
        "until": (timezone.localdate() + timedelta(days=9)).isoformat(),
    }


def test_an_afghan_mother_asks_for_help_in_dari_on_a_phone(places, phone_page, live_server, settings, screenshot_dir):
    settings.SITE_URL = live_server.url
    page = phone_page
    page.goto("/fa-af/spot/request/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "fa-AF")
    # Mirrored: the brand sits at the right edge, the text starts at the right.
    brand = page.locator(".brand").bounding_box()
    assert brand["x"] + brand["width"] > PHONE["width"] * 0.6
    assert page.locator("main h1").evaluate("e => getComputedStyle(e).direction") == "rtl"
    # Emails and phone numbers stay left to right and readable.
    assert page.locator("#id_email").evaluate("e => getComputedStyle(e).direction") == "ltr"

    page.get_by_role("button", name=translated("fa-af", "Send my request")).click()
    expect(page.get_by_role("alert")).to_contain_text(translated("fa-af", "Please check these:"))
    assert re.search("[\u0600-\u06ff]", page.locator("#id_name_error").inner_text())

    page.locator("#id_name").fill("Mariam Ahmadi")
    page.locator("#id_email").fill("mariam@example.com")
    page.locator("input[name=category][value=children]").check()
    page.locator("#id_topic").select_option("daycare")
    page.locator("#id_description").fill("کمک برای فورم کودکستان دخترم")
    page.locator(f"input[name=languages][value='{places['dari']}']").check()
    page.locator("input[name=modes][value=in_person]").check()
    page.locator("#id_area").select_option(places["meguro"])
    page.locator("#id_earliest").fill(places["from"])
    page.locator("#id_latest").fill(places["until"])
    page.locator("input[name=urgency][value='2']").check()
    page.locator("#id_consent").check()
    page.screenshot(path=screenshot_dir / "dari-spot-request-phone.png", full_page=True)
    page.get_by_role("button", name=translated("fa-af", "Send my request")).click()
    thanks = translated("fa-af", "Thank you — we received your request")
    expect(page.get_by_role("heading", level=1)).to_have_text(thanks)
    [confirmation] = mail.outbox
    assert confirmation.subject == translated("fa-af", "We received your Spot Otonari-san request")
    status_path = re.search(r"https?://[^/]+(/fa-af/status/\S+/)", confirmation.body)[1]
    page.goto(status_path)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("main h1")).to_contain_text("Mariam Ahmadi")


def test_a_guardian_enrols_a_child_in_plain_japanese_with_readings_over_the_kanji(
    places, phone_page, live_server, settings, screenshot_dir
):
    settings.SITE_URL = live_server.url
    page = phone_page
    page.goto("/ja-easy/hanamaru/enroll/")
    expect(page.locator("html")).to_have_attribute("lang", "ja-x-easy")
    assert page.locator("main ruby").count() > 20
    assert page.locator("main ruby rt").first.inner_text()  # a reading, shown above its kanji
    page.locator("#id_name").fill("グエン・ティ・ラン")
    page.locator("#id_email").fill("ｎｇｕｙｅｎ＠ｅｘａｍｐｌｅ．ｃｏｍ")  # typed with a Japanese keyboard: converted
    page.locator("#id_area").select_option(places["meguro"])
    page.locator(f"input[name=languages][value='{places['vietnamese']}']").check()
    page.locator(f"input[name=klass][value='{places['klass'].pk}']").check()
    page.locator("#id_child-0-first_name").fill("An")
    page.locator("#id_child-0-family_name").fill("Nguyen")
    page.locator("#id_child-0-age").fill("8")
    page.locator(f"input[name='child-0-home_languages'][value='{places['vietnamese']}']").check()
    page.locator("input[name='child-0-japanese_level'][value='speaks']").check()
    page.locator("#id_consent").check()
    page.screenshot(path=screenshot_dir / "plain-japanese-enrol-phone.png")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main h1")).to_contain_text("ありがとう")
    assert page.locator("main h1 ruby").count() + page.locator("main ruby").count() > 0
    [confirmation] = mail.outbox
    assert confirmation.to == ["nguyen@example.com"]
    assert re.search("[\u4e00-\u9fff]（[ぁ-ゖ]+）", confirmation.body)  # readings in brackets in the email


def test_axe_finds_nothing_serious_on_any_public_page_in_any_language(places, new_page, live_server):
    page = new_page(viewport=PHONE, bypass_csp=True)  # axe is injected as a script
    violations = []
    for language, _name in django_settings.LANGUAGES:
        for path in public_paths(language, status=places["status"], campaign=places["campaign"]):
            page.goto(path)
            violations += axe_violations(page)
        for form in FORMS:  # sent empty: the error summary and the errors on their fields
            page.goto(language_prefix(language) + form)
            page.locator("main form button[type=submit]").last.click()
            page.wait_for_load_state()
            violations += axe_violations(page)
        # the resident's copy of their data, from their status page
        page.goto(language_prefix(language) + places["status"])
        page.locator("main button[name=format][value=page]").click()
        page.wait_for_load_state()
        expect(page.locator("main h1")).to_have_text(translated(language, "Everything JII holds about you"))
        violations += axe_violations(page)
    assert violations == []
