"""Every state change of a consultation, one transaction each, with its messages written to the outbox in it. An
expert or a room is never booked twice at the same time: on PostgreSQL the database refuses it (exclusion
constraints), whatever happens at once."""

from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from consultations import messages
from consultations.models import Appointment, AppointmentChange, CaseNote, Consultation, Expert, NoteRead, Room
from consultations.selectors import changes_made
from jii.models import Area, Language, PrivacyNotice, User
from jii.services import find_or_create_resident


class ConsultationError(Exception):
    """A step the case's current state does not allow; the message is for the person who tried."""


@transaction.atomic
def submit_request(
    *, email: str, language: str, resident_details: dict[str, Any], languages: list[Language], **details: Any
) -> Consultation:
    resident = find_or_create_resident(email=email, language=language, languages=languages, **resident_details)
    consultation = Consultation.objects.create(
        resident=resident, consented_at=timezone.now(), privacy_notice=PrivacyNotice.objects.current(), **details
    )
    consultation.languages.set(languages)
    messages.queue_received(consultation)
    return consultation


@transaction.atomic
def accept(*, consultation: Consultation) -> Consultation:
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if consultation.status != Consultation.Status.NEW:
        raise ConsultationError(_("Only a new consultation can be accepted."))
    consultation.status = Consultation.Status.ACCEPTED
    consultation.triaged_at = timezone.now()
    consultation.save(update_fields=["status", "triaged_at"])
    return consultation


@transaction.atomic
def redirect_to_spot(*, consultation: Consultation, topic: str, area: Area, urgency: int, summary: str) -> Consultation:
    """A problem a volunteer can help with goes to Spot Otonari-san, through Spot's one public hand-over. The
    resident's own words stay here (they were given for a confidential consultation): the volunteer gets the
    summary staff wrote after the resident agreed to Spot's help."""
    from spot.handover import HelpMode, submit_from_consultation

    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if consultation.status != Consultation.Status.NEW:
        raise ConsultationError(_("Only a new consultation can be passed to Spot."))
    spot_request = submit_from_consultation(
        resident=consultation.resident,
        topic=topic,
        description=summary,
        languages=list(consultation.languages.all()),
        modes=[mode for mode in consultation.modes if mode in HelpMode.values] or [HelpMode.PHONE],
        area=area,
        urgency=urgency,
    )
    consultation.status = Consultation.Status.REDIRECTED
    consultation.triaged_at = timezone.now()
    consultation.spot_request_id = spot_request.pk
    consultation.save(update_fields=["status", "triaged_at", "spot_request_id"])
    return consultation


def check_expert_free(expert: Expert, starts_at: datetime, ends_at: datetime) -> None:
    """The time must lie in one of the expert's weekly hours, on a day that is not a day off (Tokyo time)."""
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    if start.date() != end.date():
        raise ConsultationError(_("An appointment must start and end on the same day."))
    if not expert.is_active:
        raise ConsultationError(_("This expert is not taking cases at the moment."))
    if expert.days_off.filter(day=start.date()).exists():
        raise ConsultationError(_("The expert is not available on that day."))
    hours = expert.hours.filter(weekday=start.weekday(), starts__lte=start.time(), ends__gte=end.time())
    if not hours.exists():
        raise ConsultationError(_("That time is outside the expert's hours."))


def check_interpreter_free(
    consultation: Consultation, interpreter: Expert, starts_at: datetime, ends_at: datetime
) -> None:
    """An active interpreter speaking the case's language, working then (their weekly hours, not a day off)."""
    if not consultation.interpreters().filter(pk=interpreter.pk).exists():
        raise ConsultationError(pgettext("staff", "This interpreter does not interpret the case's language."))
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    if interpreter.days_off.filter(day=start.date()).exists():
        raise ConsultationError(pgettext("staff", "The interpreter is not available on that day."))
    hours = interpreter.hours.filter(weekday=start.weekday(), starts__lte=start.time(), ends__gte=end.time())
    if not hours.exists():
        raise ConsultationError(pgettext("staff", "That time is outside the interpreter's hours."))


def check_booking(
    consultation: Consultation,
    starts_at: datetime,
    ends_at: datetime,
    *,
    mode: str,
    room: Room | None,
    interpreter: Expert | None,
) -> None:
    """What a booking needs before anyone's hours are looked at: an open case, a time to come, a room for an
    appointment in person, an interpreter for a case that needs one."""
    if consultation.status not in (Consultation.Status.NEW, Consultation.Status.ACCEPTED):
        raise ConsultationError(_("This consultation is not open for appointments."))
    if starts_at <= timezone.now():
        raise ConsultationError(_("Please choose a time in the future."))
    if ends_at <= starts_at:
        raise ConsultationError(_("The appointment must end after it starts."))
    if mode == "in_person" and room is None:
        raise ConsultationError(_("Please choose a room for an appointment in person."))
    if consultation.interpreter_needed and interpreter is None:
        raise ConsultationError(pgettext("staff", "This case needs an interpreter: please choose one."))


def check_not_booked(
    expert: Expert,
    room: Room | None,
    interpreter: Expert | None,
    starts_at: datetime,
    ends_at: datetime,
    *,
    replaces: Appointment | None,
) -> None:
    """Nobody (and no room) is booked twice at the same time; the appointment being moved does not count."""
    booked = Appointment.objects.filter(status=Appointment.Status.BOOKED, starts_at__lt=ends_at, ends_at__gt=starts_at)
    if replaces:
        booked = booked.exclude(pk=replaces.pk)
    if booked.filter(expert=expert).exists():
        raise ConsultationError(_("The expert already has an appointment at that time."))
    if room and booked.filter(room=room).exists():
        raise ConsultationError(_("The room is already booked at that time."))
    if interpreter and booked.filter(interpreter=interpreter).exists():
        raise ConsultationError(pgettext("staff", "The interpreter already has an appointment at that time."))


@transaction.atomic
def book_appointment(
    *,
    consultation: Consultation,
    expert: Expert,
    starts_at: datetime,
    ends_at: datetime,
    mode: str,
    room: Room | None = None,
    interpreter: Expert | None = None,
    replaces: Appointment | None = None,
) -> Appointment:
    """Book the expert (and the room, and the interpreter a case may need) for the case. Refused if any is taken
    then: the database's exclusion constraints decide on PostgreSQL; the checks below give the same message
    everywhere."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    check_booking(consultation, starts_at, ends_at, mode=mode, room=room, interpreter=interpreter)
    check_expert_free(expert, starts_at, ends_at)
    if interpreter is not None:
        check_interpreter_free(consultation, interpreter, starts_at, ends_at)
    check_not_booked(expert, room, interpreter, starts_at, ends_at, replaces=replaces)
    try:
        with transaction.atomic():
            if replaces:
                Appointment.objects.filter(pk=replaces.pk).update(status=Appointment.Status.CANCELLED)
            appointment = Appointment.objects.create(
                consultation=consultation, expert=expert, room=room, interpreter=interpreter, mode=mode,
                starts_at=starts_at, ends_at=ends_at,
            )  # fmt: skip
    except IntegrityError as error:  # booked by someone else a moment ago (PostgreSQL's exclusion constraints)
        raise ConsultationError(
            pgettext("staff", "The expert, the interpreter or the room was booked for that time a moment ago.")
        ) from error
    consultation.expert = expert
    consultation.status = Consultation.Status.ACCEPTED
    consultation.triaged_at = consultation.triaged_at or timezone.now()
    consultation.new_time_asked_at = None  # a new time is booked: nothing left to flag
    consultation.save(update_fields=["expert", "status", "triaged_at", "new_time_asked_at"])
    if replaces:
        messages.queue_appointment("moved", appointment, replaced=replaces)
    else:
        messages.queue_appointment("booked", appointment)
    return appointment


@transaction.atomic
def reschedule(
    *, appointment: Appointment, starts_at: datetime, ends_at: datetime, room: Room | None = None
) -> Appointment:
    """A new time for an appointment: the old one is cancelled and a new one booked, in one step; both people
    are told the new time."""
    appointment = (
        Appointment.objects.select_for_update().select_related("consultation", "expert").get(pk=appointment.pk)
    )
    if appointment.status != Appointment.Status.BOOKED:
        raise ConsultationError(_("Only a booked appointment can be moved."))
    return book_appointment(
        consultation=appointment.consultation,
        expert=appointment.expert,
        starts_at=starts_at,
        ends_at=ends_at,
        mode=appointment.mode,
        room=room if room is not None else appointment.room,
        interpreter=appointment.interpreter,
        replaces=appointment,
    )


@transaction.atomic
def cancel_appointment(*, appointment: Appointment) -> bool:
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.status != Appointment.Status.BOOKED:
        return False
    appointment.status = Appointment.Status.CANCELLED
    appointment.save(update_fields=["status"])
    messages.queue_appointment("cancelled", appointment)
    return True


def resident_change(appointment: Appointment, kind: str, note: str = "") -> Appointment:
    """Cancel a booked appointment for the resident, if it is still theirs to change (far enough away, within the
    number of changes), and keep the change. The expert (and the interpreter) and the resident are told that it
    is cancelled, consultation staff that the resident changed it; the time is free again."""
    consultation = Consultation.objects.select_for_update().get(pk=appointment.consultation_id)
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("expert", "interpreter")
        .get(pk=appointment.pk)
    )
    if not appointment.resident_may_change(changes_made(consultation)):
        raise ConsultationError(_("This appointment can no longer be changed here. Please call or write to JII to "
                                  "change it."))  # fmt: skip
    appointment.status = Appointment.Status.CANCELLED
    appointment.save(update_fields=["status"])
    change = AppointmentChange.objects.create(appointment=appointment, kind=kind, note=note)
    if kind == AppointmentChange.Kind.ANOTHER_TIME:
        consultation.new_time_asked_at = change.at
        consultation.save(update_fields=["new_time_asked_at"])
    appointment.consultation = consultation
    messages.queue_appointment("cancelled", appointment)
    messages.queue_resident_change(change)
    return appointment


@transaction.atomic
def cancel_by_resident(*, appointment: Appointment) -> Appointment:
    return resident_change(appointment, AppointmentChange.Kind.CANCELLED)


@transaction.atomic
def ask_for_another_time(*, appointment: Appointment, note: str = "") -> Appointment:
    """The appointment is cancelled and the case waits for a new booking, flagged for staff."""
    return resident_change(appointment, AppointmentChange.Kind.ANOTHER_TIME, note=note)


def mark_closed(consultation: Consultation) -> list[str]:
    """Close a locked case, which is done only once its outcome is recorded; the fields to save."""
    if consultation.status == Consultation.Status.CLOSED:
        return []
    if not consultation.outcome:
        raise ConsultationError(pgettext("staff", "%(case)s: record its outcome first.") % {"case": consultation})
    consultation.status = Consultation.Status.CLOSED
    consultation.closed_at = timezone.now()
    return ["status", "closed_at"]


@transaction.atomic
def close(*, consultation: Consultation, outcome: str = "") -> Consultation:
    """Close a case with its recorded outcome, or with `outcome` when the closing itself decides it (a resident
    who asked to be erased withdrew their case). Refused for a case without either."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    fields: list[str] = []
    if outcome and consultation.status != Consultation.Status.CLOSED:
        consultation.outcome = outcome
        fields.append("outcome")
    fields += mark_closed(consultation)
    if fields:
        consultation.save(update_fields=fields)
    return consultation


@transaction.atomic
def add_note(*, consultation: Consultation, author: User, text: str) -> CaseNote:
    return CaseNote.objects.create(consultation=consultation, author=author, text=text)


def log_note_reads(*, reader: User, shown: dict[Consultation, int]) -> None:
    """Every time cases' notes are shown, who saw them and when: one row per case (in one query)."""
    NoteRead.objects.bulk_create(
        NoteRead(consultation=consultation, reader=reader, notes=notes)
        for consultation, notes in shown.items()
        if notes
    )


@transaction.atomic
def record_outcome(
    *, consultation: Consultation, outcome: str, summary: str, follow_up_on: date | None = None, close: bool
) -> Consultation:
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    consultation.outcome = outcome
    consultation.outcome_summary = summary
    consultation.follow_up_on = follow_up_on
    fields = ["outcome", "outcome_summary", "follow_up_on"]
    if close:
        fields += mark_closed(consultation)
    consultation.save(update_fields=fields)
    return consultation


@transaction.atomic
def set_interpreter_language(*, consultation: Consultation, language: Language | None) -> Consultation:
    """The language to interpret, when it is not simply one of the resident's (None: any of those will do)."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    consultation.interpreter_language = language
    consultation.save(update_fields=["interpreter_language"])
    return consultation
