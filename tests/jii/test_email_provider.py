"""An email provider through django-anymail (Mailgun here): what we send at its HTTP API, and its signed
tracking webhook, which marks a bouncing or complaining address so the outbox stops writing to it."""

import hashlib
import hmac
import json
import time
from unittest import mock

import pytest
import requests
from django.core import mail

from jii import outbox
from jii.models import Message, UndeliverableAddress
from jii.services import send_status_link
from tests.factories import CoordinatorFactory

pytestmark = pytest.mark.django_db

SIGNING_KEY = "key-webhook-signing-test"
WEBHOOK = "/anymail/mailgun/tracking/"


@pytest.fixture(autouse=True)
def mailgun(settings):
    settings.ANYMAIL = {
        "MAILGUN_API_KEY": "key-api-test",
        "MAILGUN_SENDER_DOMAIN": "mg.j-ii.org",
        "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY,
    }


def mailgun_event(event: str, recipient: str, *, key: str = SIGNING_KEY, **event_data) -> str:
    """A tracking webhook body as Mailgun posts it (JSON, with its signature block)."""
    timestamp, token = str(int(time.time())), "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0"
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return json.dumps(
        {
            "signature": {"timestamp": timestamp, "token": token, "signature": signature},
            "event-data": {
                "event": event,
                "id": "G9Bn5sl1TC6nu79C8C0bwg",
                "timestamp": time.time(),
                "log-level": "error",
                "recipient": recipient,
                "recipient-domain": recipient.split("@")[1],
                "message": {
                    "headers": {
                        "to": recipient,
                        "message-id": "20261205070000.1.ABCDEF@mg.j-ii.org",
                        "from": "JII <noreply@j-ii.org>",
                        "subject": "Your private JII status page",
                    },
                    "attachments": [],
                    "size": 2048,
                },
                "flags": {"is-routed": False, "is-authenticated": True, "is-system-test": False, "is-test-mode": False},
                "tags": [],
                "user-variables": {},
                **event_data,
            },
        }
    )


def hard_bounce(recipient: str, **changes) -> str:
    delivery = {
        "code": 550,
        "message": "5.1.1 The email account that you tried to reach does not exist.",
        "description": "",
        "attempt-no": 1,
        "session-seconds": 0.4,
    }
    return mailgun_event(
        "failed", recipient, severity="permanent", reason="bounce", **{"delivery-status": delivery}, **changes
    )


def test_a_hard_bounce_stops_email_to_that_address_and_coordinators_see_it(
    client, resident, django_capture_on_commit_callbacks
):
    response = client.post(WEBHOOK, hard_bounce(resident.email.upper()), content_type="application/json")
    assert response.status_code == 200
    blocked = UndeliverableAddress.objects.get()
    assert (blocked.address, blocked.reason) == (resident.email, "bounced")
    assert "does not exist" in blocked.detail

    with django_capture_on_commit_callbacks(execute=True):
        send_status_link(resident)
    message = Message.objects.get()
    assert (message.state, message.attempts) == ("failed", 1)  # no use trying ten times
    assert "bounced" in message.last_error
    assert mail.outbox == []

    client.force_login(CoordinatorFactory())
    page = client.get(f"/en/admin/jii/resident/{resident.pk}/change/").content.decode()
    assert "Undeliverable since" in page and "bounced" in page
    assert "status_link" in page  # the message that could not be sent, on the resident's page


def test_a_spam_complaint_stops_email_too(client, resident):
    body = mailgun_event("complained", resident.email)
    assert client.post(WEBHOOK, body, content_type="application/json").status_code == 200
    assert UndeliverableAddress.objects.get().reason == "complained"


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(lambda email: mailgun_event("delivered", email), id="delivered"),
        pytest.param(lambda email: mailgun_event("failed", email, severity="temporary"), id="mailbox-full"),
        pytest.param(lambda email: mailgun_event("opened", email), id="opened"),
    ],
)
def test_deliveries_and_temporary_failures_change_nothing(client, resident, body):
    assert client.post(WEBHOOK, body(resident.email), content_type="application/json").status_code == 200
    assert not UndeliverableAddress.objects.exists()


def test_a_webhook_with_a_wrong_signature_is_refused_and_writes_nothing(client, resident):
    forged = hard_bounce(resident.email).replace('"signature": "', '"signature": "0', 1)
    assert client.post(WEBHOOK, forged, content_type="application/json").status_code == 400
    signed_by_someone_else = mailgun_event("complained", resident.email, key="key-of-someone-else")
    assert client.post(WEBHOOK, signed_by_someone_else, content_type="application/json").status_code == 400
    assert not UndeliverableAddress.objects.exists()


def test_a_coordinator_deletes_the_entry_once_the_address_works_again(client, resident):
    client.post(WEBHOOK, hard_bounce(resident.email), content_type="application/json")
    blocked = UndeliverableAddress.objects.get()
    client.force_login(CoordinatorFactory())
    response = client.post(f"/en/admin/jii/undeliverableaddress/{blocked.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not UndeliverableAddress.objects.exists()


def test_with_mailgun_configured_the_outbox_posts_the_message_to_its_api(
    settings, resident, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "anymail.backends.mailgun.EmailBackend"
    resident.language = "uk"
    resident.save()
    accepted = requests.Response()
    accepted.status_code, accepted._content = 200, b'{"id": "<1@mg.j-ii.org>", "message": "Queued. Thank you."}'
    with (
        mock.patch("requests.Session.request", return_value=accepted) as api,
        django_capture_on_commit_callbacks(execute=True),
    ):
        outbox.queue("status_link", once="x", to=resident)

    call = api.call_args.kwargs
    assert (call["method"], call["url"]) == ("POST", "https://api.mailgun.net/v3/mg.j-ii.org/messages")
    assert call["auth"] == ("api", "key-api-test")
    sent = call["data"]  # Mailgun's form fields, each a list of values
    assert sent["to"] == [resident.email]
    assert sent["subject"] == "Ваша особиста сторінка статусу JII"  # the Ukrainian subject of status_link
    assert "/uk/status/" in sent["text"] and 'lang="uk"' in sent["html"]
    assert Message.objects.get().state == "sent"
