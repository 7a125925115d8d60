"""Annual receipts: in January each donor who asked for one receipt a year gets one for last year's gifts,
once, leaving out gifts that already hold a receipt of their own; a gift recorded late replaces it."""

import re
import shutil
import subprocess
from datetime import datetime

import pytest
from django.core import mail
from django.utils import timezone

from donations.models import Donation, Payment, Receipt
from donations.receipts import issue_for_payment, void_and_reissue
from jii.models import Message
from tests.donations.conftest import donation_for, issue_annual_receipts, issue_receipt

pytestmark = pytest.mark.django_db
JST = timezone.get_fixed_timezone(9 * 60)


def supporter(campaign, email="hanako@example.jp", receipts_wanted="annual", **details):
    donation = donation_for(campaign, frequency="monthly", amount=3000, email=email, **details)
    Donation.objects.filter(pk=donation.pk).update(status="active", receipts_wanted=receipts_wanted)
    donation.refresh_from_db()
    return donation


def gift(donation, month, year=2026, amount=3000, refunded=0):
    return Payment.objects.create(
        donation=donation,
        campaign=donation.campaign,
        amount_yen=amount,
        refunded_yen=refunded,
        received_at=datetime(year, month, 15, 10, tzinfo=JST),
    )


def annual_receipts():
    return Receipt.objects.filter(kind="annual", voided_at__isnull=True)


def test_a_monthly_supporter_gets_one_receipt_for_the_year_and_one_email(campaign):
    donation = supporter(campaign)
    payments = [gift(donation, month) for month in range(1, 13)]
    gift(donation, 1, year=2027)  # next year's gift waits for next January
    for payment in payments:
        assert issue_receipt(payment.pk) == ""  # no receipt one by one: the donor asked for an annual one
    assert issue_annual_receipts(2026) == 1
    [receipt] = annual_receipts()
    assert (receipt.number, receipt.amount_yen, receipt.fiscal_year) == ("JII-2026-000001", 36000, 2026)
    assert set(receipt.covers.all()) == set(payments)
    [message] = mail.outbox
    assert message.to == ["hanako@example.jp"] and message.attachments[0][0] == "JII-2026-000001.pdf"
    assert "12" in message.body and "36,000" in message.body
    # Beat runs every day of January: the next runs issue and send nothing more.
    assert issue_annual_receipts(2026) == 0
    assert annual_receipts().count() == 1 and len(mail.outbox) == 1


def test_gifts_already_receipted_one_by_one_are_left_out(campaign):
    donation = supporter(campaign, receipts_wanted="each")
    receipted = gift(donation, 3)
    issue_receipt(receipted.pk)
    Donation.objects.filter(pk=donation.pk).update(receipts_wanted="annual")  # the donor switched in spring
    later = [gift(donation, month) for month in (4, 5)]
    issue_annual_receipts(2026)
    [receipt] = annual_receipts()
    assert set(receipt.covers.all()) == set(later) and receipt.amount_yen == 6000


def test_donors_who_chose_a_receipt_for_each_gift_get_no_annual_one(campaign):
    donation = supporter(campaign, receipts_wanted="each")
    issue_receipt(gift(donation, 5).pk)
    assert issue_annual_receipts(2026) == 0
    assert not annual_receipts().exists()


def test_one_donor_is_one_email_in_any_letter_case_and_refunds_count_net(campaign):
    monthly = supporter(campaign, email="hanako@example.jp")
    once = supporter(campaign, email="Hanako@Example.JP")
    stranger = supporter(campaign, email="someone@example.jp")
    gift(monthly, 1)
    gift(monthly, 2, refunded=3000)  # refunded in full: no gift at all
    gift(once, 6, amount=10000, refunded=4000)
    gift(stranger, 7)
    assert issue_annual_receipts(2026) == 2
    mine = annual_receipts().get(donor_email="hanako@example.jp")
    assert mine.amount_yen == 3000 + 6000 and mine.covers.count() == 2
    assert annual_receipts().get(donor_email="someone@example.jp").amount_yen == 3000


def test_a_gift_recorded_after_the_annual_receipt_replaces_it(campaign):
    donation = supporter(campaign)
    gift(donation, 11)
    issue_annual_receipts(2026)
    first = annual_receipts().get()
    late = gift(donation, 12, amount=5000)  # December's bank transfer, recorded in January
    issue_receipt(late.pk)  # the transfer's own task issues nothing: it is an annual donor
    assert issue_annual_receipts(2026) == 1
    first.refresh_from_db()
    second = annual_receipts().get()
    assert first.voided_at and second.replaces == first
    assert second.amount_yen == 8000 and second.number == "JII-2026-000002"
    assert len(mail.outbox) == 2


def test_staff_can_void_and_reissue_an_annual_receipt(client, campaign, django_capture_on_commit_callbacks):
    from tests.factories import CoordinatorFactory

    donation = supporter(campaign)
    gift(donation, 4)
    client.force_login(CoordinatorFactory(groups=["donations staff"]))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/en/admin/donations/receipt/annual/", {"year": "2026"}, follow=True)
    assert "1 annual receipt queued." in response.content.decode()
    receipt = annual_receipts().get()
    client.post("/en/admin/donations/receipt/", {"action": "void_and_reissue", "_selected_action": [receipt.pk]})
    receipt.refresh_from_db()
    assert receipt.voided_at and receipt.replaced_by.kind == "annual"
    assert receipt.replaced_by.amount_yen == 3000


def test_the_annual_receipt_stays_apart_from_single_receipts_in_numbering(campaign):
    each = supporter(campaign, email="each@example.jp", receipts_wanted="each")
    single = issue_for_payment(gift(each, 2))
    annual_donor = supporter(campaign)
    gift(annual_donor, 3)
    issue_annual_receipts(2026)
    assert single.number == "JII-2026-000001" and annual_receipts().get().number == "JII-2026-000002"
    replacement = void_and_reissue(receipt=single, reason="typo")
    assert replacement.kind == "single" and replacement.number == "JII-2026-000003"


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils (CI installs it)")
def test_the_annual_pdf_lists_the_period_and_every_gift(campaign):
    donation = supporter(campaign, name="山田 花子")
    for month in range(1, 13):
        gift(donation, month)
    issue_annual_receipts(2026)
    receipt = annual_receipts().get()
    text = subprocess.run(["pdftotext", receipt.file.path, "-"], capture_output=True, text=True, check=True).stdout
    assert "山田 花子" in text and "36,000円" in text and "2026-01-01" in text and "2026-12-31" in text
    assert all(f"2026-{month:02d}-15" in text for month in range(1, 13))
    pages = subprocess.run(["pdfinfo", receipt.file.path], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+1$", pages, re.MULTILINE)


def test_a_refund_of_a_gift_in_the_annual_receipt_replaces_it(campaign, django_capture_on_commit_callbacks):
    from donations.messages import queue_correction
    from tests.donations.conftest import sent_receipt

    donation = supporter(campaign)
    kept, refunded = gift(donation, 3), gift(donation, 4)
    issue_annual_receipts(2026)
    first = annual_receipts().get()
    Payment.objects.filter(pk=refunded.pk).update(refunded_yen=3000)
    refunded.refresh_from_db()
    for _ in range(2):  # Stripe sends the refund twice: one correction
        with django_capture_on_commit_callbacks(execute=True):
            queue_correction(refunded)
    [message] = Message.objects.filter(once_key__startswith="donation_receipt:refund:")
    assert sent_receipt(message) == "JII-2026-000002"
    second = annual_receipts().get()
    assert second.replaces == first and list(second.covers.all()) == [kept] and second.amount_yen == 3000
    assert Receipt.objects.count() == 2 and len(mail.outbox) == 2
