"""Hanamaru's sections on the guardian's status page and the volunteer's page (see jii/sections.py)."""

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hanamaru.calendar import tutor_calendar_token
from hanamaru.forms import ConsentAgainForm
from hanamaru.models import ConsentText, Enrolment, Session
from hanamaru.selectors import sessions_needing_tutors, tutor_sessions


def status_context(request, resident):
    upcoming = Session.objects.upcoming().filter(klass=OuterRef("klass"))
    enrolments = list(
        Enrolment.objects.filter(child__guardian=resident)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .select_related("child", "klass")
        .annotate(next_start=Subquery(upcoming.values("starts_at")[:1]))
        .order_by("child__first_name", "created_at")
    )
    if not enrolments:
        return None
    consent = ConsentText.objects.latest()
    return {
        "enrolments": enrolments,
        "token": request.resolver_match.kwargs["token"],
        "consent": consent,
        "consent_outdated": any(enrolment.consent_id != consent.pk for enrolment in enrolments),
        "consent_form": ConsentAgainForm(),
    }


def volunteer_context(request, profile):
    mine = list(tutor_sessions(profile))
    mine_ids = {session.pk for session in mine}
    wanted = [session for session in sessions_needing_tutors(limit=10) if session.pk not in mine_ids][:5]
    return {"my_sessions": mine, "wanted_sessions": wanted, "calendar_token": tutor_calendar_token(profile)}


def public_figures():
    """For the campaign page: Hanamaru sessions held this year."""
    this_year = timezone.localdate().replace(month=1, day=1)
    held = Session.objects.filter(
        status=Session.Status.SCHEDULED, attendance_recorded_at__isnull=False, starts_at__date__gte=this_year
    ).count()
    return [(_("Hanamaru class sessions held this year"), held)]
