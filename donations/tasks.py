"""The daily reconciliation with Stripe and the annual receipts run (Celery beat). Tasks take ids and call
services; nothing imports this module but Celery."""

from celery import shared_task

from donations import services, stripe_events


@shared_task
def reconcile_with_stripe(days: int = 3) -> int:
    """Daily (Celery beat): replay the last few days of Stripe events, so any that did not reach the webhook
    are applied now (applied ones are recognised by their id and skipped)."""
    return stripe_events.replay(days)


@shared_task
def issue_annual_receipts(year: int | None = None) -> int:
    """Celery beat, daily in the first month of the fiscal year: the previous year's annual receipt of every
    donor who asked for one, written to the outbox (donations/messages.py). Daily, so a run missed (beat down) or
    a gift recorded late is caught."""
    return services.queue_annual_receipts(year)
