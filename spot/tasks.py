"""Spot's Celery tasks. Their messages are written by spot.services and sent by the outbox."""

from celery import shared_task
from django.utils import timezone

from spot import services


@shared_task
def alert_volunteers(request_id: int) -> int:
    """A request has opened: tell the volunteers who fit it (each once)."""
    return services.alert_volunteers(request_id)


@shared_task
def run_daily_spot_jobs() -> dict[str, int]:
    """Every few hours: alert for requests whose alerts were missed, send the wider second round for requests
    open for 24 hours, escalate requests open for 48 hours, send each volunteer's daily digest, remind both
    sides the day before the agreed date, ask the resident for feedback a day after a request is done. Each
    message is written once, however often this runs."""
    now = timezone.now()
    return {
        "alerted": len(services.alert_missed(now)),
        "wider_round": len(services.widen_unaccepted(now)),
        "escalated": len(services.escalate_stale_requests(now)),
        "digests": services.send_digests(now),
        "reminded": services.remind_of_tomorrow(timezone.localdate()),
        "feedback": services.ask_for_feedback(now),
    }
