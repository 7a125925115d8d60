"""The consultations' daily job. It only finds who is due a message and writes it to the outbox (jii/outbox.py),
which sends it; each message's once key (consultations/messages.py) makes a second run write nothing."""

from datetime import timedelta

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from consultations import messages
from consultations.models import Appointment, Consultation
from jii import outbox


@shared_task
@transaction.atomic
def run_daily_consultation_jobs() -> dict[str, int]:
    """Every few hours (Celery beat): remind both people of tomorrow's appointments, and tell consultation staff
    of follow-ups that are due."""
    today = timezone.localdate()
    # Tomorrow's appointments are a handful: queue asks for each, and writes only the reminders not yet written.
    tomorrows = Appointment.objects.filter(
        status=Appointment.Status.BOOKED, starts_at__date=today + timedelta(days=1)
    ).select_related("consultation__resident", "expert")
    reminded = sum(messages.queue_appointment("reminder", appointment) > 0 for appointment in tomorrows)

    # Open cases whose follow-up date has passed stay so for long: find those not yet told in one query.
    open_cases = Consultation.objects.filter(follow_up_on__lte=today, status__in=messages.OPEN)
    cases = list(open_cases.only("follow_up_on"))
    told = outbox.already_queued(messages.FOLLOW_UP, [messages.follow_up_once(case) for case in cases])
    follow_ups = [case for case in cases if messages.follow_up_once(case) not in told]
    for consultation in follow_ups:
        messages.queue_follow_up(consultation)
    return {"reminded": reminded, "follow_ups": len(follow_ups)}
