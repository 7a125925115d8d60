"""A bank transfer keyed in by donations staff is one service in one transaction: the new gift (for a new donor),
its payment, the thank-you and the receipt are recorded together, or nothing is."""

from datetime import date

import pytest

from donations import services
from donations.models import Donation, Donor, Payment
from jii.models import Message
from tests.donations.conftest import donation_for
from tests.factories import CoordinatorFactory

pytestmark = pytest.mark.django_db

NEW_GIFT = {"frequency": "once", "name": "田中 太郎", "email": "taro@example.jp", "address": "東京都",
            "receipts_wanted": "each"}  # fmt: skip


def record(campaign, *, donation=None, amount_yen=30000):
    return services.record_bank_transfer_by_hand(
        donation=donation,
        new_gift={**NEW_GIFT, "campaign": campaign},
        amount_yen=amount_yen,
        received_on=date(2026, 11, 18),
        recorded_by=CoordinatorFactory(),
    )


def test_a_transfer_from_a_new_donor_records_the_gift_its_payment_and_its_messages(campaign):
    payment = record(campaign)
    donation = Donation.objects.get()
    assert payment.donation == donation
    assert (donation.method, donation.amount_yen, donation.status) == ("bank_transfer", 30000, "active")
    assert donation.show_as == Donation.ShowAs.ANONYMOUS
    assert donation.donor.email == "taro@example.jp"
    assert payment.recorded_by is not None
    assert sorted(Message.objects.values_list("template", flat=True)) == ["donation_receipt", "donation_thanks"]


def test_a_later_transfer_of_a_supporter_is_recorded_on_their_gift(campaign):
    supporter = donation_for(campaign, frequency="monthly", amount=3000)
    record(campaign, donation=supporter, amount_yen=3000)
    assert Donation.objects.get() == supporter
    assert Payment.objects.get().donation == supporter


def test_a_failure_half_way_leaves_no_gift_no_payment_and_no_message(campaign, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "advance", broken)  # after the gift, its payment and its receipt are written
    with pytest.raises(RuntimeError):
        record(campaign)
    assert not Donation.objects.exists()
    assert not Donor.objects.exists()
    assert not Payment.objects.exists()
    assert not Message.objects.exists()


def test_the_admin_page_records_the_transfer_on_the_existing_gift_when_named(client, campaign):
    supporter = donation_for(campaign, frequency="monthly", amount=3000)
    client.force_login(CoordinatorFactory(groups=["donations staff"]))
    response = client.post(
        "/en/admin/donations/donation/bank-transfer/",
        {"donation": str(supporter.pk), "campaign": campaign.pk, "name": "山田 花子", "email": "", "address": "",
         "frequency": "monthly", "receipts_wanted": "each", "amount_yen": "3000", "received_on": "2026-11-18"},
    )  # fmt: skip
    assert response.status_code == 302
    assert response.url.endswith(f"/donations/donation/{supporter.pk}/change/")
    assert Donation.objects.get() == supporter
    assert Payment.objects.get().amount_yen == 3000
