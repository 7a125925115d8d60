"""Receipts: a PDF with the donor's Japanese name, the amount and the number, the font embedded; numbered
without gaps or duplicates; issued once however often the task runs; corrections void and reissue."""

import shutil
import subprocess
from datetime import datetime

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from donations.models import Payment, Receipt
from donations.receipts import issue_for_payment, void_and_reissue
from tests.donations.conftest import donation_for, issue_receipt
from tests.race import race

pytestmark = pytest.mark.django_db
JST = timezone.get_fixed_timezone(9 * 60)


def paid(campaign, amount=5000, **details):
    donation = donation_for(campaign, amount=amount, **details)
    return Payment.objects.create(
        donation=donation, campaign=campaign, amount_yen=amount, received_at=datetime(2026, 11, 20, 10, tzinfo=JST)
    )


def pdf_text(receipt) -> str:
    path = receipt.file.path
    return subprocess.run(["pdftotext", path, "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils (CI installs it)")
def test_the_receipt_pdf_carries_the_japanese_name_amount_and_number_with_the_font_embedded(campaign):
    receipt = issue_for_payment(paid(campaign, name="山田 花子", address="東京都目黒区下目黒1-2-3"))
    text = pdf_text(receipt)
    assert "山田 花子" in text and "5,000円" in text and "JII-2026-000001" in text
    assert "認定NPO法人" in text  # the tax block: not deductible today
    fonts = subprocess.run(["pdffonts", receipt.file.path], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:]]
    assert rows and all(row[-5] == "yes" and row[-4] == "yes" for row in rows)  # embedded, as a subset
    assert "IPAexGothic" in fonts


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils (CI installs it)")
def test_an_english_donor_gets_an_english_receipt(campaign):
    donation_payment = paid(campaign, name="Ryan Miller")
    donation_payment.donation.language = "en"
    donation_payment.donation.save()
    text = pdf_text(issue_for_payment(donation_payment))
    assert "Receipt" in text and "Ryan Miller" in text and "¥5,000" in text and "not tax-deductible" in text


def test_numbers_follow_each_other_in_the_fiscal_year(campaign):
    numbers = [issue_for_payment(paid(campaign)).number for _ in range(3)]
    assert numbers == ["JII-2026-000001", "JII-2026-000002", "JII-2026-000003"]


def test_the_task_run_twice_issues_one_receipt_and_one_email(campaign):
    payment = paid(campaign)
    assert issue_receipt(payment.pk) == issue_receipt(payment.pk)
    assert Receipt.objects.count() == 1
    [message] = mail.outbox
    assert message.attachments[0][0].endswith(".pdf") and message.attachments[0][2] == "application/pdf"


def test_a_correction_voids_the_receipt_and_issues_a_new_one_pointing_back(campaign):
    original = issue_for_payment(paid(campaign))
    pdf_before = original.file.read()
    replacement = void_and_reissue(receipt=original, reason="wrong address")
    original.refresh_from_db()
    assert original.voided_at and original.void_reason == "wrong address"
    assert replacement.replaces == original and replacement.number == "JII-2026-000002"
    with original.file.open("rb") as again:
        assert again.read() == pdf_before  # the issued receipt itself never changes


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fifty_receipts_issued_at_once_get_fifty_consecutive_numbers(campaign):
    if connection.vendor != "postgresql":
        pytest.skip("needs a database that serves many connections at once (PostgreSQL)")
    payments = [paid(campaign, amount=1000 + i) for i in range(50)]
    numbers = race(len(payments), lambda i: issue_for_payment(payments[i]).sequence)
    assert sorted(numbers) == list(range(1, 51))


def test_donations_staff_reissue_a_receipt_and_issue_missing_ones_for_a_period(
    client, campaign, django_capture_on_commit_callbacks
):
    from tests.factories import CoordinatorFactory

    receipt = issue_for_payment(paid(campaign))
    missing = paid(campaign, amount=8000)
    client.force_login(CoordinatorFactory(groups=["donations staff"]))
    client.post(
        "/en/admin/donations/receipt/", {"action": "void_and_reissue", "_selected_action": [receipt.pk]}, follow=True
    )
    receipt.refresh_from_db()
    assert receipt.voided_at and receipt.replaced_by.number == "JII-2026-000002"
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/en/admin/donations/receipt/generate/", {"start": "2026-11-01", "end": "2026-11-30"})
    assert missing.receipts.get().number == "JII-2026-000003"
    assert client.get(f"/en/admin/donations/receipt/{receipt.pk}/delete/").status_code == 403


def test_the_donor_register_and_the_public_support_count(client, campaign):
    from tests.factories import CoordinatorFactory

    paid(campaign, amount=2000, name="少額 さん", email="small@example.jp", address="東京都目黒区1-1")
    paid(campaign, amount=1500, name="二回 さん", email="twice@example.jp", address="東京都目黒区2-2")
    paid(campaign, amount=1500, name="二回 さん", email="Twice@Example.jp")  # the same donor: ¥3,000 in all
    paid(campaign, amount=5000, name="匿名 希望", email="private@example.jp", address="東京都目黒区3-3",
         accounting_consent=False)  # fmt: skip
    client.force_login(CoordinatorFactory(groups=["donations staff"]))
    page = client.get("/en/admin/donations/donation/register/", {"year": "2026"}).content.decode()
    assert "<strong>2</strong>" in page  # ¥3,000 or more: the two-gift donor and the private one
    response = client.get("/en/admin/donations/donation/register/", {"year": "2026", "download": "1"})
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {row["name"] for row in rows} == {"少額 さん", "二回 さん", ""}
    assert {row["total_yen"] for row in rows if row["name"] == "二回 さん"} == {"3000"}


@pytest.mark.skipif(not shutil.which("pdfimages"), reason="needs poppler-utils (CI installs it)")
def test_the_seal_is_printed_only_when_jii_configures_one(campaign, settings, tmp_path):
    from PIL import Image

    def images(receipt):
        listing = subprocess.run(["pdfimages", "-list", receipt.file.path], capture_output=True, text=True).stdout
        return listing.splitlines()[2:]

    assert images(issue_for_payment(paid(campaign))) == []
    seal = tmp_path / "seal.png"
    Image.new("RGB", (120, 120), (200, 30, 30)).save(seal)
    settings.RECEIPT_SEAL_IMAGE = str(seal)
    assert len(images(issue_for_payment(paid(campaign)))) == 1
