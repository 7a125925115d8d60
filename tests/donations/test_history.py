"""A donor's private page: every gift of theirs, their receipts to download again, nothing of anyone else."""

from datetime import datetime
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from donations.links import history_url
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
    page = client.get(path_of(history_url("hanako@example.jp", "en")))
    html = page.content.decode()
    assert page.status_code == 200 and page["X-Robots-Tag"] == "noindex"
    assert "¥5,000" in html and "¥3,000" in html and "¥9,000" not in html
    token = path_of(history_url("hanako@example.jp", "en")).split("/")[-2]
    download = client.get(f"/en/donate/history/{token}/receipts/{mine.number}/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert client.get(f"/en/donate/history/{token}/receipts/{theirs.number}/").status_code == 404


def test_a_forged_link_tells_nothing(client, campaign):
    paid_gift(campaign, "hanako@example.jp", 5000)
    assert client.get("/en/donate/history/forged/").status_code == 404


@pytest.mark.parametrize("gifts", [1, 10])
def test_the_page_runs_a_fixed_number_of_queries(client, campaign, gifts):
    for _ in range(gifts):
        paid_gift(campaign, "hanako@example.jp", 5000)
    url = path_of(history_url("hanako@example.jp", "en"))
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    assert len(queries) == 2  # the gifts (with campaigns), their receipts
