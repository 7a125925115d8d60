"""Calendar files (.ics) for a class and for a tutor's sessions: times, place and status only, no names."""

from django.core import signing
from django.utils import timezone
from icalendar import Calendar, Event

TUTOR_CALENDAR_SALT = "hanamaru.tutor-calendar"


def tutor_calendar_token(profile) -> str:
    """The key of a tutor's calendar feed, which calendar apps fetch without logging in (names the profile by
    number only)."""
    return signing.dumps(profile.pk, salt=TUTOR_CALENDAR_SALT)


def sessions_calendar(sessions, title: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//JII Otonari//Hanamaru classes//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", title)
    stamp = timezone.now()
    for session in sessions:
        event = Event()
        # A stable UID: a moved or cancelled session updates the event already in the calendar.
        event.add("uid", f"hanamaru-session-{session.pk}@j-ii.org")
        event.add("dtstamp", stamp)
        event.add("dtstart", session.starts_at)
        event.add("dtend", session.ends_at)
        event.add("summary", str(session.klass.name))
        # With the Japanese beside it, to ask the way or show a taxi driver.
        event.add("location", f"{session.klass.venue.with_original()}, {session.klass.address.with_original()}")
        if session.klass.access_notes:
            event.add("description", str(session.klass.access_notes))
        event.add("status", "CANCELLED" if session.status == session.Status.CANCELLED else "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()
