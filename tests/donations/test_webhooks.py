"""Stripe's signed events are the only thing that records card money: once each, in any order."""

import contextlib
import itertools
import json
import time
from datetime import UTC, datetime

import pytest
from django.core import mail
from django.db import transaction

from donations.messages import THANKS
from donations.models import Donation, Payment, Receipt, StripeEvent
from donations.stripe_events import apply_event, at
from jii.models import Message
from tests.donations.conftest import signed, stripe_event
from tests.jii.test_cache import closed_port

pytestmark = pytest.mark.django_db

NOW = int(datetime(2026, 11, 20, 3, 0, tzinfo=UTC).timestamp())


def test_a_bad_signature_is_refused_and_writes_nothing(deliver, make_donation):
    donation = make_donation()
    payload = stripe_event("checkout_session_completed_payment", donation, created=NOW)
    assert deliver(payload, signature=signed(payload, secret="whsec_someone_else")).status_code == 400
    assert deliver(payload, signature="t=1,v1=deadbeef").status_code == 400
    assert deliver("{not json", signature=signed("{not json")).status_code == 400
    assert not StripeEvent.objects.exists() and not Payment.objects.exists()


def test_a_payment_recorded_while_the_cache_is_away_is_answered_as_usual(
    transactional_db, django_db_serialized_rollback, settings, make_donation, deliver
):
    """The campaign's figures are invalidated with cache.incr after the payment's commit; without Redis that
    must not turn Stripe's webhook into a 500 (Stripe would retry a payment already recorded). Transactional,
    so the commit and what runs after it happen inside the request."""
    settings.CACHES = {"default": {"BACKEND": "jii.cache.ReusingRedisCache",
                                   "LOCATION": f"redis://127.0.0.1:{closed_port()}/0"}}  # fmt: skip
    donation = make_donation(amount=5000)
    response = deliver(stripe_event("checkout_session_completed_payment", donation, created=int(time.time())))
    assert response.status_code == 200
    assert donation.payments.count() == 1


def test_a_stale_signature_is_refused(deliver, make_donation):
    donation = make_donation()
    payload = stripe_event("checkout_session_completed_payment", donation, created=NOW)
    assert deliver(payload, signature=signed(payload, timestamp=int(time.time()) - 3600)).status_code == 400
    assert not Payment.objects.exists()


def test_a_paid_checkout_records_the_gift_once_even_if_delivered_three_times(deliver, make_donation):
    donation = make_donation(amount=5000)
    payload = stripe_event("checkout_session_completed_payment", donation, created=NOW)
    for _ in range(3):
        assert deliver(payload).status_code == 200
    assert Payment.objects.get().amount_yen == 5000  # JPY is zero-decimal: 5000 means ¥5,000
    donation.refresh_from_db()
    assert donation.status == Donation.Status.ACTIVE and donation.stripe_customer == "cus_TestOnce"
    assert StripeEvent.objects.count() == 1


def test_a_refund_after_payment_takes_the_money_off(deliver, make_donation):
    donation = make_donation(amount=10000)
    deliver(stripe_event("checkout_session_completed_payment", donation, created=NOW))
    refund = stripe_event("charge_refunded", donation, created=NOW + 60, refunded=4000)
    for _ in range(3):
        deliver(refund)
    payment = Payment.objects.get()
    assert (payment.amount_yen, payment.refunded_yen) == (10000, 4000)
    assert Donation.objects.get(pk=donation.pk).status == Donation.Status.ACTIVE  # partly refunded
    deliver(stripe_event("charge_refunded", donation, created=NOW + 120, refunded=10000, event_id="evt_full"))
    assert Payment.objects.get().refunded_yen == 10000
    assert Donation.objects.get(pk=donation.pk).status == Donation.Status.REFUNDED


def test_an_unknown_event_type_is_acknowledged_and_ignored(deliver, make_donation):
    donation = make_donation()
    assert deliver(stripe_event("payment_intent_created", donation, created=NOW)).status_code == 200
    assert not Payment.objects.exists()
    assert Donation.objects.get(pk=donation.pk).status == Donation.Status.PENDING


SUBSCRIPTION_START = [
    ("checkout_session_completed_subscription", {}, 0),
    ("invoice_paid", {}, 1),
    ("customer_subscription_updated", {"status": "active"}, 2),
]


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_a_monthly_gift_starts_the_same_whatever_order_its_events_arrive_in(deliver, make_donation, order):
    donation = make_donation(frequency="monthly", amount=3000)
    for index in order:
        name, values, offset = SUBSCRIPTION_START[index]
        for _ in range(3):  # and each of them three times
            assert deliver(stripe_event(name, donation, created=NOW + offset, **values)).status_code == 200
    donation.refresh_from_db()
    assert donation.status == Donation.Status.ACTIVE
    assert (donation.stripe_subscription, donation.stripe_customer) == ("sub_1Monthly", "cus_TestMonthly")
    assert list(Payment.objects.values_list("amount_yen", "stripe_reference")) == [(3000, "in_1FirstInvoice")]
    assert donation.started_at is not None


LATER = [
    ("invoice_payment_failed", {}, 10, "evt_fail"),
    ("customer_subscription_updated", {"status": "past_due"}, 11, "evt_past_due"),
    ("customer_subscription_deleted", {}, 20, "evt_deleted"),
]


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_a_failed_payment_then_cancellation_ends_the_gift_in_any_order(deliver, make_donation, order):
    donation = make_donation(frequency="monthly", amount=3000)
    deliver(stripe_event("invoice_paid", donation, created=NOW))
    for index in order:
        name, values, offset, event_id = LATER[index]
        deliver(stripe_event(name, donation, created=NOW + offset, event_id=event_id, **values))
    donation.refresh_from_db()
    assert donation.status == Donation.Status.ENDED and donation.ended_at is not None
    assert Payment.objects.count() == 1  # the failed payment added nothing


def test_a_failed_payment_followed_by_a_later_success_is_active_again(deliver, make_donation):
    donation = make_donation(frequency="monthly", amount=3000)
    deliver(stripe_event("invoice_paid", donation, created=NOW))
    deliver(stripe_event("invoice_payment_failed", donation, created=NOW + 10))
    assert Donation.objects.get(pk=donation.pk).status == Donation.Status.PAST_DUE
    retried = stripe_event("invoice_paid", donation, created=NOW + 20, event_id="evt_retry")
    deliver(retried.replace("in_1FirstInvoice", "in_1RetriedInvoice"))
    assert Donation.objects.get(pk=donation.pk).status == Donation.Status.ACTIVE
    assert Payment.objects.count() == 2


def test_the_thank_you_email_goes_once_when_the_first_payment_arrives(
    deliver, make_donation, django_capture_on_commit_callbacks
):
    from django.core import mail

    donation = make_donation(frequency="monthly", amount=3000)
    with django_capture_on_commit_callbacks(execute=True):
        payload = stripe_event("invoice_paid", donation, created=NOW)
        deliver(payload)
        deliver(payload)
        deliver(stripe_event("checkout_session_completed_subscription", donation, created=NOW + 1))
        later = stripe_event("invoice_paid", donation, created=NOW + 30 * 86400, event_id="evt_month2")
        deliver(later.replace("in_1FirstInvoice", "in_1SecondInvoice"))
    thanks = [message for message in mail.outbox if not message.attachments]
    receipts = [message for message in mail.outbox if message.attachments]
    assert len(thanks) == 1 and thanks[0].to == [donation.email]
    assert "/donate/manage/" in thanks[0].body  # a monthly supporter can stop or change the gift themselves
    assert len(receipts) == 2  # one receipt for each monthly payment, however often the events came


def test_a_refund_arriving_before_its_payment_is_refused_until_the_payment_is_there(deliver, make_donation):
    donation = make_donation(amount=10000)
    refund = stripe_event("charge_refunded", donation, created=NOW + 60, refunded=10000)
    assert deliver(refund).status_code == 409  # Stripe delivers it again later
    assert not StripeEvent.objects.exists()
    deliver(stripe_event("checkout_session_completed_payment", donation, created=NOW))
    assert deliver(refund).status_code == 200
    assert Payment.objects.get().refunded_yen == 10000
    assert Donation.objects.get(pk=donation.pk).status == Donation.Status.REFUNDED


def test_refund_events_out_of_order_keep_the_larger_refund(deliver, make_donation):
    donation = make_donation(amount=10000)
    deliver(stripe_event("checkout_session_completed_payment", donation, created=NOW))
    deliver(stripe_event("charge_refunded", donation, created=NOW + 120, refunded=10000, event_id="evt_full"))
    deliver(stripe_event("charge_refunded", donation, created=NOW + 60, refunded=4000, event_id="evt_partial"))
    assert Payment.objects.get().refunded_yen == 10000


def test_another_systems_checkout_on_the_same_account_is_ignored(deliver, make_donation):
    donation = make_donation()
    payload = stripe_event("checkout_session_completed_payment", donation, created=NOW)
    payload = payload.replace(str(donation.pk), "order-4711")
    assert deliver(payload).status_code == 200
    assert not Payment.objects.exists()


def test_a_refunded_monthly_payment_is_found_through_its_invoice(deliver, make_donation, stripe_api):
    stripe_api.invoice_payments = {"pi_3MonthlyIntent": "in_1FirstInvoice"}
    donation = make_donation(frequency="monthly", amount=3000)
    refund = stripe_event("charge_refunded_subscription", donation, created=NOW + 60, refunded=3000)
    deliver(stripe_event("invoice_paid", donation, created=NOW))
    assert deliver(refund).status_code == 200 and deliver(refund).status_code == 200
    payment = Payment.objects.get()
    assert (payment.stripe_reference, payment.refunded_yen) == ("in_1FirstInvoice", 3000)
    asked = stripe_api.made("GET", "/v1/invoice_payments")[0].params
    assert asked["payment"] == {"type": "payment_intent", "payment_intent": "pi_3MonthlyIntent"}
    # One month refunded does not end the monthly gift.
    assert Donation.objects.get(pk=donation.pk).status == Donation.Status.ACTIVE


def test_a_monthly_refund_before_its_invoice_waits_and_a_strangers_is_ignored(deliver, make_donation, stripe_api):
    stripe_api.invoice_payments = {"pi_3MonthlyIntent": "in_1FirstInvoice"}
    donation = make_donation(frequency="monthly", amount=3000)
    Donation.objects.filter(pk=donation.pk).update(stripe_customer="cus_TestMonthly")
    refund = stripe_event("charge_refunded_subscription", donation, created=NOW + 60, refunded=3000)
    assert deliver(refund).status_code == 409  # Stripe delivers it again after the invoice
    deliver(stripe_event("invoice_paid", donation, created=NOW))
    assert deliver(refund).status_code == 200 and Payment.objects.get().refunded_yen == 3000
    stranger = refund.replace("pi_3MonthlyIntent", "pi_3Elsewhere").replace("cus_TestMonthly", "cus_Other")
    assert deliver(stranger.replace("evt_1MonthlyChargeRefunded", "evt_other")).status_code == 200


def test_when_stripe_cannot_say_which_invoice_the_refund_waits(deliver, make_donation, stripe_api):
    stripe_api.fail("/v1/invoice_payments")
    donation = make_donation(frequency="monthly", amount=3000)
    deliver(stripe_event("invoice_paid", donation, created=NOW))
    refund = stripe_event("charge_refunded_subscription", donation, created=NOW + 60, refunded=3000)
    assert deliver(refund).status_code == 409
    assert Payment.objects.get().refunded_yen == 0 and not StripeEvent.objects.filter(type="charge.refunded")


def test_a_refund_voids_the_receipt_and_reissues_it_for_what_is_left(
    deliver, make_donation, django_capture_on_commit_callbacks
):
    def deliver_and_commit(payload):
        with django_capture_on_commit_callbacks(execute=True):
            deliver(payload)

    donation = make_donation(amount=10000)
    deliver_and_commit(stripe_event("checkout_session_completed_payment", donation, created=NOW))
    original = Receipt.objects.get()
    deliver_and_commit(stripe_event("charge_refunded", donation, created=NOW + 60, refunded=4000))
    original.refresh_from_db()
    corrected = Receipt.objects.get(voided_at__isnull=True)
    assert original.voided_at and "4,000" in original.void_reason
    assert corrected.replaces == original and corrected.amount_yen == 6000
    assert [message.attachments[0][0] for message in mail.outbox if message.attachments] == [
        f"{original.number}.pdf",
        f"{corrected.number}.pdf",
    ]
    deliver_and_commit(
        stripe_event("charge_refunded", donation, created=NOW + 120, refunded=10000, event_id="evt_full")
    )
    deliver_and_commit(stripe_event("charge_refunded", donation, created=NOW + 120, refunded=10000, event_id="evt_2"))
    assert not Receipt.objects.filter(voided_at__isnull=True).exists()  # nothing was given in the end
    assert Receipt.objects.count() == 2


class Rollback(Exception):
    pass


def each_order(events, check, applied=()):
    """Apply the events in every order, one savepoint per step: orders sharing their first events share the work."""
    if not events:
        check(applied)
    for index, event in enumerate(events):
        with contextlib.suppress(Rollback), transaction.atomic():
            apply_event(event)
            each_order(events[:index] + events[index + 1 :], check, (*applied, event["id"]))
            raise Rollback  # back to the state before this event, for the next one


def test_all_six_events_of_a_monthly_gift_end_the_same_in_each_of_their_720_orders(make_donation):
    """Whatever came before it (a cancellation, a failed payment), the first payment starts the gift and brings
    the thank-you once: a gift missing its start would be missing from the campaign's new monthly supporters."""
    donation = make_donation(frequency="monthly", amount=3000)
    start = [(name, values, offset, f"evt_{name}_{offset}") for name, values, offset in SUBSCRIPTION_START]
    events = [
        json.loads(stripe_event(name, donation, created=NOW + offset, event_id=event_id, **values))
        for name, values, offset, event_id in [*start, *LATER]
    ]
    expected = (Donation.Status.ENDED, at(NOW + 1), at(NOW + 20), 1, [(3000, at(NOW + 1))])
    outcomes = {}

    def check(order):
        gift = Donation.objects.get(pk=donation.pk)
        thanks = Message.objects.filter(template=THANKS).count()
        payments = list(Payment.objects.values_list("amount_yen", "received_at"))
        outcomes[order] = (gift.status, gift.started_at, gift.ended_at, thanks, payments)

    each_order(events, check)
    assert len(outcomes) == 720
    assert {order: outcome for order, outcome in outcomes.items() if outcome != expected} == {}


DROPPED = object()


def setting(*path, to=DROPPED):
    """A change to one part of an event: set to a value, or dropped."""

    def change(event):
        *parents, key = path
        part = event
        for parent in parents:
            part = part[parent]
        if to is DROPPED:
            del part[key]
        else:
            part[key] = to
        return event

    return change


CHECKOUT, INVOICE = "checkout_session_completed_payment", "invoice_paid"
MALFORMED = {
    # A signed event without the shape of every Stripe event: refused.
    "an array": (CHECKOUT, lambda event: [event], 400),
    "no type": (CHECKOUT, setting("type"), 400),
    "no id": (CHECKOUT, setting("id"), 400),
    "no data": (CHECKOUT, setting("data"), 400),
    "no object": (CHECKOUT, setting("data", "object"), 400),
    "a list object": (INVOICE, setting("data", "object", to=[1]), 400),
    "a text object": (INVOICE, setting("data", "object", to="in_1"), 400),
    "a text time": (INVOICE, setting("created", to="yesterday"), 400),
    "a huge time": (INVOICE, setting("created", to=10**20), 400),
    "a negative time": (INVOICE, setting("created", to=-1), 400),
    # A well-formed event whose object cannot be used: acknowledged (not sent again) and ignored.
    "a negative total": (CHECKOUT, setting("data", "object", "amount_total", to=-5000), 200),
    "a text total": (CHECKOUT, setting("data", "object", "amount_total", to="5000"), 200),
    "a fractional total": (CHECKOUT, setting("data", "object", "amount_total", to=5000.5), 200),
    "an absurd total": (CHECKOUT, setting("data", "object", "amount_total", to=10**13), 200),
    "a negative payment": (INVOICE, setting("data", "object", "amount_paid", to=-3000), 200),
    "a text payment": (INVOICE, setting("data", "object", "amount_paid", to="3000"), 200),
    "a fractional payment": (INVOICE, setting("data", "object", "amount_paid", to=3000.5), 200),
    "an absurd payment": (INVOICE, setting("data", "object", "amount_paid", to=10**13), 200),
    "a text payment time": (INVOICE, setting("data", "object", "status_transitions", "paid_at", to="now"), 200),
    "a list metadata": (CHECKOUT, setting("data", "object", "metadata", to=["donation"]), 200),
    "a text metadata": (CHECKOUT, setting("data", "object", "metadata", to="donation"), 200),
    "no mode": (CHECKOUT, setting("data", "object", "mode"), 200),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_a_signed_but_malformed_event_writes_nothing_and_warns(deliver, make_donation, caplog, case):
    name, change, status = MALFORMED[case]
    donation = make_donation(amount=5000)
    event = change(json.loads(stripe_event(name, donation, created=NOW)))
    assert deliver(json.dumps(event)).status_code == status
    assert not StripeEvent.objects.exists() and not Payment.objects.exists() and not Message.objects.exists()
    donation.refresh_from_db()
    assert (donation.status, donation.stripe_customer) == (Donation.Status.PENDING, "")
    assert [record.levelname for record in caplog.records if record.name.startswith("donations")] == ["WARNING"]


@pytest.mark.parametrize("refunded", [-4000, "4000", 4000.5, 10**13])
def test_a_refund_of_an_impossible_amount_changes_nothing_and_warns(deliver, make_donation, caplog, refunded):
    donation = make_donation(amount=10000)
    deliver(stripe_event("checkout_session_completed_payment", donation, created=NOW))
    refund = json.loads(stripe_event("charge_refunded", donation, created=NOW + 60))
    refund["data"]["object"]["amount_refunded"] = refunded
    assert deliver(json.dumps(refund)).status_code == 200
    assert Payment.objects.get().refunded_yen == 0 and not StripeEvent.objects.filter(type="charge.refunded")
    assert [record.levelname for record in caplog.records if record.name.startswith("donations")] == ["WARNING"]
