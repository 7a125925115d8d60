"""OFP's messages: how each is built from its ids when its turn comes (see jii/outbox.py)."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from jii.outbox import Letter, builder
from matching.models import Extension, Match, ResidentCheckIn
from matching.selectors import pair_with_people

CLOSED = [Match.Status.COMPLETED, Match.Status.ENDED_EARLY]


def volunteer_page_url(language: str) -> str:
    with translation.override(language):
        return settings.SITE_URL.rstrip("/") + reverse("volunteer_dashboard")


def admin_url(match_id: int) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("admin:matching_match_change", args=[match_id])


def pair_letter(message, statuses, **context) -> Letter | None:
    """The pair with its people, if it is (still) in one of these states."""
    match = pair_with_people(message.ids["match"])
    if match is None or match.status not in statuses:
        return None
    people = {"match": match, "resident": match.application.resident, "volunteer": match.volunteer}
    return Letter({**people, "volunteer_url": volunteer_page_url(message.language), **context})


@builder("ofp_application_received")
def application_received(message):
    return Letter({})  # the resident's name and status link come with every message to a resident


@builder("ofp_proposal_resident", "ofp_proposal_volunteer")
def proposal(message):
    return pair_letter(message, [Match.Status.PROPOSED])


@builder("ofp_supporter_proposed_volunteer")
def supporter_proposed(message):
    return pair_letter(message, [Match.Status.PROPOSED])


@builder("ofp_team_joined_resident")
def team_joined(message):
    """A supporting volunteer has joined the resident's pair: the resident learns their given name only."""
    return pair_letter(message, [Match.Status.ACTIVE])


@builder("ofp_pair_started_resident", "ofp_pair_started_volunteer")
def pair_started(message):
    """Both have accepted: now, and only now, each gets the other's contact details."""
    return pair_letter(message, [Match.Status.ACTIVE, *CLOSED])


@builder("ofp_check_in_reminder", "ofp_check_in_overdue")
def check_in_reminder(message):
    return pair_letter(message, [Match.Status.ACTIVE], month=message.ids["month"])


@builder("ofp_survey_resident", "ofp_survey_volunteer")
def survey(message):
    statuses = [Match.Status.ACTIVE, *CLOSED] if message.ids["survey"] == "closing" else [Match.Status.ACTIVE]
    return pair_letter(message, statuses, survey=message.ids["survey"])


@builder("ofp_declined_coordinator", "ofp_concern_coordinator")
def to_coordinators(message):
    """The pair's number and its page in the admin only: no names in a shared inbox."""
    return Letter({"match_id": message.ids["match"], "admin_url": admin_url(message.ids["match"])})


@builder("ofp_end_notice_coordinator")
def end_notice(message):
    letter = pair_letter(message, [Match.Status.ACTIVE])
    if letter is not None:
        letter.context["admin_url"] = admin_url(message.ids["match"])
    return letter


@builder("ofp_resident_check_in")
def resident_check_in(message):
    """Not sent once the resident has answered this month's check-in (they found it on their status page)."""
    if ResidentCheckIn.objects.filter(match=message.ids["match"], month=message.ids["month"]).exists():
        return None
    return pair_letter(message, [Match.Status.ACTIVE], month=message.ids["month"])


@builder("ofp_resident_worried_coordinator", "ofp_extension_asked_coordinator")
def pair_to_coordinators(message):
    return to_coordinators(message)


@builder("ofp_extension_decided_resident", "ofp_extension_decided_volunteer")
def extension_decided(message):
    extension = Extension.objects.filter(pk=message.ids["extension"]).first()
    if extension is None or extension.status == Extension.Status.OPEN:
        return None
    approved = extension.status == Extension.Status.APPROVED
    return pair_letter(message, [Match.Status.ACTIVE, *CLOSED], approved=approved, new_ends_on=extension.new_ends_on)
