"""Hanamaru emails and the daily job. Tasks take ids. Every email is recorded (hanamaru.Notification) in its own
transaction with its send, one per recipient: a repeated or redelivered task sends nothing twice, and when a send
fails, only that email is left unrecorded and the task is retried for it."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from jii.emails import send_localized_email
from jii.emails import send_once as once
from jii.status_links import status_url

SHORTAGE_ALERT_BEFORE = timedelta(days=2)


RETRY = {"autoretry_for": (Exception,), "retry_backoff": 60, "max_retries": 5}


def send_once(kind: str, key: str, send) -> None:
    from hanamaru.models import Notification

    once(Notification(kind=kind, key=key), send)


def site_url(name: str, language: str, *args) -> str:
    with translation.override(language):
        return settings.SITE_URL.rstrip("/") + reverse(name, args=args)


def to_guardian(template: str, guardian, **context) -> None:
    context = {"name": guardian.name, "status_url": status_url(guardian), **context}
    send_localized_email(template, to=guardian.email, language=guardian.language, context=context)


def to_tutor(template: str, user, **context) -> None:
    context = {"name": user.name, "page_url": site_url("volunteer_dashboard", user.language), **context}
    send_localized_email(template, to=user.email, language=user.language, context=context)


def next_session(klass):
    return klass.sessions.upcoming().first()


@shared_task(**RETRY)
def send_enrolment_received(enrolment_ids: list[int]) -> None:
    from hanamaru.models import Enrolment

    enrolments = list(
        Enrolment.objects.filter(pk__in=enrolment_ids).select_related("child__guardian", "klass").order_by("pk")
    )
    if enrolments:
        klass, guardian = enrolments[0].klass, enrolments[0].child.guardian
        send_once(
            "received",
            ",".join(str(enrolment.pk) for enrolment in enrolments),
            lambda: to_guardian(
                "hanamaru_enrolment_received", guardian, enrolments=enrolments, klass=klass, session=next_session(klass)
            ),
        )


@shared_task(**RETRY)
def send_place_offered(enrolment_id: int) -> None:
    from hanamaru.models import Enrolment

    enrolment = Enrolment.objects.select_related("child__guardian", "klass").filter(pk=enrolment_id).first()
    if enrolment and enrolment.status == Enrolment.Status.ENROLLED:
        send_once(
            "place",
            str(enrolment_id),
            lambda: to_guardian(
                "hanamaru_place_offered",
                enrolment.child.guardian,
                child=enrolment.child,
                klass=enrolment.klass,
                session=next_session(enrolment.klass),
            ),
        )


def people_of(session):
    """The session's tutors (users) and the guardians of its enrolled children, each once."""
    from hanamaru.models import Enrolment
    from jii.models import Resident

    signups = session.signups.filter(withdrawn_at__isnull=True).select_related("volunteer__user")
    guardians = Resident.objects.filter(
        children__enrolments__klass_id=session.klass_id, children__enrolments__status=Enrolment.Status.ENROLLED
    ).distinct()
    return [signup.volunteer.user for signup in signups], list(guardians)


@shared_task(**RETRY)
def send_session_changed(session_id: int, change: int) -> None:
    """Tell everyone of a session's `change`-th change (a move or the cancellation), each person once."""
    from hanamaru.models import Session

    session = Session.objects.select_related("klass").filter(pk=session_id).first()
    if session is None or session.changes != change:
        return  # changed again since: that newer change is told instead
    what = "cancelled" if session.status == Session.Status.CANCELLED else "moved"
    tutors, guardians = people_of(session)
    for user in tutors:
        send_once(
            "changed",
            f"{session.pk}:{change}:user:{user.pk}",
            lambda user=user: to_tutor("hanamaru_session_changed", user, session=session, change=what),
        )
    for guardian in guardians:
        send_once(
            "changed",
            f"{session.pk}:{change}:resident:{guardian.pk}",
            lambda guardian=guardian: to_guardian("hanamaru_session_changed", guardian, session=session, change=what),
        )


@shared_task(**RETRY)
def send_reminders(session_id: int) -> None:
    """The day before: each tutor and each guardian once for this session at this time."""
    from hanamaru.models import Session

    session = Session.objects.select_related("klass").filter(pk=session_id).first()
    if session is None or session.status != Session.Status.SCHEDULED:
        return
    tutors, guardians = people_of(session)
    when = session.starts_at.isoformat()
    for user in tutors:
        send_once(
            "reminder",
            f"{session.pk}:{when}:user:{user.pk}",
            lambda user=user: to_tutor("hanamaru_reminder", user, session=session),
        )
    for guardian in guardians:
        send_once(
            "reminder",
            f"{session.pk}:{when}:resident:{guardian.pk}",
            lambda guardian=guardian: to_guardian("hanamaru_reminder", guardian, session=session),
        )


@shared_task(**RETRY)
def send_tutor_shortage(session_id: int) -> None:
    """To the class's coordinator (or JII's coordinators' address): this session is short of tutors."""
    from hanamaru.models import Session

    session = Session.objects.select_related("klass__coordinator").filter(pk=session_id).first()
    if session is None:
        return
    coordinator = session.klass.coordinator
    send_once(
        "shortage",
        f"{session.pk}:{session.starts_at.isoformat()}",
        lambda: send_localized_email(
            "hanamaru_tutor_shortage",
            to=coordinator.email if coordinator else settings.COORDINATOR_EMAIL,
            language=coordinator.language if coordinator else "ja",
            context={
                "session": session,
                "tutors": session.signups.filter(withdrawn_at__isnull=True).count(),
                "admin_url": settings.SITE_URL.rstrip("/")
                + reverse("admin:hanamaru_session_change", args=[session.pk]),
            },
        ),
    )


@shared_task
def ask_guardians_to_consent_again(consent_id: int) -> int:
    """After a new consent text: one email per guardian with a child in a class or on a waiting list."""
    from hanamaru.models import Enrolment

    guardian_ids = set(
        Enrolment.objects.filter(status__in=Enrolment.ACTIVE)
        .exclude(consent_id=consent_id)
        .values_list("child__guardian_id", flat=True)
    )
    for guardian_id in sorted(guardian_ids):
        send_consent_request.delay(guardian_id, consent_id)
    return len(guardian_ids)


@shared_task(**RETRY)
def send_consent_request(guardian_id: int, consent_id: int) -> None:
    from jii.models import Resident

    guardian = Resident.objects.filter(pk=guardian_id).first()
    if guardian:
        send_once("consent", f"{consent_id}:{guardian_id}", lambda: to_guardian("hanamaru_consent_renewal", guardian))


@shared_task
def run_daily_hanamaru_jobs() -> dict:
    """Every few hours (Celery beat): remind tutors and guardians of tomorrow's sessions, and alert the
    coordinator of a session two days away that is short of tutors. The send tasks record what they sent."""
    from django.db.models import Count, F, Q

    from hanamaru.models import Session

    now = timezone.now()
    tomorrow = timezone.localdate() + timedelta(days=1)
    scheduled = Session.objects.filter(status=Session.Status.SCHEDULED)
    due = list(scheduled.filter(starts_at__date=tomorrow).values_list("pk", flat=True))
    for session_id in due:
        send_reminders.delay(session_id)
    short = list(
        scheduled.filter(starts_at__gt=now, starts_at__lte=now + SHORTAGE_ALERT_BEFORE)
        .annotate(tutors=Count("signups", filter=Q(signups__withdrawn_at__isnull=True)))
        .filter(tutors__lt=F("klass__tutors_needed"))
        .values_list("pk", flat=True)
    )
    for session_id in short:
        send_tutor_shortage.delay(session_id)
    return {"reminded": len(due), "short_of_tutors": len(short)}
