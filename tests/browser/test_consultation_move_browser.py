"""A resident moves her consultation on a phone: from her status page she asks for another time, confirms on
the next page (no JavaScript needed) and sees it acknowledged; the expert and consultation staff are told."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from jii.status_links import make_token
from tests.consultations.conftest import book, make_expert, submit

pytestmark = pytest.mark.browser


@pytest.fixture
def booked(transactional_db, settings):
    """Created before the browser starts (the ORM cannot run while Playwright's event loop does)."""
    settings.CONSULTATION_STAFF_EMAIL = "kurashi-staff@example.org"
    case = submit(language="en")
    book(case, make_expert(name="高橋 健", email="takahashi@example.jp"), days=3)
    mail.outbox.clear()
    return f"/en/status/{make_token(case.resident)}/"


def test_a_resident_asks_for_another_time_on_her_phone(booked, phone_page, live_server, screenshot_dir, settings):
    settings.SITE_URL = live_server.url
    resident = phone_page
    resident.goto(booked)
    expect(resident.locator("main")).to_contain_text("with 高橋 健 (By phone)")
    resident.get_by_role("button", name="Ask for another time").click()
    expect(resident.get_by_role("heading", level=1)).to_contain_text("Ask for another time instead of")
    resident.get_by_label("Which days or times suit you better? (optional)").fill("Friday afternoons")
    resident.screenshot(path=screenshot_dir / "consultation-another-time-phone.png", full_page=True)
    resident.get_by_role("button", name="Yes, ask for another time").click()
    expect(resident.locator("main")).to_contain_text("Thank you. JII will contact you with a new time.")
    expect(resident.locator("main")).to_contain_text("You asked for another time.")
    expect(resident.get_by_role("button", name="Cancel this appointment")).to_have_count(0)
    assert sorted(message.to[0] for message in mail.outbox) == [
        "chen@example.com", "kurashi-staff@example.org", "takahashi@example.jp"
    ]  # fmt: skip
