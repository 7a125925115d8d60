"""Hanamaru's daily job (Celery beat). Its messages are written by hanamaru.services and sent by the outbox."""

from celery import shared_task
from django.utils import timezone

from hanamaru import services


@shared_task
def run_daily_hanamaru_jobs() -> dict[str, int]:
    """Every few hours: pass offers of a place not answered in time on to the next child waiting, and remind
    guardians of an offer's last day; remind tutors and guardians of tomorrow's sessions, and alert the coordinator
    of a session two days away that is short of tutors. Each message is written once, however often this runs."""
    now = timezone.now()
    return {
        "offers_expired": services.expire_offers(now),
        "offers_reminded": services.remind_of_offers(now),
        "reminded": services.remind_of_tomorrow(timezone.localdate()),
        "short_of_tutors": services.alert_tutor_shortages(now),
    }
