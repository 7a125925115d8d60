"""OFP's sections on the resident's status page and the volunteer's page (see jii/sections.py)."""

from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils import timezone

from matching.follow_ups import resident_check_in_open
from matching.forms import ResidentCheckInForm, ResponseForm
from matching.models import Application, Extension, Match, Survey


def surveys_due(match: Match, respondent: str) -> list[str]:
    """Surveys open for this pair that this side has not answered yet (uses prefetched rows)."""
    sent = match.open_surveys(timezone.localdate())
    answered = {s.kind for s in match.surveys.all() if s.respondent == respondent}
    return [Survey.Kind(kind) for kind in Survey.Kind.values if kind in sent - answered]


def resident_check_in_due(match: Match) -> int | None:
    """The month whose check-in the resident may answer now, if not answered yet (uses prefetched rows)."""
    today = timezone.localdate()
    if match.status != Match.Status.ACTIVE:
        return None
    month = match.month_on(today)
    answered = {check_in.month for check_in in match.resident_check_ins.all()}
    return month if resident_check_in_open(match, today, month) and month not in answered else None


def with_open_extension(matches):
    """Each pair with `extension_open`: whether a request to continue waits for a coordinator (no extra query)."""
    return matches.annotate(
        extension_open=Exists(Extension.objects.filter(match=OuterRef("pk"), status=Extension.Status.OPEN))
    )


def matches_prefetch(queryset=None):
    matches = (queryset or Match.objects.all()).select_related(
        "volunteer__user", "volunteer__area", "application__area"
    )
    matches = with_open_extension(matches.prefetch_related("surveys", "resident_check_ins"))
    return Prefetch("matches", queryset=matches.order_by("-proposed_at"))


def status_context(request, resident):
    applications = list(
        Application.objects.filter(resident=resident).select_related("area").prefetch_related(matches_prefetch())
    )
    if not applications:
        return None
    for application in applications:
        # The latest lead's match is the pair; its running supporters are the team (all from the one prefetch).
        matches = application.matches.all()
        application.current = next((match for match in matches if not match.is_supporting), None)
        if application.current:
            team = [match for match in matches if match.lead_id == application.current.pk and match.status == "active"]
            application.current.team = team[::-1]  # in the order they joined
            application.current.surveys_due = surveys_due(application.current, Match.Side.RESIDENT)
            # One form per proposal, with its own field ids.
            application.current.form = ResponseForm(prefix=f"match-{application.current.pk}")
            application.current.check_in_month = resident_check_in_due(application.current)
            application.current.check_in_form = ResidentCheckInForm(prefix=f"check-in-{application.current.pk}")
    return {"applications": applications, "token": request.resolver_match.kwargs["token"]}


RECENTLY_CLOSED_DAYS = 60  # a closed pair stays on the volunteer's page this long, for its closing survey


def volunteer_context(request, profile):
    recently = timezone.now() - timedelta(days=RECENTLY_CLOSED_DAYS)
    matches = list(
        with_open_extension(Match.objects.filter(volunteer=profile))
        .filter(
            Q(status__in=[Match.Status.PROPOSED, Match.Status.ACTIVE])
            | Q(status__in=[Match.Status.COMPLETED, Match.Status.ENDED_EARLY], closed_at__gte=recently)
        )
        .select_related("application__resident", "application__area", "lead__volunteer__user")
        .prefetch_related("application__languages", "check_ins", "surveys")
        .order_by("proposed_at")
    )
    for match in matches:
        match.surveys_due = surveys_due(match, Match.Side.VOLUNTEER)
        match.form = ResponseForm(prefix=f"match-{match.pk}")
    return {"matches": matches} if matches else None


def desk_context(request) -> dict | None:
    """Today's desk, for OFP coordinators: pairs flagged for a coordinator (a volunteer's concern, a resident's
    worried check-in) and requests to continue waiting for a decision (one query)."""
    if not request.user.has_perm("matching.view_match"):
        return None
    counts = Match.objects.filter(status=Match.Status.ACTIVE).aggregate(
        flagged=Count("pk", filter=Q(needs_attention=True), distinct=True),
        extensions=Count("extensions", filter=Q(extensions__status=Extension.Status.OPEN), distinct=True),
    )
    links = {
        "flagged_url": reverse("admin:matching_match_changelist") + "?needs_attention__exact=1&status__exact=active",
        "extensions_url": reverse("admin:matching_extension_changelist") + f"?status__exact={Extension.Status.OPEN}",
    }
    return {**counts, **links} if any(counts.values()) else None


def public_figures():
    """For the campaign page: pairs running now, and pairs that completed six months this year."""
    from django.utils.translation import gettext_lazy as _

    this_year = timezone.localdate().replace(month=1, day=1)
    counts = Match.objects.filter(lead=None).aggregate(  # a team is one pair
        active=Count("id", filter=Q(status=Match.Status.ACTIVE)),
        completed=Count("id", filter=Q(status=Match.Status.COMPLETED, closed_at__date__gte=this_year)),
    )
    return [
        (_("OFP pairs meeting now"), counts["active"]),
        (_("OFP pairs that completed six months this year"), counts["completed"]),
    ]
