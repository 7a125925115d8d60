"""Kurashi consultations end to end in a real browser: a resident asks on a phone, consultation staff read the
case and book an expert in the admin, and the resident's status page shows the appointment."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from jii.models import Area, Language
from tests.browser.test_ofp_browser import log_in
from tests.consultations.conftest import make_expert, make_interpreter
from tests.factories import CoordinatorFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(transactional_db):
    """Created before the browser starts (the ORM cannot run while Playwright's event loop does)."""
    expert = make_expert(name="高橋 健", email="takahashi@example.jp")
    make_interpreter(name="王 芳", email="wang@example.jp")  # the case below needs Chinese interpreting
    return {
        "staff": CoordinatorFactory(groups=["consultation staff"]).email,
        "expert": str(expert.pk),
        "chinese": str(Language.objects.get(code="zh").pk),
        "meguro": str(Area.objects.get(code="tokyo-meguro").pk),
    }


def test_ask_triage_book_and_see_the_appointment(desk, new_page, phone_page, live_server, screenshot_dir, settings):
    settings.SITE_URL = live_server.url
    resident = phone_page
    resident.goto("/en/consultations/request/")
    resident.get_by_label("Your name").fill("Chen Li")
    resident.get_by_label("Email").fill("chen@example.com")
    resident.get_by_label("City or ward where you live").select_option(desk["meguro"])
    resident.get_by_label("Residence status and visa").check()
    resident.get_by_label("Please describe your situation").fill("My visa expires in six weeks and I changed jobs.")
    resident.locator(f"input[name=languages][value='{desk['chinese']}']").check()
    resident.get_by_label("I need an interpreter").check()
    resident.get_by_label("By phone").check()
    resident.get_by_label("I agree to how JII uses this information (above).").check()
    resident.screenshot(path=screenshot_dir / "consultation-request-phone.png", full_page=True)
    resident.get_by_role("button", name="Send my request").click()
    expect(resident.get_by_role("heading", level=1)).to_have_text("Thank you — we received your request")
    status_path = re.search(r"https?://[^/]+(/en/status/\S+/)", mail.outbox[-1].body)[1]

    staff = new_page()
    log_in(staff, desk["staff"], "/en/admin/consultations/consultation/")
    staff.get_by_role("link", name=re.compile(r"Consultation #\d+")).first.click()
    expect(staff.locator("#content")).to_contain_text("My visa expires in six weeks")
    staff.get_by_role("link", name="Book an expert").click()
    # The resident needs an interpreter: only times when the expert, a Chinese interpreter and a room are free.
    staff.get_by_label(re.compile(r"高橋 健 · interpreter: 王 芳")).first.check()
    staff.get_by_label("How").select_option("phone")
    staff.screenshot(path=screenshot_dir / "consultation-booking.png", full_page=True)
    staff.get_by_role("button", name="Continue").click()
    expect(staff.locator(".messagelist")).to_contain_text("The appointment is booked")

    resident.goto(status_path)
    expect(resident.locator("main")).to_contain_text("with 高橋 健 (By phone)")
    expect(resident.locator("main")).not_to_contain_text("My visa expires")
