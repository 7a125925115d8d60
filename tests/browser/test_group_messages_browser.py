"""A coordinator, on a phone, writes to every approved volunteer in two languages: preview with the count, send,
the log; each page without a serious accessibility problem, and each volunteer emailed once."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.browser.test_ofp_browser import log_in
from tests.factories import CoordinatorFactory, VolunteerFactory
from tests.page_checks import axe_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def people(transactional_db):
    """Created before the browser starts (the ORM cannot run while Playwright's event loop does)."""
    VolunteerFactory(email="haruka@example.jp", profile__status="approved")
    VolunteerFactory(email="kenji@example.jp", profile__status="approved")
    VolunteerFactory(email="olena@example.jp", language="en", profile__status="approved")
    VolunteerFactory(email="waiting@example.jp", profile__status="pending")
    return {"coordinator": CoordinatorFactory().email}


def test_a_coordinator_previews_and_sends_a_message_to_all_volunteers(people, new_page, screenshot_dir):
    page = new_page(viewport=PHONE, bypass_csp=True, locale="en-US")
    log_in(page, people["coordinator"], "/en/admin/jii/volunteerprofile/")
    page.get_by_role("link", name="Write to volunteers").click()
    page.get_by_label("To:", exact=True).select_option(label="All approved volunteers")
    page.get_by_label("Subject in Japanese").fill("研修のお知らせ")
    page.get_by_label("Message in Japanese").fill("皆さま\n今月の研修は土曜日です。")
    page.get_by_label("Subject in English").fill("Training this month")
    page.get_by_label("Message in English").fill("Hello all,\nthe training is on Saturday.")
    page.get_by_role("button", name="Preview").click()

    expect(page.locator("#recipient-count")).to_have_text("This will go to 3 volunteers.")
    expect(page.get_by_role("heading", name="In English, for 1 volunteer")).to_be_visible()
    violations = axe_violations(page)
    page.screenshot(path=screenshot_dir / "group-message-preview-phone.png", full_page=True)
    page.get_by_role("button", name="Send to 3 volunteers").dblclick()  # twice: still once each

    expect(page.locator(".field-description")).to_contain_text("All approved volunteers")
    expect(page.locator(".field-recipients")).to_contain_text("3")
    violations += axe_violations(page)
    assert violations == []
    assert sorted((email.to[0], email.subject) for email in mail.outbox) == [
        ("haruka@example.jp", "研修のお知らせ"),
        ("kenji@example.jp", "研修のお知らせ"),
        ("olena@example.jp", "Training this month"),
    ]
