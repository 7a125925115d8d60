"""Receipts for a 認定NPO法人 (DONATIONS_TAX_DEDUCTIBLE=True): the form asks for the name and postal address, no
receipt is issued without them (staff see the gift waiting and issue it once they add the address), and the public
support count follows the rules: name and address known, a household counted once."""

from datetime import datetime

import pytest
from django.core import mail
from django.utils import timezone

from donations.models import Donation, Payment, Receipt
from donations.register import family_name, normalised_address, public_support_count
from jii.models import Message
from tests.donations.conftest import donation_for, issue_annual_receipts, issue_receipt
from tests.donations.test_campaign_page import give_form
from tests.factories import CoordinatorFactory

pytestmark = pytest.mark.django_db
JST = timezone.get_fixed_timezone(9 * 60)


@pytest.fixture
def nintei(settings):
    settings.DONATIONS_TAX_DEDUCTIBLE = True


def paid(campaign, amount=5000, **details):
    donation = donation_for(campaign, amount=amount, **details)
    Donation.objects.filter(pk=donation.pk).update(status="active")
    return Payment.objects.create(
        donation=donation, campaign=campaign, amount_yen=amount, received_at=datetime(2026, 11, 20, 10, tzinfo=JST)
    )


def test_the_form_asks_for_the_postal_address_for_a_tax_receipt(client, campaign, during_campaign, nintei, stripe_api):
    html = client.post(f"/en/donate/{campaign.slug}/", give_form(address="  ")).content.decode()
    assert 'id="id_address_error"><li>Please enter your postal address' in html  # tied to the field
    assert 'aria-invalid="true" aria-describedby="id_address_error" id="id_address"' in html
    assert not Donation.objects.exists()
    response = client.post(f"/en/donate/{campaign.slug}/", give_form(address="東京都目黒区下目黒5-27-5"))
    assert response.status_code == 303 and Donation.objects.get().address == "東京都目黒区下目黒5-27-5"


def test_without_nintei_the_address_stays_optional(client, campaign, during_campaign, stripe_api):
    assert client.post(f"/en/donate/{campaign.slug}/", give_form(address="")).status_code == 303


def test_no_receipt_without_an_address_until_staff_add_it(client, campaign, nintei, django_capture_on_commit_callbacks):
    payment = paid(campaign, name="山田 花子", email="hanako@example.jp", address="")
    assert issue_receipt(payment.pk) == ""  # the receipt message issues nothing and sends nothing
    assert mail.outbox == [] and not Receipt.objects.exists()

    client.force_login(CoordinatorFactory(groups=["donations staff"]))
    waiting = client.get("/en/admin/donations/donation/", {"receipt": "waiting"}).context["cl"].result_list
    assert list(waiting) == [payment.donation]
    donor = payment.donation.donor
    form = {"name": "山田 花子", "name_kana": "", "email": donor.email, "phone": "", "address": "東京都目黒区1-2-3",
            "notes": ""}  # fmt: skip
    client.post(f"/en/admin/donations/donor/{donor.pk}/change/", form)
    with django_capture_on_commit_callbacks(execute=True):
        action = {"action": "issue_waiting_receipts", "_selected_action": [payment.donation.pk]}
        client.post("/en/admin/donations/donation/", action)

    receipt = Receipt.objects.get()
    assert (receipt.payment, receipt.donor_name, receipt.donor_address) == (payment, "山田 花子", "東京都目黒区1-2-3")
    assert [email.to for email in mail.outbox] == [["hanako@example.jp"]]
    assert not client.get("/en/admin/donations/donation/", {"receipt": "waiting"}).context["cl"].result_list
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/en/admin/donations/donation/", action)  # pressed again: nothing more
    assert Receipt.objects.count() == 1 and len(mail.outbox) == 1


def test_no_annual_receipt_without_an_address(campaign, nintei):
    payment = paid(campaign, receipts_wanted="annual", address="")
    issue_annual_receipts(2026)
    assert not Receipt.objects.exists() and mail.outbox == []
    assert Message.objects.filter(template="donation_receipt").exists()  # tried, and waits for the address
    Donation.objects.filter(pk=payment.donation_id).update(address="東京都目黒区1-2-3")
    assert issue_annual_receipts(2026) == 0  # no second message on its own: staff issue it (see above)


def test_a_household_is_counted_once_and_a_donor_without_an_address_not_at_all(campaign):
    paid(campaign, 2000, name="山田 花子", email="hanako@example.jp", address="東京都目黒区下目黒5-27-5")
    paid(campaign, 2000, name="山田 太郎", email="taro@x.jp", address="〒153-0064 東京都目黒区下目黒５丁目２７番５号")
    paid(campaign, 3000, name="佐藤 一郎", email="ichiro@example.jp", address="東京都目黒区下目黒5-27-5")  # a lodger
    paid(campaign, 10000, name="住所 なし", email="noaddress@example.jp", address="")
    paid(campaign, 1000, name="Emma Brown", email="emma@example.com", address="1-2-3 Ebisu, Shibuya")
    # the Yamadas give ¥4,000 together: one household; Mr Sato at the same address is a household of his own
    assert public_support_count(2026) == 2


def test_the_rules_for_a_household_read_names_and_addresses_as_people_write_them():
    assert normalised_address("〒153-0064 東京都目黒区下目黒５丁目２７番５号") == "東京都目黒区下目黒5-27-5"
    assert normalised_address(" 東京都目黒区下目黒 5−27−5 ") == "東京都目黒区下目黒5-27-5"
    assert family_name("山田 花子") == family_name("山田　太郎") == "山田"
    assert family_name("Hanako Yamada") == "yamada"
