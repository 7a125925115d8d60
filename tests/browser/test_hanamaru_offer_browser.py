"""A guardian on a phone answers the offer of a place and tells the tutors that a child will miss a session, from
the status page; the page has no serious accessibility violation (axe-core)."""

from datetime import timedelta

import pytest
from django.test import TestCase
from django.utils import timezone
from playwright.sync_api import expect

from hanamaru import services
from hanamaru.models import Class, ConsentText, Session
from jii.models import Area, Language
from jii.status_links import make_token
from tests.browser.conftest import PHONE
from tests.page_checks import axe_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def offer(transactional_db):
    """Lucas has a place, Leo is offered the place Bia left (created before the browser starts)."""
    klass = Class.objects.create(
        name={"ja": "はなまるクラス 目黒", "en": "Hanamaru class Meguro"},
        venue={"ja": "JII 目黒 活動室", "en": "JII Meguro activity room"},
        address={"ja": "東京都目黒区下目黒5-27-5", "en": "5-27-5 Shimomeguro, Meguro-ku, Tokyo"},
        area=Area.objects.get(code="tokyo-meguro"), level="first_steps",
        age_band="lower_primary", capacity=2, tutors_needed=2,
    )  # fmt: skip
    for days in (4, 11):
        starts = timezone.now() + timedelta(days=days)
        Session.objects.create(klass=klass, starts_at=starts, ends_at=starts + timedelta(minutes=90))
    portuguese = Language.objects.get(code="pt")
    children = [
        {"first_name": name, "family_name": "Silva", "age": 7, "school": "", "japanese_level": "speaks", "needs": "",
         "home_languages": [portuguese]}
        for name in ("Lucas", "Bia", "Leo")
    ]  # fmt: skip
    with TestCase.captureOnCommitCallbacks(execute=True):
        lucas, bia, leo = services.enrol(
            email="ana@example.com", language="en", languages=[portuguese],
            resident_details={"name": "Ana Silva", "phone": "", "prefecture": "tokyo", "municipality": "目黒区",
                              "household_type": "family"},
            klass=klass, children=children, consent_version=ConsentText.objects.latest().version,
        )  # fmt: skip
        services.withdraw(enrolment=bia)
    return f"/en/status/{make_token(lucas.child.guardian)}/"


def test_a_guardian_takes_the_offered_place_and_reports_an_absence_on_a_phone(offer, new_page, screenshot_dir):
    # bypass_csp: for axe-core's script only
    page = new_page(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, bypass_csp=True)
    page.goto(offer)
    main = page.locator("main")
    expect(main).to_contain_text("A place is free for your child. Please answer by")
    assert axe_violations(page) == []
    page.screenshot(path=screenshot_dir / "hanamaru-offer-phone.png", full_page=True)
    page.get_by_role("button", name="Take the place").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Take the place for Leo in Hanamaru class Meguro?")
    page.get_by_role("button", name="Yes, take the place").click()
    expect(page.locator(".messages")).to_contain_text("Your child has a place in the class now.")
    expect(main).not_to_contain_text("Please answer by")
    # Lucas will miss the first session: the form of his place (the first one on the page).
    form = page.locator("form", has=page.get_by_role("button", name="Tell the tutors")).first
    form.get_by_label("Reason (optional)").fill("Dentist")
    form.get_by_role("button", name="Tell the tutors").click()
    expect(page.locator(".messages")).to_contain_text("The tutors know your child will not come to that session.")
    expect(main).to_contain_text("you told us your child will not come.")
    assert axe_violations(page) == []
