"""With a real Celery worker on Redis: a Stripe webhook for a payment ends with one receipt file and one email,
and the same message delivered again still yields one. (A worker killed in the middle of a batch: tests/faults/.)"""

import email
import time
from email import policy

import pytest
from django.conf import settings

from donations.models import Receipt
from jii.models import Message
from jii.tasks import deliver_message
from tests.donations.conftest import stripe_event
from tests.jii.test_celery_worker import celery_worker_process  # noqa: F401 (a fixture)

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL: a real broker and worker"),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="needs PostgreSQL: the worker process shares the test database",
    ),
]


def receipt_email(mail_dir, number, timeout=60):
    """The email whose subject names this receipt (the worker also sends a thank-you; order may vary)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in mail_dir.glob("*.log"):
            data = path.read_bytes().rstrip()
            if data.endswith(b"-" * 79):
                parsed = email.message_from_bytes(data[:-79], policy=policy.default)
                if number in (parsed["Subject"] or ""):
                    return parsed
        time.sleep(0.2)
    pytest.fail("no receipt email from the worker")


def wait_for_receipt(timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = Message.objects.filter(template="donation_receipt", state="sent").first()
        if message:
            return Receipt.objects.get(pk=message.ids["receipt"])
        time.sleep(0.2)
    pytest.fail("no receipt from the worker")


def test_a_paid_webhook_gives_one_receipt_and_one_email_even_if_the_task_comes_twice(
    celery_worker_process,  # noqa: F811
    client,
    make_donation,
    tmp_path,
):
    donation = make_donation(amount=5000, name="山田 花子")
    payload = stripe_event("checkout_session_completed_payment", donation, created=int(time.time()))
    from tests.donations.conftest import signed

    response = client.post(
        "/stripe/webhook/", data=payload, content_type="application/json", headers={"Stripe-Signature": signed(payload)}
    )
    assert response.status_code == 200
    receipt = wait_for_receipt()
    message = receipt_email(celery_worker_process["mail_dir"], receipt.number)
    assert any(part.get_content_type() == "application/pdf" for part in message.iter_attachments())

    deliver_message.delay(Message.objects.get(template="donation_receipt").pk)  # delivered again
    time.sleep(3)
    assert Receipt.objects.count() == 1
    mails = [path for path in celery_worker_process["mail_dir"].glob("*.log") if path.stat().st_size]
    assert len(mails) == 2  # the receipt email, and the first-payment thank-you; nothing more
    assert (tmp_path / "media" / receipt.file.name).exists()
