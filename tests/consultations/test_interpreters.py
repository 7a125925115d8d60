"""Interpreters: bookable people with languages, weekly hours and days off, booked beside the expert for a case
that needs one, and never twice at once (the database refuses it on PostgreSQL; for
bookings at the same moment see test_booking's race test)."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from consultations import services
from consultations.models import Appointment, Consultation, DayOff
from jii.models import Language
from tests.consultations.conftest import at, book, make_expert, make_interpreter, submit

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
