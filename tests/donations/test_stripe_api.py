"""Every request to Stripe speaks the pinned API version and is one Stripe takes at that version (checked at the
wire against stripe-python's typed classes), and events are read only in the shapes the handlers know."""

import json
import logging
from pathlib import Path

import pytest
import stripe
import stripe.params.billing_portal
import stripe.params.checkout
from django.conf import settings

from donations.checks import stripe_api_is_stripes, stripe_api_version_matches_library
from donations.models import Donation, Payment, StripeEvent
from donations.receipts import receipt_language
from donations.stripe_api import STRIPE_LOCALES, stripe_locale
from donations.tasks import reconcile_with_stripe
from tests.donations.conftest import EVENTS, stripe_event
from tests.stripe_wire import problems, unknown_fields

pytestmark = pytest.mark.django_db
NOW = 1_795_000_000
CHECKOUT = stripe.params.checkout.SessionCreateParams


def give(client, campaign, frequency):
    form = {"frequency": frequency, "method": "card", "tier": "other", "other_amount": "3000", "name": "Nguyen Thi Lan",
            "email": "lan@example.com", "show_as": "anonymous", "receipts_wanted": "each", "consent": "on"}  # fmt: skip
    return client.post(f"/en/donate/{campaign.slug}/", form)


def test_the_site_pins_the_api_version_of_the_locked_stripe_library():
    # A new stripe-python speaks a new API: moving the pin is a deliberate step (README), never a side effect.
    assert settings.STRIPE_API_VERSION == stripe.api_version == "2026-10-28.endive"


def test_a_pin_other_than_the_librarys_is_a_warning_at_start(settings):
    assert stripe_api_version_matches_library(None) == []
    settings.STRIPE_API_VERSION = "2025-03-31.basil"
    [warning] = stripe_api_version_matches_library(None)
    assert warning.id == "donations.W001" and "2025-03-31.basil" in warning.msg and "2026-10-28.endive" in warning.msg


def test_a_stand_in_left_in_stripe_api_base_fails_the_deploy_check(settings):
    settings.STRIPE_API_BASE = "https://api.stripe.com"
    assert stripe_api_is_stripes(None) == []
    settings.STRIPE_API_BASE = "http://127.0.0.1:12111"
    [warning] = stripe_api_is_stripes(None)
    assert warning.id == "donations.W002" and "http://127.0.0.1:12111" in warning.msg


@pytest.mark.parametrize(("frequency", "mode", "metadata_on"), [
    ("once", "payment", "payment_intent_data"),
    ("monthly", "subscription", "subscription_data"),
])  # fmt: skip
def test_a_gift_opens_a_checkout_session_stripe_takes_at_the_pinned_version(
    client, campaign, during_campaign, stripe_api, frequency, mode, metadata_on
):
    assert give(client, campaign, frequency).status_code == 303
    [request] = stripe_api.made("POST", "/v1/checkout/sessions")
    assert stripe_api.problems(settings.STRIPE_API_VERSION, settings.STRIPE_SECRET_KEY) == []
    assert request.headers["Stripe-Version"] == "2026-10-28.endive"
    params = request.params
    assert params["allowed_payment_method_types"] == {"0": "card"} and "payment_method_types" not in params
    donation = Donation.objects.get()
    assert (params["mode"], params["locale"], params["customer_email"]) == (mode, "en", "lan@example.com")
    assert params[metadata_on]["metadata"] == {"donation": str(donation.pk)}
    assert params["line_items"]["0"]["price_data"]["unit_amount"] == "3000"


def test_another_pinned_version_goes_on_every_request(client, campaign, during_campaign, stripe_api, settings):
    settings.STRIPE_API_VERSION = "2026-09-30.endive"
    give(client, campaign, "once")
    stripe_api.events = [json.loads(stripe_event("invoice_paid", Donation.objects.get(), created=NOW))]
    reconcile_with_stripe()
    assert [request.headers["Stripe-Version"] for request in stripe_api.requests] == ["2026-09-30.endive"] * 2


def test_each_language_goes_to_stripe_as_a_locale_it_knows_or_the_nearest(settings):
    portal = stripe.params.billing_portal.SessionCreateParams
    for locale in set(STRIPE_LOCALES.values()):
        assert problems(CHECKOUT, {"locale": locale}) == problems(portal, {"locale": locale}) == []
    assert [stripe_locale(code) for code, _name in settings.LANGUAGES] == [
        "ja",
        "en",
        "ja",
        "zh",
        "vi",
        "en",
        "en",
        "en",
    ]  # fmt: skip — ja en ja-easy zh-hans vi ne uk fa-af: Checkout speaks no Nepali, Ukrainian or Dari


def test_receipts_are_in_japanese_or_english_whatever_the_page_language(settings):
    assert [receipt_language(code) for code, _name in settings.LANGUAGES] == [
        "ja", "en", "ja", "en", "en", "en", "en", "en"
    ]  # fmt: skip


def test_the_check_refuses_what_stripe_refuses():
    """The wire check itself: it must catch the old parameter and every other kind of mistake."""
    valid = {
        "mode": "payment",
        "allowed_payment_method_types": {"0": "card"},
        "line_items": {"0": {"quantity": "1", "price_data": {"currency": "jpy", "unit_amount": "500",
                                                              "product_data": {"name": "Gift"}}}},
        "metadata": {"donation": "1"},
    }  # fmt: skip
    assert problems(CHECKOUT, valid) == []
    assert problems(CHECKOUT, valid | {"payment_method_types": {"0": "card"}}) == [
        "payment_method_types: not a parameter of stripe.params.checkout._session_create_params.SessionCreateParams"
    ]
    assert problems(CHECKOUT, valid | {"locale": "xx"})[0].startswith("locale: 'xx' is not one of")
    assert problems(CHECKOUT, valid | {"allowed_payment_method_types": {"0": "carte"}})[0].startswith(
        "allowed_payment_method_types.0: 'carte' is not one of"
    )
    assert problems(CHECKOUT, valid | {"mode": "donation"}) != []
    assert problems(CHECKOUT, valid | {"expires_at": "tomorrow"}) == [
        "expires_at: expected a whole number, got 'tomorrow'"
    ]
    no_currency = {"0": {"price_data": {"unit_amount": "500", "product_data": {"name": "Gift"}}}}
    assert problems(CHECKOUT, valid | {"line_items": no_currency}) == [
        "line_items.0.price_data.currency: required by SessionCreateParamsLineItemPriceData but missing"
    ]
    assert problems(CHECKOUT, valid | {"idempotency_key": "x"}) != []  # an option, sent as a header
    assert problems(CHECKOUT, valid | {"customer_email": ""}) == [
        "customer_email: empty, which Stripe takes as unsetting it"
    ]
    assert problems(CHECKOUT, valid | {"allowed_payment_method_types": {"card": "card"}})[0].startswith(
        "allowed_payment_method_types: expected a list"
    )


def test_the_stored_events_are_shaped_like_the_pinned_version():
    older = {"invoice_paid_2025_03_31.json", "invoice_paid_2024_06_20.json"}  # kept old on purpose
    for path in sorted(set(EVENTS.glob("*.json")) - {EVENTS / name for name in older}):
        event = json.loads(filled(path))
        assert event["api_version"] == settings.STRIPE_API_VERSION, path.name
        assert unknown_fields(event, stripe.Event) == [], path.name
    assert unknown_fields(json.loads(filled(EVENTS / "invoice_paid_2024_06_20.json")), stripe.Event) == [
        "data.object.charge: not a field of stripe._invoice.Invoice",
        "data.object.paid: not a field of stripe._invoice.Invoice",
        "data.object.payment_intent: not a field of stripe._invoice.Invoice",
        "data.object.subscription: not a field of stripe._invoice.Invoice",
        "data.object.subscription_details: not a field of stripe._invoice.Invoice",
    ]


def filled(path: Path) -> str:
    text = path.read_text()
    for placeholder, value in {"__DONATION__": "d", "__STATUS__": "active"}.items():
        text = text.replace(f'"{placeholder}"', json.dumps(value))
    for placeholder in ("__AMOUNT__", "__CREATED__", "__REFUNDED__", "__REMAINING__", "__EXCESS__"):
        text = text.replace(f'"{placeholder}"', "1")
    return text


def test_an_event_of_the_oldest_readable_version_is_still_applied(deliver, make_donation):
    donation = make_donation(frequency="monthly", amount=3000)
    assert deliver(stripe_event("invoice_paid_2025_03_31", donation, created=NOW)).status_code == 200
    payment = Payment.objects.get()
    assert (payment.amount_yen, payment.stripe_reference) == (3000, "in_1FirstInvoice")
    assert Donation.objects.get(pk=donation.pk).stripe_subscription == "sub_1Monthly"


def test_an_event_of_an_older_shape_is_refused_loudly_and_writes_nothing(deliver, make_donation, caplog):
    donation = make_donation(frequency="monthly", amount=3000)
    with caplog.at_level(logging.ERROR, logger="donations.stripe_events"):
        assert deliver(stripe_event("invoice_paid_2024_06_20", donation, created=NOW)).status_code == 200
    assert not Payment.objects.exists() and not StripeEvent.objects.exists()
    assert Donation.objects.get(pk=donation.pk).status == Donation.Status.PENDING
    [record] = caplog.records
    assert "evt_1OldInvoicePaid" in record.getMessage() and "2024-06-20" in record.getMessage()
    assert "set the webhook endpoint's API version to 2026-10-28.endive" in record.getMessage()


def test_an_event_newer_than_the_pinned_version_is_refused_too(deliver, make_donation, settings, caplog):
    settings.STRIPE_API_VERSION = "2026-09-30.endive"
    donation = make_donation(amount=5000)
    with caplog.at_level(logging.ERROR, logger="donations.stripe_events"):
        assert deliver(stripe_event("checkout_session_completed_payment", donation, created=NOW)).status_code == 200
    assert not Payment.objects.exists() and not StripeEvent.objects.exists()
    assert "2026-10-28.endive" in caplog.records[0].getMessage()


def test_reconciliation_skips_events_it_cannot_read_and_applies_the_rest(make_donation, stripe_api, caplog):
    old, new = make_donation(frequency="monthly", amount=3000), make_donation(frequency="monthly", amount=5000)
    stripe_api.events = [
        json.loads(stripe_event("invoice_paid_2024_06_20", old, created=NOW)),
        json.loads(stripe_event("invoice_paid", new, created=NOW + 1)),
    ]
    with caplog.at_level(logging.ERROR, logger="donations.stripe_events"):
        assert reconcile_with_stripe() == 1
    assert list(Payment.objects.values_list("donation_id", "amount_yen")) == [(new.pk, 5000)]
    assert "evt_1OldInvoicePaid" in caplog.records[0].getMessage()
