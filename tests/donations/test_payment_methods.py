"""Konbini, PayPay and bank transfers through Stripe Checkout: each opens the session Stripe's guide for it describes
(checked at the wire against stripe-python's typed classes), and a gift counts only when its money has arrived,
whatever order Stripe's events come in."""

import json
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail

from donations.messages import PART_RECEIVED, THANKS, UNPAID
from donations.models import Donation, Payment
from donations.progress import compute_progress
from donations.stripe_events import apply_event, at
from jii.models import Message
from tests.donations.conftest import stripe_event
from tests.donations.test_webhooks import each_order

pytestmark = pytest.mark.django_db
NOW = int(datetime(2026, 11, 20, 3, 0, tzinfo=UTC).timestamp())


def give(client, campaign, method, frequency="once", amount="5000", language="en", email="hanako@example.jp"):
    form = {"frequency": frequency, "method": method, "tier": "other", "other_amount": amount, "name": "山田 花子",
            "name_kana": "ヤマダ ハナコ", "email": email, "phone": "090-1234-5678", "show_as": "anonymous",
            "receipts_wanted": "each", "consent": "on"}  # fmt: skip
    prefix = "" if language == "ja" else f"/{language}"
    return client.post(f"{prefix}/donate/{campaign.slug}/", form)


# --- opening the checkout -----------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "checkout_type"), [
    ("card", "card"), ("konbini", "konbini"), ("paypay", "paypay"), ("jp_bank_transfer", "customer_balance"),
])  # fmt: skip
def test_each_method_opens_a_one_off_checkout_stripe_takes(client, campaign, during_campaign, stripe_api, method,
                                                          checkout_type):  # fmt: skip
    response = give(client, campaign, method)
    assert response.status_code == 303 and response["Location"].startswith("https://checkout.stripe.com/")
    [session] = stripe_api.made("POST", "/v1/checkout/sessions")
    assert stripe_api.problems(settings.STRIPE_API_VERSION, settings.STRIPE_SECRET_KEY) == []
    params = session.params
    assert params["mode"] == "payment" and params["allowed_payment_method_types"] == {"0": checkout_type}
    assert params["success_url"].endswith(f"/thanks/?method={method}")
    donation = Donation.objects.get()
    assert (donation.method, donation.status, donation.name_kana, donation.phone) == (
        method, Donation.Status.PENDING, "ヤマダ ハナコ", "090-1234-5678"
    )  # fmt: skip


def test_a_konbini_voucher_lasts_three_days(client, campaign, during_campaign, stripe_api):
    give(client, campaign, "konbini")
    [session] = stripe_api.made("POST", "/v1/checkout/sessions")
    assert session.params["payment_method_options"] == {"konbini": {"expires_after_days": "3"}}
    assert session.params["customer_email"] == "hanako@example.jp"


def test_a_bank_transfer_gets_the_donors_own_customer_kept_for_their_next_transfer(
    client, campaign, during_campaign, stripe_api
):
    give(client, campaign, "jp_bank_transfer")
    give(client, campaign, "jp_bank_transfer", email="HANAKO@example.jp", amount="3000")
    [customer] = stripe_api.made("POST", "/v1/customers")  # one virtual account for this donor, not one per gift
    assert customer.params["email"] == "hanako@example.jp" and customer.headers["Idempotency-Key"].startswith(
        "customer-"
    )
    first, second = stripe_api.made("POST", "/v1/checkout/sessions")
    options = {"customer_balance": {"funding_type": "bank_transfer", "bank_transfer": {"type": "jp_bank_transfer"}}}
    assert first.params["payment_method_options"] == second.params["payment_method_options"] == options
    assert first.params["customer"] == second.params["customer"] == "cus_test_0"
    assert "customer_email" not in first.params  # the customer carries the email
    assert set(Donation.objects.values_list("stripe_customer", flat=True)) == {"cus_test_0"}
    assert stripe_api.problems(settings.STRIPE_API_VERSION, settings.STRIPE_SECRET_KEY) == []


@pytest.mark.parametrize(("method", "frequency", "amount", "error"), [
    ("konbini", "monthly", "5000", "Monthly and yearly gifts are made by card. Please choose card, or give once."),
    ("jp_bank_transfer", "yearly", "5000", "Monthly and yearly gifts are made by card."),
    ("konbini", "once", "400000", "A convenience store payment takes at most ¥300,000."),
    ("paypay", "once", "2000000", "PayPay takes at most ¥1,000,000."),
])  # fmt: skip
def test_a_method_stripe_does_not_take_for_the_gift_is_an_error_on_the_field(
    client, campaign, during_campaign, stripe_api, method, frequency, amount, error
):
    response = give(client, campaign, method, frequency=frequency, amount=amount)
    html = response.content.decode()
    assert response.status_code == 200 and error in html
    assert 'id="id_method_error"' in html or "id_method" in html.split(error)[0].rsplit("<fieldset", 1)[-1]
    assert not Donation.objects.exists() and stripe_api.made("POST", "/v1/checkout/sessions") == []


def test_the_japanese_page_says_it_in_japanese(client, campaign, during_campaign, stripe_api):
    html = give(client, campaign, "konbini", frequency="monthly", language="ja").content.decode()
    assert "毎月・毎年のご寄付はカードでお願いします" in html


def test_only_the_methods_jii_turned_on_are_offered(client, campaign, during_campaign, stripe_api, settings):
    html = client.get(f"/en/donate/{campaign.slug}/").content.decode()
    for label in ("Card: paid at once", "Convenience store (konbini): pay within 3 days", "PayPay: pay in the",
                  "Bank transfer: from any bank"):  # fmt: skip
        assert label in html
    settings.DONATION_PAYMENT_METHODS = ["card", "konbini"]
    html = client.get(f"/en/donate/{campaign.slug}/").content.decode()
    assert "Convenience store (konbini)" in html and "PayPay: pay in the" not in html
    assert give(client, campaign, "paypay").status_code == 200  # refused: not offered
    settings.DONATION_PAYMENT_METHODS = ["card"]
    html = client.get(f"/en/donate/{campaign.slug}/").content.decode()
    assert '<input type="hidden" name="method" value="card"' in html and "How will you pay?" not in html
    assert give(client, campaign, "card").status_code == 303


def test_an_unknown_method_in_the_setting_stops_the_start(settings):
    from donations.checks import payment_methods_are_known

    assert payment_methods_are_known(None) == []
    settings.DONATION_PAYMENT_METHODS = ["card", "bitcoin"]
    [error] = payment_methods_are_known(None)
    assert error.id == "donations.E003" and "bitcoin" in error.msg


@pytest.mark.parametrize(("method", "says"), [
    ("konbini", "Please pay at a convenience store within 3 days"),
    ("jp_bank_transfer", "It is your own account number"),
    ("card", "As soon as the payment is confirmed"),
    ("<script>", "As soon as the payment is confirmed"),
])  # fmt: skip
def test_after_checkout_the_donor_reads_what_happens_next_for_their_method(client, campaign, method, says):
    html = client.get(f"/en/donate/{campaign.slug}/thanks/", {"method": method}).content.decode()
    assert says in html and "<script>" not in html.split("<main", 1)[1]


# --- what Stripe's events do ----------------------------------------------------------------------------


def events(donation, *names, **values):
    return [json.loads(stripe_event(name, donation, created=NOW + i, **values)) for i, name in enumerate(names)]


def outcome(donation):
    gift = Donation.objects.get(pk=donation.pk)
    payments = tuple(Payment.objects.values_list("stripe_reference", "amount_yen"))
    thanks = Message.objects.filter(template=THANKS).count()
    return gift.status, payments, thanks


def test_a_konbini_gift_counts_only_when_paid_in_either_order(make_donation, campaign):
    donation = make_donation(method="konbini", amount=5000)
    completed, paid = events(
        donation, "checkout_session_completed_konbini", "checkout_session_async_payment_succeeded_konbini"
    )
    outcomes = {}

    def check(order):
        outcomes[order] = (*outcome(donation), compute_progress(campaign)["yen"])

    each_order([completed], check)  # the voucher is out, nothing paid yet
    assert outcomes.pop((completed["id"],)) == (Donation.Status.PENDING, (), 0, 0)
    each_order([completed, paid], check)
    assert set(outcomes.values()) == {(Donation.Status.ACTIVE, (("pi_3KonbiniIntent", 5000),), 1, 5000)}


def test_a_konbini_voucher_that_expires_never_counts_and_the_donor_is_told_once(make_donation, campaign):
    donation = make_donation(method="konbini", amount=5000)
    completed, expired = events(
        donation, "checkout_session_completed_konbini", "checkout_session_async_payment_failed_konbini"
    )
    outcomes = {}

    def check(order):
        told = tuple(Message.objects.filter(template=UNPAID).values_list("address", flat=True))
        outcomes[order] = (*outcome(donation), told)

    each_order([completed, expired, expired | {"id": "evt_redelivered"}], check)
    assert len(outcomes) == 6
    assert set(outcomes.values()) == {(Donation.Status.UNPAID, (), 0, ("hanako@example.jp",))}


def test_a_checkout_left_unfinished_never_counts_and_sends_nothing(make_donation):
    donation = make_donation(amount=5000)
    [expired] = events(donation, "checkout_session_expired")
    apply_event(expired)
    assert outcome(donation) == (Donation.Status.UNPAID, (), 0)
    assert not Message.objects.filter(template=UNPAID).exists()


def test_a_paypay_gift_counts_at_once(make_donation, campaign):
    donation = make_donation(method="paypay", amount=3000)
    [completed] = events(donation, "checkout_session_completed_paypay")
    apply_event(completed)
    assert outcome(donation) == (Donation.Status.ACTIVE, (("pi_3PayPayIntent", 3000),), 1)


def test_a_bank_transfer_paid_in_two_parts_and_too_much_ends_the_same_in_all_24_orders(make_donation, campaign):
    """The donor sends ¥3,000, then ¥4,000 for a ¥5,000 gift: Stripe partly funds the payment, completes it with the
    second transfer and keeps ¥2,000 in the donor's cash balance. Whatever the order: one payment of ¥5,000, the gift
    active, ¥2,000 for staff to return, one thank-you."""
    donation = make_donation(method="jp_bank_transfer", amount=5000, stripe_customer="cus_TestBank")
    completed, part, paid = events(
        donation, "checkout_session_completed_bank_transfer", "payment_intent_partially_funded",
        "checkout_session_async_payment_succeeded_bank_transfer", remaining=2000,
    )  # fmt: skip
    [excess] = events(donation, "cash_balance_funds_available", excess=2000)
    excess["created"] = NOW + 10
    outcomes = {}

    def check(order):
        gift = Donation.objects.get(pk=donation.pk)
        outcomes[order] = (*outcome(donation), gift.excess_yen, gift.excess_at, compute_progress(campaign)["yen"])

    each_order([completed, part, paid, excess], check)
    assert len(outcomes) == 24
    expected = (Donation.Status.ACTIVE, (("pi_3BankIntent", 5000),), 1, 2000, at(NOW + 10), 5000)
    assert {order: result for order, result in outcomes.items() if result != expected} == {}


def test_a_transfer_of_less_than_the_gift_tells_the_donor_what_is_left_once(
    make_donation, campaign, deliver, django_capture_on_commit_callbacks
):
    donation = make_donation(method="jp_bank_transfer", amount=5000, stripe_customer="cus_TestBank")
    part = stripe_event("payment_intent_partially_funded", donation, created=NOW, remaining=2000)
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(part).status_code == 200
        assert deliver(part).status_code == 200  # delivered again
        assert deliver(part.replace("evt_3BankPartly", "evt_3BankPartlyAgain")).status_code == 200  # replayed
    [email] = mail.outbox
    assert email.subject == "銀行振込の一部が届きました"  # in the donor's language (Japanese)
    assert "3,000" in email.body and "2,000" in email.body and email.to == ["hanako@example.jp"]
    assert Message.objects.get(template=PART_RECEIVED).language == "ja"
    gift = Donation.objects.get()
    assert (gift.status, gift.funded_yen, compute_progress(campaign)["yen"]) == (Donation.Status.PENDING, 3000, 0)


def test_the_lapsed_gift_email_is_in_the_donors_language(make_donation, deliver, django_capture_on_commit_callbacks):
    donation = make_donation(method="konbini", amount=5000, language="en")
    expired = stripe_event("checkout_session_async_payment_failed_konbini", donation, created=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(expired)
    [email] = mail.outbox
    assert email.subject == "Your gift to JII was not paid in time"
    assert "¥5,000" in email.body and "nothing was taken" in email.body and "/en/donate/chiisana-rikai/" in email.body


def test_a_lapsed_gift_is_no_gift_on_the_donors_page_and_goes_after_a_year(make_donation, client):
    from datetime import timedelta

    from django.utils import timezone

    from donations.links import history_url
    from jii.privacy import apply_retention

    paid = make_donation(method="card", amount=3000)
    apply_event(events(paid, "checkout_session_completed_paypay")[0])
    lapsed = make_donation(method="konbini", amount=7000)
    apply_event(events(lapsed, "checkout_session_async_payment_failed_konbini")[0])
    page = client.get(urlsplit(history_url(paid)).path).content.decode()
    assert "3,000" in page and "7,000" not in page
    apply_retention(timezone.now() + timedelta(days=400))
    assert Donation.objects.get(pk=lapsed.pk).anonymised_at is not None


def test_donations_staff_see_transfers_paid_beyond_their_gift_on_the_desk_and_list_only_them(
    client, make_donation, django_assert_num_queries
):
    from tests.factories import CoordinatorFactory

    over = make_donation(method="jp_bank_transfer", amount=5000, stripe_customer="cus_TestBank")
    make_donation(method="jp_bank_transfer", amount=3000, stripe_customer="cus_Other")
    apply_event(events(over, "cash_balance_funds_available", excess=2000)[0])
    client.force_login(CoordinatorFactory(groups=["donations staff"]))
    with django_assert_num_queries(7):  # as with failed payments alone: one query counts both
        html = client.get("/en/admin/").content.decode()
    link = '<a href="/en/admin/donations/donation/?paid_beyond=yes">1 bank transfer paid beyond its gift'
    assert link in html and "whose payment failed" not in html
    listed = client.get("/en/admin/donations/donation/?paid_beyond=yes").context["cl"].result_list
    assert [gift.pk for gift in listed] == [over.pk]
