"""Celery tasks of the shared core: they take ids, reload, and are safe to run twice."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from jii import outbox, privacy, services
from jii.models import VolunteerProfile


@shared_task
def deliver_message(message_id: int) -> str:
    """Send one outbox message (jii/outbox.py); a second delivery of the same id sends nothing."""
    return outbox.deliver(message_id)


@shared_task
def queue_waiting_messages() -> int:
    """Every minute (Celery beat): hand the broker the messages it does not have (see outbox.queue_waiting)."""
    return outbox.queue_waiting()


@shared_task
def remind_coordinators_of_pending_volunteers() -> int:
    """Daily: tell the coordinators' inbox how many volunteers wait for approval (a count, no names)."""
    count = VolunteerProfile.objects.filter(status=VolunteerProfile.Status.PENDING).count()
    if count:
        today = timezone.localdate()
        outbox.queue("pending_volunteers", once=today.isoformat(), to=settings.COORDINATOR_EMAIL, language="ja")
    return count


@shared_task
def apply_retention() -> dict[str, int]:
    """Daily (Celery beat): anonymise every record past its period in the retention table (jii/privacy.py)."""
    return privacy.apply_retention()


@shared_task
def run_daily_volunteer_jobs() -> dict[str, int]:
    """Daily: suspensions that have ended, and (in March) the reminders of insurance that ends."""
    today = timezone.localdate()
    return {
        "suspensions_ended": services.end_suspensions(today),
        "insurance_reminders": services.remind_of_insurance_ending(today),
    }
