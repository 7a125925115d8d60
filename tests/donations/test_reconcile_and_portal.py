"""The daily reconciliation applies events the webhook missed (once), and supporters manage their gift."""

import json
import time

import pytest
from django.core import signing

from donations.links import MANAGE_SALT
from donations.models import Donation, Payment
from donations.tasks import reconcile_with_stripe
from tests.donations.conftest import stripe_event

pytestmark = pytest.mark.django_db
NOW = 1_795_000_000


def test_reconciliation_applies_missed_events_once(make_donation, stripe_api):
    donation = make_donation(frequency="monthly", amount=3000)
    stripe_api.events = [json.loads(stripe_event("invoice_paid", donation, created=NOW))]
    assert reconcile_with_stripe() == 1
    assert reconcile_with_stripe() == 0  # already applied: recognised by its id
    assert Payment.objects.get().amount_yen == 3000
    assert Donation.objects.get(pk=donation.pk).status == Donation.Status.ACTIVE
    first = stripe_api.made("GET", "/v1/events")[0].params
    assert "invoice.paid" in first["types"].values() and first["limit"] == "100"
    assert abs(int(first["created"]["gte"]) - (time.time() - 3 * 86400)) < 60  # the last three days only


def test_an_event_the_reconciliation_cannot_read_is_skipped_and_the_next_ones_applied(
    make_donation, stripe_api, caplog
):
    donation = make_donation(frequency="monthly", amount=3000)
    unreadable = {**json.loads(stripe_event("invoice_paid", donation, created=NOW - 60)), "id": "evt_Unreadable"}
    unreadable["data"] = {"object": "not an invoice"}
    stripe_api.events = [unreadable, json.loads(stripe_event("invoice_paid", donation, created=NOW))]
    assert reconcile_with_stripe() == 1
    assert Payment.objects.get().amount_yen == 3000
    assert "reconciliation skipped Stripe event evt_Unreadable: no object" in caplog.text


def test_the_manage_link_opens_a_stripe_portal_for_that_supporter_only(client, make_donation, stripe_api):
    donation = make_donation(frequency="monthly")
    Donation.objects.filter(pk=donation.pk).update(stripe_customer="cus_TestMonthly")
    token = signing.dumps(str(donation.pk), salt=MANAGE_SALT)
    response = client.get(f"/donate/manage/{token}/")
    assert response.status_code == 303 and response["Location"] == "https://billing.stripe.com/p/session/test_0"
    [portal] = stripe_api.made("POST", "/v1/billing_portal/sessions")
    assert portal.params["customer"] == "cus_TestMonthly" and portal.params["locale"] == "ja"
    assert portal.params["return_url"].endswith(f"/donate/{donation.campaign.slug}/")
    assert client.get(f"/donate/manage/{token}x/").status_code == 404
    assert client.get(f"/donate/manage/{signing.dumps('not-a-donation', salt=MANAGE_SALT)}/").status_code == 404
    assert len(stripe_api.requests) == 1  # a forged link never reaches Stripe


def test_when_stripe_cannot_open_the_portal_the_supporter_is_told(client, make_donation, stripe_api):
    donation = make_donation(frequency="monthly")
    Donation.objects.filter(pk=donation.pk).update(stripe_customer="cus_TestMonthly")
    stripe_api.fail("/v1/billing_portal/sessions")
    token = signing.dumps(str(donation.pk), salt=MANAGE_SALT)
    response = client.get(f"/en/donate/manage/{token}/")
    assert response.status_code == 503
    assert "We cannot open the page to manage your monthly or yearly gift right now" in response.content.decode()
