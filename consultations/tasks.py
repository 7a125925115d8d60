"""Consultation emails and the daily job. Tasks take ids (never names or words). Every email is recorded
(consultations.Notification) in its own transaction with its send, one per recipient: a repeated task sends
nothing twice, and when a send fails only that email is left unrecorded and the task is retried for it."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation

from jii.emails import send_localized_email
from jii.emails import send_once as once
from jii.status_links import status_url

RETRY = {"autoretry_for": (Exception,), "retry_backoff": 60, "max_retries": 5}


def send_once(kind: str, key: str, send) -> None:
    from consultations.models import Notification

    once(Notification(kind=kind, key=key), send)


def expert_page_url(language: str) -> str:
    with translation.override(language):
        return settings.SITE_URL.rstrip("/") + reverse("consultations_expert")


@shared_task(**RETRY)
def send_request_received(consultation_id: int) -> None:
    from consultations.models import Consultation

    consultation = Consultation.objects.select_related("resident").filter(pk=consultation_id).first()
    if consultation:
        resident = consultation.resident
        send_once(
            "received",
            str(consultation.pk),
            lambda: send_localized_email(
                "consultation_received",
                to=resident.email,
                language=resident.language,
                context={"name": resident.name, "consultation": consultation, "status_url": status_url(resident)},
            ),
        )


def appointment_emails(appointment, change: str, key: str, replaced=None) -> None:
    """To the resident and to the expert, each in their language, with the appointment as a calendar file (and,
    for a new time, the cancellation of the old one, so calendars drop it)."""
    from consultations.calendar import appointment_ics

    def calendar_files(language):
        files = [("consultation.ics", appointment_ics(appointment, language), "text/calendar")]
        if replaced is not None:
            files.append(("consultation-old-time.ics", appointment_ics(replaced, language), "text/calendar"))
        return files

    resident, expert = appointment.consultation.resident, appointment.expert
    people = [
        ("resident", resident.name, resident.email, resident.language, {"status_url": status_url(resident)}),
        ("expert", expert.name, expert.email, expert.language, {"page_url": expert_page_url(expert.language)}),
    ]
    for role, name, email, language, links in people:
        send_once(
            change,
            f"{key}:{role}",
            lambda name=name, email=email, language=language, links=links, role=role: send_localized_email(
                "consultation_appointment",
                to=email,
                language=language,
                context={"name": name, "appointment": appointment, "change": change, "role": role, **links},
                attachments=calendar_files(language),
            ),
        )


@shared_task(**RETRY)
def send_appointment_email(appointment_id: int, change: str, replaced_id: int | None = None) -> None:
    """`change` is booked, moved (this is the new time; `replaced_id` the old one) or cancelled."""
    from consultations.models import Appointment

    appointments = Appointment.objects.select_related("consultation__resident", "expert", "room")
    appointment = appointments.filter(pk=appointment_id).first()
    if appointment:
        replaced = appointments.filter(pk=replaced_id).first() if replaced_id else None
        appointment_emails(appointment, change, str(appointment.pk), replaced)


@shared_task(**RETRY)
def send_reminders(appointment_id: int) -> None:
    from consultations.models import Appointment

    appointment = (
        Appointment.objects.select_related("consultation__resident", "expert", "room")
        .filter(pk=appointment_id, status=Appointment.Status.BOOKED)
        .first()
    )
    if appointment:
        appointment_emails(appointment, "reminder", str(appointment.pk))


@shared_task(**RETRY)
@transaction.atomic
def send_follow_up_due(consultation_id: int) -> None:
    """To consultation staff: a case's follow-up date has come (its number only), once per date."""
    from consultations.models import Consultation

    consultation = Consultation.objects.select_for_update().filter(pk=consultation_id).first()
    if (
        consultation is None
        or not consultation.follow_up_on
        or consultation.follow_up_sent_for == consultation.follow_up_on
    ):
        return
    consultation.follow_up_sent_for = consultation.follow_up_on
    consultation.save(update_fields=["follow_up_sent_for"])
    send_localized_email(
        "consultation_follow_up",
        to=settings.CONSULTATION_STAFF_EMAIL,
        language="ja",
        context={
            "consultation": consultation,
            "admin_url": settings.SITE_URL.rstrip("/")
            + reverse("admin:consultations_consultation_change", args=[consultation.pk]),
        },
    )


@shared_task
def run_daily_consultation_jobs() -> dict:
    """Every few hours (Celery beat): remind both people of tomorrow's appointments, and tell consultation staff
    of follow-ups that are due. The send tasks record what they sent, so this only finds candidates."""
    from consultations.models import Appointment, Consultation, Notification

    tomorrow = timezone.localdate() + timedelta(days=1)
    tomorrows = list(
        Appointment.objects.filter(status=Appointment.Status.BOOKED, starts_at__date=tomorrow).values_list(
            "pk", flat=True
        )
    )
    keys = [f"{pk}:{role}" for pk in tomorrows for role in ("expert", "resident")]
    reminded = set(Notification.objects.filter(kind="reminder", key__in=keys).values_list("key", flat=True))
    due = [pk for pk in tomorrows if f"{pk}:expert" not in reminded or f"{pk}:resident" not in reminded]
    for pk in due:
        send_reminders.delay(pk)
    follow_ups = list(
        Consultation.objects.filter(
            follow_up_on__lte=timezone.localdate(),
            status__in=[Consultation.Status.NEW, Consultation.Status.ACCEPTED],  # not closed, not passed to Spot
        )
        .exclude(follow_up_sent_for=F("follow_up_on"))
        .values_list("pk", flat=True)
    )
    for pk in follow_ups:
        send_follow_up_due.delay(pk)
    return {"reminded": len(due), "follow_ups": len(follow_ups)}
