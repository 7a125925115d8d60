"""The queries Hanamaru's pages share, each a fixed number of SQL statements whatever the data size."""

from collections.abc import Iterable
from datetime import date, timedelta

from django.db.models import Count, DurationField, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.fields.json import KT
from django.utils import timezone

from hanamaru.models import Absence, Child, Class, Enrolment, Session, TutorSignup
from jii.hours import month_of, period_filter
from jii.models import VolunteerProfile


def classes_with_places() -> QuerySet[Class]:
    """Open classes with their places left (`places_left`) and next session start (`next_start`)."""
    upcoming = Session.objects.upcoming().filter(klass=OuterRef("pk"))
    return (
        Class.objects.filter(is_open=True)
        .select_related("area")
        .annotate(
            held=Count("enrolments", filter=Q(enrolments__status__in=Enrolment.HOLDING_PLACE)),
            places_left=F("capacity") - F("held"),
            next_start=Subquery(upcoming.values("starts_at")[:1]),
        )
        .order_by("next_start", KT("name__ja"))
    )


def sessions_needing_tutors(limit: int = 20) -> QuerySet[Session]:
    """Upcoming sessions of open classes that still need tutors, soonest first."""
    return (
        Session.objects.upcoming()
        .filter(klass__is_open=True)
        .select_related("klass")
        .annotate(tutors=Count("signups", filter=Q(signups__withdrawn_at__isnull=True)))
        .filter(tutors__lt=F("klass__tutors_needed"))[:limit]
    )


def tutor_sessions(profile: VolunteerProfile, limit: int = 8) -> QuerySet[Session]:
    """A volunteer's next sessions, each with the first names and levels of the class's enrolled children: all
    a tutor may know of them. (The rest are in the tutor's calendar file.)"""
    signups = TutorSignup.objects.filter(volunteer=profile, withdrawn_at__isnull=True)
    sessions = Session.objects.upcoming().filter(signups__in=signups)
    enrolled = (
        Enrolment.objects.filter(status=Enrolment.Status.ENROLLED)
        .select_related("child")
        .only("klass", "child", "child__first_name", "child__japanese_level")
        .order_by("child__first_name")
    )
    return (
        sessions.select_related("klass")
        .prefetch_related(
            Prefetch("klass__enrolments", queryset=enrolled, to_attr="enrolled"),
            Prefetch("absences", queryset=Absence.objects.only("session", "child"), to_attr="reported_absences"),
        )
        .order_by("starts_at")
        .distinct()[:limit]
    )


def children_of_session(session: Session) -> QuerySet[Child]:
    """The children who had a place in the class when the session took place (withdrawn later counts too)."""
    had_place = Q(enrolments__enrolled_at__lte=session.starts_at) & (
        Q(enrolments__status=Enrolment.Status.ENROLLED)
        | Q(enrolments__status=Enrolment.Status.WITHDRAWN, enrolments__withdrawn_at__gt=session.starts_at)
    )
    return Child.objects.filter(had_place, enrolments__klass_id=session.klass_id).distinct()


# --- groups a coordinator can write to (jii/audiences.py) ------------------------------------------------------

# Sessions offered as a group: those of the coming weeks (the class's group covers the rest of a term).
SESSIONS_OFFERED_AHEAD = timedelta(weeks=4)


def class_choices() -> list[tuple[str, str]]:
    """The classes with a session to come, whose tutors can be written to."""
    upcoming = Session.objects.upcoming().filter(klass=OuterRef("pk"))
    return [(str(klass.pk), str(klass)) for klass in Class.objects.filter(Exists(upcoming))]


def class_tutors(value: str) -> QuerySet[VolunteerProfile]:
    """Volunteers signed up (and not withdrawn) to any session of the class still to come."""
    signed_up = TutorSignup.objects.filter(
        session__in=Session.objects.upcoming().filter(klass_id=value), withdrawn_at__isnull=True
    )
    return VolunteerProfile.objects.filter(pk__in=signed_up.values("volunteer"))


def session_choices() -> list[tuple[str, str]]:
    until = timezone.now() + SESSIONS_OFFERED_AHEAD
    sessions = Session.objects.upcoming().filter(starts_at__lte=until).select_related("klass")
    return [(str(session.pk), str(session)) for session in sessions]


def session_tutors(value: str) -> QuerySet[VolunteerProfile]:
    signed_up = TutorSignup.objects.filter(session_id=value, withdrawn_at__isnull=True)
    return VolunteerProfile.objects.filter(pk__in=signed_up.values("volunteer"))


def hours_given(volunteer_ids: Iterable[int] | None, start: date, end: date) -> list[tuple[int, date, int]]:
    """Each tutor's minutes per month (jii/hours.py): a session's length where attendance was recorded and the
    tutor marked present, by the session's month."""
    signups = TutorSignup.objects.filter(
        period_filter("session__starts_at", start, end),
        session__attendance_recorded_at__isnull=False,
        attended=True,
        withdrawn_at__isnull=True,
    )
    if volunteer_ids is not None:
        signups = signups.filter(volunteer_id__in=volunteer_ids)
    rows = (
        signups.annotate(in_month=month_of("session__starts_at"))
        .values_list("volunteer_id", "in_month")
        .annotate(length=Sum(F("session__ends_at") - F("session__starts_at"), output_field=DurationField()))
        .order_by()
    )
    return [(volunteer_id, month, round(length.total_seconds() / 60)) for volunteer_id, month, length in rows]
