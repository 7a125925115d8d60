"""Interpreters: bookable people with languages, weekly hours and days off, booked beside the expert for a case
that needs one, and never twice at once (the database refuses it on PostgreSQL; for
bookings at the same moment see test_booking's race test)."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation

from consultations import services
from consultations.models import Appointment, Consultation, DayOff
from jii.models import Language
from tests.consultations.conftest import at, book, committed, make_expert, make_interpreter, submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def needing():
    return submit("needs@example.com", interpreter_needed=True)


@pytest.fixture
def interpreter(db):
    return make_interpreter()


def test_a_case_that_needs_an_interpreter_is_booked_with_one(needing, expert, interpreter):
    with pytest.raises(services.ConsultationError, match="needs an interpreter"):
        book(needing, expert)
    appointment = book(needing, expert, interpreter=interpreter)
    assert appointment.interpreter == interpreter and appointment.expert == expert


@pytest.mark.parametrize(
    ("languages", "case_language", "speaks"),
    [
        (("ja", "zh"), None, True),  # one of the resident's languages
        (("ja", "en"), None, False),
        (("ja", "en"), "en", True),  # the language staff set for the case
        (("ja", "zh"), "en", False),
    ],
)
def test_only_an_interpreter_of_the_cases_language_is_booked(needing, expert, languages, case_language, speaks):
    interpreter = make_interpreter(languages=languages)
    if case_language:
        Consultation.objects.filter(pk=needing.pk).update(interpreter_language=Language.objects.get(code=case_language))
        needing.refresh_from_db()
    assert needing.interpreters().filter(pk=interpreter.pk).exists() is speaks
    if speaks:
        assert book(needing, expert, interpreter=interpreter).interpreter == interpreter
    else:
        with pytest.raises(services.ConsultationError, match="does not interpret the case's language"):
            book(needing, expert, interpreter=interpreter)


def test_an_interpreter_is_booked_only_in_their_hours_and_not_on_a_day_off(needing, expert, interpreter):
    interpreter.hours.update(starts="13:00")
    with pytest.raises(services.ConsultationError, match="outside the interpreter's hours"):
        book(needing, expert, interpreter=interpreter, hour=10)
    DayOff.objects.create(expert=interpreter, day=at(3, 14).date())
    with pytest.raises(services.ConsultationError, match="interpreter is not available on that day"):
        book(needing, expert, interpreter=interpreter, hour=14)
    assert book(needing, expert, interpreter=interpreter, days=4, hour=14).interpreter == interpreter


def test_an_interpreter_is_never_booked_twice_at_once(expert, interpreter):
    first = submit("a@example.com", interpreter_needed=True)
    second = submit("b@example.com", interpreter_needed=True)
    book(first, expert, hour=10, interpreter=interpreter)
    other = make_expert(name="佐藤 由美", email="sato@example.jp")
    with pytest.raises(services.ConsultationError, match="interpreter already has an appointment"):
        book(second, other, hour=10, minutes=30, interpreter=interpreter)
    book(second, other, hour=11, interpreter=interpreter)  # right after: fine
    assert Appointment.objects.filter(interpreter=interpreter).count() == 2


def test_a_new_time_keeps_the_interpreter(needing, expert, interpreter):
    appointment = book(needing, expert, interpreter=interpreter)
    moved = services.reschedule(appointment=appointment, starts_at=at(4, 14), ends_at=at(4, 15))
    assert moved.interpreter == interpreter


def test_on_postgresql_the_database_itself_refuses_an_interpreters_overlap(needing, expert, interpreter):
    if connection.vendor != "postgresql":
        pytest.skip("the exclusion constraints are PostgreSQL's")
    book(needing, expert, hour=10, interpreter=interpreter)
    other = make_expert(name="佐藤 由美", email="sato@example.jp")
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(  # straight into the table, past every check in Python
            consultation=needing, expert=other, interpreter=interpreter, mode="phone",
            starts_at=at(3, 10, 30), ends_at=at(3, 11, 30),
        )  # fmt: skip
    # Appointments without an interpreter never clash over it.
    for someone in (expert, other):
        Appointment.objects.create(
            consultation=needing, expert=someone, mode="phone", starts_at=at(3, 12), ends_at=at(3, 13)
        )


def book_page(client, case):
    from tests.factories import CoordinatorFactory

    client.force_login(CoordinatorFactory(groups=["consultation staff"]))
    return f"/en/admin/consultations/consultation/{case.pk}/book/"


def test_the_desk_offers_only_times_when_the_expert_an_interpreter_and_a_room_are_free(client, needing, room):
    expert = make_expert(languages=("ja",))
    english = make_interpreter(name="Anna Smith", email="anna@example.jp", languages=("ja", "en"))
    chinese = make_interpreter()
    chinese.hours.update(starts="13:00")  # free from 13:00 only
    DayOff.objects.create(expert=chinese, day=at(1, 14).date())  # and not tomorrow
    other = submit("other@example.com")
    medical = make_expert(name="佐藤 由美", email="sato@example.jp", topics=("medical",))
    book(other, medical, days=2, hour=14, mode="in_person", room=room)
    url = book_page(client, needing)
    page = client.get(url)
    slots = page.context["form"].slots.values()
    assert slots and all(slot.interpreter == chinese and slot.expert == expert for slot in slots)
    times = {(slot.starts_at, slot.room) for slot in slots}
    assert all(timezone.localtime(start).hour >= 13 for start, _room in times)
    assert not any(timezone.localtime(start).date() == at(1, 14).date() for start, _room in times)
    assert (at(2, 14), None) in times and (at(2, 15), room) in times  # the room is taken at 14:00 that day
    assert "Anna Smith" not in page.content.decode()
    chosen = next(slot for slot in slots if slot.starts_at == at(2, 15))
    with committed():
        response = client.post(url, {"slot": chosen.value, "mode": "in_person"})
    assert response.status_code == 302
    appointment = needing.appointments.get()
    assert (appointment.expert, appointment.interpreter, appointment.room) == (expert, chinese, room)
    assert appointment.starts_at == at(2, 15) and english not in (appointment.expert, appointment.interpreter)
    # The time is gone from the offers, and a stale form posting it is refused.
    assert chosen.value not in client.get(url).context["form"].slots
    assert client.post(url, {"slot": chosen.value, "mode": "phone"}).status_code == 200


@pytest.mark.parametrize("many", [1, 12])
def test_the_book_page_runs_a_fixed_number_of_queries(client, needing, room, many, django_assert_num_queries):
    expert = make_expert()
    for n in range(many):
        make_interpreter(name=f"Interpreter {n}", email=f"i{n}@example.jp")
        make_expert(name=f"Expert {n}", email=f"e{n}@example.jp")
        DayOff.objects.create(expert=expert, day=at(n + 1, 10).date())
        other = submit(f"o{n}@example.com")
        book(other, expert, days=12, hour=9 + n % 8, minutes=30, mode="in_person", room=room) if n < 8 else None
    url = book_page(client, needing)
    # session, user, second factor, permissions (2), the case; experts, their hours and days off; interpreters
    # (the case's languages a subquery), their hours and days off; rooms; booked appointments
    with django_assert_num_queries(14):
        assert client.get(url).status_code == 200


def test_the_interpreter_is_told_of_a_booking_a_new_time_and_a_cancellation_in_their_language(needing, expert):
    from django.core import mail

    from consultations.tasks import run_daily_consultation_jobs

    interpreter = make_interpreter(language="en")
    mail.outbox.clear()
    appointment = book(needing, expert, interpreter=interpreter)
    to_interpreter = [message for message in mail.outbox if message.to == ["wang@example.jp"]]
    assert [message.subject for message in to_interpreter] == ["Consultation appointment booked"]
    assert "Dear 王 芳" in to_interpreter[0].body and f"#{needing.pk}" in to_interpreter[0].body
    assert "visa" not in to_interpreter[0].body  # the case's words stay off email
    assert to_interpreter[0].attachments[0][2] == "text/calendar"
    mail.outbox.clear()
    with committed():
        moved = services.reschedule(appointment=appointment, starts_at=at(1, 14), ends_at=at(1, 15))
    with committed():
        run_daily_consultation_jobs()
    with committed():
        services.cancel_appointment(appointment=moved)
    assert [message.subject for message in mail.outbox if message.to == ["wang@example.jp"]] == [
        "Consultation appointment: a new time",
        "Reminder: your consultation appointment is tomorrow",
        "Consultation appointment cancelled",
    ]


def test_an_interpreter_with_a_login_sees_their_appointments_but_not_the_cases_words(client, needing, expert):
    from tests.factories import UserFactory

    interpreter = make_interpreter(user=UserFactory())
    book(needing, expert, interpreter=interpreter)
    client.force_login(interpreter.user)
    page = client.get("/en/consultations/expert/").content.decode()
    assert "Appointments you interpret" in page and f"Case: Consultation #{needing.pk}" in page
    assert "visa" not in page and "Expert: 高橋 健" in page
