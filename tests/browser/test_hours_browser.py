"""A volunteer on her phone reads her hours and downloads her certificate: the table and the certificate page, with
and without a mistake, have nothing serious for axe."""

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD
from tests.jii import hours_scenario
from tests.page_checks import axe_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def volunteer_email(transactional_db):
    """Created before the browser starts (the ORM cannot run while Playwright's event loop does)."""
    return hours_scenario.build()["volunteer"].email


def test_a_volunteer_reads_her_hours_and_downloads_her_certificate_on_her_phone(
    volunteer_email, new_page, screenshot_dir
):
    from tests.browser.conftest import PHONE

    volunteer = new_page(viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True)  # axe is injected
    volunteer.goto("/en/accounts/login/?next=/en/volunteer/")
    volunteer.get_by_label("Email").fill(volunteer_email)
    volunteer.get_by_label("Password").fill(PASSWORD)
    volunteer.locator("main").get_by_role("button", name="Sign In").click()
    table = volunteer.get_by_role("table", name="Your hours by month")
    expect(table).to_contain_text("May 2025")
    expect(volunteer.locator("#hours-total")).to_have_text("4 h 45 min")
    assert axe_violations(volunteer) == []
    volunteer.locator("#hours-title").scroll_into_view_if_needed()
    volunteer.screenshot(path=screenshot_dir / "volunteer-hours-phone.png", full_page=True)

    volunteer.get_by_role("link", name="Get a certificate of your volunteer activity (PDF)").click()
    volunteer.get_by_label("To (month)").fill("2099-01")
    volunteer.get_by_role("button", name="Download the certificate (PDF)").click()
    expect(volunteer.locator("main")).to_contain_text("This month is still to come.")
    assert axe_violations(volunteer) == []
    volunteer.get_by_label("From (month)").fill("2025-05")
    volunteer.get_by_label("To (month)").fill("2025-06")
    volunteer.get_by_role("radio", name="English").check()
    with volunteer.expect_download() as download:
        volunteer.get_by_role("button", name="Download the certificate (PDF)").click()
    assert download.value.suggested_filename.startswith("JII-V-") and download.value.suggested_filename.endswith(".pdf")
    volunteer.screenshot(path=screenshot_dir / "volunteer-certificate-phone.png", full_page=True)
