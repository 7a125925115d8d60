"""Spot end to end in a real browser: a resident asks on a phone, a volunteer accepts from the board and
marks the request done, and the resident sees it done and says thank you."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from jii.models import Area, Language
from tests.factories import PASSWORD, approved_volunteer

pytestmark = pytest.mark.browser


@pytest.fixture
def people(transactional_db):
    """Created before the browser starts (the ORM cannot run while Playwright's event loop does)."""
    volunteer = approved_volunteer()
    volunteer.user.name = "田中 健二"
    volunteer.user.save()
    return {
        "volunteer": volunteer.user.email,
        "vietnamese": str(Language.objects.get(code="vi").pk),
        "funabashi": str(Area.objects.get(code="chiba-funabashi").pk),
        "from": (timezone.localdate() + timedelta(days=2)).isoformat(),
        "until": (timezone.localdate() + timedelta(days=9)).isoformat(),
    }


def test_request_accept_and_mark_done(people, new_page, phone_page, live_server, screenshot_dir, settings):
    settings.SITE_URL = live_server.url
    resident = phone_page
    resident.goto("/en/spot/request/")
    resident.get_by_label("Your name").fill("Nguyen Thi Lan")
    resident.get_by_label("Email").fill("lan@example.com")
    resident.get_by_label("Child-rearing and education").check()
    resident.get_by_label("Which of these is closest?").select_option("daycare")
    resident.get_by_label("What do you need? In your own words").fill("Help with the daycare application form.")
    resident.locator(f"input[name=languages][value='{people['vietnamese']}']").check()
    resident.get_by_label("Meet in person").check()
    resident.get_by_label("City or ward").select_option(people["funabashi"])
    resident.get_by_label("Earliest day that suits you").fill(people["from"])
    resident.get_by_label("Latest day that suits you").fill(people["until"])
    resident.get_by_label("Within a week").check()
    resident.get_by_label("I agree to how JII uses this information (above).").check()
    resident.screenshot(path=screenshot_dir / "spot-request-phone.png", full_page=True)
    resident.get_by_role("button", name="Send my request").click()
    expect(resident.get_by_role("heading", level=1)).to_have_text("Thank you — we received your request")
    status_path = re.search(r"https?://[^/]+(/en/status/\S+/)", mail.outbox[-1].body)[1]

    volunteer = new_page()
    volunteer.goto("/en/accounts/login/?next=/en/spot/board/")
    volunteer.get_by_label("Email").fill(people["volunteer"])
    volunteer.get_by_label("Password").fill(PASSWORD)
    volunteer.locator("main").get_by_role("button", name="Sign In").click()
    expect(volunteer.locator("main")).to_contain_text("Daycare or kindergarten application")
    expect(volunteer.locator("main")).not_to_contain_text("Nguyen")
    expect(volunteer.locator("main")).not_to_contain_text("daycare application form")
    volunteer.screenshot(path=screenshot_dir / "spot-board.png", full_page=True)
    volunteer.get_by_role("button", name="I can help — accept").first.click()
    expect(volunteer.locator("main")).to_contain_text("Nguyen Thi Lan")
    expect(volunteer.locator("main")).to_contain_text("lan@example.com")
    expect(volunteer.locator("main")).to_contain_text("Help with the daycare application form.")

    resident.goto(status_path)
    expect(resident.locator("main")).to_contain_text("Accepted.")
    expect(resident.locator("main")).to_contain_text("健二")

    volunteer.get_by_label("What did you do?").fill("Filled in the form together at the city office.")
    volunteer.get_by_label("Time spent (minutes)").fill("60")
    volunteer.get_by_role("button", name="Mark as done").click()
    expect(volunteer.locator(".messages")).to_contain_text("Thank you for helping!")

    resident.goto(status_path)
    expect(resident.locator("main")).to_contain_text("Done.")
    resident.get_by_label("A word of thanks or feedback for JII").fill("Thank you so much!")
    resident.get_by_role("button", name="Send", exact=True).click()
    expect(resident.locator(".messages")).to_contain_text("Thank you for your message!")
