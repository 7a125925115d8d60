"""Donors' messages: the thank-you and the receipts (see jii/outbox.py). A receipt message first issues (or finds)
its receipt in a step of its own, so a receipt exists even while the email about it cannot be sent; then the
email carries its PDF. Issuing is idempotent (one valid receipt per payment, one annual receipt per donor and
year), so a message tried again, or a worker killed half-way, never issues or sends one twice."""

import uuid
from datetime import UTC, datetime

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from donations.links import campaign_url, history_url, manage_url
from donations.models import Donation, Payment, Receipt
from donations.receipts import (
    CannotIssue,
    correct_after_refund,
    issue_annual,
    issue_for_payment,
    receipt_language,
    wants_annual_receipt,
)
from donations.selectors import annual_payments, covered_by_annual_receipts
from jii import outbox
from jii.outbox import Letter, builder

STOPPED = [Donation.Status.ENDED, Donation.Status.REFUNDED]

THANKS, RECEIPT, HISTORY_LINK = "donation_thanks", "donation_receipt", "donation_history_link"
PART_RECEIVED, UNPAID = "donation_part_received", "donation_unpaid"
PAYMENT_FAILED, RENEWAL_NOTICE = "donation_payment_failed", "donation_renewal_notice"


def queue_thanks(donation: Donation) -> None:
    outbox.queue(THANKS, once=donation.pk, to=donation.email, language=donation.language, donation=str(donation.pk))


def queue_history_link(donation: Donation) -> None:
    """Each time the donor asks (the rate limit is the form's)."""
    once = f"{donation.pk}:{uuid.uuid4().hex}"
    outbox.queue(HISTORY_LINK, once=once, to=donation.email, language=donation.language, donation=str(donation.pk))


def queue_part_received(donation: Donation) -> None:
    """Once for each amount received so far (a redelivered event finds its message already written)."""
    once = f"{donation.pk}:{donation.funded_yen}"
    outbox.queue(PART_RECEIVED, once=once, to=donation.email, language=donation.language, donation=str(donation.pk))


def queue_unpaid(donation: Donation) -> None:
    outbox.queue(UNPAID, once=donation.pk, to=donation.email, language=donation.language, donation=str(donation.pk))


def queue_payment_failed(donation: Donation, *, invoice: str, amount: int, retry_at: datetime | None) -> None:
    """A monthly or yearly payment did not go through: once per Stripe invoice."""
    retry = int(retry_at.timestamp()) if retry_at else None
    outbox.queue(
        PAYMENT_FAILED,
        once=invoice,
        to=donation.email,
        language=donation.language,
        donation=str(donation.pk),
        invoice=invoice,
        amount=amount,
        retry_at=retry,
    )


def queue_renewal_notice(donation: Donation, *, renews_at: datetime, amount: int) -> None:
    """Before a yearly gift renews: once per gift and renewal day (in Tokyo), however often Stripe announces it."""
    once = f"{donation.pk}:{timezone.localdate(renews_at)}"
    outbox.queue(
        RENEWAL_NOTICE,
        once=once,
        to=donation.email,
        language=donation.language,
        donation=str(donation.pk),
        amount=amount,
        renews_at=int(renews_at.timestamp()),
    )


def queue_receipt(payment: Payment, once: str = ""):
    """The receipt of one payment (nothing is issued for a donor who asked for one receipt a year)."""
    donation = payment.donation
    language = receipt_language(donation.language)
    once = once or f"payment:{payment.pk}"
    return outbox.queue(RECEIPT, once=once, to=donation.email, language=language, payment=payment.pk)


def queue_annual_receipt(donation: Donation, year: int, *, once: str):
    """The annual receipt of the donation's donor (its name, address and language as on this, their latest gift)."""
    language = receipt_language(donation.language)
    return outbox.queue(RECEIPT, once=once, to=donation.email, language=language, donation=str(donation.pk), year=year)


def queue_correction(payment: Payment) -> None:
    """After a refund: the payment's receipt is voided and reissued for what is left, and sent."""
    donation = payment.donation
    once = f"refund:{payment.pk}:{payment.refunded_yen}"
    language = receipt_language(donation.language)
    outbox.queue(RECEIPT, once=once, to=donation.email, language=language, payment=payment.pk, refund=True)


def queue_annual_receipts(year: int) -> int:
    """Every donor whose receipt for the year is missing or no longer covers every gift; once per donor, year
    and latest gift, so a gift recorded late brings a new receipt and nothing else does."""
    uncovered = annual_payments(year).exclude(pk__in=covered_by_annual_receipts())
    latest = dict(uncovered.exclude(donation__donor=None).values_list("donation__donor").annotate(latest=Max("pk")))
    queued = 0
    for donor_id, latest_gift in sorted(latest.items()):
        donor = Donation.objects.filter(donor=donor_id).latest("created_at")
        queued += queue_annual_receipt(donor, year, once=f"annual:{year}:{donor.pk}:{latest_gift}") is not None
    return queued


def issue_receipt(message) -> dict | None:
    """The preparing step: issue (or find) the message's receipt. Its number and PDF stand even if the email fails.
    Nothing is sent for a gift JII issues no receipt for (yet): staff see it waiting for an address."""
    ids = message.ids
    try:
        if "year" in ids:
            donation = Donation.objects.get(pk=ids["donation"])
            receipt = issue_annual(donor_id=donation.donor_id, year=ids["year"])
        else:
            payment = Payment.objects.select_related("donation").get(pk=ids["payment"])
            if ids.get("refund"):
                receipt = correct_after_refund(payment)
            elif wants_annual_receipt(payment) or payment.refunded_yen >= payment.amount_yen:
                receipt = None  # the annual run covers it, or nothing is left to receipt
            else:
                receipt = issue_for_payment(payment)
    except CannotIssue:
        receipt = None
    return {"receipt": receipt.pk} if receipt else None


@builder(THANKS)
def thanks(message):
    donation = Donation.objects.select_related("campaign").filter(pk=message.ids["donation"]).first()
    if donation is None:
        return None
    return Letter(
        {
            "donation": donation,
            "manage_url": manage_url(donation) if donation.renews else "",
            "history_url": history_url(donation),
            "notice_days": settings.DONATION_RENEWAL_NOTICE_DAYS,
        }
    )


@builder(RECEIPT, prepare=issue_receipt)
def receipt(message):
    found = Receipt.objects.select_related("donation").filter(pk=message.ids.get("receipt"), voided_at__isnull=True)
    receipt = found.first()
    if receipt is None:
        return None  # nothing to send: see issue_receipt
    donation = receipt.donation
    context = {
        "donation": donation,
        "receipt": receipt,
        "manage_url": manage_url(donation) if donation.renews and donation.stripe_customer else "",
        "history_url": history_url(donation, receipt.language),
    }
    with receipt.file.open("rb") as pdf:
        return Letter(context, attachments=[(f"{receipt.number}.pdf", pdf.read(), "application/pdf")])


@builder(HISTORY_LINK)
def history_link(message):
    donation = Donation.objects.filter(pk=message.ids["donation"]).first()
    return Letter({"history_url": history_url(donation, message.language)}) if donation else None


@builder(PART_RECEIVED)
def part_received(message):
    donation = Donation.objects.select_related("campaign").filter(pk=message.ids["donation"]).first()
    if donation is None or donation.started_at is not None:
        return None  # paid in full since: the thank-you says so
    return Letter({"donation": donation, "remaining_yen": donation.amount_yen - donation.funded_yen})


@builder(UNPAID)
def unpaid(message):
    donation = Donation.objects.select_related("campaign").filter(pk=message.ids["donation"]).first()
    if donation is None or donation.started_at is not None:
        return None
    return Letter({"donation": donation, "campaign_url": campaign_url(donation.campaign, message.language)})


@builder(PAYMENT_FAILED)
def payment_failed(message):
    ids = message.ids
    donation = Donation.objects.filter(pk=ids["donation"]).exclude(status__in=STOPPED).first()
    if donation is None or Payment.objects.filter(stripe_reference=ids["invoice"]).exists():
        return None  # the gift stopped, or a later try paid the invoice before this was sent: nothing to ask
    retry_at = datetime.fromtimestamp(ids["retry_at"], tz=UTC) if ids.get("retry_at") else None
    return Letter(
        {
            "donation": donation,
            "amount": ids["amount"],
            "manage_url": manage_url(donation),
            "retry_at": retry_at,
            "history_url": history_url(donation),
        }
    )


@builder(RENEWAL_NOTICE)
def renewal_notice(message):
    ids = message.ids
    renews_at = datetime.fromtimestamp(ids["renews_at"], tz=UTC)
    donation = Donation.objects.filter(pk=ids["donation"], frequency=Donation.Frequency.YEARLY).first()
    if donation is None or donation.status in STOPPED or renews_at <= timezone.now():
        return None  # stopped since, or too late to be a notice
    return Letter(
        {
            "donation": donation,
            "amount": ids["amount"],
            "renews_at": renews_at,
            "manage_url": manage_url(donation),
            "history_url": history_url(donation),
        }
    )
