"""Every state change of the Hanamaru classes, one transaction each. A class's row is locked while its places
are counted, so enrolments arriving together never put more children in than it has places; a session's row is
locked the same way for its tutors. The messages a change causes are written to the outbox in its transaction
(hanamaru/messages.py builds them)."""

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hanamaru.models import Absence, Attendance, Child, Class, ConsentText, Enrolment, Session, TutorSignup
from hanamaru.selectors import children_of_session
from jii import audit, outbox, readiness
from jii.models import Language, PrivacyNotice, Resident, User, VolunteerProfile
from jii.services import find_or_create_resident

WITHDRAW_UNTIL = timedelta(hours=24)
SHORTAGE_ALERT_BEFORE = timedelta(days=2)
OFFER_REMINDER_BEFORE = timedelta(days=1)


class HanamaruError(Exception):
    """A step the current state does not allow; the message is for the person who tried."""


# --- terms and sessions ---------------------------------------------------------------------------------


def term_dates(first_day: date, weeks: int, skip: set[date]) -> list[date]:
    """The same weekday as the first day, for `weeks` weeks, without the given holidays."""
    days = (first_day + timedelta(weeks=week) for week in range(weeks))
    return [day for day in days if day not in skip]


@transaction.atomic
def create_term(
    *, klass: Class, first_day: date, starts: time, ends: time, weeks: int, skip: Iterable[date] = ()
) -> list[Session]:
    """A term of weekly sessions in Tokyo time. Sessions that already exist (same class and start) are kept,
    so running it twice does not double the term."""
    created = []
    for day in term_dates(first_day, weeks, set(skip)):
        session, new = Session.objects.get_or_create(
            klass=klass,
            starts_at=timezone.make_aware(datetime.combine(day, starts)),
            defaults={"ends_at": timezone.make_aware(datetime.combine(day, ends))},
        )
        if new:
            created.append(session)
    return created


@transaction.atomic
def cancel_session(*, session: Session, reason: str) -> bool:
    """Cancel one session; its tutors and the guardians of its children are told. False if already cancelled."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.status == Session.Status.CANCELLED:
        return False
    if session.starts_at <= timezone.now():
        raise HanamaruError(_("A session that has started cannot be cancelled."))
    session.status = Session.Status.CANCELLED
    session.cancel_reason = reason
    session.changes += 1
    session.save(update_fields=["status", "cancel_reason", "changes"])
    tell_everyone_of_change(session)
    return True


@transaction.atomic
def move_session(*, session: Session, starts_at: datetime, ends_at: datetime) -> Session:
    """Move one session; everyone affected is told the new time. Tutors stay signed up."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    if (session.starts_at, session.ends_at) == (starts_at, ends_at):
        return session
    check_move(session, starts_at, ends_at)
    session.starts_at, session.ends_at = starts_at, ends_at
    session.changes += 1
    session.save(update_fields=["starts_at", "ends_at", "changes"])
    tell_everyone_of_change(session)
    return session


def check_move(session: Session, starts_at: datetime, ends_at: datetime) -> None:
    """Why a session cannot move to these times, if it cannot (the admin form shows the same message)."""
    now = timezone.now()
    if session.status == Session.Status.CANCELLED:
        raise HanamaruError(_("A cancelled session cannot be moved."))
    if session.starts_at <= now:
        raise HanamaruError(_("A session that has started cannot be moved."))
    if starts_at <= now:
        raise HanamaruError(_("Please choose a time in the future."))
    if ends_at <= starts_at:
        raise HanamaruError(_("The session must end after it starts."))
    if Session.objects.filter(klass_id=session.klass_id, starts_at=starts_at).exclude(pk=session.pk).exists():
        raise HanamaruError(_("The class already has a session at that time."))


# --- enrolment ------------------------------------------------------------------------------------------


class ConsentChanged(HanamaruError):
    """The consent text changed after the guardian read it: they must read the new one."""


def current_consent(version_read: int | None) -> ConsentText:
    consent = ConsentText.objects.latest()
    if consent.version != version_read:
        raise ConsentChanged(_("The text about your information has just been updated: please read it and agree."))
    return consent


@transaction.atomic
def enrol(
    *,
    email: str,
    language: str,
    resident_details: dict,
    languages: list[Language],
    klass: Class,
    children: list,
    consent_version: int | None,
) -> list[Enrolment]:
    """A guardian enrols one or more children: each gets a place while the class has one, else a place on its
    waiting list. `children` are dicts of Child fields plus `home_languages`. Sending the same form again finds
    the same children and their enrolments instead of taking more places."""
    consent = current_consent(consent_version)
    guardian = find_or_create_resident(email=email, language=language, languages=languages, **resident_details)
    klass = Class.objects.select_for_update().get(pk=klass.pk)
    if not klass.is_open:
        raise HanamaruError(_("This class is not taking enrolments at the moment."))
    places_taken = places_held(klass)
    now, privacy_notice = timezone.now(), PrivacyNotice.objects.current()
    enrolments, new = [], []
    for details in children:
        details = dict(details)
        home_languages = details.pop("home_languages")
        child = Child.objects.filter(
            guardian=guardian, first_name__iexact=details["first_name"], family_name__iexact=details["family_name"]
        ).first() or Child.objects.create(guardian=guardian, **details)
        child.home_languages.add(*home_languages)
        existing = child.enrolments.filter(klass=klass, status__in=Enrolment.ACTIVE).first()
        if existing:
            enrolments.append(existing)
            continue
        has_place = places_taken < klass.capacity
        places_taken += has_place
        enrolment = Enrolment.objects.create(
            child=child,
            klass=klass,
            status=Enrolment.Status.ENROLLED if has_place else Enrolment.Status.WAITING,
            enrolled_at=now if has_place else None,
            consent=consent,
            consented_at=now,
            privacy_notice=privacy_notice,
        )
        enrolments.append(enrolment)
        new.append(enrolment.pk)
    if new:
        once = ",".join(str(pk) for pk in new)
        outbox.queue("hanamaru_enrolment_received", once=once, to=guardian, enrolments=new)
    return enrolments


@transaction.atomic
def withdraw(*, enrolment: Enrolment) -> Enrolment | None:
    """Take a child off a class (or its waiting list, or decline an offer). A freed place is offered to the first
    child waiting, whose guardian is told. Returns the enrolment offered the place, if any."""
    klass = Class.objects.select_for_update().get(pk=enrolment.klass_id)
    enrolment = Enrolment.objects.get(pk=enrolment.pk)
    if enrolment.status not in Enrolment.ACTIVE:
        return None
    freed = enrolment.status in Enrolment.HOLDING_PLACE
    enrolment.status = Enrolment.Status.WITHDRAWN
    enrolment.withdrawn_at = timezone.now()
    enrolment.save(update_fields=["status", "withdrawn_at"])
    return fill_places(klass) if freed else None


def places_held(klass: Class) -> int:
    """Places taken by enrolled children and held by open offers."""
    return klass.enrolments.filter(status__in=Enrolment.HOLDING_PLACE).count()


def fill_places(klass: Class) -> Enrolment | None:
    """Offer the free places to the waiting list in order (call with the class row locked). A place already
    offered is held by its offer, so it is never offered twice. Returns the first enrolment offered a place."""
    free = max(klass.capacity - places_held(klass), 0)
    waiting = klass.enrolments.filter(status=Enrolment.Status.WAITING).select_related("child__guardian")
    offered = None
    for enrolment in waiting.order_by("created_at", "pk")[:free]:
        enrolment.status = Enrolment.Status.OFFERED
        enrolment.offered_until = timezone.now() + timedelta(days=settings.HANAMARU_OFFER_DAYS)
        enrolment.save(update_fields=["status", "offered_until"])
        outbox.queue("hanamaru_place_offered", once=enrolment.pk, to=enrolment.child.guardian, enrolment=enrolment.pk)
        offered = offered or enrolment
    return offered


def open_offer(enrolment: Enrolment) -> tuple[Class, Enrolment]:
    """The class (locked) and the enrolment, while its offer is open; the class row is the lock that an answer,
    the expiry job and other offers of the class take, so only one of them decides at a time."""
    klass = Class.objects.select_for_update().get(pk=enrolment.klass_id)
    enrolment = Enrolment.objects.get(pk=enrolment.pk)
    if enrolment.status != Enrolment.Status.OFFERED or enrolment.offered_until <= timezone.now():
        raise HanamaruError(_("This offer of a place is no longer open."))
    return klass, enrolment


@transaction.atomic
def accept_offer(*, enrolment: Enrolment) -> Enrolment:
    """The guardian takes the offered place (before its deadline)."""
    _klass, enrolment = open_offer(enrolment)
    enrolment.status = Enrolment.Status.ENROLLED
    enrolment.enrolled_at = timezone.now()
    enrolment.save(update_fields=["status", "enrolled_at"])
    return enrolment


@transaction.atomic
def decline_offer(*, enrolment: Enrolment) -> Enrolment | None:
    """The guardian does not want the place: it is offered to the next child. Returns that child's enrolment."""
    klass, enrolment = open_offer(enrolment)
    enrolment.status = Enrolment.Status.DECLINED
    enrolment.withdrawn_at = timezone.now()
    enrolment.save(update_fields=["status", "withdrawn_at"])
    return fill_places(klass)


@transaction.atomic
def expire_offers(now: datetime) -> int:
    """Offers past their deadline: the guardian is told, and the place is offered to the next child waiting."""
    overdue = Enrolment.objects.filter(status=Enrolment.Status.OFFERED, offered_until__lte=now)
    class_ids = sorted(set(overdue.values_list("klass_id", flat=True)))
    expired = 0
    for klass in Class.objects.select_for_update().filter(pk__in=class_ids).order_by("pk"):
        # Read again under the lock: an answer that came first has its way.
        late = klass.enrolments.filter(status=Enrolment.Status.OFFERED, offered_until__lte=now)
        for enrolment in late.select_related("child__guardian"):
            enrolment.status = Enrolment.Status.EXPIRED
            enrolment.withdrawn_at = now
            enrolment.save(update_fields=["status", "withdrawn_at"])
            outbox.queue("hanamaru_offer_expired", once=enrolment.pk, to=enrolment.child.guardian,
                         enrolment=enrolment.pk)  # fmt: skip
            expired += 1
        fill_places(klass)
    return expired


@transaction.atomic
def remind_of_offers(now: datetime) -> int:
    """An offer's last day: its guardian is reminded once."""
    due = Enrolment.objects.filter(
        status=Enrolment.Status.OFFERED, offered_until__gt=now, offered_until__lte=now + OFFER_REMINDER_BEFORE
    ).select_related("child__guardian")
    for enrolment in due:
        outbox.queue("hanamaru_offer_reminder", once=enrolment.pk, to=enrolment.child.guardian,
                     enrolment=enrolment.pk)  # fmt: skip
    return len(due)


@transaction.atomic
def change_capacity(*, klass: Class, capacity: int) -> Class:
    """More places (or fewer) for a class: new places go to the waiting list at once."""
    klass = Class.objects.select_for_update().get(pk=klass.pk)
    klass.capacity = capacity
    klass.save(update_fields=["capacity"])
    fill_places(klass)
    return klass


@transaction.atomic
def renew_consent(*, guardian: Resident, consent_version: int | None) -> int:
    """The guardian agrees to the current consent text (the version they read) for all their children."""
    consent = current_consent(consent_version)
    return audit.update(
        Enrolment.objects.filter(child__guardian=guardian, status__in=Enrolment.ACTIVE),
        consent=consent,
        consented_at=timezone.now(),
        privacy_notice=PrivacyNotice.objects.current(),
    )


@transaction.atomic
def publish_consent(*, text: dict[str, str]) -> ConsentText:
    """A new version of the consent text; every guardian with a child in a class is asked to agree again."""
    latest = ConsentText.objects.select_for_update().order_by("-version").first()
    consent = ConsentText.objects.create(version=(latest.version + 1) if latest else 1, text=text)
    guardians = Resident.objects.filter(children__enrolments__status__in=Enrolment.ACTIVE).distinct()
    for guardian in guardians.order_by("pk"):
        outbox.queue("hanamaru_consent_renewal", once=f"{consent.pk}:{guardian.pk}", to=guardian, consent=consent.pk)
    return consent


def people_of(session: Session) -> list[tuple[User | Resident, str]]:
    """The session's tutors (users) and the guardians of its enrolled children, each once, with which they are."""
    signups = session.signups.filter(withdrawn_at__isnull=True).select_related("volunteer__user")
    guardians = Resident.objects.filter(
        children__enrolments__klass_id=session.klass_id, children__enrolments__status=Enrolment.Status.ENROLLED
    ).distinct()
    return [(signup.volunteer.user, "user") for signup in signups] + [(guardian, "resident") for guardian in guardians]


def tell_everyone_of_change(session: Session) -> None:
    """The session's `changes`-th change (a move or the cancellation), to each tutor and guardian once."""
    for person, kind in people_of(session):
        once = f"{session.pk}:{session.changes}:{kind}:{person.pk}"
        outbox.queue("hanamaru_session_changed", once=once, to=person, session=session.pk, change=session.changes)


@transaction.atomic
def remind_of_tomorrow(today: date) -> int:
    """The day before a session: each tutor and guardian, once for this session at this time."""
    tomorrows = Session.objects.filter(status=Session.Status.SCHEDULED, starts_at__date=today + timedelta(days=1))
    for session in tomorrows:
        when = session.starts_at.isoformat()
        for person, kind in people_of(session):
            once = f"{session.pk}:{when}:{kind}:{person.pk}"
            outbox.queue("hanamaru_reminder", once=once, to=person, session=session.pk, starts_at=when)
    return len(tomorrows)


@transaction.atomic
def alert_tutor_shortages(now: datetime) -> int:
    """A session two days away with fewer tutors than the class needs: its coordinator hears, once per time."""
    short = (
        Session.objects.filter(status=Session.Status.SCHEDULED, starts_at__gt=now)
        .filter(starts_at__lte=now + SHORTAGE_ALERT_BEFORE)
        .annotate(tutors=Count("signups", filter=Q(signups__withdrawn_at__isnull=True)))
        .filter(tutors__lt=F("klass__tutors_needed"))
        .select_related("klass__coordinator")
    )
    for session in short:
        coordinator = session.klass.coordinator
        outbox.queue(
            "hanamaru_tutor_shortage",
            once=f"{session.pk}:{session.starts_at.isoformat()}",
            to=coordinator or settings.COORDINATOR_EMAIL,
            language="" if coordinator else settings.LANGUAGE_CODE,  # the coordinator's own, or the inbox's
            session=session.pk,
        )
    return len(short)


# --- tutors ---------------------------------------------------------------------------------------------


@transaction.atomic
def sign_up_tutor(*, session: Session, volunteer: VolunteerProfile) -> TutorSignup:
    try:
        readiness.check_ready(volunteer)
    except readiness.NotReady as not_ready:
        raise HanamaruError(str(not_ready)) from not_ready
    session = Session.objects.select_for_update().select_related("klass").get(pk=session.pk)
    if session.status != Session.Status.SCHEDULED or session.starts_at <= timezone.now() or not session.klass.is_open:
        raise HanamaruError(_("This session is no longer open for sign-up."))
    current = session.signups.filter(withdrawn_at__isnull=True)
    mine = current.filter(volunteer=volunteer).first()
    if mine:
        return mine
    if current.count() >= session.klass.tutors_needed:
        raise HanamaruError(_("This session has all the tutors it needs. Thank you for offering!"))
    return TutorSignup.objects.create(session=session, volunteer=volunteer)


@transaction.atomic
def release_volunteer(profile: VolunteerProfile, *, leaving: str = "") -> None:
    """The volunteer was suspended or left JII: they no longer tutor the sessions still to come (the daily
    shortage alert tells the class coordinator) (jii.readiness.register_release)."""
    upcoming = TutorSignup.objects.filter(volunteer=profile, withdrawn_at=None, session__starts_at__gt=timezone.now())
    audit.update(upcoming, withdrawn_at=timezone.now())


@transaction.atomic
def withdraw_tutor(*, session: Session, volunteer: VolunteerProfile) -> None:
    session = Session.objects.select_for_update().get(pk=session.pk)
    signup = session.signups.filter(volunteer=volunteer, withdrawn_at__isnull=True).first()
    if signup is None:
        raise HanamaruError(_("You are not signed up for this session."))
    if session.starts_at - timezone.now() < WITHDRAW_UNTIL:
        raise HanamaruError(
            _("It is less than 24 hours before the session: please tell the class coordinator instead.")
        )
    signup.withdrawn_at = timezone.now()
    signup.save(update_fields=["withdrawn_at"])


# --- absences -------------------------------------------------------------------------------------------


@transaction.atomic
def report_absence(*, enrolment: Enrolment, session: Session, reason: str = "") -> Absence:
    """A guardian tells that their enrolled child will miss an upcoming session of the class; its tutors see it.
    Telling again keeps one report, with the newer reason."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    reason = reason.strip()
    if len(reason) > Absence.REASON_LENGTH:
        limit = {"n": Absence.REASON_LENGTH}
        raise HanamaruError(_("Please keep the reason short (at most %(n)d characters).") % limit)
    enrolled = Enrolment.objects.filter(pk=enrolment.pk, status=Enrolment.Status.ENROLLED).first()
    if enrolled is None or session.klass_id != enrolled.klass_id:
        raise HanamaruError(_("Your child has no place in this class."))
    if session.status != Session.Status.SCHEDULED or session.starts_at <= timezone.now():
        raise HanamaruError(_("This session has already started or is cancelled."))
    absence, created = Absence.objects.get_or_create(
        session=session, child_id=enrolled.child_id, defaults={"reason": reason}
    )
    if not created and absence.reason != reason:
        absence.reason = reason
        absence.save(update_fields=["reason"])
    return absence


# --- attendance -----------------------------------------------------------------------------------------


@transaction.atomic
def record_attendance(
    *,
    session: Session,
    children_present: Iterable[Child],
    tutors_present: Iterable[VolunteerProfile],
    note: str,
    by: User,
) -> None:
    """Who came: one row per child who had a place at the time (present or not) and a mark on each tutor's sign-up.
    Recording again replaces the earlier record."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.status == Session.Status.CANCELLED:
        raise HanamaruError(_("A cancelled session has no attendance."))
    if session.starts_at > timezone.now():
        raise HanamaruError(_("Attendance is recorded once the session has started."))
    present = {child.pk for child in children_present}
    Attendance.objects.filter(session=session).delete()
    Attendance.objects.bulk_create(
        Attendance(session=session, child=child, present=child.pk in present) for child in children_of_session(session)
    )
    tutors = {tutor.pk for tutor in tutors_present}
    for signup in session.signups.filter(withdrawn_at__isnull=True):
        signup.attended = signup.volunteer_id in tutors
        signup.save(update_fields=["attended"])
    session.attendance_recorded_at = timezone.now()
    session.attendance_note = note
    session.save(update_fields=["attendance_recorded_at", "attendance_note"])
