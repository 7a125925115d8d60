"""OFP's daily job (Celery beat). Its messages are written by matching.services and sent by the outbox."""

from celery import shared_task
from django.utils import timezone

from matching import services


@shared_task
def send_due_follow_ups() -> int:
    """Daily: check-in reminders, overdue reminders, surveys, and the coordinators' notice two weeks before a
    pair ends. Safe to run any number of times: each message is written once."""
    return services.queue_due_follow_ups(timezone.localdate())
