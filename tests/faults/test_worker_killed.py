"""A worker killed with SIGKILL in the middle of 50 receipts (PDF and email each): after a new worker starts, every
receipt and every email exists exactly once, and the receipt numbers run on without a gap."""

import time

from django.utils import timezone

from donations.models import Receipt, ReceiptCounter
from donations.services import record_bank_transfer
from jii import outbox
from jii.models import Message
from tests.donations.conftest import campaign, donation_for  # noqa: F401 (campaign is a fixture)
from tests.factories import CoordinatorFactory
from tests.faults import REAL_STACK, emails_in
from tests.jii.test_celery_worker import running_worker

pytestmark = REAL_STACK

GIFTS = 50


def test_a_worker_killed_in_the_middle_of_fifty_receipts_loses_none_and_sends_none_twice(
    broker,
    campaign,  # noqa: F811
    tmp_path,
):
    staff = CoordinatorFactory(groups=["donations staff"])
    for number in range(GIFTS):  # each committed, its receipt and thank-you handed to the test's own broker
        donation = donation_for(campaign, amount=3000, email=f"donor{number}@example.jp")
        record_bank_transfer(donation=donation, amount_yen=3000, received_on=timezone.localdate(), recorded_by=staff)
    assert Message.objects.filter(template="donation_receipt").count() == GIFTS

    with running_worker(tmp_path, broker.url, name="first") as worker:
        deadline = time.monotonic() + 60
        while Message.objects.filter(template="donation_receipt", state="sent").count() < 3:
            assert time.monotonic() < deadline, "the first worker did not get going"
            time.sleep(0.05)
        worker["process"].kill()  # kill -9 in the middle of the batch
        worker["process"].wait()
    assert Message.objects.filter(template="donation_receipt", state="sent").count() < GIFTS, "killed too late"

    # The outbox sweep (every minute) finds what the dead worker had taken or not reached; moved back here
    # instead of waiting. The tasks the broker still holds are delivered too, and find their message sent.
    Message.objects.filter(state="queued").update(next_attempt_at=timezone.now() - outbox.OVERDUE_AFTER)
    with running_worker(tmp_path, broker.url, name="second"):
        assert outbox.queue_waiting() > 0
        deadline = time.monotonic() + 120
        while Message.objects.filter(state="queued").exists():
            assert time.monotonic() < deadline, "the second worker did not finish the batch"
            time.sleep(0.2)
        time.sleep(1)

    receipts = Receipt.objects.all()
    assert receipts.count() == GIFTS and receipts.values("payment").distinct().count() == GIFTS  # none voided
    numbers = sorted(receipts.values_list("sequence", flat=True))
    assert numbers == list(range(numbers[0], numbers[0] + GIFTS))  # no gap, no repeat
    # …and no number was taken by the killed worker and lost: the next receipt follows the last one.
    assert ReceiptCounter.objects.get(fiscal_year=receipts.first().fiscal_year).last_number == numbers[-1]
    assert all(receipt.file for receipt in receipts)
    emails = emails_in(tmp_path / "mail")
    receipt_emails = [message for message in emails if any(message.iter_attachments())]
    assert sorted(message["To"] for message in receipt_emails) == sorted(f"donor{n}@example.jp" for n in range(GIFTS))
    assert len(emails) == 2 * GIFTS  # a receipt and a thank-you each, nothing twice
