"""Hanamaru's sections on the guardian's status page and the volunteer's page (see jii/sections.py)."""

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hanamaru.calendar import tutor_calendar_token
from hanamaru.forms import ConsentAgainForm
from hanamaru.models import Absence, ConsentText, Enrolment, Session
from hanamaru.selectors import sessions_needing_tutors, tutor_sessions

COMING_SESSIONS = 6  # the sessions a guardian can report an absence for


def status_context(request, resident):
    upcoming = Session.objects.upcoming().filter(klass=OuterRef("klass"))
    # Counts the children waiting for the same class up to this one, in the waiting list's order.
    ahead = (
        Enrolment.objects.filter(klass=OuterRef("klass"), status=Enrolment.Status.WAITING)
        .filter(Q(created_at__lt=OuterRef("created_at")) | Q(created_at=OuterRef("created_at"), pk__lte=OuterRef("pk")))
        .order_by()
        .values("klass")
        .annotate(n=Count("pk"))
        .values("n")
    )
    absences = Absence.objects.filter(session__starts_at__gt=timezone.now()).only("session", "child")
    enrolments = list(
        Enrolment.objects.filter(child__guardian=resident, status__in=Enrolment.ACTIVE)
        .select_related("child", "klass")
        .annotate(next_start=Subquery(upcoming.values("starts_at")[:1]), position=Subquery(ahead))
        .prefetch_related(
            Prefetch("klass__sessions", queryset=Session.objects.upcoming()[:COMING_SESSIONS], to_attr="coming"),
            Prefetch("child__absences", queryset=absences, to_attr="absences_coming"),
        )
        .order_by("child__first_name", "created_at")
    )
    if not enrolments:
        return None
    for enrolment in enrolments:
        absent = {absence.session_id for absence in enrolment.child.absences_coming}
        enrolment.absent_sessions = [session for session in enrolment.klass.coming if session.pk in absent]
        enrolment.open_sessions = [session for session in enrolment.klass.coming if session.pk not in absent]
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
    for session in mine:
        session.absent_ids = {absence.child_id for absence in session.reported_absences}
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
