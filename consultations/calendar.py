"""An appointment as a calendar file (.ics), attached to the emails of both people: time, place or way, status.
No topic and no names: the file may sit in a shared calendar."""

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event


def appointment_ics(appointment, language: str) -> bytes:
    with translation.override(language):
        calendar = Calendar()
        calendar.add("prodid", "-//JII Otonari//Kurashi consultations//EN")
        calendar.add("version", "2.0")
        calendar.add("method", "CANCEL" if appointment.status == appointment.Status.CANCELLED else "PUBLISH")
        event = Event()
        # One UID per case and time: a cancellation updates the event already in the calendar.
        event.add("uid", f"consultation-appointment-{appointment.pk}@j-ii.org")
        event.add("dtstamp", timezone.now())
        event.add("dtstart", appointment.starts_at)
        event.add("dtend", appointment.ends_at)
        event.add("summary", _("JII consultation #%(id)s") % {"id": appointment.consultation_id})
        if appointment.room:
            event.add("location", f"{appointment.room.name}, {appointment.room.address}")
        else:
            event.add("location", str(appointment.get_mode_display()))
        event.add("status", "CANCELLED" if appointment.status == appointment.Status.CANCELLED else "CONFIRMED")
        calendar.add_component(event)
        return calendar.to_ical()
