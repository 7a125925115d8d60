"""Spot Otonari-san's part of JII's privacy notice, retention table and residents' data requests (jii/privacy.py)."""

from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jii import audit
from jii.privacy import RecordKind, register_program, section
from spot import services
from spot.forms import CONSENT_TEXT
from spot.models import Acceptance, SpotRequest

FINISHED = [SpotRequest.Status.DONE, SpotRequest.Status.CANCELLED]


def finished(cutoff):
    requests = SpotRequest.objects.filter(status__in=FINISHED, anonymised_at=None)
    return requests.annotate(ended=Coalesce("done_at", "cancelled_at", "created_at")).filter(ended__lt=cutoff)


def anonymise(requests) -> None:
    """Erase the resident's words and phone number, the volunteer's report and the resident's feedback. Kept for
    the figures: category, topic, area, languages, dates, minutes spent and status."""
    ids = list(requests.values_list("pk", flat=True))
    Acceptance.objects.filter(request__in=ids).update(release_reason="")
    audit.update(
        SpotRequest.objects.filter(pk__in=ids),
        description="",
        phone="",
        report="",
        feedback="",
        anonymised_at=timezone.now(),
    )


def collect(resident) -> list[dict]:
    requests = resident.spot_requests.select_related("area", "volunteer__user").prefetch_related("languages")
    sections = []
    for request in requests:
        entry = section(
            _("Spot request"),
            request,
            ["created_at", "status", "category", "topic", "description", "phone", "languages", "modes", "area",
             "earliest", "latest", "urgency", "agreed_on", "done_at", "cancelled_at", "feedback", "consented_at"],
        )  # fmt: skip
        if request.volunteer:
            entry["rows"].insert(2, ("volunteer", str(_("Volunteer")), request.volunteer.user.get_short_name()))
        sections.append(entry)
    return sections


def erase(resident) -> None:
    """Cancel what is still open or accepted (the volunteer is told), then erase it all."""
    for request in resident.spot_requests.filter(status__in=[SpotRequest.Status.OPEN, SpotRequest.Status.ACCEPTED]):
        services.cancel_request(request=request, resident=resident)
    anonymise(resident.spot_requests.filter(anonymised_at=None))


def volunteer_collect(profile) -> list[dict]:
    """The requests they helped with: what kind of help, when, how long; nothing about the resident."""
    helped = SpotRequest.objects.filter(volunteer=profile)
    fields = ["category", "topic", "area", "accepted_at", "agreed_on", "done_at", "minutes_spent", "status"]
    return [section(_("Spot request"), request, fields) for request in helped.select_related("area")]


# The retention table's rows for this program (jii/privacy.py runs them).
RETENTION = [
    RecordKind("spot.finished", _("A Spot request, once done or cancelled"), 1, _("after it was done or cancelled"),
               finished, anonymise),
]  # fmt: skip


def register() -> None:
    register_program(
        "spot",
        _("Spot Otonari-san"),
        consent=CONSENT_TEXT,
        kinds=RETENTION,
        collect=collect,
        erase=erase,
        holding=lambda: SpotRequest.objects.filter(anonymised_at=None).values("resident_id"),
        volunteer_collect=volunteer_collect,
    )
