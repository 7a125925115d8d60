"""Hanamaru end to end in a real browser: a guardian on a phone finds a class, enrols two children with the
keyboard-reachable form, and sees their places on the status page from the email."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from hanamaru.models import Class, Session
from jii.models import Area, Language

pytestmark = pytest.mark.browser


@pytest.fixture
def hanamaru_class(transactional_db):
    """Created before the browser starts (the ORM cannot run while Playwright's event loop does)."""
    klass = Class.objects.create(
        name={"ja": "はなまるクラス 目黒", "en": "Hanamaru class Meguro"},
        venue={"ja": "JII 目黒 活動室", "en": "JII Meguro activity room"},
        address={"ja": "東京都目黒区下目黒5-27-5", "en": "5-27-5 Shimomeguro, Meguro-ku, Tokyo"},
        area=Area.objects.get(code="tokyo-meguro"), level="first_steps",
        age_band="lower_primary", capacity=1, tutors_needed=2,
    )  # fmt: skip
    starts = timezone.now() + timedelta(days=4)
    Session.objects.create(klass=klass, starts_at=starts, ends_at=starts + timedelta(minutes=90))
    return {
        "portuguese": str(Language.objects.get(code="pt").pk),
        "meguro": str(Area.objects.get(code="tokyo-meguro").pk),
    }


def test_a_guardian_enrols_two_children_on_a_phone(hanamaru_class, phone_page, live_server, screenshot_dir, settings):
    settings.SITE_URL = live_server.url
    page = phone_page
    page.goto("/en/hanamaru/")
    expect(page.locator("main")).to_contain_text("1 place left")
    page.get_by_role("link", name="Enrol a child").click()
    page.get_by_label("Your name").fill("Ana Silva")
    page.get_by_label("Email").fill("ana@example.com")
    page.get_by_label("City or ward where you live").select_option(hanamaru_class["meguro"])
    page.locator(f"input[name=languages][value='{hanamaru_class['portuguese']}']").check()
    expect(page.get_by_label(re.compile("Hanamaru class Meguro"))).to_be_checked()  # chosen on the class list
    page.get_by_text("Add another child (2)").click()  # the second child's fields open from a summary
    for n, (first_name, age) in enumerate([("Lucas", "7"), ("Bia", "6")]):
        page.locator(f"#id_child-{n}-first_name").fill(first_name)
        page.locator(f"#id_child-{n}-family_name").fill("Silva")
        page.locator(f"#id_child-{n}-age").fill(age)
        page.locator(f"input[name='child-{n}-home_languages'][value='{hanamaru_class['portuguese']}']").check()
        page.locator(f"input[name='child-{n}-japanese_level'][value='speaks']").check()
    # Submitting without consent: the error is announced and tied to the checkbox; nothing typed is lost.
    page.get_by_role("button", name="Enrol").click()
    expect(page.get_by_role("alert")).to_contain_text("Please check these:")
    expect(page.locator("#id_child-1-first_name")).to_have_value("Bia")
    consent = page.get_by_label("I agree to how JII looks after my children's information (above).")
    expect(consent).to_have_attribute("aria-invalid", "true")
    consent.focus()
    page.keyboard.press("Space")
    page.screenshot(path=screenshot_dir / "hanamaru-enrol-phone.png", full_page=True)
    page.get_by_role("button", name="Enrol").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you — we received your enrolment")
    expect(page.locator(".messages")).to_contain_text("1 child has a place.")
    expect(page.locator(".messages")).to_contain_text("1 child is on the waiting list")
    status_path = re.search(r"https?://[^/]+(/en/status/\S+/)", mail.outbox[-1].body)[1]
    page.goto(status_path)
    expect(page.locator("main")).to_contain_text("Lucas — Hanamaru class Meguro")
    expect(page.locator("main")).to_contain_text("On the waiting list.")
