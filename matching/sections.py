"""OFP's sections on the resident's status page and the volunteer's page (see jii/sections.py)."""

from django.db.models import Prefetch

from matching.forms import ResponseForm
from matching.models import Application, FollowUp, Match, Survey

SURVEY_FOLLOW_UPS = {
    FollowUp.Kind.MIDPOINT_SURVEY: Survey.Kind.MIDPOINT,
    FollowUp.Kind.CLOSING_SURVEY: Survey.Kind.CLOSING,
}


def surveys_due(match: Match, respondent: str) -> list[str]:
    """Surveys sent for this pair that this side has not answered yet (uses prefetched rows)."""
    sent = {SURVEY_FOLLOW_UPS[f.kind] for f in match.follow_ups.all() if f.kind in SURVEY_FOLLOW_UPS}
    answered = {s.kind for s in match.surveys.all() if s.respondent == respondent}
    return [Survey.Kind(kind) for kind in Survey.Kind.values if kind in sent - answered]


def matches_prefetch(queryset=None):
    matches = (queryset or Match.objects.all()).select_related(
        "volunteer__user", "volunteer__area", "application__area"
    )
    return Prefetch("matches", queryset=matches.prefetch_related("follow_ups", "surveys").order_by("-proposed_at"))


def status_context(request, resident):
    applications = list(
        Application.objects.filter(resident=resident).select_related("area").prefetch_related(matches_prefetch())
    )
    if not applications:
        return None
    for application in applications:
        application.current = next(iter(application.matches.all()), None)
        if application.current:
            application.current.surveys_due = surveys_due(application.current, Match.Side.RESIDENT)
    return {"applications": applications, "token": request.resolver_match.kwargs["token"], "form": ResponseForm()}


def volunteer_context(request, profile):
    matches = list(
        Match.objects.filter(volunteer=profile, status__in=[Match.Status.PROPOSED, Match.Status.ACTIVE])
        .select_related("application__resident", "application__area")
        .prefetch_related("application__languages", "check_ins", "follow_ups", "surveys")
        .order_by("proposed_at")
    )
    for match in matches:
        match.surveys_due = surveys_due(match, Match.Side.VOLUNTEER)
    return {"matches": matches, "form": ResponseForm()} if matches else None
