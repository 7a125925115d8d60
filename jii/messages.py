"""The shared core's messages: how each is built from its ids when its turn comes (see jii/outbox.py)."""

from django.utils import timezone

from jii.models import DataRequest, VolunteerProfile
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
