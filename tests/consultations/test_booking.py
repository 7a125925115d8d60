"""Booking experts: within their hours, never twice at once (the database refuses it on PostgreSQL, even for
bookings made at the same moment), with both people told in their language and given a calendar file."""

from datetime import timedelta

import icalendar
import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from consultations import services
from consultations.models import Appointment, Consultation, DayOff
from consultations.tasks import run_daily_consultation_jobs
from jii.models import Message
from tests.consultations.conftest import at, book, committed, make_expert
from tests.race import race

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_a_booking_tells_the_resident_and_the_expert_each_in_their_language_with_a_calendar_file(case, expert, room):
    mail.outbox.clear()
    appointment = book(case, expert, mode="in_person", room=room)
    case.refresh_from_db()
    assert case.status == "accepted" and case.expert == expert
    by_address = {message.to[0]: message for message in mail.outbox}
    assert by_address["chen@example.com"].subject == "Consultation appointment booked"
    assert by_address["takahashi@example.jp"].subject == "面談の予約のお知らせ"
    assert "高橋 健" in by_address["chen@example.com"].body  # the resident learns who the expert is
    assert "visa" not in by_address["takahashi@example.jp"].body  # the case's words stay off email
    name, content, mimetype = by_address["chen@example.com"].attachments[0]
    event = icalendar.Calendar.from_ical(content).walk("VEVENT")[0]
    assert mimetype == "text/calendar" and event.decoded("DTSTART") == appointment.starts_at
    assert "東京都目黒区下目黒5-27-5" in str(event["LOCATION"])


@pytest.mark.parametrize(
    ("starts", "message"),
    [
        ((3, 8), "outside the expert's hours"),
        ((3, 17, 30), "outside the expert's hours"),  # would end at 18:30
        ((-1, 10), "a time in the future"),
    ],
)
def test_a_time_the_expert_does_not_work_is_refused(case, expert, starts, message):
    starts_at = at(*starts)
    with pytest.raises(services.ConsultationError, match=message):
        services.book_appointment(
            consultation=case, expert=expert, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1), mode="phone"
        )
    assert not Appointment.objects.exists()


def test_a_day_off_is_refused(case, expert):
    DayOff.objects.create(expert=expert, day=at(3, 10).date())
    with pytest.raises(services.ConsultationError, match="not available on that day"):
        book(case, expert)


def test_an_expert_or_a_room_is_never_booked_twice_at_once(expert, room):
    from tests.consultations.conftest import submit

    first, second = submit("a@example.com"), submit("b@example.com")
    book(first, expert, hour=10, mode="in_person", room=room)
    with pytest.raises(services.ConsultationError, match="expert already has an appointment"):
        book(second, expert, hour=10, minutes=30)
    other = make_expert(name="佐藤 由美", email="sato@example.jp")
    with pytest.raises(services.ConsultationError, match="room is already booked"):
        book(second, other, hour=10, mode="in_person", room=room)
    book(second, other, hour=11, mode="in_person", room=room)  # right after: fine
    assert Appointment.objects.count() == 2


def test_on_postgresql_the_database_itself_refuses_an_overlap(case, expert):
    if connection.vendor != "postgresql":
        pytest.skip("the exclusion constraints are PostgreSQL's")
    book(case, expert, hour=10)
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(  # straight into the table, past every check in Python
            consultation=case, expert=expert, mode="phone", starts_at=at(3, 10, 30), ends_at=at(3, 11, 30)
        )


def book_at_once(attempts) -> list[str]:
    """Run the bookings at the same moment, one thread and connection each: what each got."""
    outcomes = race(len(attempts), lambda i: attempts[i](), refused=services.ConsultationError)
    return sorted("refused" if isinstance(outcome, services.ConsultationError) else "booked" for outcome in outcomes)


# One test for both races: a second test with serialized_rollback in the same run fails to restore the database.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_bookings_made_at_the_same_moment_give_one_appointment_per_expert_and_per_interpreter():
    if connection.vendor != "postgresql":
        pytest.skip("needs a database that serves many connections at once (PostgreSQL)")
    from tests.consultations.conftest import make_interpreter, submit

    expert = make_expert()
    cases = [submit(f"person{n}@example.com", interpreter_needed=n % 2 == 0) for n in range(8)]
    interpreter = make_interpreter()

    def by_expert(case):
        return lambda: services.book_appointment(
            consultation=case, expert=expert, starts_at=at(3, 10), ends_at=at(3, 11), mode="phone",
            interpreter=interpreter if case.interpreter_needed else None,
        )  # fmt: skip

    assert book_at_once([by_expert(case) for case in cases]) == ["booked"] + ["refused"] * 7
    assert Appointment.objects.filter(status="booked").count() == 1

    # Eight cases needing an interpreter, each with an expert of its own, all want the one interpreter at 14:00.
    needing = [submit(f"other{n}@example.com", interpreter_needed=True) for n in range(8)]
    experts = [make_expert(name=f"Expert {n}", email=f"expert{n}@example.jp") for n in range(8)]

    def with_interpreter(case, own_expert):
        return lambda: services.book_appointment(
            consultation=case, expert=own_expert, interpreter=interpreter, starts_at=at(4, 14), ends_at=at(4, 15),
            mode="phone",
        )  # fmt: skip

    attempts = [with_interpreter(case, own) for case, own in zip(needing, experts, strict=True)]
    assert book_at_once(attempts) == ["booked"] + ["refused"] * 7
    assert Appointment.objects.filter(status="booked", interpreter=interpreter, starts_at=at(4, 14)).count() == 1


def test_reminders_go_once_to_both_the_day_before(case, expert):
    book(case, expert, days=1, hour=10)
    mail.outbox.clear()
    with committed():
        assert run_daily_consultation_jobs()["reminded"] == 1
        run_daily_consultation_jobs()
    assert sorted(message.to[0] for message in mail.outbox) == ["chen@example.com", "takahashi@example.jp"]
    assert all(message.attachments for message in mail.outbox)
    assert Message.objects.filter(template="consultation_appointment", once_key__contains=":reminder:").count() == 2


def test_a_new_time_and_a_cancellation_are_told_to_both(case, expert):
    appointment = book(case, expert, hour=10)
    mail.outbox.clear()
    with committed():
        moved = services.reschedule(appointment=appointment, starts_at=at(4, 14), ends_at=at(4, 15))
    appointment.refresh_from_db()
    assert appointment.status == "cancelled" and moved.status == "booked" and moved.expert == expert
    assert sorted(message.subject for message in mail.outbox) == [
        "Consultation appointment: a new time",
        "面談の日時変更",
    ]
    mail.outbox.clear()
    with committed():
        assert services.cancel_appointment(appointment=moved) is True
        assert services.cancel_appointment(appointment=moved) is False
    assert len(mail.outbox) == 2
    ics = icalendar.Calendar.from_ical(mail.outbox[0].attachments[0][1])
    assert str(ics.walk("VEVENT")[0]["STATUS"]) == "CANCELLED"


def test_a_follow_up_date_reminds_consultation_staff_once_and_closing_keeps_the_outcome(case, settings):
    settings.CONSULTATION_STAFF_EMAIL = "kurashi-staff@example.org"
    from django.utils import timezone

    services.record_outcome(
        consultation=case, outcome="partly", summary="Advised on the status change.", follow_up_on=timezone.localdate(),
        close=False,
    )  # fmt: skip
    mail.outbox.clear()
    with committed():
        run_daily_consultation_jobs()
        run_daily_consultation_jobs()
    assert [message.to for message in mail.outbox] == [["kurashi-staff@example.org"]]
    assert f"#{case.pk}" in mail.outbox[0].subject and "visa" not in mail.outbox[0].body
    closed = services.record_outcome(consultation=case, outcome="resolved", summary="Done.", close=True)
    assert closed.status == Consultation.Status.CLOSED and closed.closed_at


def test_a_new_time_also_removes_the_old_one_from_calendars(case, expert):
    appointment = book(case, expert, hour=10)
    mail.outbox.clear()
    with committed():
        services.reschedule(appointment=appointment, starts_at=at(4, 14), ends_at=at(4, 15))
    files = {name: icalendar.Calendar.from_ical(content) for name, content, _type in mail.outbox[0].attachments}
    old = files["consultation-old-time.ics"].walk("VEVENT")[0]
    assert (
        str(old["STATUS"]) == "CANCELLED" and str(old["UID"]) == f"consultation-appointment-{appointment.pk}@j-ii.org"
    )
    assert str(files["consultation.ics"].walk("VEVENT")[0]["STATUS"]) == "CONFIRMED"


def test_an_inactive_expert_takes_no_appointment(case, expert):
    expert.is_active = False
    expert.save()
    with pytest.raises(services.ConsultationError, match="not taking cases"):
        book(case, expert)
