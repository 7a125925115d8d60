"""With a real Celery worker on Redis: a Stripe webhook for a payment ends with one receipt file and one email,
and the same message delivered again still yields one; a worker killed in the middle of a batch of receipts
loses none and sends none twice."""

import email
import time
from email import policy

import pytest
from django.conf import settings
from django.utils import timezone

from donations.models import Receipt
from jii import outbox
from jii.celery import app as celery_app
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


def emails_in(mail_dir) -> list:
    """Every complete email the worker wrote (the file backend may append several to one file)."""
    found = []
    for path in mail_dir.glob("*.log"):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                found.append(email.message_from_bytes(chunk.strip(), policy=policy.default))
    return found


def test_a_worker_killed_during_a_batch_of_receipts_loses_none_and_sends_none_twice(
    transactional_db, django_db_serialized_rollback, campaign, tmp_path
):
    from django.test import TestCase

    from donations.services import record_bank_transfer
    from tests.donations.conftest import donation_for
    from tests.factories import CoordinatorFactory
    from tests.jii.test_celery_worker import running_worker

    celery_app.control.purge()
    staff = CoordinatorFactory(groups=["donations staff"])
    with TestCase.captureOnCommitCallbacks(execute=False):  # written now, handed to the broker below
        for number in range(12):
            donation = donation_for(campaign, amount=3000, email=f"donor{number}@example.jp")
            record_bank_transfer(
                donation=donation, amount_yen=3000, received_on=timezone.localdate(), recorded_by=staff
            )
    waiting = list(Message.objects.filter(template="donation_receipt").values_list("pk", flat=True))
    assert len(waiting) == 12

    with running_worker(tmp_path, celery_app.conf.broker_url, name="first") as worker:
        for message_id in waiting:
            deliver_message.delay(message_id)
        deadline = time.monotonic() + 60
        while not Message.objects.filter(template="donation_receipt", state="sent").exists():
            assert time.monotonic() < deadline, "the first worker sent nothing"
            time.sleep(0.05)
        worker["process"].kill()  # kill -9 in the middle of the batch
        worker["process"].wait()
    sent_before = Message.objects.filter(state="sent").count()
    assert sent_before < 24, "the batch was over before the worker was killed"

    # The sweep finds what the dead worker had taken or not reached (moved back: no waiting two minutes here).
    celery_app.control.purge()
    Message.objects.filter(state="queued").update(next_attempt_at=timezone.now() - outbox.OVERDUE_AFTER)
    with running_worker(tmp_path, celery_app.conf.broker_url, name="second"):
        assert outbox.queue_waiting() > 0
        deadline = time.monotonic() + 90
        while Message.objects.filter(state="queued").exists():
            assert time.monotonic() < deadline, "the second worker did not finish the batch"
            time.sleep(0.2)
        time.sleep(1)

    receipts = Receipt.objects.filter(voided_at__isnull=True)
    assert receipts.count() == 12 and receipts.values("payment").distinct().count() == 12
    emails = emails_in(tmp_path / "mail")
    receipt_emails = [message for message in emails if any(message.iter_attachments())]
    assert sorted(message["To"] for message in receipt_emails) == sorted(f"donor{n}@example.jp" for n in range(12))
    assert len(emails) == 24  # a receipt and a thank-you each, nothing twice
