"""The daily reconciliation applies events the webhook missed (once), and supporters manage their gift."""

import json
from types import SimpleNamespace

import pytest
import stripe
from django.core import signing

from donations.links import MANAGE_SALT
from donations.models import Donation, Payment
from donations.tasks import reconcile_with_stripe
from tests.donations.conftest import stripe_event

pytestmark = pytest.mark.django_db
NOW = 1_795_000_000


def test_reconciliation_applies_missed_events_once(make_donation, monkeypatch):
    donation = make_donation(frequency="monthly", amount=3000)
    missed = [stripe.Event.construct_from(json.loads(stripe_event("invoice_paid", donation, created=NOW)), "sk_test")]
    listed = []

    def list_events(**params):
        listed.append(params)
        return SimpleNamespace(auto_paging_iter=lambda: iter(missed))

    monkeypatch.setattr(stripe.Event, "list", list_events)
    assert reconcile_with_stripe() == 1
    assert reconcile_with_stripe() == 0  # already applied: recognised by its id
    assert Payment.objects.get().amount_yen == 3000
    assert Donation.objects.get(pk=donation.pk).status == Donation.Status.ACTIVE
    assert "invoice.paid" in listed[0]["types"]


def test_the_manage_link_opens_a_stripe_portal_for_that_supporter_only(client, make_donation, monkeypatch):
    donation = make_donation(frequency="monthly")
    Donation.objects.filter(pk=donation.pk).update(stripe_customer="cus_TestMonthly")
    opened = []

    def create(**params):
        opened.append(params)
        return SimpleNamespace(url="https://billing.stripe.com/p/session/test")

    monkeypatch.setattr(stripe.billing_portal.Session, "create", create)
    token = signing.dumps(str(donation.pk), salt=MANAGE_SALT)
    response = client.get(f"/donate/manage/{token}/")
    assert response.status_code == 303 and response["Location"] == "https://billing.stripe.com/p/session/test"
    assert opened[0]["customer"] == "cus_TestMonthly"
    assert client.get(f"/donate/manage/{token}x/").status_code == 404
    assert client.get(f"/donate/manage/{signing.dumps('not-a-donation', salt=MANAGE_SALT)}/").status_code == 404


def test_when_stripe_cannot_open_the_portal_the_supporter_is_told(client, make_donation, monkeypatch):
    donation = make_donation(frequency="monthly")
    Donation.objects.filter(pk=donation.pk).update(stripe_customer="cus_TestMonthly")

    def fail(**params):
        raise stripe.APIConnectionError("down")

    monkeypatch.setattr(stripe.billing_portal.Session, "create", fail)
    token = signing.dumps(str(donation.pk), salt=MANAGE_SALT)
    assert client.get(f"/en/donate/manage/{token}/").status_code == 503
