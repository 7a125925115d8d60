"""Consultation messages (jii/outbox.py): what queues them, and how each is built from its ids when its turn comes.

An appointment's email goes to the resident and to the expert, one message each, with the appointment as a
calendar file. Its once key says which change it tells of, of which appointment, to whom:
"consultation_appointment:<change>:<appointment id>:<resident|expert|interpreter>". An interpreter booked with it
is told like the expert (the case's number, never its words). A new time is a new appointment, so its
reminder is a new message; a change replayed finds its key and writes nothing."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from consultations.calendar import appointment_ics
from consultations.models import Appointment, AppointmentChange, Consultation
from jii import outbox
from jii.outbox import Letter, builder

RECEIVED = "consultation_received"
APPOINTMENT = "consultation_appointment"
FOLLOW_UP = "consultation_follow_up"
RESIDENT_CHANGE = "consultation_resident_change"
# That a resident asked for a consultation is itself confidential: only consultation staff see these messages.
CONFIDENTIAL = "consultations.view_confidential"
# A follow-up is due only while the case is open (not closed, not passed to Spot).
OPEN = [Consultation.Status.NEW, Consultation.Status.ACCEPTED]


def appointment_once(change: str, appointment_id: int, role: str) -> str:
    return f"{change}:{appointment_id}:{role}"


def follow_up_once(consultation: Consultation) -> str:
    """Once per case and date: a follow-up moved to another day is told again."""
    return f"{consultation.pk}:{consultation.follow_up_on.isoformat()}"


def queue_received(consultation: Consultation):
    return outbox.queue(RECEIVED, once=consultation.pk, to=consultation.resident, consultation=consultation.pk)


def queue_appointment(change: str, appointment: Appointment, replaced: Appointment | None = None) -> int:
    """Tell the resident, the expert and the interpreter if any, each in their language; returns how many
    messages are new. For a new
    time (`moved`), `replaced` is the old appointment, whose cancellation goes along so calendars drop it."""
    ids = {"appointment": appointment.pk}
    if replaced is not None:
        ids["replaced"] = replaced.pk
    resident, expert = appointment.consultation.resident, appointment.expert
    to_resident = outbox.queue(
        APPOINTMENT, once=appointment_once(change, appointment.pk, "resident"), to=resident, **ids
    )
    # The expert is a contact, perhaps without a login: written to at their address, in their language.
    to_expert = outbox.queue(
        APPOINTMENT, once=appointment_once(change, appointment.pk, "expert"), to=expert.email,
        language=expert.language, **ids,
    )  # fmt: skip
    to_interpreter = None
    if appointment.interpreter_id:
        interpreter = appointment.interpreter
        to_interpreter = outbox.queue(
            APPOINTMENT, once=appointment_once(change, appointment.pk, "interpreter"), to=interpreter.email,
            language=interpreter.language, **ids,
        )  # fmt: skip
    return (to_resident is not None) + (to_expert is not None) + (to_interpreter is not None)


def queue_follow_up(consultation: Consultation) -> None:
    """To consultation staff's inbox, in Japanese: the case's number and a link, nothing of its words."""
    outbox.queue(
        FOLLOW_UP,
        once=follow_up_once(consultation),
        to=settings.CONSULTATION_STAFF_EMAIL,
        language="ja",
        consultation=consultation.pk,
    )


def queue_resident_change(change: AppointmentChange) -> None:
    """To consultation staff's inbox, in Japanese: the resident cancelled or asked for another time (the case's
    number, the old time and a link; not the resident's note, which staff read in the admin)."""
    outbox.queue(RESIDENT_CHANGE, once=change.pk, to=settings.CONSULTATION_STAFF_EMAIL, language="ja", change=change.pk)


@builder(RESIDENT_CHANGE, seen_only_with=CONFIDENTIAL)
def resident_change(message):
    changes = AppointmentChange.objects.select_related("appointment__consultation", "appointment__expert")
    change = changes.filter(pk=message.ids["change"]).first()
    if change is None:
        return None
    consultation = change.appointment.consultation
    admin_url = reverse("admin:consultations_consultation_change", args=[consultation.pk])
    context = {"change": change, "appointment": change.appointment, "consultation": consultation,
               "admin_url": settings.SITE_URL.rstrip("/") + admin_url}  # fmt: skip
    return Letter(context)


@builder(RECEIVED, seen_only_with=CONFIDENTIAL)
def request_received(message):
    consultation = Consultation.objects.filter(pk=message.ids["consultation"]).first()
    return Letter({"consultation": consultation}) if consultation else None


def expert_page_url(language: str) -> str:
    with translation.override(language):
        return settings.SITE_URL.rstrip("/") + reverse("consultations:expert")


@builder(APPOINTMENT, seen_only_with=CONFIDENTIAL)
def appointment_email(message):
    change, role = message.once_key.split(":")[1], message.once_key.split(":")[3]  # see appointment_once
    appointments = Appointment.objects.select_related("consultation", "expert", "interpreter", "room")
    appointment = appointments.filter(pk=message.ids["appointment"]).first()
    if appointment is None or appointment.starts_at <= timezone.now():
        return None  # deleted, or past: nothing left to tell
    if change != "cancelled" and appointment.status != Appointment.Status.BOOKED:
        return None  # cancelled or moved since: that change's own message tells of it
    files = [("consultation.ics", appointment_ics(appointment, message.language), "text/calendar")]
    replaced = appointments.filter(pk=message.ids["replaced"]).first() if "replaced" in message.ids else None
    if replaced is not None:
        files.append(("consultation-old-time.ics", appointment_ics(replaced, message.language), "text/calendar"))
    context = {"appointment": appointment, "change": change, "role": "resident"}
    if message.resident_id and change != "cancelled":
        # The link in the confirmation is the way to move it, so say so while the resident still may.
        made = AppointmentChange.objects.filter(appointment__consultation=appointment.consultation_id).count()
        context |= {"may_change": appointment.resident_may_change(made), "hours": settings.CONSULTATION_CHANGE_HOURS}
    if not message.resident_id:
        person = appointment.interpreter if role == "interpreter" else appointment.expert
        if person is None:
            return None
        context |= {"role": role, "name": person.name, "page_url": expert_page_url(message.language)}
    return Letter(context, attachments=files)


@builder(FOLLOW_UP, seen_only_with=CONFIDENTIAL)
def follow_up_due(message):
    consultation = Consultation.objects.filter(pk=message.ids["consultation"], status__in=OPEN).first()
    if consultation is None or not consultation.follow_up_on:
        return None  # closed, or the follow-up taken off
    if f"{FOLLOW_UP}:{follow_up_once(consultation)}" != message.once_key:
        return None  # moved to another day: that day's message tells of it
    admin_url = reverse("admin:consultations_consultation_change", args=[consultation.pk])
    return Letter({"consultation": consultation, "admin_url": settings.SITE_URL.rstrip("/") + admin_url})
