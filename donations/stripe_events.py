"""Stripe's signed events, read: each event type's handler finds the gift or payment it is about and calls the
services that record what happened (donations/services.py), all in one transaction per event, applied once. The
daily replay applies any event the webhook missed."""

import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from donations import messages, services
from donations.models import Donation, Payment, StripeEvent
from donations.stripe_api import readable_event_version, stripe_client

logger = logging.getLogger(__name__)
Status = Donation.Status
StripeObject = dict[str, Any]
RENEWING = {Status.ACTIVE, Status.PAST_DUE}  # a gift that renews: paid before, not stopped


class NotYet(Exception):
    """An event about something not recorded yet (e.g. a refund before its payment): roll back and let Stripe
    deliver it again later, instead of marking it applied."""


class MalformedEvent(Exception):
    """A signed event without the shape of every Stripe event (a bug, or a leaked secret): refused, nothing
    written."""


class UnusableObject(MalformedEvent):
    """A well-formed event whose object we cannot use (an impossible amount, time or metadata): acknowledged so
    that Stripe does not send it again, nothing written."""


EARLIEST, LATEST = 1_262_304_000, 4_102_444_800  # 2010 to 2100: any other time is not Stripe's
MAX_YEN = 99_999_999  # Stripe's limit for one payment in yen


def at(timestamp: object, malformed: type[MalformedEvent] = UnusableObject) -> datetime:
    """A time in a Stripe event: whole seconds since 1970."""
    if type(timestamp) is not int or not EARLIEST <= timestamp < LATEST:
        raise malformed(f"impossible time {timestamp!r}")
    return datetime.fromtimestamp(timestamp, tz=UTC)


def yen(amount: object) -> int:
    """An amount in a Stripe object: whole yen (JPY has no decimals), never negative, never more than Stripe takes."""
    if type(amount) is not int or not 0 <= amount <= MAX_YEN:
        raise UnusableObject(f"impossible amount {amount!r}")
    return amount


def part(obj: StripeObject, key: str) -> StripeObject:
    """A part of a Stripe object that is an object, or absent."""
    value = obj.get(key) or {}
    if not isinstance(value, dict):
        raise UnusableObject(f"{key} is not an object")
    return value


def check_envelope(event: object) -> None:
    """Every Stripe event has an id, a type, a time and an object."""
    if not isinstance(event, dict):
        raise MalformedEvent(f"a {type(event).__name__}, not an event")
    for key in ("id", "type"):
        if not event.get(key) or not isinstance(event[key], str):
            raise MalformedEvent(f"no {key}")
    if not isinstance(event.get("data"), dict) or not isinstance(event["data"].get("object"), dict):
        raise MalformedEvent("no object")
    at(event.get("created"), MalformedEvent)


def donation_for(obj: StripeObject, *, subscription: str = "") -> Donation | None:
    """The donation a Stripe object belongs to: by our metadata, else by the subscription it is about."""
    subscription_details = part(part(obj, "parent"), "subscription_details")  # an invoice's
    metadata = {**part(subscription_details, "metadata"), **part(obj, "metadata")}
    donation_id = metadata.get("donation") or obj.get("client_reference_id")
    donations = Donation.objects.select_for_update()
    try:
        donation_id = uuid.UUID(str(donation_id)) if donation_id else None
    except ValueError:  # another system's checkout on the same Stripe account: not ours
        donation_id = None
    if donation_id:
        found = donations.filter(pk=donation_id).first()
        if found:
            return found
    if subscription:
        return donations.filter(stripe_subscription=subscription).first()
    return None


def on_checkout_completed(session: StripeObject, when: datetime) -> None:
    if session.get("mode") not in ("payment", "subscription", "setup"):
        raise UnusableObject("a checkout session without its mode")
    donation = donation_for(session)
    if donation is None:
        return
    services.link_to_stripe(donation, customer=session.get("customer"), subscription=session.get("subscription"))
    if session.get("mode") == "payment" and session.get("payment_status") == "paid":
        reference = session.get("payment_intent") or session["id"]
        amount = yen(session.get("amount_total"))
        services.record_payment(donation, reference=reference, amount=amount, received_at=when)
        services.advance(donation, Status.ACTIVE, when)
    elif session.get("mode") == "subscription" and session.get("status") == "complete":
        services.advance(donation, Status.ACTIVE, when)
    services.money_moved(donation.campaign_id)


def on_checkout_unpaid(session: StripeObject, when: datetime) -> None:
    """A konbini voucher or a bank transfer that was not paid in time (async_payment_failed), or a checkout the
    donor left (expired): the gift never counts. A gift already paid stays paid."""
    donation = donation_for(session)
    if donation is None or donation.started_at is not None:
        return
    services.advance(donation, Status.UNPAID, when)
    if session.get("payment_status") == "unpaid" and session.get("status") == "complete":
        messages.queue_unpaid(donation)  # they had a voucher or an account number: tell them it lapsed


def on_partially_funded(payment_intent: StripeObject, when: datetime) -> None:
    """A bank transfer of less than the gift: Stripe keeps the payment open for the rest. The gift does not count
    yet; the donor is told what has arrived and what is left (once per amount; the largest amount seen stands)."""
    donation = donation_for(payment_intent)
    instructions = part(part(payment_intent, "next_action"), "display_bank_transfer_instructions")
    remaining = yen(instructions.get("amount_remaining"))
    if donation is None or donation.started_at is not None:
        return
    services.record_partial_funding(donation, yen(payment_intent.get("amount")) - remaining)


def on_funds_available(cash_balance: StripeObject, when: datetime) -> None:
    """Money in a donor's Stripe cash balance that no open payment took: a bank transfer of more than the gift.
    Donations staff see it on the gift to refund it (the latest balance stands, so events in any order agree)."""
    customer = cash_balance.get("customer")
    excess = yen(part(cash_balance, "available").get("jpy", 0))
    donation = (
        Donation.objects.select_for_update()
        .filter(stripe_customer=customer, method=Donation.Method.STRIPE_BANK_TRANSFER)
        .order_by("-created_at")
        .first()
        if isinstance(customer, str) and customer
        else None
    )
    if donation is not None:
        services.record_excess(donation, excess, when)


def invoice_subscription(invoice: StripeObject) -> str:
    subscription = part(part(invoice, "parent"), "subscription_details").get("subscription")
    return subscription if isinstance(subscription, str) else (subscription or {}).get("id", "")


def on_invoice_paid(invoice: StripeObject, when: datetime) -> None:
    amount = yen(invoice.get("amount_paid"))
    subscription = invoice_subscription(invoice)
    donation = donation_for(invoice, subscription=subscription)
    if donation is None or not amount:
        return
    if subscription and not donation.stripe_subscription:
        services.link_to_stripe(donation, customer=invoice.get("customer"), subscription=subscription)
    paid_at = part(invoice, "status_transitions").get("paid_at") or invoice.get("created")
    services.record_payment(donation, reference=invoice["id"], amount=amount, received_at=at(paid_at))
    services.advance(donation, Status.ACTIVE, when)
    services.money_moved(donation.campaign_id)


def on_invoice_failed(invoice: StripeObject, when: datetime) -> None:
    """The gift is past due, and its donor is asked (once per invoice) to update their card."""
    subscription = invoice_subscription(invoice)
    donation = donation_for(invoice, subscription=subscription)
    if donation is None:
        return
    services.advance(donation, Status.PAST_DUE, when)
    if subscription and donation.renews and donation.status not in services.TERMINAL:
        tell_payment_failed(donation, invoice, subscription)


def tell_payment_failed(donation: Donation, invoice: StripeObject, subscription: str) -> None:
    invoice_id = invoice.get("id")
    if not invoice_id or not isinstance(invoice_id, str):
        raise UnusableObject("a failed invoice without its id")
    # Stripe tries again on its own schedule (Dashboard: Billing → Revenue recovery → Retries); null: no more.
    retry = invoice.get("next_payment_attempt")
    retry_at = at(retry) if retry is not None else None
    if not donation.stripe_customer:  # the link to update the card opens the customer's portal
        services.link_to_stripe(donation, customer=invoice.get("customer"), subscription=subscription)
    # Paid already (its invoice.paid came first): nothing to ask. Once per invoice, however many of its tries
    # fail and however often each event comes.
    if not Payment.objects.filter(stripe_reference=invoice_id).exists():
        amount = yen(invoice.get("amount_due"))
        messages.queue_payment_failed(donation, invoice=invoice_id, amount=amount, retry_at=retry_at)


def on_invoice_upcoming(invoice: StripeObject, when: datetime) -> None:
    """Stripe's preview of a renewal, sent as many days before it as the Dashboard says (Billing → Subscriptions →
    "Upcoming renewal events"): a yearly supporter is told the day and the amount, with the link to change or stop
    the gift. A preview has no id, so the notice is once per gift and renewal day."""
    donation = donation_for(invoice, subscription=invoice_subscription(invoice))
    if donation is None or donation.frequency != Donation.Frequency.YEARLY or donation.status not in RENEWING:
        return
    renews_at = at(invoice.get("next_payment_attempt") or invoice.get("period_end"))
    messages.queue_renewal_notice(donation, renews_at=renews_at, amount=yen(invoice.get("amount_due")))
    days_ahead = round((renews_at - when).total_seconds() / 86400)
    if abs(days_ahead - settings.DONATION_RENEWAL_NOTICE_DAYS) > 1:
        logger.warning(
            "Stripe announced a yearly renewal %d days ahead, where DONATION_RENEWAL_NOTICE_DAYS is %d: set the "
            "Stripe Dashboard's Billing → Subscriptions → Upcoming renewal events to match",
            days_ahead,
            settings.DONATION_RENEWAL_NOTICE_DAYS,
        )


SUBSCRIPTION_STATES = {
    "active": Status.ACTIVE,
    "trialing": Status.ACTIVE,
    "past_due": Status.PAST_DUE,
    "unpaid": Status.PAST_DUE,
    "canceled": Status.ENDED,
    "incomplete_expired": Status.ENDED,
}


def on_subscription_changed(subscription: StripeObject, when: datetime) -> None:
    donation = donation_for(subscription, subscription=subscription["id"])
    state = SUBSCRIPTION_STATES.get(subscription.get("status"))
    if donation is not None and state:
        services.advance(donation, state, when)
        services.money_moved(donation.campaign_id)


def invoice_paid_by(payment_intent: str) -> str:
    """The invoice a payment intent paid, asked of Stripe: since API version 2025-03-31 a charge no longer names
    its invoice, and a monthly payment is recorded by its invoice."""
    if not settings.STRIPE_SECRET_KEY:
        return ""
    try:
        found = stripe_client().v1.invoice_payments.list(
            {"payment": {"type": "payment_intent", "payment_intent": payment_intent}, "limit": 1}
        )
    except stripe.StripeError as error:
        raise NotYet("Stripe cannot tell which invoice the refunded charge paid") from error
    return found.data[0].invoice if found.data else ""


def payment_refunded_by(charge: StripeObject) -> Payment | None:
    payments = Payment.objects.select_for_update()
    payment_intent = charge.get("payment_intent")
    payment_intent = payment_intent if isinstance(payment_intent, str) else ""
    payment = payments.filter(stripe_reference=payment_intent).first() if payment_intent else None
    if payment is not None:
        return payment
    if donation_for(charge) is not None:  # a one-off gift of ours, not recorded yet
        raise NotYet("refund before its payment")
    invoice = invoice_paid_by(payment_intent) if payment_intent else ""
    payment = payments.filter(stripe_reference=invoice).first() if invoice else None
    if payment is None and invoice and Donation.objects.filter(stripe_customer=charge.get("customer")).exists():
        raise NotYet("refund before its monthly payment")
    return payment


def on_charge_refunded(charge: StripeObject, when: datetime) -> None:
    refunded = yen(charge.get("amount_refunded"))
    payment = payment_refunded_by(charge)
    if payment is None:  # another system's charge on the same Stripe account
        return
    services.record_refund(payment, refunded, when)


HANDLERS: dict[str, Callable[[StripeObject, datetime], None]] = {
    "checkout.session.completed": on_checkout_completed,
    # Konbini and bank transfers complete the session before the money arrives; these say whether it did.
    "checkout.session.async_payment_succeeded": on_checkout_completed,
    "checkout.session.async_payment_failed": on_checkout_unpaid,
    "checkout.session.expired": on_checkout_unpaid,
    "payment_intent.partially_funded": on_partially_funded,
    "cash_balance.funds_available": on_funds_available,
    "invoice.paid": on_invoice_paid,
    "invoice.payment_failed": on_invoice_failed,
    "invoice.upcoming": on_invoice_upcoming,
    "customer.subscription.updated": on_subscription_changed,
    "customer.subscription.deleted": on_subscription_changed,
    "charge.refunded": on_charge_refunded,
}


@transaction.atomic
def apply_event(event: StripeObject | stripe.Event) -> bool:
    """Apply one verified Stripe event once. Returns False for a duplicate (already applied) event, and for
    one rendered at an API version the handlers cannot read. Raises MalformedEvent for one we cannot read at all,
    and rolls back what it wrote."""
    if hasattr(event, "to_dict"):  # a stripe.Event: handlers read plain dicts
        event = event.to_dict()
    check_envelope(event)
    if event.get("type") in HANDLERS and not readable_event_version(event.get("api_version")):
        # Half-applying an event of a shape we do not read would be worse than not applying it: say so loudly
        # and record nothing (a retry would bring the same shape again).
        logger.error(
            "Stripe event %s (%s) is rendered at API version %s, which this site cannot read: set the webhook "
            "endpoint's API version to %s in the Stripe Dashboard",
            event.get("id"),
            event.get("type"),
            event.get("api_version"),
            settings.STRIPE_API_VERSION,
        )
        return False
    try:
        with transaction.atomic():
            StripeEvent.objects.create(event_id=event["id"], type=event["type"])
    except IntegrityError:
        return False
    handler = HANDLERS.get(event["type"])
    if handler is not None:
        handler(event["data"]["object"], at(event["created"], MalformedEvent))
    return True


def replay(days: int = 3) -> int:
    """Apply the last few days of Stripe's events again, so any that did not reach the webhook are applied now
    (applied ones are recognised by their id and skipped). Returns how many were new."""
    if not settings.STRIPE_SECRET_KEY:
        return 0
    since = int((timezone.now() - timedelta(days=days)).timestamp())
    applied = 0
    events = stripe_client().v1.events.list({"created": {"gte": since}, "types": list(HANDLERS), "limit": 100})
    # Oldest first (Stripe lists newest first), so a payment is recorded before its refund.
    for event in sorted(events.auto_paging_iter(), key=lambda event: event["created"]):
        try:
            applied += apply_event(event)
        except NotYet:
            continue
        except MalformedEvent as error:
            logger.warning("reconciliation skipped Stripe event %s: %s", event.id, error)
    if applied:
        logger.info("reconciliation applied %d Stripe events the webhook had missed", applied)
    return applied
