"""Spot emails and the daily job. Tasks take ids; each automatic message is recorded so it goes out once."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from jii.emails import send_localized_email
from jii.status_links import status_url
from spot.models import SpotRequest

ESCALATE_AFTER = timedelta(hours=48)
FEEDBACK_AFTER = timedelta(days=1)


def with_people(request_id: int) -> SpotRequest | None:
    return SpotRequest.objects.select_related("resident", "area", "volunteer__user").filter(pk=request_id).first()


def request_page_url(request: SpotRequest, language: str) -> str:
    with translation.override(language):
        return settings.SITE_URL.rstrip("/") + reverse("spot_request_detail", args=[request.pk])


@shared_task
def send_request_received(request_id: int) -> None:
    request = with_people(request_id)
    if request is None:
        return
    resident = request.resident
    send_localized_email(
        "spot_request_received",
        to=resident.email,
        language=resident.language,
        context={"name": resident.name, "request": request, "status_url": status_url(resident)},
    )


@shared_task
def send_accepted_email(request_id: int) -> None:
    request = with_people(request_id)
    if request is None or request.status != SpotRequest.Status.ACCEPTED:
        return
    resident = request.resident
    send_localized_email(
        "spot_accepted_resident",
        to=resident.email,
        language=resident.language,
        context={"name": resident.name, "request": request, "status_url": status_url(resident)},
    )


@shared_task
def send_cancelled_email(request_id: int) -> None:
    request = with_people(request_id)
    if request is None or request.volunteer is None:
        return
    user = request.volunteer.user
    send_localized_email(
        "spot_cancelled_volunteer",
        to=user.email,
        language=user.language,
        context={"name": user.name, "request": request},
    )


def claim(candidates, **record) -> list[int]:
    """Record, with one conditional update per request, that a message goes out; returns the requests this
    run won (a second run, or a parallel one, finds them recorded and sends nothing)."""
    won = []
    for pk in candidates.values_list("pk", flat=True):
        if candidates.filter(pk=pk).update(**record):
            won.append(pk)
    return won


@shared_task
def send_reminder(request_id: int) -> None:
    request = with_people(request_id)
    if request is None or request.status != SpotRequest.Status.ACCEPTED or not request.agreed_on:
        return
    resident, user = request.resident, request.volunteer.user
    send_localized_email(
        "spot_reminder_resident",
        to=resident.email,
        language=resident.language,
        context={"name": resident.name, "request": request, "status_url": status_url(resident)},
    )
    send_localized_email(
        "spot_reminder_volunteer",
        to=user.email,
        language=user.language,
        context={"name": user.name, "request": request, "request_url": request_page_url(request, user.language)},
    )


@shared_task
def send_feedback_request(request_id: int) -> None:
    request = with_people(request_id)
    if request is None or request.status != SpotRequest.Status.DONE:
        return
    resident = request.resident
    send_localized_email(
        "spot_feedback_request",
        to=resident.email,
        language=resident.language,
        context={"name": resident.name, "request": request, "status_url": status_url(resident)},
    )


@shared_task
def send_escalation(request_ids: list[int]) -> None:
    send_localized_email(
        "spot_escalated_coordinator",
        to=settings.COORDINATOR_EMAIL,
        language="ja",
        context={
            "request_ids": request_ids,
            "admin_url": settings.SITE_URL.rstrip("/") + reverse("admin:spot_spotrequest_changelist"),
        },
    )


@shared_task
def run_daily_spot_jobs() -> dict:
    """Daily (Celery beat): escalate requests open for 48 hours, remind both sides the day before the agreed
    date, and ask the resident for feedback a day after a request is done. Each happens once per request."""
    now = timezone.now()
    tomorrow = timezone.localdate() + timedelta(days=1)

    stale = SpotRequest.objects.open().filter(created_at__lte=now - ESCALATE_AFTER, escalated_at__isnull=True)
    escalated = claim(stale, escalated_at=now)
    if escalated:
        send_escalation.delay(escalated)

    due = SpotRequest.objects.filter(status=SpotRequest.Status.ACCEPTED, agreed_on=tomorrow).exclude(
        reminded_for=tomorrow
    )
    reminded = claim(due, reminded_for=tomorrow)
    for pk in reminded:
        send_reminder.delay(pk)

    done = SpotRequest.objects.filter(
        status=SpotRequest.Status.DONE, done_at__lte=now - FEEDBACK_AFTER, feedback_requested_at__isnull=True
    )
    asked = claim(done, feedback_requested_at=now)
    for pk in asked:
        send_feedback_request.delay(pk)
    counts = {"escalated": len(escalated), "reminded": len(reminded), "feedback": len(asked)}
    return counts
