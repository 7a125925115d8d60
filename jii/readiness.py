"""Whether an approved volunteer may help today, and if not, why: every program asks here before offering a
volunteer as an OFP candidate, letting them accept a Spot request or sign up to tutor.

A volunteer is ready when they have not paused themselves, attended an orientation, hold the volunteer insurance
for the current insurance year (April to March, named by the year it starts in) and agreed to the confidentiality
pledge in force. Each missing step has a code, kept in the order a coordinator fixes them."""

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import Combinable
from django.utils import timezone
from django.utils.translation import pgettext_lazy

if TYPE_CHECKING:  # jii.models imports this module
    from jii.models import VolunteerProfile

MISSING = {
    "paused": pgettext_lazy("staff", "paused their volunteering"),
    "orientation": pgettext_lazy("staff", "no orientation yet"),
    "insurance": pgettext_lazy("staff", "no volunteer insurance for this year"),
    "pledge": pgettext_lazy("staff", "has not agreed to the current confidentiality pledge"),
}
# The same, told to the volunteer themselves.
MISSING_FOR_VOLUNTEER = {
    "paused": pgettext_lazy("volunteer", "You have paused your volunteering. Resume it on your page first."),
    "orientation": pgettext_lazy("volunteer", "You have not attended an orientation yet."),
    "insurance": pgettext_lazy(
        "volunteer", "JII has no volunteer insurance on record for you for this year (April to March)."
    ),
    "pledge": pgettext_lazy("volunteer", "You have not agreed to the current confidentiality pledge yet."),
}


def insurance_year(day: date) -> int:
    """The insurance year a day falls in: April 2026 to March 2027 is 2026."""
    return day.year if day.month >= 4 else day.year - 1


@dataclass
class Checks:
    annotations: dict  # one boolean per code, named is_<code>_ok
    all_met: Q


def flag(condition: Q | Combinable) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def readiness_checks(today: date | None = None) -> Checks:
    """The checks as annotations, subqueries all, so a list of volunteers is read with them in one query."""
    from jii.models import ConfidentialityPledge, Insurance, Orientation

    today = today or timezone.localdate()
    published = ConfidentialityPledge.objects.filter(published_at__lte=timezone.now())
    current_pledge = Subquery(published.order_by("-version").values("pk")[:1])
    annotations = {
        "is_paused_ok": flag(Q(paused_at__isnull=True)),
        "is_orientation_ok": Exists(Orientation.objects.filter(volunteer=OuterRef("pk"), attended_on__lte=today)),
        "is_insurance_ok": Exists(Insurance.objects.filter(volunteer=OuterRef("pk"), year=insurance_year(today))),
        # Before JII published a pledge there is nothing to agree to.
        "is_pledge_ok": flag(Q(pledge=current_pledge) | ~Exists(published)),
    }
    return Checks(annotations, Q(**dict.fromkeys(annotations, True)))


def insurance_ending(year: int) -> "QuerySet[VolunteerProfile]":
    """Volunteers insured for the insurance year `year` and not yet for the next (whom the March reminder is for)."""
    from jii.models import Insurance, VolunteerProfile

    insured = Insurance.objects.filter(volunteer=OuterRef("pk"))
    return VolunteerProfile.objects.filter(Exists(insured.filter(year=year)), ~Exists(insured.filter(year=year + 1)))


def with_readiness(volunteers: "QuerySet[VolunteerProfile]", today: date | None = None) -> "QuerySet[VolunteerProfile]":
    """The volunteers, each with its is_<code>_ok flags (read them with missing())."""
    return volunteers.annotate(**readiness_checks(today).annotations)


def missing(volunteer: "VolunteerProfile") -> list[str]:
    """The codes of what a volunteer annotated by with_readiness() lacks (empty when ready)."""
    return [code for code in MISSING if not getattr(volunteer, f"is_{code}_ok")]


def missing_for(volunteer: "VolunteerProfile", today: date | None = None) -> list[str]:
    """What this one volunteer lacks to help today (one query)."""
    from jii.models import VolunteerProfile

    return missing(with_readiness(VolunteerProfile.objects.filter(pk=volunteer.pk), today).get())


def told_to_volunteer(volunteer: "VolunteerProfile", leave_out: Collection[str] = frozenset()) -> list[str]:
    """What an approved volunteer still lacks, in words for them (the notice of jii/_volunteer_not_ready.html)."""
    if not volunteer.is_approved:
        return []
    return [str(MISSING_FOR_VOLUNTEER[code]) for code in missing_for(volunteer) if code not in leave_out]


def describe(codes: list[str]) -> str:
    return "; ".join(str(MISSING[code]) for code in codes)


class NotReady(Exception):
    """A volunteer tried to take on work before they may: the message tells them what is missing."""

    def __init__(self, codes: list[str]) -> None:
        self.codes = codes
        super().__init__(" ".join(str(MISSING_FOR_VOLUNTEER[code]) for code in codes))


def check_ready(volunteer: "VolunteerProfile") -> None:
    """Raise NotReady, telling the volunteer what is missing, unless they are approved and ready today. Call it in
    the transaction that takes on the work: it locks the volunteer's row, as a suspension does, so a suspension at
    the same moment either comes first (and is seen here) or finds the work to hand back."""
    from jii.models import VolunteerProfile

    locked = VolunteerProfile.objects.select_for_update(of=("self",)).filter(pk=volunteer.pk)
    row = with_readiness(locked).get()
    if not row.is_approved:
        raise PermissionDenied("only approved volunteers help")
    if codes := missing(row):
        raise NotReady(codes)


# --- when a volunteer stops helping: each program hands back their open work ----------------------------------

# release(profile, leaving=…)
Release = Callable[..., None]
RELEASES: list[Release] = []


def register_release(release: Release) -> None:
    """`release(profile, leaving=…)` ends the volunteer's open work in one program, in the caller's transaction:
    `leaving` is "" for a suspension (they may come back) or the reason they left JII ("moved", "stopped",
    "other")."""
    if release not in RELEASES:
        RELEASES.append(release)


def release_work(profile: "VolunteerProfile", *, leaving: str = "") -> None:
    for release in RELEASES:
        release(profile, leaving=leaving)
