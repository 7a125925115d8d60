"""Tutors sign up within the tutors needed and may withdraw until 24 hours before; sessions moved or cancelled
tell everyone in their language; reminders and shortage alerts go out once; attendance makes the figures."""

from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from hanamaru import services
from hanamaru.figures import hanamaru_figures
from hanamaru.models import Enrolment, Session
from hanamaru.tasks import run_daily_hanamaru_jobs
from jii.models import Message
from jii.tasks import queue_waiting_messages
from tests.factories import CoordinatorFactory, VolunteerFactory
from tests.hanamaru.conftest import child, committed, enrol, session_in
from tests.race import race

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def tutor(language="ja", status="approved"):
    return VolunteerFactory(profile__status=status, language=language).volunteer_profile


def test_tutors_sign_up_within_the_tutors_needed(klass):
    session = session_in(klass, days=5)
    first, second, third = tutor(), tutor(), tutor()
    services.sign_up_tutor(session=session, volunteer=first)
    assert services.sign_up_tutor(session=session, volunteer=first) == session.signups.get()  # twice: still one
    services.sign_up_tutor(session=session, volunteer=second)
    with pytest.raises(services.HanamaruError, match="all the tutors it needs"):
        services.sign_up_tutor(session=session, volunteer=third)
    with pytest.raises(PermissionDenied):
        services.sign_up_tutor(session=session, volunteer=tutor(status="pending"))
    services.withdraw_tutor(session=session, volunteer=second)
    services.sign_up_tutor(session=session, volunteer=third)  # the freed spot
    assert session.signups.filter(withdrawn_at__isnull=True).count() == 2


def test_withdrawing_is_possible_until_24_hours_before(klass):
    volunteer = tutor()
    soon, later = session_in(klass, hours=23), session_in(klass, hours=25)
    for session in (soon, later):
        services.sign_up_tutor(session=session, volunteer=volunteer)
    with pytest.raises(services.HanamaruError, match="less than 24 hours"):
        services.withdraw_tutor(session=soon, volunteer=volunteer)
    services.withdraw_tutor(session=later, volunteer=volunteer)
    assert soon.signups.get().withdrawn_at is None and later.signups.get().withdrawn_at


def test_past_and_cancelled_sessions_take_no_sign_up(klass):
    past = session_in(klass, days=-1)
    cancelled = session_in(klass, days=3)
    services.cancel_session(session=cancelled, reason="")
    for session in (past, cancelled):
        with pytest.raises(services.HanamaruError, match="no longer open"):
            services.sign_up_tutor(session=session, volunteer=tutor())


def test_a_cancelled_session_is_told_to_each_tutor_and_guardian_in_their_language(klass):
    session = session_in(klass, days=3)
    services.sign_up_tutor(session=session, volunteer=tutor(language="ja"))
    enrol(klass, child("Lucas"), language="en")
    mail.outbox.clear()
    with committed():
        assert services.cancel_session(session=session, reason="台風のため") is True
        assert services.cancel_session(session=session, reason="again") is False
    subjects = sorted(message.subject for message in mail.outbox)
    assert subjects == ["Hanamaru class: a session is cancelled", "はなまるクラス: 活動日が中止になりました"]
    assert all("台風のため" in message.body for message in mail.outbox)


def reminders_in(outbox):
    return [message for message in outbox if "Reminder" in message.subject or "リマインダー" in message.subject]


def tomorrow_at(klass, hour):
    day = timezone.localdate() + timedelta(days=1)
    starts = timezone.make_aware(datetime.combine(day, time(hour)))
    return Session.objects.create(klass=klass, starts_at=starts, ends_at=starts + timedelta(minutes=90))


def test_a_moved_session_tells_the_new_time_and_gets_its_own_reminder(klass):
    session = tomorrow_at(klass, 10)
    services.sign_up_tutor(session=session, volunteer=tutor())
    enrol(klass, child("Lucas"))
    mail.outbox.clear()
    with committed():
        run_daily_hanamaru_jobs()
        run_daily_hanamaru_jobs()  # beat runs every few hours: still one reminder each
    assert len(reminders_in(mail.outbox)) == 2
    new_start = session.starts_at + timedelta(hours=2)
    with committed():
        services.move_session(session=session, starts_at=new_start, ends_at=new_start + timedelta(minutes=90))
    moved = [message for message in mail.outbox[2:] if "new time" in message.subject or "日時" in message.subject]
    assert len(moved) == 2
    with committed():
        run_daily_hanamaru_jobs()
    assert len(reminders_in(mail.outbox)) == 4  # the new time is reminded again


def test_a_session_short_of_tutors_two_days_ahead_alerts_the_coordinator_once(klass):
    coordinator = CoordinatorFactory(language="ja")
    klass.coordinator = coordinator
    klass.save()
    short = session_in(klass, days=1, hours=12)
    full = session_in(klass, days=1, hours=13)
    session_in(klass, days=5)  # short of tutors too, but not yet two days away
    services.sign_up_tutor(session=short, volunteer=tutor())
    for _ in range(2):
        services.sign_up_tutor(session=full, volunteer=tutor())
    with committed():
        assert run_daily_hanamaru_jobs()["short_of_tutors"] == 1
        run_daily_hanamaru_jobs()
    alerts = [message for message in mail.outbox if message.to == [coordinator.email]]
    assert len(alerts) == 1 and "1人しか集まっていません" in alerts[0].body  # 1 of the 2, in her language
    assert f"/session/{short.pk}/change/" in alerts[0].body


def test_attendance_makes_the_figures(klass):
    coordinator = CoordinatorFactory()
    session = session_in(klass, days=-7)
    cancelled = session_in(klass, days=-14)
    Session.objects.filter(pk=cancelled.pk).update(status="cancelled")
    lucas, bia = (enrolment.child for enrolment in enrol(klass, child("Lucas"), child("Bia")))
    enrol(klass, child("Leo"))  # waiting: not expected in class
    Enrolment.objects.filter(status="enrolled").update(enrolled_at=session.starts_at - timedelta(days=30))
    volunteers = [tutor(), tutor()]
    for volunteer in volunteers:
        session.signups.create(volunteer=volunteer)
    services.record_attendance(
        session=session, children_present=[lucas], tutors_present=volunteers[:1], note="ひらがな", by=coordinator
    )
    services.record_attendance(  # recorded again: replaces the first record
        session=session, children_present=[lucas], tutors_present=volunteers, note="ひらがな", by=coordinator
    )
    today = timezone.localdate()
    figures = hanamaru_figures(today - timedelta(days=30), today)
    assert (figures["sessions"], figures["attendance_rate"], figures["tutor_hours"]) == (1, 50.0, 3.0)
    with pytest.raises(services.HanamaruError):
        services.record_attendance(session=cancelled, children_present=[], tutors_present=[], note="", by=None)
    assert bia.attendance.get().present is False


def test_a_session_moved_back_and_forth_is_told_each_time(klass):
    session = session_in(klass, days=4)
    enrol(klass, child("Lucas"))
    first, second = session.starts_at, session.starts_at + timedelta(hours=2)
    mail.outbox.clear()
    for starts in (second, first, second):
        with committed():
            services.move_session(session=session, starts_at=starts, ends_at=starts + timedelta(minutes=90))
    assert len(mail.outbox) == 3


def test_a_cancellation_without_a_reason_reads_in_the_guardians_language(klass):
    session = session_in(klass, days=4)
    enrol(klass, child("Lucas"), language="en")
    mail.outbox.clear()
    with committed():
        services.cancel_session(session=session, reason="")
    [message] = mail.outbox
    assert "is cancelled." in message.body and not any("\u3040" <= char <= "\u30ff" for char in message.body)


def test_attendance_waits_for_the_session_to_start(klass):
    with pytest.raises(services.HanamaruError, match="once the session has started"):
        services.record_attendance(
            session=session_in(klass, days=2), children_present=[], tutors_present=[], note="", by=None
        )


class OneFailure:
    """An SMTP server that refuses the first message to one address (like a timeout), then works."""

    failed = set()

    def __init__(self, *args, **kwargs):
        from django.core.mail.backends.locmem import EmailBackend

        self.backend = EmailBackend(*args, **kwargs)

    def send_messages(self, messages):
        for message in messages:
            if "flaky@example.com" in message.to and "flaky" not in OneFailure.failed:
                OneFailure.failed.add("flaky")
                raise ConnectionError("SMTP timed out")
        return self.backend.send_messages(messages)


def test_a_failed_send_is_retried_for_that_email_only(klass, settings):
    session = tomorrow_at(klass, 10)
    enrol(klass, child("Lucas"), email="flaky@example.com")
    enrol(klass, child("Minh"), email="lan@example.com", name="Lan")
    services.sign_up_tutor(session=session, volunteer=tutor())
    mail.outbox.clear()
    settings.EMAIL_BACKEND = f"{__name__}.OneFailure"
    with committed():
        run_daily_hanamaru_jobs()
    assert len(reminders_in(mail.outbox)) == 2
    flaky = Message.objects.get(template="hanamaru_reminder", resident__email="flaky@example.com")
    assert (flaky.state, flaky.attempts, flaky.last_error) == ("queued", 1, "ConnectionError: SMTP timed out")
    Message.objects.filter(pk=flaky.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=3))  # time passes
    with committed():
        assert queue_waiting_messages() == 1  # the sweep tries it again
        run_daily_hanamaru_jobs()  # and beat's next run writes nothing new
    reminded = sorted(message.to[0] for message in reminders_in(mail.outbox))
    assert len(reminded) == 3 and len(set(reminded)) == 3  # each once, the refused one on the retry
    assert "flaky@example.com" in reminded and OneFailure.failed == {"flaky"}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_tutors_taking_the_last_spot_at_once_get_one_winner(klass):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs a database that serves many connections at once (PostgreSQL)")
    session = session_in(klass, days=3)
    services.sign_up_tutor(session=session, volunteer=tutor())
    volunteers = [tutor() for _ in range(6)]
    outcomes = race(
        len(volunteers), lambda i: services.sign_up_tutor(session=session, volunteer=volunteers[i]),
        refused=services.HanamaruError,
    )  # fmt: skip
    full = [outcome for outcome in outcomes if isinstance(outcome, services.HanamaruError)]
    assert len(full) == 5  # and one signed up
    assert session.signups.filter(withdrawn_at__isnull=True).count() == 2
