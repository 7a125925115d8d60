"""A donor's private page: every gift of theirs, their receipts to download again, nothing of anyone else."""

import base64
import time
import uuid
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from donations.links import history_url, manage_url
from donations.models import Donation, Payment
from donations.receipts import issue_for_payment
from tests.donations.conftest import donation_for

pytestmark = pytest.mark.django_db
JST = timezone.get_fixed_timezone(9 * 60)


def paid_gift(campaign, email, amount):
    donation = donation_for(campaign, email=email, amount=amount)
    Donation.objects.filter(pk=donation.pk).update(status="active")
    payment = Payment.objects.create(
        donation=donation, campaign=campaign, amount_yen=amount, received_at=datetime(2026, 11, 20, tzinfo=JST)
    )
    return issue_for_payment(payment)


def path_of(url):
    return urlsplit(url).path


def test_the_donor_sees_their_gifts_and_downloads_their_receipts(client, campaign):
    mine = paid_gift(campaign, "hanako@example.jp", 5000)
    paid_gift(campaign, "Hanako@Example.jp", 3000)
    theirs = paid_gift(campaign, "someone@example.jp", 9000)
    url = path_of(history_url(mine.donation, "en"))
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and page["X-Robots-Tag"] == "noindex"
    assert "¥5,000" in html and "¥3,000" in html and "¥9,000" not in html
    download = client.get(f"{url}receipts/{mine.number}/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert client.get(f"{url}receipts/{theirs.number}/").status_code == 404


def test_the_link_does_not_carry_the_email(campaign):
    receipt = paid_gift(campaign, "hanako@example.jp", 5000)
    token = path_of(history_url(receipt.donation, "en")).split("/")[-2]
    payload = token.split(":")[0]
    decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    assert b"hanako" not in decoded and b"example" not in decoded


def test_a_forged_link_tells_nothing(client, campaign):
    paid_gift(campaign, "hanako@example.jp", 5000)
    assert client.get("/en/donate/history/forged/").status_code == 404
    assert client.get(path_of(history_url(Donation(pk=uuid.uuid4()), "en"))).status_code == 404


def test_the_donor_chooses_one_receipt_a_year_for_all_their_gifts(client, campaign):
    first = paid_gift(campaign, "hanako@example.jp", 5000)
    paid_gift(campaign, "HANAKO@example.jp", 3000)
    other = paid_gift(campaign, "someone@example.jp", 9000)
    url = path_of(history_url(first.donation, "en"))
    response = client.post(url, {"receipts_wanted": "annual"}, follow=True)
    assert "Your choice of receipts is saved." in response.content.decode()
    assert set(Donation.objects.exclude(pk=other.donation_id).values_list("receipts_wanted", flat=True)) == {"annual"}
    assert Donation.objects.get(pk=other.donation_id).receipts_wanted == "each"
    # A receipt already issued stays valid.
    assert client.get(f"{url}receipts/{first.number}/").status_code == 200


def test_a_bad_choice_is_explained_and_changes_nothing(client, campaign):
    receipt = paid_gift(campaign, "hanako@example.jp", 5000)
    response = client.post(path_of(history_url(receipt.donation, "en")), {"receipts_wanted": "weekly"})
    assert response.status_code == 200 and "Select a valid choice." in response.content.decode()
    assert Donation.objects.get().receipts_wanted == "each"


@pytest.mark.parametrize("gifts", [1, 10])
def test_the_page_runs_a_fixed_number_of_queries(client, campaign, gifts):
    receipts = [paid_gift(campaign, "hanako@example.jp", 5000) for _ in range(gifts)]
    url = path_of(history_url(receipts[0].donation, "en"))
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    assert len(queries) == 4  # the link's donor, the gifts (with campaigns), their receipts, annual receipts


def monthly_gift_with_receipt(campaign):
    receipt = paid_gift(campaign, "hanako@example.jp", 5000)
    Donation.objects.filter(pk=receipt.donation_id).update(frequency="monthly", stripe_customer="cus_TestMonthly")
    receipt.donation.refresh_from_db()
    return receipt


def links_signed(receipt, monkeypatch, days_ago: int) -> list[str]:
    """The donor's history page, a receipt and the monthly gift's manage link, as sent that many days ago."""
    then = time.time() - timedelta(days=days_ago).total_seconds()
    with monkeypatch.context() as patched:
        patched.setattr(signing.time, "time", lambda: then)
        history = path_of(history_url(receipt.donation, "en"))
        return [history, f"{history}receipts/{receipt.number}/", path_of(manage_url(receipt.donation))]


def test_links_expire_like_status_links_and_offer_a_new_one(client, campaign, settings, monkeypatch, stripe_api):
    settings.STATUS_LINK_MAX_AGE_DAYS = 365
    receipt = monthly_gift_with_receipt(campaign)
    history, download, manage = links_signed(receipt, monkeypatch, days_ago=364)  # links sent before still work
    assert [client.get(url).status_code for url in (history, download, manage)] == [200, 200, 303]
    history, download, manage = links_signed(receipt, monkeypatch, days_ago=5 * 365)
    # The page's language is the link's: the manage link is in the donor's (Japanese, no prefix).
    for url, again in [
        (history, "/en/donate/history/"),
        (download, "/en/donate/history/"),
        (manage, "/donate/history/"),
    ]:
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 410, url
        assert f'href="{again}"' in html  # "send me my link again"
        assert "¥5,000" not in html and "hanako" not in html


def test_the_donors_pages_are_never_stored_by_a_browser_or_proxy(client, campaign, stripe_api):
    receipt = monthly_gift_with_receipt(campaign)
    history = path_of(history_url(receipt.donation, "en"))
    for url in [history, f"{history}receipts/{receipt.number}/", path_of(manage_url(receipt.donation))]:
        assert "no-store" in client.get(url)["Cache-Control"], url
