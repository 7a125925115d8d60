"""Terms of weekly sessions in Tokyo time; places, the waiting list (never over capacity, even with enrolments
arriving together) and the emails guardians get."""

from datetime import UTC, date, time

import pytest
from django.core import mail
from django.db import connection
from django.utils import translation

from hanamaru import services
from hanamaru.forms import TermForm
from hanamaru.models import Class, Enrolment
from tests.hanamaru.conftest import child, committed, enrol, local
from tests.race import race

pytestmark = pytest.mark.django_db


def test_a_term_is_weekly_in_tokyo_time_and_skips_the_holidays(klass):
    created = services.create_term(
        klass=klass, first_day=date(2026, 11, 28), starts=time(10), ends=time(11, 30), weeks=6,
        skip={date(2026, 12, 26)},
    )  # fmt: skip
    starts = [local(session.starts_at) for session in created]
    assert [start.date() for start in starts] == [
        date(2026, 11, 28), date(2026, 12, 5), date(2026, 12, 12), date(2026, 12, 19), date(2027, 1, 2)
    ]  # fmt: skip
    assert all(start.weekday() == 5 and (start.hour, start.minute) == (10, 0) for start in starts)
    assert created[0].starts_at.astimezone(UTC).hour == 1  # 10:00 in Tokyo is 01:00 UTC
    assert all(session.hours == 1.5 for session in created)
    again = services.create_term(klass=klass, first_day=date(2026, 11, 28), starts=time(10), ends=time(11, 30), weeks=6)
    assert [local(session.starts_at).date() for session in again] == [date(2026, 12, 26)]  # only the one not there
    assert klass.sessions.count() == 6


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"skip": "2026-12-26\n26/12"}, "skip", "“26/12” is not a date"),
        ({"ends": "09:00"}, "ends", "The session must end after it starts."),
        ({"weeks": "0"}, "weeks", "greater than or equal to 1"),
        ({"first_day": "9999-12-01"}, "first_day", "within a year before or two years after today"),
    ],
)
def test_a_bad_term_is_explained_on_its_field(data, field, message):
    form = TermForm({"first_day": "2026-11-28", "starts": "10:00", "ends": "11:30", "weeks": "6", **data})
    with translation.override("en"):
        assert not form.is_valid()
        assert message in " ".join(form.errors[field])


def test_children_beyond_the_places_wait_and_a_freed_place_is_offered_to_the_first_waiting(klass):
    first, second, third = enrol(klass, child("Lucas"), child("Bia", age=6), child("Leo", age=8))
    assert [first.status, second.status, third.status] == ["enrolled", "enrolled", "waiting"]
    later = enrol(klass, child("Minh", family_name="Nguyen"), email="lan@example.com", name="Lan")[0]
    assert later.status == "waiting"
    mail.outbox.clear()
    with committed():
        assert services.withdraw(enrolment=first) == third
    third.refresh_from_db()
    assert third.status == "offered" and third.offered_until and not third.enrolled_at
    [message] = mail.outbox
    assert message.to == ["ana@example.com"] and "a place is free in Hanamaru class Meguro for Leo" in message.body
    assert Enrolment.objects.get(pk=later.pk).status == "waiting"  # second in line waits on
    assert services.withdraw(enrolment=first) is None  # withdrawing twice frees nothing more


def test_more_places_go_to_the_waiting_list_at_once(klass):
    enrolments = enrol(klass, child("A"), child("B"), child("C"), child("D"))
    services.change_capacity(klass=klass, capacity=3)
    statuses = [Enrolment.objects.get(pk=enrolment.pk).status for enrolment in enrolments]
    assert statuses == ["enrolled", "enrolled", "offered", "waiting"]


def test_the_guardian_is_emailed_in_their_language(klass):
    enrol(klass, child("Lucas"), email="ja-guardian@example.com", language="ja")
    [message] = mail.outbox
    assert "お申し込みを受け付けました" in message.subject and "席が確定しました" in message.body
    assert "/status/" in message.body


def test_a_closed_class_refuses_enrolment_and_saves_nothing(klass):
    Class.objects.filter(pk=klass.pk).update(is_open=False)
    with pytest.raises(services.HanamaruError):
        enrol(klass)
    assert not Enrolment.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_enrolments_arriving_together_never_exceed_the_places(klass):
    if connection.vendor != "postgresql":
        pytest.skip("needs a database that serves many connections at once (PostgreSQL)")
    Class.objects.filter(pk=klass.pk).update(capacity=3)
    race(10, lambda n: enrol(klass, child(f"Child{n}"), email=f"family{n}@example.com", name=f"Family {n}"))
    statuses = list(Enrolment.objects.filter(klass=klass).values_list("status", flat=True))
    assert statuses.count("enrolled") == 3 and statuses.count("waiting") == 7
