"""OFP end to end in a real browser: a resident applies on a phone, a coordinator proposes in the admin,
both accept, and the volunteer logs a check-in."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from jii.models import Area, Language
from tests.factories import PASSWORD, CoordinatorFactory, approved_volunteer, totp_code

pytestmark = pytest.mark.browser


@pytest.fixture
def people(transactional_db):
    """Created before the browser starts (the ORM cannot run while Playwright's event loop does)."""
    volunteer = approved_volunteer(experience=["raising_children"])
    volunteer.user.name = "佐藤 春香"
    volunteer.user.save()
    return {
        "volunteer": volunteer.user.email,
        "coordinator": CoordinatorFactory().email,
        "english": str(Language.objects.get(code="en").pk),
        "meguro": str(Area.objects.get(code="tokyo-meguro").pk),
    }


def log_in(page, email, next_path):
    page.goto(f"/en/accounts/login/?next={next_path}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()
    if "/accounts/2fa/authenticate/" in page.url:  # staff: the code from their authenticator app
        page.get_by_label("Code").fill(totp_code())
        page.locator("main").get_by_role("button", name="Sign in", exact=True).click()


def test_apply_propose_accept_and_check_in(people, new_page, phone_page, live_server, screenshot_dir, settings):
    settings.SITE_URL = live_server.url
    # The resident applies, on a phone, in English.
    resident = phone_page
    resident.goto("/en/ofp/apply/")
    resident.get_by_label("Your name").fill("Emily Johnson")
    resident.get_by_label("Email").fill("emily@example.com")
    resident.get_by_label("Family raising children").check()
    resident.get_by_label("Children's ages (optional)").fill("4")
    resident.get_by_label("Basic (greetings, shopping)").check()
    resident.locator(f"input[name=languages][value='{people['english']}']").check()
    resident.get_by_label("City or ward where you live").select_option(people["meguro"])
    resident.get_by_label("Nearest station").fill("Nakameguro")
    resident.get_by_label("Weekend afternoons").check()
    resident.get_by_label("Advice on raising children").check()
    resident.get_by_label("I agree to how JII uses this information (above).").check()
    resident.screenshot(path=screenshot_dir / "ofp-apply-phone.png", full_page=True)
    resident.get_by_role("button", name="Send my application").click()
    expect(resident.get_by_role("heading", level=1)).to_have_text("Thank you — we received your application")

    status_path = re.search(r"https?://[^/]+(/en/status/\S+/)", mail.outbox[-1].body)[1]
    resident.goto(status_path)
    expect(resident.locator("main")).to_contain_text("Received.")

    # The coordinator proposes the best candidate from the application's page.
    desk = new_page()
    log_in(desk, people["coordinator"], "/en/admin/matching/application/")
    desk.get_by_role("link", name=re.compile(r"OFP application #\d+")).first.click()
    expect(desk.locator("#candidates")).to_contain_text("Same city or ward (Meguro) +30")
    desk.screenshot(path=screenshot_dir / "ofp-candidates.png", full_page=True)
    desk.locator("#candidates").get_by_role("button", name="Propose match").first.click()
    expect(desk.locator(".messagelist")).to_contain_text("Proposed. Both sides have been emailed.")

    # The resident sees only the volunteer's first name and area, and accepts.
    resident.goto(status_path)
    expect(resident.locator("main")).to_contain_text("A partner is proposed.")
    expect(resident.locator("main")).to_contain_text("春香")
    expect(resident.locator("main")).not_to_contain_text("佐藤")
    resident.get_by_label("Yes, I would like to meet").check()
    resident.get_by_role("button", name="Send my answer").click()
    expect(resident.locator("main")).to_contain_text("waiting for the volunteer")

    # The volunteer accepts, then sees the resident's contact details and logs a check-in.
    volunteer = new_page()
    log_in(volunteer, people["volunteer"], "/en/volunteer/")
    expect(volunteer.locator("main")).to_contain_text("Proposed to you")
    expect(volunteer.locator("main")).not_to_contain_text("Emily")
    volunteer.get_by_label("Yes, I would like to meet").check()
    volunteer.get_by_role("button", name="Send my answer").click()
    expect(volunteer.locator("main")).to_contain_text("Your pair with Emily Johnson")
    expect(volunteer.locator("main")).to_contain_text("emily@example.com")

    volunteer.get_by_role("link", name="Log this month's check-in").click()
    volunteer.get_by_label("Yes").check()
    volunteer.get_by_label("In person").check()
    volunteer.get_by_label("Going well").check()
    volunteer.get_by_label("Time you spent with them this month (minutes)").fill("90")
    volunteer.get_by_label("What did you do? (optional)").fill("Lunch and a walk by the river")
    volunteer.get_by_role("button", name="Save my check-in").click()
    expect(volunteer.locator(".messages")).to_contain_text("Your check-in is saved.")
    expect(volunteer.locator("main")).to_contain_text("Check-ins")
    expect(volunteer.get_by_role("table", name="Your hours by month")).to_contain_text("1 h 30 min")
    volunteer.screenshot(path=screenshot_dir / "ofp-volunteer.png", full_page=True)

    resident.goto(status_path)
    expect(resident.locator("main")).to_contain_text("Active pair.")
    expect(resident.locator("main")).to_contain_text("佐藤 春香")
