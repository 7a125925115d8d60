import logging

import pytest
from django.core import mail

from jii.logging import RedactStatusTokens
from jii.status_links import make_token
from tests.factories import VolunteerFactory
from tests.jii.test_beat import beat_task

pytestmark = pytest.mark.django_db


def remind():
    return beat_task("remind-pending-volunteer-approvals").apply().get()


def test_the_daily_reminder_counts_waiting_volunteers_without_naming_them(settings, django_capture_on_commit_callbacks):
    settings.COORDINATOR_EMAIL = "coordinators@example.org"
    waiting = VolunteerFactory.create_batch(3, profile__status="pending")
    VolunteerFactory(profile__status="approved")

    with django_capture_on_commit_callbacks(execute=True):
        assert remind() == 3
        assert remind() == 3  # beat ran twice today: one email
    [message] = mail.outbox
    assert message.to == ["coordinators@example.org"]
    assert "3" in message.subject
    for volunteer in waiting:
        assert volunteer.email not in message.body
        assert volunteer.name not in message.body
    assert "/admin/jii/volunteerprofile/?status__exact=pending" in message.body


def test_no_reminder_when_nobody_waits():
    VolunteerFactory(profile__status="approved")
    assert remind() == 0
    assert mail.outbox == []


def test_status_tokens_never_reach_the_logs(client, caplog, resident, settings):
    token = make_token(resident)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        client.get(f"/status/{token}x/")  # a 404, which Django logs with its path
    [record] = [record for record in caplog.records if "/status/" in record.getMessage()]
    RedactStatusTokens().filter(record)
    assert token not in record.getMessage()
    assert "/status/[redacted]" in record.getMessage()
    # …and that filter sits on the handler every log line goes through.
    assert settings.LOGGING["handlers"]["console"]["filters"] == ["redact_status_tokens"]
    assert settings.LOGGING["filters"]["redact_status_tokens"]["()"] == "jii.logging.RedactStatusTokens"


def test_admin_search_terms_never_reach_the_logs():
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        "",
        0,
        '"GET /admin/jii/resident/?q=olena%40example.com&o=1 HTTP/1.1" 200',
        (),
        None,
    )
    RedactStatusTokens().filter(record)
    assert "olena" not in record.getMessage()
    assert "?q=[redacted]&o=1" in record.getMessage()
