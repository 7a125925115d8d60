"""Donation emails and the daily reconciliation with Stripe. Tasks take ids."""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from donations.links import history_url, manage_url
from donations.stripe_api import stripe_client
from jii.emails import send_localized_email

logger = logging.getLogger(__name__)


@shared_task
@transaction.atomic
def send_thanks(donation_id: str) -> None:
    from donations.models import Donation

    donation = Donation.objects.select_for_update().select_related("campaign").filter(pk=donation_id).first()
    if donation is None or donation.thanked_at:
        return
    donation.thanked_at = timezone.now()
    donation.save(update_fields=["thanked_at"])
    monthly = donation.frequency == Donation.Frequency.MONTHLY
    send_localized_email(
        "donation_thanks",
        to=donation.email,
        language=donation.language,
        context={
            "donation": donation,
            "manage_url": manage_url(donation) if monthly else "",
            "history_url": history_url(donation),
        },
    )


@shared_task
def reconcile_with_stripe(days: int = 3) -> int:
    """Daily (Celery beat): replay the last few days of Stripe events, so any that did not reach the webhook
    are applied now (applied ones are recognised by their id and skipped)."""
    from donations.services import HANDLERS, NotYet, apply_event

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
    if applied:
        logger.info("reconciliation applied %d Stripe events the webhook had missed", applied)
    return applied


@shared_task
@transaction.atomic
def issue_receipt(payment_id: int) -> str:
    """Issue (or find) the payment's receipt and email it once. Safe to run twice or after a worker died
    mid-way: the receipt is unique per payment and the email is recorded in the same transaction. A gift whose
    donor asked for one receipt a year gets none now: the annual run covers it."""
    from donations.models import Payment
    from donations.receipts import issue_for_payment, wants_annual_receipt

    payment = Payment.objects.filter(pk=payment_id).select_related("donation").first()
    if payment is None or wants_annual_receipt(payment) or payment.refunded_yen >= payment.amount_yen:
        return ""
    receipt = issue_for_payment(payment)
    email_receipt(receipt)
    return receipt.number


@shared_task
def issue_annual_receipts(year: int | None = None) -> int:
    """Celery beat, daily in the first month of the fiscal year: queue the previous year's annual receipt of
    every donor who asked for one. Daily, so a run missed (beat down) or a gift recorded late is caught."""
    from donations.receipts import donors_due_annual_receipts, fiscal_year

    year = year or fiscal_year(timezone.localdate()) - 1
    donation_ids = donors_due_annual_receipts(year)
    for donation_id in donation_ids:
        issue_annual_receipt.delay(donation_id, year)
    return len(donation_ids)


@shared_task
@transaction.atomic
def issue_annual_receipt(donation_id: str, year: int) -> str:
    """The annual receipt of the donor of this donation, emailed once."""
    from donations.models import Donation
    from donations.receipts import issue_annual

    donation = Donation.objects.filter(pk=donation_id).first()
    if donation is None:
        return ""
    receipt = issue_annual(email=donation.email, year=year)
    if receipt is None:
        return ""
    email_receipt(receipt)
    return receipt.number


@shared_task
@transaction.atomic
def correct_receipt_after_refund(payment_id: int) -> str:
    """After a refund: the payment's receipt voided and reissued for what is left, and sent to the donor."""
    from donations.models import Payment
    from donations.receipts import correct_after_refund

    payment = Payment.objects.filter(pk=payment_id).first()
    receipt = correct_after_refund(payment) if payment else None
    if receipt is None:
        return ""
    email_receipt(receipt)
    return receipt.number


def email_receipt(receipt) -> None:
    """Send the receipt to the donor unless it was sent already (call inside the transaction that issued it)."""
    from donations.models import Receipt

    receipt = Receipt.objects.select_for_update().select_related("donation").get(pk=receipt.pk)
    donation = receipt.donation
    if receipt.emailed_at or not donation.email:
        return
    receipt.emailed_at = timezone.now()
    receipt.save(update_fields=["emailed_at"])
    monthly = donation.frequency == donation.Frequency.MONTHLY
    send_localized_email(
        "donation_receipt",
        to=donation.email,
        language=receipt.language,
        context={
            "donation": donation,
            "receipt": receipt,
            "manage_url": manage_url(donation) if monthly and donation.stripe_customer else "",
            "history_url": history_url(donation, receipt.language),
        },
        attachments=[(f"{receipt.number}.pdf", receipt.file.read(), "application/pdf")],
    )
