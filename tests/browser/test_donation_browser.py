"""Giving in a real browser: choose an amount, fill the form, go to Stripe (intercepted), and after Stripe's
signed webhook the page shows the new total — and, once donations staff approve it, the message."""

import time
import urllib.request
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from donations.models import Campaign
from tests.browser.test_ofp_browser import log_in
from tests.donations.conftest import SECRET, signed, stripe_event
from tests.factories import CoordinatorFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def setup(transactional_db, settings, stripe_api):
    settings.STRIPE_SECRET_KEY = "sk_test_browser"
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    today = timezone.localdate()  # a window around today in Tokyo, whatever the day
    campaign = Campaign.objects.create(
        slug="year-end", title={"ja": "やさしい共生の未来", "en": "A kinder shared future"},
        summary={"ja": "…", "en": "A campaign for monthly supporters."}, starts_on=today - timedelta(days=10),
        ends_on=today + timedelta(days=10),
        goal_new_monthly_supporters=50, goal_amount_yen=1_500_000, is_published=True,
    )  # fmt: skip
    campaign.tiers.create(
        amount_yen=5000, impact={"ja": "半年間の交流", "en": "six months of exchange for one resident"}
    )
    return {"stripe": stripe_api, "staff": CoordinatorFactory(groups=["donations staff"]).email}


def send_webhook(url, payload):
    headers = {"Content-Type": "application/json", "Stripe-Signature": signed(payload)}
    request = urllib.request.Request(url, data=payload.encode(), headers=headers)  # noqa: S310 (our live server)
    with urllib.request.urlopen(request) as response:  # noqa: S310
        return response.status


def test_give_then_see_the_total_and_the_approved_message(setup, page, new_page, live_server, screenshot_dir):
    page.route("https://checkout.stripe.com/**", lambda route: route.fulfill(body="<h1>Stripe Checkout</h1>"))
    page.goto("/en/donate/year-end/")
    expect(page.locator("#yen-now")).to_have_text("¥0")
    page.get_by_label("Once", exact=True).check()
    page.get_by_label("¥5,000 — six months of exchange for one resident").check()
    page.get_by_label("Your name:", exact=True).fill("Yamada Hanako")
    page.get_by_label("Email").fill("hanako@example.jp")
    page.get_by_label("A nickname").check()
    page.get_by_role("textbox", name="Nickname").fill("Hanako")
    page.get_by_label("A message of support (optional, shown after moderation)").fill("Keep up the good work!")
    page.get_by_label("I agree to how JII uses my details (above).").check()
    page.screenshot(path=screenshot_dir / "donate-form.png", full_page=True)
    page.get_by_role("button", name="Continue to secure payment").click()
    expect(page).to_have_url("https://checkout.stripe.com/c/pay/cs_test_0")

    [session] = setup["stripe"].made("POST", "/v1/checkout/sessions")
    donation = SimpleNamespace(pk=session.params["metadata"]["donation"], amount_yen=5000)
    payload = stripe_event("checkout_session_completed_payment", donation, created=int(time.time()))
    assert send_webhook(f"{live_server.url}/stripe/webhook/", payload) == 200
    assert send_webhook(f"{live_server.url}/stripe/webhook/", payload) == 200  # delivered twice, counted once

    page.goto("/en/donate/year-end/")
    expect(page.locator("#yen-now")).to_have_text("¥5,000")
    expect(page.locator("main")).not_to_contain_text("Keep up the good work!")

    desk = new_page()
    log_in(desk, setup["staff"], "/en/admin/donations/donation/")  # with the code from their authenticator app
    desk.locator("input.action-select").first.check()
    desk.locator("select[name=action]").select_option("approve_messages")
    desk.get_by_role("button", name="Go").click()
    expect(desk.locator(".messagelist")).to_contain_text("1 message approved.")

    page.goto("/en/donate/year-end/")
    expect(page.locator("main")).to_contain_text("Keep up the good work!")
    expect(page.locator("main")).to_contain_text("Hanako")
    page.screenshot(path=screenshot_dir / "donate-after.png", full_page=True)


def test_on_a_phone_a_donor_chooses_konbini_and_reaches_stripe(setup, phone_page, live_server, screenshot_dir):
    page = phone_page
    page.route("https://checkout.stripe.com/**", lambda route: route.fulfill(body="<h1>Stripe Checkout</h1>"))
    page.goto("/en/donate/year-end/")
    page.get_by_label("Once", exact=True).check()
    page.get_by_label("¥5,000 — six months of exchange for one resident").check()
    page.get_by_label("Convenience store (konbini): pay within 3 days with a payment number").check()
    page.get_by_label("Your name:", exact=True).fill("Nguyen Thi Lan")
    page.get_by_label("Email").fill("lan@example.com")
    page.get_by_label("I agree to how JII uses my details (above).").check()
    page.screenshot(path=screenshot_dir / "donate-konbini-phone.png", full_page=True)
    page.get_by_role("button", name="Continue to secure payment").click()
    expect(page).to_have_url("https://checkout.stripe.com/c/pay/cs_test_0")

    [session] = setup["stripe"].made("POST", "/v1/checkout/sessions")
    assert session.params["allowed_payment_method_types"] == {"0": "konbini"}
    assert session.params["success_url"] == f"{live_server.url}/en/donate/year-end/thanks/?method=konbini"
    page.goto("/en/donate/year-end/thanks/?method=konbini")  # where Stripe sends the donor after the voucher
    expect(page.locator("main")).to_contain_text("Please pay at a convenience store within 3 days")
