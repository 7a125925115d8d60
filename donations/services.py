"""Money moves here only: checkout sessions are opened for pending donations, and Stripe's signed events (or
donations staff, for bank transfers) record what was actually paid. One transaction each."""

import logging
import uuid
from datetime import UTC, datetime

import stripe
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext

from donations import messages
from donations.bank_statements import Statement, line_checksums
from donations.models import BankStatement, Campaign, Donation, Donor, Payment, Receipt, StatementLine, StripeEvent
from donations.progress import forget_pages
from donations.receipts import CannotIssue, check_issuable, fiscal_year, unreceipted_payments
from donations.stripe_api import (
    KONBINI_DAYS_TO_PAY,
    STRIPE_METHODS,
    readable_event_version,
    stripe_client,
    stripe_locale,
)
from jii import audit
from jii.models import PrivacyNotice

logger = logging.getLogger(__name__)
Status = Donation.Status
TERMINAL = {Status.ENDED, Status.REFUNDED}
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


class CheckoutUnavailable(Exception):
    """Stripe could not be reached or refused: the donor is told to try again or use a bank transfer."""


# --- campaign figures, cached until money moves --------------------------------------------------------


def money_moved(campaign_id) -> None:
    """Invalidate the campaign page's cached figures, fragments and pages (after the transaction commits)."""
    slug = Campaign.objects.filter(pk=campaign_id).values_list("slug", flat=True).first()

    def forget():
        try:
            cache.incr(f"campaign:{campaign_id}:version")
        except ValueError:
            cache.set(f"campaign:{campaign_id}:version", 2, None)
        if slug:
            forget_pages(slug)

    transaction.on_commit(forget)


# --- starting a gift ------------------------------------------------------------------------------------


LAST_KNOWN = ["name", "name_kana", "phone", "address"]  # what a new gift updates on its donor, when given


def donor_for(*, email: str, **details) -> Donor:
    """The donor of a new gift: the one with this email in any letter case (or the donor staff merged them into),
    with the details just given as the last known ones; a new donor for a gift without an email."""
    given = {name: details[name] for name in LAST_KNOWN if details.get(name)}
    donor = None
    if email:
        # A current donor before a merged one: a merged donor keeps its email, and points at the one to use.
        donor = Donor.objects.filter(email__iexact=email).order_by(F("merged_into").asc(nulls_first=True), "pk").first()
        if donor is None:
            try:
                with transaction.atomic():
                    return Donor.objects.create(email=email.lower(), **given)
            except IntegrityError:  # the same donor's first gift, started a moment ago in another request
                donor = Donor.objects.get(email__iexact=email, merged_into=None)
        donor = donor.merged_into or donor
    if donor is None:
        return Donor.objects.create(**given)
    changed = {name: value for name, value in given.items() if getattr(donor, name) != value}
    if changed:
        audit.update(Donor.objects.filter(pk=donor.pk), **changed)
    return donor


@transaction.atomic
def create_pending_donation(*, campaign: Campaign, **details) -> Donation:
    if details.get("message"):
        details["message_status"] = Donation.MessageStatus.PENDING
    donor = donor_for(email=details.get("email", ""), **{name: details.get(name, "") for name in LAST_KNOWN})
    return Donation.objects.create(
        campaign=campaign,
        donor=donor,
        consented_at=timezone.now(),
        privacy_notice=PrivacyNotice.objects.current(),
        **details,
    )


RENEWS_EVERY = {Donation.Frequency.MONTHLY: "month", Donation.Frequency.YEARLY: "year"}  # Stripe's price intervals


def start_checkout(*, donation: Donation, success_url: str, cancel_url: str) -> str:
    """Open a Stripe Checkout Session for a pending donation and return its URL. The idempotency key comes
    from the donation, so a retried request opens the same session, not a second one."""
    item = {
        "price_data": {
            "currency": "jpy",  # zero-decimal: ¥5,000 is 5000
            "unit_amount": donation.amount_yen,
            "product_data": {"name": str(donation.campaign.title)},
        },
        "quantity": 1,
    }
    metadata = {"donation": str(donation.id)}
    params = {
        "line_items": [item],
        "client_reference_id": str(donation.id),
        "metadata": metadata,
        "success_url": success_url,
        "cancel_url": cancel_url,
        "locale": stripe_locale(donation.language),
        # Only the method the donor chose. Since 2026-09-30.endive Checkout refuses `payment_method_types`;
        # `allowed_payment_method_types` filters the methods enabled in the Dashboard instead.
        "allowed_payment_method_types": [STRIPE_METHODS[donation.method].checkout_type],
        **method_options(donation),
    }
    if donation.frequency in RENEWS_EVERY:
        item["price_data"]["recurring"] = {"interval": RENEWS_EVERY[donation.frequency]}
        params |= {"mode": "subscription", "subscription_data": {"metadata": metadata}}
    else:
        params |= {"mode": "payment", "payment_intent_data": {"metadata": metadata}}
    try:
        if donation.method == Donation.Method.STRIPE_BANK_TRANSFER:
            params["customer"] = bank_transfer_customer(donation)
        else:
            params["customer_email"] = donation.email
        session = stripe_client().v1.checkout.sessions.create(params, {"idempotency_key": f"checkout-{donation.id}"})
    except stripe.StripeError as error:
        logger.warning("Stripe checkout failed for donation %s: %s", donation.id, type(error).__name__)
        raise CheckoutUnavailable from error
    audit.update(Donation.objects.filter(pk=donation.pk), stripe_checkout_session=session.id)
    return session.url


def method_options(donation: Donation) -> dict:
    """Checkout's options for the chosen method, as Stripe's guide for each says."""
    if donation.method == Donation.Method.KONBINI:
        # https://docs.stripe.com/payments/konbini/accept-a-payment?payment-ui=checkout
        return {"payment_method_options": {"konbini": {"expires_after_days": KONBINI_DAYS_TO_PAY}}}
    if donation.method == Donation.Method.STRIPE_BANK_TRANSFER:
        # https://docs.stripe.com/payments/bank-transfers/accept-a-payment?payment-ui=checkout: the donor's own
        # virtual account, to which Stripe matches the money they send.
        bank_transfer = {"funding_type": "bank_transfer", "bank_transfer": {"type": "jp_bank_transfer"}}
        return {"payment_method_options": {"customer_balance": bank_transfer}}
    return {}


def bank_transfer_customer(donation: Donation) -> str:
    """The Stripe customer a bank transfer is paid through: the one this donor already has (so they keep one account
    number), else a new one made now, so that every funding event names a customer we know."""
    earlier = (
        Donation.objects.filter(email__iexact=donation.email, method=Donation.Method.STRIPE_BANK_TRANSFER)
        .exclude(stripe_customer="")
        .values_list("stripe_customer", flat=True)
        .first()
    )
    customer = (
        earlier
        or stripe_client()
        .v1.customers.create(
            {"email": donation.email, "name": donation.name, "metadata": {"donation": str(donation.id)}},
            {"idempotency_key": f"customer-{donation.id}"},
        )
        .id
    )
    audit.update(Donation.objects.filter(pk=donation.pk), stripe_customer=customer)
    return customer


# --- Stripe events --------------------------------------------------------------------------------------


EARLIEST, LATEST = 1_262_304_000, 4_102_444_800  # 2010 to 2100: any other time is not Stripe's
MAX_YEN = 99_999_999  # Stripe's limit for one payment in yen


def at(timestamp, malformed=UnusableObject) -> datetime:
    """A time in a Stripe event: whole seconds since 1970."""
    if type(timestamp) is not int or not EARLIEST <= timestamp < LATEST:
        raise malformed(f"impossible time {timestamp!r}")
    return datetime.fromtimestamp(timestamp, tz=UTC)


def yen(amount) -> int:
    """An amount in a Stripe object: whole yen (JPY has no decimals), never negative, never more than Stripe takes."""
    if type(amount) is not int or not 0 <= amount <= MAX_YEN:
        raise UnusableObject(f"impossible amount {amount!r}")
    return amount


def part(obj: dict, key: str) -> dict:
    """A part of a Stripe object that is an object, or absent."""
    value = obj.get(key) or {}
    if not isinstance(value, dict):
        raise UnusableObject(f"{key} is not an object")
    return value


def check_envelope(event) -> None:
    """Every Stripe event has an id, a type, a time and an object."""
    if not isinstance(event, dict):
        raise MalformedEvent(f"a {type(event).__name__}, not an event")
    for key in ("id", "type"):
        if not event.get(key) or not isinstance(event[key], str):
            raise MalformedEvent(f"no {key}")
    if not isinstance(event.get("data"), dict) or not isinstance(event["data"].get("object"), dict):
        raise MalformedEvent("no object")
    at(event.get("created"), MalformedEvent)


def advance(donation: Donation, status: str, when: datetime) -> None:
    """Move a donation's state, but never back in time: an older event (delivered late) changes nothing, and
    an ended or refunded gift stays so. Events in any order therefore end in the same state."""
    if donation.status in TERMINAL or (donation.status_at and when < donation.status_at):
        return
    donation.status = status
    donation.status_at = when
    if status in TERMINAL:
        donation.ended_at = when
    donation.save(update_fields=["status", "status_at", "ended_at"])


def paid(donation: Donation, when: datetime) -> None:
    """A payment is a fact, whatever state the gift has reached: the earliest one is the gift's start, and the
    first one recorded brings the thank-you (once)."""
    if donation.started_at is None:
        messages.queue_thanks(donation)
    if donation.started_at is None or when < donation.started_at:
        donation.started_at = when
        donation.save(update_fields=["started_at"])


def donation_for(obj, *, subscription: str = "") -> Donation | None:
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


def record_payment(donation: Donation, *, reference: str, amount: int, received_at: datetime) -> None:
    payment, created = Payment.objects.get_or_create(
        stripe_reference=reference,
        defaults={
            "donation": donation,
            "campaign_id": donation.campaign_id,
            "amount_yen": amount,
            "received_at": received_at,
        },
    )
    if created:
        messages.queue_receipt(payment)
        paid(donation, received_at)


def on_checkout_completed(session, when):
    if session.get("mode") not in ("payment", "subscription", "setup"):
        raise UnusableObject("a checkout session without its mode")
    donation = donation_for(session)
    if donation is None:
        return
    donation.stripe_customer = session.get("customer") or donation.stripe_customer
    donation.stripe_subscription = session.get("subscription") or donation.stripe_subscription
    donation.save(update_fields=["stripe_customer", "stripe_subscription"])
    if session.get("mode") == "payment" and session.get("payment_status") == "paid":
        reference = session.get("payment_intent") or session["id"]
        record_payment(donation, reference=reference, amount=yen(session.get("amount_total")), received_at=when)
        advance(donation, Status.ACTIVE, when)
    elif session.get("mode") == "subscription" and session.get("status") == "complete":
        advance(donation, Status.ACTIVE, when)
    money_moved(donation.campaign_id)


def on_checkout_unpaid(session, when):
    """A konbini voucher or a bank transfer that was not paid in time (async_payment_failed), or a checkout the
    donor left (expired): the gift never counts. A gift already paid stays paid."""
    donation = donation_for(session)
    if donation is None or donation.started_at is not None:
        return
    advance(donation, Status.UNPAID, when)
    if session.get("payment_status") == "unpaid" and session.get("status") == "complete":
        messages.queue_unpaid(donation)  # they had a voucher or an account number: tell them it lapsed


def on_partially_funded(payment_intent, when):
    """A bank transfer of less than the gift: Stripe keeps the payment open for the rest. The gift does not count
    yet; the donor is told what has arrived and what is left (once per amount; the largest amount seen stands)."""
    donation = donation_for(payment_intent)
    instructions = part(part(payment_intent, "next_action"), "display_bank_transfer_instructions")
    remaining = yen(instructions.get("amount_remaining"))
    if donation is None or donation.started_at is not None:
        return
    funded = yen(payment_intent.get("amount")) - remaining
    if 0 < funded < donation.amount_yen and funded > donation.funded_yen:
        donation.funded_yen = funded
        donation.save(update_fields=["funded_yen"])
        messages.queue_part_received(donation)


def on_funds_available(cash_balance, when):
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
    if donation is not None and (donation.excess_at is None or when >= donation.excess_at):
        donation.excess_yen, donation.excess_at = excess, when
        donation.save(update_fields=["excess_yen", "excess_at"])


def invoice_subscription(invoice) -> str:
    subscription = part(part(invoice, "parent"), "subscription_details").get("subscription")
    return subscription if isinstance(subscription, str) else (subscription or {}).get("id", "")


def on_invoice_paid(invoice, when):
    amount = yen(invoice.get("amount_paid"))
    subscription = invoice_subscription(invoice)
    donation = donation_for(invoice, subscription=subscription)
    if donation is None or not amount:
        return
    if subscription and not donation.stripe_subscription:
        donation.stripe_subscription = subscription
        donation.stripe_customer = invoice.get("customer") or donation.stripe_customer
        donation.save(update_fields=["stripe_subscription", "stripe_customer"])
    paid_at = part(invoice, "status_transitions").get("paid_at") or invoice.get("created")
    record_payment(donation, reference=invoice["id"], amount=amount, received_at=at(paid_at))
    advance(donation, Status.ACTIVE, when)
    money_moved(donation.campaign_id)


def on_invoice_failed(invoice, when):
    """The gift is past due, and its donor is asked (once per invoice) to update their card."""
    subscription = invoice_subscription(invoice)
    donation = donation_for(invoice, subscription=subscription)
    if donation is None:
        return
    advance(donation, Status.PAST_DUE, when)
    if subscription and donation.renews and donation.status not in TERMINAL:
        tell_payment_failed(donation, invoice, subscription)


def tell_payment_failed(donation: Donation, invoice: dict, subscription: str) -> None:
    invoice_id = invoice.get("id")
    if not invoice_id or not isinstance(invoice_id, str):
        raise UnusableObject("a failed invoice without its id")
    # Stripe tries again on its own schedule (Dashboard: Billing → Revenue recovery → Retries); null: no more.
    retry = invoice.get("next_payment_attempt")
    retry_at = at(retry) if retry is not None else None
    if not donation.stripe_customer:  # the link to update the card opens the customer's portal
        donation.stripe_customer = invoice.get("customer") or ""
        donation.stripe_subscription = donation.stripe_subscription or subscription
        donation.save(update_fields=["stripe_customer", "stripe_subscription"])
    # Paid already (its invoice.paid came first): nothing to ask. Once per invoice, however many of its tries
    # fail and however often each event comes.
    if not Payment.objects.filter(stripe_reference=invoice_id).exists():
        amount = yen(invoice.get("amount_due"))
        messages.queue_payment_failed(donation, invoice=invoice_id, amount=amount, retry_at=retry_at)


def on_invoice_upcoming(invoice, when):
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


def on_subscription_changed(subscription, when):
    donation = donation_for(subscription, subscription=subscription["id"])
    state = SUBSCRIPTION_STATES.get(subscription.get("status"))
    if donation is not None and state:
        advance(donation, state, when)
        money_moved(donation.campaign_id)


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


def payment_refunded_by(charge) -> Payment | None:
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


def on_charge_refunded(charge, when):
    refunded = yen(charge.get("amount_refunded"))
    payment = payment_refunded_by(charge)
    if payment is None:  # another system's charge on the same Stripe account
        return
    # Stripe sends the total refunded so far: keeping the largest makes repeated or late events harmless.
    refunded = min(refunded, payment.amount_yen)
    if refunded > payment.refunded_yen:
        payment.refunded_yen = refunded
        payment.save(update_fields=["refunded_yen"])
        messages.queue_correction(payment)
    donation = Donation.objects.select_for_update().get(pk=payment.donation_id)
    if donation.frequency == Donation.Frequency.ONCE and payment.refunded_yen == payment.amount_yen:
        advance(donation, Status.REFUNDED, when)
    money_moved(payment.campaign_id)


HANDLERS = {
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
def apply_event(event) -> bool:
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


# --- bank transfers and moderation ----------------------------------------------------------------------


@transaction.atomic
def record_bank_transfer(
    *, donation: Donation, amount_yen: int, received_on, recorded_by, statement_line: StatementLine | None = None
) -> Payment:
    """Donations staff record a transfer seen on the bank statement (by hand, or a line of an imported one); it
    counts like a card gift."""
    received_at = timezone.make_aware(datetime.combine(received_on, datetime.min.time().replace(hour=12)))
    payment = Payment.objects.create(
        donation=donation,
        campaign_id=donation.campaign_id,
        amount_yen=amount_yen,
        received_at=received_at,
        recorded_by=recorded_by,
        statement_line=statement_line,
    )
    messages.queue_receipt(payment)
    donation = Donation.objects.select_for_update().get(pk=donation.pk)
    paid(donation, received_at)
    advance(donation, Status.ACTIVE, received_at)
    money_moved(donation.campaign_id)
    return payment


@transaction.atomic
def import_bank_statement(*, statement: Statement, file_name: str, uploaded_by) -> BankStatement:
    """Keep a parsed statement's credits that were never imported before (known by their checksums, whatever
    file they came in); the import records how many were new and how many already there."""
    upload = BankStatement.objects.create(
        uploaded_by=uploaded_by, file_name=file_name[:255], format=statement.format, checksum=statement.checksum
    )
    checksums = line_checksums(statement.rows)
    known = set(StatementLine.objects.filter(checksum__in=checksums).values_list("checksum", flat=True))
    for row, checksum in zip(statement.rows, checksums, strict=True):
        if checksum in known:
            continue
        try:
            with transaction.atomic():
                StatementLine.objects.create(
                    statement=upload,
                    date=row.date,
                    amount_yen=row.amount_yen,
                    kana=row.kana[:150],
                    reference=row.reference[:255],
                    checksum=checksum,
                )
        except IntegrityError:  # the same line, uploaded by someone else at this very moment
            known.add(checksum)
    upload.lines_known = sum(checksum in known for checksum in checksums)
    upload.lines_new = len(checksums) - upload.lines_known
    upload.save(update_fields=["lines_new", "lines_known"])
    return upload


IGNORE = "ignore"


@transaction.atomic
def confirm_statement_lines(*, decisions: dict, confirmed_by) -> tuple[int, int]:
    """Donations staff confirm, in one step, which gift each line of imported statements pays (a Donation), or that
    it is not a gift (IGNORE). Each chosen line becomes a bank-transfer payment, with its thank-you and receipt as
    for one recorded by hand, all in one transaction. A line is taken by a compare-and-set on its state, so a
    double submit (or two staff at once) pays it once; a one-off gift already paid meanwhile is left alone and
    its line stays to be matched. Returns how many lines were paid and how many ignored."""
    paid_lines = ignored = 0
    decided = {"decided_by": confirmed_by, "decided_at": timezone.now()}
    for line, choice in sorted(decisions.items(), key=lambda item: (item[0].date, item[0].pk)):
        still_open = StatementLine.objects.filter(pk=line.pk, state=StatementLine.State.UNMATCHED)
        if choice == IGNORE:
            ignored += audit.update(still_open, state=StatementLine.State.IGNORED, **decided)
            continue
        donation = Donation.objects.select_for_update().get(pk=choice.pk)
        if donation.frequency == Donation.Frequency.ONCE and donation.status != Status.PENDING:
            continue
        if not audit.update(still_open, state=StatementLine.State.MATCHED, **decided):
            continue
        record_bank_transfer(
            donation=donation,
            amount_yen=line.amount_yen,
            received_on=line.date,
            recorded_by=confirmed_by,
            statement_line=line,
        )
        paid_lines += 1
    return paid_lines, ignored


@transaction.atomic
def queue_receipts(payments) -> int:
    """Donations staff issue the receipts missing for some payments (each payment's receipt message once)."""
    return sum(messages.queue_receipt(payment) is not None for payment in payments.select_related("donation"))


@transaction.atomic
def send_history_link(*, email: str) -> bool:
    """The link to the donor's gifts and receipts, to the address they gave (nothing if they never gave)."""
    donation = (
        Donation.objects.filter(email__iexact=email).exclude(status__in=Donation.NOT_GIVEN).order_by("-created_at")
    ).first()
    if donation is not None:
        messages.queue_history_link(donation)
    return donation is not None


def set_receipts_wanted(*, email: str, choice: str) -> int:
    """The donor's choice applies to all their gifts from now on; receipts already issued stay as they are."""
    return audit.update(Donation.objects.filter(email__iexact=email), receipts_wanted=choice)


@transaction.atomic
def moderate_messages(*, donations, approve: bool) -> int:
    new_status = Donation.MessageStatus.APPROVED if approve else Donation.MessageStatus.REJECTED
    changed = donations.filter(~Q(message=""))
    campaign_ids = set(changed.values_list("campaign_id", flat=True))
    count = audit.update(changed, message_status=new_status)
    for campaign_id in campaign_ids:
        money_moved(campaign_id)
    return count


# --- donors: merging, gifts through other channels ------------------------------------------------------


@transaction.atomic
def merge_donors(*, keep: Donor, merge: Donor) -> int:
    """Donations staff found one person as two donors: every gift of `merge` (with its payments and receipts) moves
    to `keep`, and so do donors merged into it before. `merge` stays, pointing at `keep`, so the audit still tells
    who was who; notes of both are kept, and `keep`'s empty details are filled from `merge`'s. Returns how many
    gifts moved."""
    # Both locked in one order, so two merges of the same donors wait for each other instead of deadlocking.
    locked = {
        donor.pk: donor for donor in Donor.objects.select_for_update().filter(pk__in=[keep.pk, merge.pk]).order_by("pk")
    }
    keep, merge = locked[keep.pk], locked[merge.pk]
    if keep.pk == merge.pk or keep.merged_into_id or merge.merged_into_id:
        raise ValueError("merge two different donors, neither merged already")
    # One valid annual receipt per donor and year: where both hold one, the merged donor's is voided, and one
    # receipt for both replaces the kept one's (it no longer covers every gift of the year).
    kept_years = Receipt.objects.filter(donor=keep, kind=Receipt.Kind.ANNUAL, voided_at=None).values("fiscal_year")
    both = Receipt.objects.filter(donor=merge, kind=Receipt.Kind.ANNUAL, voided_at=None, fiscal_year__in=kept_years)
    years = sorted(both.values_list("fiscal_year", flat=True))
    audit.update(
        both,
        voided_at=timezone.now(),
        void_reason=gettext("Donor #%(merge)s merged into donor #%(keep)s: one receipt for both replaces it.")
        % {"merge": merge.pk, "keep": keep.pk},
    )
    audit.update(Donor.objects.filter(pk=merge.pk), merged_into=keep)
    moved = audit.update(Donation.objects.filter(donor=merge), donor=keep)
    audit.update(Receipt.objects.filter(donor=merge), donor=keep)
    audit.update(Donor.objects.filter(merged_into=merge), merged_into=keep)
    filled = {name: getattr(merge, name) for name in LAST_KNOWN if getattr(merge, name) and not getattr(keep, name)}
    notes = "\n\n".join(note for note in (keep.notes.strip(), merge.notes.strip()) if note)
    audit.update(Donor.objects.filter(pk=keep.pk), notes=notes, **filled)
    if years:
        latest = Donation.objects.filter(donor=keep).exclude(status=Status.PENDING).latest("created_at")
        for year in years:
            messages.queue_annual_receipt(latest, year, once=f"annual:{year}:merged:{merge.pk}")
    return moved


@transaction.atomic
def import_channel_gifts(*, campaign: Campaign, channel: str, rows, recorded_by) -> tuple[int, int]:
    """Gifts received through another channel (Give One, Benevity…), from its CSV export (see donations/channels.py):
    each row a one-off gift with one payment, referenced "<channel>:<their transaction id>", so a row imported
    before adds nothing. No thank-you and no receipt from JII: the channel sends its own. They count towards the
    campaign's total. Returns (added, already imported)."""
    added = already = 0
    for row in rows:
        if Payment.objects.filter(stripe_reference=row.reference).exists():
            already += 1
            continue
        received_at = timezone.make_aware(datetime.combine(row.received_on, datetime.min.time().replace(hour=12)))
        try:
            with transaction.atomic():
                donation = create_pending_donation(
                    campaign=campaign,
                    method=Donation.Method.OTHER_CHANNEL,
                    channel=row.channel_name,
                    amount_yen=row.amount_yen,
                    name=row.name,
                    email=row.email,
                    name_kana=row.name_kana,
                    address=row.address,
                    show_as=Donation.ShowAs.ANONYMOUS,
                    language=settings.LANGUAGE_CODE,
                )
                Payment.objects.create(
                    donation=donation,
                    campaign=campaign,
                    amount_yen=row.amount_yen,
                    received_at=received_at,
                    stripe_reference=row.reference,
                    recorded_by=recorded_by,
                )
        except IntegrityError:  # the same row, imported a moment ago by someone else
            already += 1
            continue
        donation.started_at = received_at
        donation.save(update_fields=["started_at"])
        advance(donation, Status.ACTIVE, received_at)
        added += 1
    if added:
        money_moved(campaign.pk)
    return added, already


@transaction.atomic
def queue_waiting_receipts(donations) -> int:
    """Receipts that waited for the donor's name and address (JII being a 認定NPO法人), once staff added them:
    each gift's missing receipt, or the donor's annual one, queued again."""
    queued = 0
    for donation in donations.select_related("donor"):
        try:
            check_issuable(donation)
        except CannotIssue:
            continue
        waiting = unreceipted_payments().filter(donation=donation)
        if donation.receipts_wanted == Donation.ReceiptsWanted.ANNUAL:
            # Only years already over: the current year's receipt comes with the annual run in January.
            this_year = fiscal_year(timezone.localdate())
            years = {fiscal_year(timezone.localtime(payment.received_at).date()) for payment in waiting}
            for year in sorted(years - {this_year}):
                once = f"annual:{year}:{donation.pk}:addressed"
                queued += messages.queue_annual_receipt(donation, year, once=once) is not None
        else:
            for payment in waiting:
                payment.donation = donation
                queued += messages.queue_receipt(payment, once=f"payment:{payment.pk}:addressed") is not None
    return queued
