"""The shared core's messages: how each is built from its ids when its turn comes (see jii/outbox.py)."""

from datetime import date

from django.conf import settings
from django.utils import timezone

from jii.languages import language_tag, nearest_language
from jii.models import DataRequest, GroupMessage, Insurance, VolunteerProfile
from jii.outbox import Letter, builder


@builder("volunteer_approved")
def volunteer_approved(message):
    return Letter({})


@builder("status_link")
def status_link(message):
    return Letter({})  # the resident's name and status link come with every message to a resident


@builder("pending_volunteers")
def pending_volunteers(message):
    waiting = VolunteerProfile.objects.filter(status=VolunteerProfile.Status.PENDING)
    oldest = waiting.order_by("submitted_at").values_list("submitted_at", flat=True).first()
    if oldest is None:
        return None  # approved in the meantime
    return Letter({"count": waiting.count(), "waiting_days": (timezone.now() - oldest).days})


@builder("erasure_received", "erasure_request_coordinator")
def erasure_request(message):
    request = DataRequest.objects.filter(pk=message.ids["request"]).first()
    if request is None or request.done_at is not None:
        return None  # done in the meantime: the person hears that instead
    return Letter({"deadline": timezone.localtime(request.deadline)})


@builder("data_erased")
def data_erased(message):
    return Letter({})


@builder("volunteer_suspended", "volunteer_archived", "volunteer_reinstated")
def volunteer_standing(message):
    """As the change was made (a later one sends its own message); the reason in the volunteer's language."""
    reason, until = message.ids.get("reason"), message.ids.get("until")
    return Letter(
        {
            "reason": VolunteerProfile.StatusReason(reason).label if reason else "",
            "until": date.fromisoformat(until) if until else None,
            "contact": settings.COORDINATOR_EMAIL,
        }
    )


@builder("volunteer_insurance_ending")
def insurance_ending(message):
    year = message.ids["year"]
    if Insurance.objects.filter(volunteer__user=message.user, year=year + 1).exists():
        return None  # recorded for the new year in the meantime
    return Letter({"next_year": year + 1, "ends_on": date(year + 1, 3, 31)})


@builder("group_message")
def group_message(message):
    """A coordinator's words to a group, in the reader's language when written in it, else the nearest written
    (English for one who does not read Japanese, when it was written; Japanese otherwise)."""
    sent = GroupMessage.objects.filter(pk=message.ids["group_message"]).first()
    if sent is None:
        return None
    written_in = nearest_language(sent.body.keys(), message.language)
    context = {"subject": sent.subject[written_in], "body": sent.body[written_in]}
    return Letter(context | {"written_in": language_tag(written_in)})
