"""OFP's part of JII's privacy notice, retention table and residents' data requests (jii/privacy.py)."""

from django.db.models import Max
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jii import audit
from jii.privacy import RecordKind, register_program, section
from matching import services
from matching.forms import CONSENT_TEXT
from matching.models import Application, CheckIn, Match, ResidentCheckIn, Survey

FINISHED_PAIR = [Application.Stage.COMPLETED, Application.Stage.ENDED_EARLY]


def with_end(applications):
    """Applications still holding personal data, with the day they ended: their last pair or proposal closed,
    or, for one that never got that far, the day it was made."""
    return applications.filter(anonymised_at=None).annotate(ended=Coalesce(Max("matches__closed_at"), "created_at"))


def never_paired(cutoff):
    return with_end(Application.objects.filter(stage=Application.Stage.WITHDRAWN)).filter(ended__lt=cutoff)


def closed_pairs(cutoff):
    return with_end(Application.objects.filter(stage__in=FINISHED_PAIR)).filter(ended__lt=cutoff)


def anonymise(applications) -> None:
    """Erase the words of these applications and of their pairs' check-ins and surveys. Kept for the figures:
    stage, household, area, languages, hopes, dates, outcomes, moods and scores."""
    ids = list(applications.values_list("pk", flat=True))
    audit.update(CheckIn.objects.filter(match__application__in=ids), note="", concern="")
    audit.update(ResidentCheckIn.objects.filter(match__application__in=ids), need="")
    Survey.objects.filter(match__application__in=ids).update(comment="")
    audit.update(Match.objects.filter(application__in=ids), decline_reason="", end_note="")
    audit.update(
        Application.objects.filter(pk__in=ids),
        message="",
        nearest_station="",
        children_ages=[],
        anonymised_at=timezone.now(),
    )


def collect(resident) -> list[dict]:
    applications = resident.ofp_applications.select_related("area").prefetch_related(
        "languages", "matches__volunteer__user", "matches__surveys", "matches__resident_check_ins"
    )
    sections = []
    for application in applications:
        sections.append(
            section(
                _("OFP application"),
                application,
                [
                    "created_at",
                    "stage",
                    "household_type",
                    "adults",
                    "children_ages",
                    "japanese_level",
                    "languages",
                    "area",
                    "nearest_station",
                    "availability",
                    "hopes",
                    "interests",
                    "gender_preference",
                    "message",
                    "consented_at",
                ],
            )  # fmt: skip
        )
        for match in application.matches.all():
            pair = section(_("OFP pair"), match, ["status", "proposed_at", "starts_on", "ends_on", "closed_at"])
            pair["rows"].insert(0, ("volunteer", str(_("Volunteer")), match.volunteer.user.get_short_name()))
            sections.append(pair)
            for survey in match.surveys.all():
                if survey.respondent == Match.Side.RESIDENT:
                    sections.append(section(_("Your answers"), survey, ["submitted_at", "satisfaction", "comment"]))
            for check_in in match.resident_check_ins.all():
                sections.append(
                    section(_("Your monthly check-in"), check_in, ["created_at", "month", "feeling", "need"])
                )
    return sections


def erase(resident) -> None:
    """End what is under way (a waiting application is withdrawn, an active pair closed), then erase it all."""
    for application in resident.ofp_applications.all():
        services.withdraw_application(application=application)
    # A lead's pair closes with its team.
    for match in Match.objects.filter(application__resident=resident, status=Match.Status.ACTIVE, lead=None):
        services.close_pair(match=match, reason=Match.EndReason.OTHER)
    anonymise(resident.ofp_applications.filter(anonymised_at=None))


def volunteer_collect(profile) -> list[dict]:
    """Their pairs (the resident's given name only) and the check-ins they wrote."""
    sections = []
    matches = Match.objects.filter(volunteer=profile).select_related("application__resident")
    for match in matches.prefetch_related("check_ins"):
        pair = section(_("OFP pair"), match, ["status", "proposed_at", "starts_on", "ends_on", "closed_at"])
        sections.append(pair)
        for check_in in match.check_ins.all():
            fields = ["month", "met", "how", "mood", "minutes_spent", "note", "concern"]
            sections.append(section(_("Check-in"), check_in, fields))
    return sections


# The retention table's rows for this program (jii/privacy.py runs them).
RETENTION = [
    RecordKind("ofp.never_paired", _("An OFP application that did not lead to a pair"), 1,
               _("after it was withdrawn"), never_paired, anonymise),
    RecordKind("ofp.closed_pair", _("An OFP application and its pair, with check-ins and surveys"), 1,
               _("after the pair ended"), closed_pairs, anonymise),
]  # fmt: skip


def register() -> None:
    register_program(
        "ofp",
        _("Otonari-san Family Friend Program (OFP)"),
        consent=CONSENT_TEXT,
        kinds=RETENTION,
        collect=collect,
        erase=erase,
        holding=lambda: Application.objects.filter(anonymised_at=None).values("resident_id"),
        volunteer_collect=volunteer_collect,
    )
