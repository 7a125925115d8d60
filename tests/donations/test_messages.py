"""The donors' two messages, as a donor gets them: the thank-you after the first payment and the receipt with its
PDF, each with its own subject and words, in Japanese and in English (receipts are ja/en; a Vietnamese donor
gets the English one); a bounced address stops them but the receipt is still issued for staff to send."""

from datetime import datetime

import pytest
from django.core import mail
from django.utils import timezone

from donations.models import Donation, Payment, Receipt
from donations.services import record_bank_transfer
from jii.models import Message, UndeliverableAddress
from tests.donations.conftest import donation_for
from tests.factories import CoordinatorFactory

pytestmark = pytest.mark.django_db
EXPECTED = {
    "ja": ("JIIへのご支援ありがとうございます", "JIIからの領収書（JII-2026-000001）"),
    "en": ("Thank you for supporting JII", "Your receipt JII-2026-000001 from JII"),
    "vi": (None, "Your receipt JII-2026-000001 from JII"),
}


@pytest.mark.parametrize("language", EXPECTED)
def test_a_first_gift_brings_a_thank_you_and_a_receipt_in_the_donors_language(
    campaign, language, django_capture_on_commit_callbacks
):
    donation = donation_for(campaign, amount=3000)
    Donation.objects.filter(pk=donation.pk).update(language=language)
    donation.refresh_from_db()
    received_on = datetime(2026, 11, 20).date()
    with django_capture_on_commit_callbacks(execute=True):
        record_bank_transfer(
            donation=donation, amount_yen=3000, received_on=received_on, recorded_by=CoordinatorFactory()
        )
    thanks_subject, receipt_subject = EXPECTED[language]
    by_subject = {email.subject: email for email in mail.outbox}
    receipt_email = by_subject[receipt_subject]
    assert receipt_email.to == ["hanako@example.jp"]
    assert receipt_email.attachments[0][0] == "JII-2026-000001.pdf"
    assert Message.objects.get(template="donation_receipt").ids["receipt"] == Receipt.objects.get().pk
    if thanks_subject:
        assert by_subject[thanks_subject].to == ["hanako@example.jp"] and not by_subject[thanks_subject].attachments
    assert len(mail.outbox) == 2


def test_a_bounced_donor_gets_no_email_but_the_receipt_is_issued(campaign, django_capture_on_commit_callbacks):
    donation = donation_for(campaign, amount=3000)
    UndeliverableAddress.objects.create(address="hanako@example.jp", reason="bounced")
    with django_capture_on_commit_callbacks(execute=True):
        payment = Payment.objects.create(
            donation=donation, campaign=campaign, amount_yen=3000, received_at=timezone.now()
        )
        from donations.messages import queue_receipt

        queue_receipt(payment)
    message = Message.objects.get(template="donation_receipt")
    assert message.state == "failed" and "bounced" in message.last_error
    assert payment.receipts.get().number.startswith("JII-")  # issued: staff can send it another way
    assert mail.outbox == []


def test_a_donor_who_lost_the_link_gets_it_again_and_a_stranger_learns_nothing(
    client, campaign, django_capture_on_commit_callbacks
):
    donation = donation_for(campaign, amount=3000)
    Donation.objects.filter(pk=donation.pk).update(status="active", language="en")
    assert "Get the link to your gifts and receipts" in client.get("/en/donate/history/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post("/en/donate/history/", {"email": "Hanako@Example.jp"})
        unknown = client.post("/en/donate/history/", {"email": "nobody@example.jp"})
    assert known["Location"] == unknown["Location"] == "/en/donate/history/sent/"
    [email] = mail.outbox
    assert email.to == ["hanako@example.jp"] and email.subject == "Your gifts and receipts at JII"
    token = email.body.split("/en/donate/history/", 1)[1].split("/")[0]
    assert client.get(f"/en/donate/history/{token}/").status_code == 200
    assert "Please fill this in." in client.post("/en/donate/history/", {"email": ""}).content.decode()


def test_a_donor_address_gets_at_most_three_links_an_hour(client, campaign, django_capture_on_commit_callbacks):
    donation = donation_for(campaign, amount=3000)
    Donation.objects.filter(pk=donation.pk).update(status="active")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            client.post("/en/donate/history/", {"email": "hanako@example.jp"})
    assert len(mail.outbox) == 3


def test_the_donor_link_pages_are_valid_html(client):
    from tests.page_checks import nu_errors

    pages = {
        "form": client.get("/donate/history/").content.decode(),
        "form with a mistake": client.post("/en/donate/history/", {"email": "hanako@"}).content.decode(),
        "sent": client.get("/en/donate/history/sent/").content.decode(),
    }
    assert nu_errors(pages) == {}
