"""Spot's daily job (Celery beat). Its messages are written by spot.services and sent by the outbox."""

from celery import shared_task
from django.utils import timezone

from spot import services


@shared_task
def run_daily_spot_jobs() -> dict:
    """Every few hours: escalate requests open for 48 hours, remind both sides the day before the agreed date,
    ask the resident for feedback a day after a request is done. Each message is written once, however often
    this runs."""
    now = timezone.now()
    return {
        "escalated": len(services.escalate_stale_requests(now)),
        "reminded": services.remind_of_tomorrow(timezone.localdate()),
        "feedback": services.ask_for_feedback(now),
    }
