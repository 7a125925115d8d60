"""Hanamaru's messages: how each is built from its ids when its turn comes (see jii/outbox.py). A change told
after a newer one, or a reminder for a time that has moved, is not sent."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from hanamaru.models import ConsentText, Enrolment, Session
from jii.outbox import Letter, builder


def site_url(name: str, language: str, *args) -> str:
    with translation.override(language):
        return settings.SITE_URL.rstrip("/") + reverse(name, args=args)


def for_reader(message, **context) -> Letter:
    """A tutor gets the link to their volunteer page (a guardian's status link comes with every message)."""
    if message.user_id:
        context["page_url"] = site_url("volunteer_dashboard", message.language)
    return Letter(context)


@builder("hanamaru_enrolment_received")
def enrolment_received(message):
    enrolments = list(
        Enrolment.objects.filter(pk__in=message.ids["enrolments"]).select_related("child", "klass").order_by("pk")
    )
    if not enrolments:
        return None
    klass = enrolments[0].klass
    return Letter({"enrolments": enrolments, "klass": klass, "session": klass.sessions.upcoming().first()})


@builder("hanamaru_place_offered", "hanamaru_offer_reminder")
def place_offered(message):
    """The offer of a place and the reminder of its last day, while it is open."""
    enrolment = Enrolment.objects.select_related("child", "klass").filter(pk=message.ids["enrolment"]).first()
    if enrolment is None or enrolment.status != Enrolment.Status.OFFERED:
        return None  # answered (or passed on) since
    klass = enrolment.klass
    return Letter({"child": enrolment.child, "klass": klass, "session": klass.sessions.upcoming().first(),
                   "offered_until": enrolment.offered_until})  # fmt: skip


@builder("hanamaru_offer_expired")
def offer_expired(message):
    enrolment = Enrolment.objects.select_related("child", "klass").filter(pk=message.ids["enrolment"]).first()
    if enrolment is None or enrolment.status != Enrolment.Status.EXPIRED:
        return None
    enrol_url = site_url("hanamaru:enroll", message.language) + f"?class={enrolment.klass_id}"
    return Letter({"child": enrolment.child, "klass": enrolment.klass, "offered_until": enrolment.offered_until,
                   "enrol_url": enrol_url})  # fmt: skip


@builder("hanamaru_session_changed")
def session_changed(message):
    session = Session.objects.select_related("klass").filter(pk=message.ids["session"]).first()
    if session is None or session.changes != message.ids["change"]:
        return None  # changed again since: that newer change is told instead
    change = "cancelled" if session.status == Session.Status.CANCELLED else "moved"
    return for_reader(message, session=session, change=change)


@builder("hanamaru_reminder")
def reminder(message):
    session = Session.objects.select_related("klass").filter(pk=message.ids["session"]).first()
    still = session is not None and session.status == Session.Status.SCHEDULED
    if not still or session.starts_at.isoformat() != message.ids["starts_at"]:
        return None  # cancelled or moved since: the new time gets its own reminder
    return for_reader(message, session=session)


@builder("hanamaru_tutor_shortage")
def tutor_shortage(message):
    session = Session.objects.select_related("klass").filter(pk=message.ids["session"]).first()
    if session is None or session.status != Session.Status.SCHEDULED:
        return None
    tutors = session.signups.filter(withdrawn_at__isnull=True).count()
    if tutors >= session.klass.tutors_needed:
        return None  # enough tutors signed up in the meantime
    admin_url = settings.SITE_URL.rstrip("/") + reverse("admin:hanamaru_session_change", args=[session.pk])
    return Letter({"session": session, "tutors": tutors, "admin_url": admin_url})


@builder("hanamaru_consent_renewal")
def consent_renewal(message):
    """Only while the guardian has a child in a class (or waiting) who has not agreed to this text yet."""
    current = ConsentText.objects.filter(pk=message.ids["consent"]).first()
    if current is None:
        return None
    waiting = Enrolment.objects.filter(
        child__guardian_id=message.resident_id, status__in=Enrolment.ACTIVE, consent__version__lt=current.version
    )
    return Letter({}) if waiting.exists() else None  # their name and status link come with every message
