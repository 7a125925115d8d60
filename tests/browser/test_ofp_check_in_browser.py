"""A resident answers her monthly check-in on a phone: three faces, each with its word, then anything she needs;
a worried answer reaches the coordinators. The page with the question, and with a mistake, has nothing serious
for axe. Then she asks to continue after the six months."""

import pytest
from django.conf import settings
from django.core import mail
from playwright.sync_api import expect

from jii.status_links import make_token
from tests.matching.test_resident_voice import running_pair
from tests.page_checks import axe_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def status_path(transactional_db, settings):
    """Created before the browser starts (the ORM cannot run while Playwright's event loop does)."""
    match = running_pair()
    mail.outbox.clear()
    return f"/en/status/{make_token(match.application.resident)}/"


def test_a_resident_answers_her_check_in_on_her_phone(status_path, new_page, live_server, screenshot_dir):
    from tests.browser.conftest import PHONE

    resident = new_page(viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True)  # axe is injected
    resident.goto(status_path)
    expect(resident.get_by_role("heading", name="This month's check-in")).to_be_visible()
    assert axe_violations(resident) == []
    resident.get_by_role("button", name="Send my answers").click()  # no face chosen
    expect(resident.locator("main")).to_contain_text("Please choose one.")
    assert axe_violations(resident) == []
    resident.get_by_role("radio", name="Worried").check()
    resident.get_by_label("Anything you need? (optional)").fill("Help reading a letter from the ward office")
    resident.screenshot(path=screenshot_dir / "ofp-resident-check-in-phone.png", full_page=True)
    resident.get_by_role("button", name="Send my answers").click()
    expect(resident.locator("main")).to_contain_text("Thank you. We have your check-in.")
    expect(resident.get_by_role("heading", name="This month's check-in")).to_have_count(0)
    resident.get_by_role("button", name="Ask to continue").click()
    expect(resident.locator("main")).to_contain_text("You asked to continue after the end date.")
    assert sorted(message.to[0] for message in mail.outbox) == [settings.COORDINATOR_EMAIL] * 2  # worry, request
