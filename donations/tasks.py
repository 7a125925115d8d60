"""The daily reconciliation with Stripe and the annual receipts run (Celery beat). Tasks take ids."""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from donations.stripe_api import stripe_client

logger = logging.getLogger(__name__)


@shared_task
def reconcile_with_stripe(days: int = 3) -> int:
    """Daily (Celery beat): replay the last few days of Stripe events, so any that did not reach the webhook
    are applied now (applied ones are recognised by their id and skipped)."""
    from donations.services import HANDLERS, MalformedEvent, NotYet, apply_event

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
            logger.warning("reconciliation skipped Stripe event %s: %s", event.get("id"), error)
    if applied:
        logger.info("reconciliation applied %d Stripe events the webhook had missed", applied)
    return applied


@shared_task
@transaction.atomic
def issue_annual_receipts(year: int | None = None) -> int:
    """Celery beat, daily in the first month of the fiscal year: the previous year's annual receipt of every
    donor who asked for one, written to the outbox (donations/messages.py). Daily, so a run missed (beat down) or
    a gift recorded late is caught."""
    from donations.messages import queue_annual_receipts
    from donations.receipts import fiscal_year

    return queue_annual_receipts(year or fiscal_year(timezone.localdate()) - 1)
