"""Spot emails and the daily job. Tasks take ids; each email is recorded (spot.Notification) in the same
transaction that sends it, so a redelivered or repeated task sends nothing twice and a failed send is retried."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from jii.emails import send_localized_email
from jii.status_links import status_url
from spot.models import Notification, SpotRequest

ESCALATE_AFTER = timedelta(hours=48)
FEEDBACK_AFTER = timedelta(days=1)
Kind = Notification.Kind


def with_people(request_id: int) -> SpotRequest | None:
    return SpotRequest.objects.select_related("resident", "area", "volunteer__user").filter(pk=request_id).first()


def request_page_url(request: SpotRequest, language: str) -> str:
    with translation.override(language):
        return settings.SITE_URL.rstrip("/") + reverse("spot_request_detail", args=[request.pk])


def first_time(request: SpotRequest, kind: str, key: str = "") -> bool:
    """Record the email; False if it was already sent. Call inside the sending transaction."""
    try:
        with transaction.atomic():
            Notification.objects.create(request=request, kind=kind, key=key)
    except IntegrityError:
        return False
    return True


def reminder_key(volunteer_id: int, day) -> str:
    """A new volunteer, or a moved date, gets a reminder of its own."""
    return f"{volunteer_id}:{day.isoformat()}"


def to_resident(name: str, request: SpotRequest, **context) -> None:
    resident = request.resident
    context = {"name": resident.name, "request": request, "status_url": status_url(resident), **context}
    send_localized_email(name, to=resident.email, language=resident.language, context=context)


def to_volunteer(name: str, request: SpotRequest, user) -> None:
    context = {"name": user.name, "request": request, "request_url": request_page_url(request, user.language)}
    send_localized_email(name, to=user.email, language=user.language, context=context)


@shared_task
@transaction.atomic
def send_request_received(request_id: int) -> None:
    request = with_people(request_id)
    if request and first_time(request, Kind.RECEIVED):
        to_resident("spot_request_received", request)


@shared_task
@transaction.atomic
def send_accepted_emails(request_id: int) -> None:
    """The resident hears who will help; a volunteer assigned by a coordinator hears it too."""
    request = with_people(request_id)
    if request is None or request.status != SpotRequest.Status.ACCEPTED:
        return
    acceptance = request.acceptances.filter(released_at__isnull=True).first()
    if acceptance and first_time(request, Kind.ACCEPTED, str(acceptance.pk)):
        to_resident("spot_accepted_resident", request)
        if acceptance.assigned_by_id:
            to_volunteer("spot_assigned_volunteer", request, request.volunteer.user)


@shared_task
@transaction.atomic
def send_released_email(request_id: int, acceptance_id: int) -> None:
    request = with_people(request_id)
    if request and first_time(request, Kind.RELEASED, str(acceptance_id)):
        to_resident("spot_released_resident", request)


@shared_task
@transaction.atomic
def send_cancelled_email(request_id: int, volunteer_id: int) -> None:
    request = with_people(request_id)
    if request is None or not first_time(request, Kind.CANCELLED):
        return
    from jii.models import VolunteerProfile

    volunteer = VolunteerProfile.objects.select_related("user").filter(pk=volunteer_id).first()
    if volunteer:
        to_volunteer("spot_cancelled_volunteer", request, volunteer.user)


@shared_task
@transaction.atomic
def send_reminder(request_id: int) -> None:
    request = with_people(request_id)
    if request is None or request.status != SpotRequest.Status.ACCEPTED or not request.agreed_on:
        return
    if first_time(request, Kind.REMINDER, reminder_key(request.volunteer_id, request.agreed_on)):
        to_resident("spot_reminder_resident", request)
        to_volunteer("spot_reminder_volunteer", request, request.volunteer.user)


@shared_task
@transaction.atomic
def send_feedback_request(request_id: int) -> None:
    request = with_people(request_id)
    done = request is not None and request.status == SpotRequest.Status.DONE and not request.feedback_at
    if done and first_time(request, Kind.FEEDBACK):
        to_resident("spot_feedback_request", request)


@shared_task
@transaction.atomic
def send_escalation(request_ids: list[int]) -> None:
    """One email to the coordinators listing the requests escalated now (numbers only, no names)."""
    newly = [
        request.pk
        for request in SpotRequest.objects.open().filter(pk__in=request_ids)
        if first_time(request, Kind.ESCALATED)
    ]
    if newly:
        send_localized_email(
            "spot_escalated_coordinator",
            to=settings.COORDINATOR_EMAIL,
            language="ja",
            context={
                "request_ids": newly,
                "admin_url": settings.SITE_URL.rstrip("/") + reverse("admin:spot_spotrequest_changelist"),
            },
        )


def not_sent(requests, kind):
    return requests.exclude(notifications__kind=kind)


@shared_task
def run_daily_spot_jobs() -> dict:
    """Every few hours (Celery beat): escalate requests open for 48 hours, remind both sides the day before
    the agreed date, ask the resident for feedback a day after a request is done. The send tasks record what
    they sent, so this only has to find candidates."""
    now = timezone.now()
    tomorrow = timezone.localdate() + timedelta(days=1)
    stale = not_sent(SpotRequest.objects.open().filter(created_at__lte=now - ESCALATE_AFTER), Kind.ESCALATED)
    escalated = list(stale.values_list("pk", flat=True))
    if escalated:
        send_escalation.delay(escalated)
    due = SpotRequest.objects.filter(status=SpotRequest.Status.ACCEPTED, agreed_on=tomorrow)
    sent = set(Notification.objects.filter(request__in=due, kind=Kind.REMINDER).values_list("request_id", "key"))
    reminded = [
        pk
        for pk, volunteer_id in due.values_list("pk", "volunteer_id")
        if (pk, reminder_key(volunteer_id, tomorrow)) not in sent
    ]
    for pk in reminded:
        send_reminder.delay(pk)
    done = SpotRequest.objects.filter(
        status=SpotRequest.Status.DONE, done_at__lte=now - FEEDBACK_AFTER, feedback_at__isnull=True
    )
    asked = list(not_sent(done, Kind.FEEDBACK).values_list("pk", flat=True))
    for pk in asked:
        send_feedback_request.delay(pk)
    return {"escalated": len(escalated), "reminded": len(reminded), "feedback": len(asked)}
