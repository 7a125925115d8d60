"""Spot's messages: how each is built from its ids when its turn comes (see jii/outbox.py). A message that is no
longer true by then (the volunteer released the request, the date moved) is not sent."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from jii.models import VolunteerProfile
from jii.outbox import Letter, builder
from spot.models import SpotRequest


def with_people(request_id: int) -> SpotRequest | None:
    return SpotRequest.objects.select_related("resident", "area", "volunteer__user").filter(pk=request_id).first()


def request_page_url(request: SpotRequest, language: str) -> str:
    with translation.override(language):
        return settings.SITE_URL.rstrip("/") + reverse("spot:request_detail", args=[request.pk])


def held_by(request: SpotRequest | None, acceptance_id: int) -> bool:
    """The request is still accepted through this acceptance (not released or cancelled since)."""
    return (
        request is not None
        and request.status == SpotRequest.Status.ACCEPTED
        and request.acceptances.filter(pk=acceptance_id, released_at__isnull=True).exists()
    )


@builder("spot_request_received", "spot_released_resident")
def to_resident(message):
    request = with_people(message.ids["request"])
    return Letter({"request": request}) if request else None


@builder("spot_accepted_resident")
def accepted(message):
    request = with_people(message.ids["request"])
    return Letter({"request": request}) if held_by(request, message.ids["acceptance"]) else None


@builder("spot_assigned_volunteer")
def assigned(message):
    request = with_people(message.ids["request"])
    if not held_by(request, message.ids["acceptance"]):
        return None
    return Letter({"request": request, "request_url": request_page_url(request, message.language)})


@builder("spot_cancelled_volunteer")
def cancelled(message):
    request = with_people(message.ids["request"])
    return Letter({"request": request, "request_url": request_page_url(request, message.language)}) if request else None


@builder("spot_reminder_resident", "spot_reminder_volunteer")
def reminder(message):
    """Only for the date and volunteer it was written for: a moved date or another volunteer gets its own."""
    request = with_people(message.ids["request"])
    still = (
        request is not None
        and request.status == SpotRequest.Status.ACCEPTED
        and request.volunteer_id == message.ids["volunteer"]
        and request.agreed_on is not None
        and request.agreed_on.isoformat() == message.ids["day"]
    )
    if not still:
        return None
    return Letter({"request": request, "request_url": request_page_url(request, message.language)})


@builder("spot_feedback_request")
def feedback_request(message):
    request = with_people(message.ids["request"])
    wanted = request is not None and request.status == SpotRequest.Status.DONE and not request.feedback_at
    return Letter({"request": request}) if wanted else None


@builder("spot_escalated_coordinator")
def escalated(message):
    """To the coordinators: the requests open for 48 hours, by number only (no names)."""
    admin_url = settings.SITE_URL.rstrip("/") + reverse("admin:spot_spotrequest_changelist")
    return Letter({"request_ids": message.ids["requests"], "admin_url": admin_url})


def board_entry_url(request_id: int, language: str) -> str:
    with translation.override(language):
        return settings.SITE_URL.rstrip("/") + reverse("spot:board_entry", args=[request_id])


@builder("spot_alert")
def alert(message):
    """To a volunteer who fits a new request: what, where, when and how urgent, never who or their words. Not
    sent once the request is taken (the board entry would say so)."""
    request = SpotRequest.objects.select_related("area").filter(pk=message.ids["request"]).first()
    if request is None or request.status != SpotRequest.Status.OPEN or not may_help_now(message):
        return None
    return Letter({"entry": request, "entry_url": board_entry_url(request.pk, message.language)})


def may_help_now(message) -> bool:
    """An alert waits for the end of quiet hours: meanwhile the volunteer may have paused or been suspended."""
    return VolunteerProfile.objects.ready().filter(user=message.user_id).exists()


@builder("spot_alert_digest")
def alert_digest(message):
    """The day's list of open requests that fit the volunteer (those taken meanwhile are left out)."""
    if not may_help_now(message):
        return None
    requests = SpotRequest.objects.open().filter(pk__in=message.ids["requests"]).select_related("area")
    entries = [(request, board_entry_url(request.pk, message.language)) for request in requests.order_by("pk")]
    return Letter({"entries": entries}) if entries else None
