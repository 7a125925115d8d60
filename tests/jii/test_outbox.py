"""The outbox: a message is written with the change that causes it, sent once, tried again after a failure with
growing waits, shown to coordinators when it has failed for good, and sent again by them."""

import logging
import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from jii import outbox
from jii.models import Message
from jii.services import approve_volunteer, send_status_link
from jii.tasks import deliver_message
from tests.factories import CoordinatorFactory, ResidentFactory, VolunteerFactory
from tests.jii.test_beat import beat_task

pytestmark = pytest.mark.django_db


class MailServerDown(EmailBackend):
    """A mail server that refuses every message, as an SMTP server does when it is down or overloaded."""

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed: refused to deliver to ana@example.org")


@pytest.fixture
def mail_server_down(settings):
    settings.EMAIL_BACKEND = "tests.jii.test_outbox.MailServerDown"


def test_a_message_is_written_with_its_change_and_sent_after_the_commit(django_capture_on_commit_callbacks):
    profile = VolunteerFactory(language="en", profile__status="pending").volunteer_profile
    with django_capture_on_commit_callbacks() as callbacks:
        approve_volunteer(profile=profile, approved_by=CoordinatorFactory())
        message = Message.objects.get()
        assert (message.template, message.user, message.language) == ("volunteer_approved", profile.user, "en")
        assert message.state == "queued" and message.once_key == f"volunteer_approved:{profile.pk}"
        assert mail.outbox == []  # nothing leaves before the change is committed
    for callback in callbacks:
        callback()
    message.refresh_from_db()
    assert (message.state, message.channel, message.attempts) == ("sent", "email", 1)
    assert message.sent_at is not None
    assert mail.outbox[0].subject == "You are now an approved JII volunteer"


def test_the_same_once_key_writes_one_message(resident, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.queue("status_link", once="a", to=resident) is not None
        assert outbox.queue("status_link", once="a", to=resident) is None
    assert Message.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_message_of_unknown_kind_is_refused_before_anything_is_written(resident):
    with pytest.raises(LookupError):
        outbox.queue("no_such_message", once=1, to=resident)
    assert not Message.objects.exists()


def test_a_failed_send_stays_queued_and_is_tried_again_later(
    resident, mail_server_down, caplog, django_capture_on_commit_callbacks
):
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        send_status_link(resident)
    message = Message.objects.get()
    assert (message.state, message.attempts) == ("queued", 1)
    assert message.last_error.startswith("SMTPServerDisconnected: Connection unexpectedly closed")
    wait = message.next_attempt_at - timezone.now()
    assert timedelta(seconds=40) < wait < timedelta(seconds=75)  # a minute, ±20 %
    assert f"message {message.pk} (status_link) attempt 1 failed" in caplog.text
    assert "ana@example.org" not in caplog.text and resident.email not in caplog.text


def test_the_waits_grow_to_a_cap_with_jitter():
    waits = [outbox.backoff(attempt) for attempt in range(1, 12)]
    assert timedelta(minutes=0.8) <= waits[0] <= timedelta(minutes=1.2)
    assert timedelta(minutes=6.4) <= waits[3] <= timedelta(minutes=9.6)
    assert all(wait <= outbox.LONGEST_WAIT * 1.2 for wait in waits)
    assert waits[-1] >= outbox.LONGEST_WAIT * 0.8
    assert len({outbox.backoff(5) for _ in range(20)}) > 1  # jitter: messages that failed together spread out


def test_after_the_last_try_the_message_has_failed(resident, mail_server_down):
    message = outbox.queue("status_link", once="x", to=resident)
    for _ in range(outbox.MAX_ATTEMPTS - 1):
        assert deliver_message(message.pk) == "queued"
    assert deliver_message(message.pk) == "failed"
    assert deliver_message(message.pk) == ""  # a failed message is not tried by itself again
    message.refresh_from_db()
    assert message.attempts == outbox.MAX_ATTEMPTS and mail.outbox == []


def test_a_coordinator_sees_a_failed_message_and_sends_it_again(
    client, resident, mail_server_down, settings, django_capture_on_commit_callbacks
):
    message = outbox.queue("status_link", once="x", to=resident)
    Message.objects.filter(pk=message.pk).update(
        state="failed", attempts=outbox.MAX_ATTEMPTS, last_error="SMTPServerDisconnected: …"
    )
    client.force_login(CoordinatorFactory())
    listing = client.get("/en/admin/jii/message/?state__exact=failed").content.decode()
    assert "status_link" in listing and resident.name in listing
    page = client.get(f"/en/admin/jii/message/{message.pk}/change/").content.decode()
    assert "SMTPServerDisconnected" in page

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the mail server is back
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/en/admin/jii/message/", {"action": "send_again", "_selected_action": [message.pk]}, follow=True
        )
    assert "1 message queued again." in response.content.decode()
    message.refresh_from_db()
    assert (message.state, message.attempts, message.last_error) == ("sent", 1, "")
    assert mail.outbox[0].to == [resident.email]


def test_a_coordinator_cannot_edit_or_delete_a_message(client, resident):
    message = outbox.queue("status_link", once="x", to=resident)
    client.force_login(CoordinatorFactory())
    assert client.post(f"/en/admin/jii/message/{message.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/en/admin/jii/message/add/").status_code == 403


def test_the_sweep_sends_what_the_broker_never_got_and_leaves_recent_and_future_messages(
    django_capture_on_commit_callbacks,
):
    # Three messages whose hand-over to the broker was lost (Redis was down at the commit: no callbacks ran).
    lost, recent, later = (outbox.queue("status_link", once=n, to=ResidentFactory()) for n in "abc")
    now = timezone.now()
    Message.objects.filter(pk=lost.pk).update(next_attempt_at=now - timedelta(minutes=5))
    Message.objects.filter(pk=later.pk).update(next_attempt_at=now + timedelta(minutes=5))  # a retry not yet due

    with django_capture_on_commit_callbacks(execute=True):
        assert beat_task("outbox-sweep").apply().get() == 1  # the sweep beat runs every minute
    assert {message.to[0] for message in mail.outbox} == {lost.resident.email}
    states = dict(Message.objects.values_list("pk", "state"))
    assert states == {lost.pk: "sent", recent.pk: "queued", later.pk: "queued"}


def test_the_sweep_leases_what_it_hands_over_so_the_next_sweep_does_not_queue_it_twice(
    resident, django_capture_on_commit_callbacks
):
    message = outbox.queue("status_link", once="x", to=resident)
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=5))
    with django_capture_on_commit_callbacks() as handed_over:
        assert outbox.queue_waiting() == 1
        assert outbox.queue_waiting() == 0  # the broker has it: the next minute's sweep leaves it alone
    message.refresh_from_db()
    assert message.next_attempt_at > timezone.now() + outbox.LEASE - outbox.OVERDUE_AFTER - timedelta(seconds=5)
    for callback in handed_over:
        callback()
    message.refresh_from_db()
    assert message.state == "sent" and len(mail.outbox) == 1
