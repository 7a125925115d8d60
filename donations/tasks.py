"""Donation emails and the daily reconciliation with Stripe. Tasks take ids."""

import logging
from datetime import timedelta

import stripe
from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from donations.links import history_url, manage_url
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
            "history_url": history_url(donation.email, donation.language),
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
    events = stripe.Event.list(
        api_key=settings.STRIPE_SECRET_KEY, created={"gte": since}, types=list(HANDLERS), limit=100
    )
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
    mid-way: the receipt is unique per payment and the email is recorded in the same transaction."""
    from donations.models import Payment, Receipt
    from donations.receipts import issue_for_payment

    payment = Payment.objects.filter(pk=payment_id).select_related("donation").first()
    if payment is None:
        return ""
    receipt = issue_for_payment(payment)
    receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
    donation = payment.donation
    if not receipt.emailed_at and donation.email:
        receipt.emailed_at = timezone.now()
        receipt.save(update_fields=["emailed_at"])
        monthly = donation.frequency == donation.Frequency.MONTHLY
        send_localized_email(
            "donation_receipt",
            to=donation.email,
            language=donation.language,
            context={
                "donation": donation,
                "receipt": receipt,
                "manage_url": manage_url(donation) if monthly else "",
                "history_url": history_url(donation.email, donation.language),
            },
            attachments=[(f"{receipt.number}.pdf", receipt.file.read(), "application/pdf")],
        )
    return receipt.number
