import json
import time
from datetime import date
from pathlib import Path

import pytest
import stripe
from django.utils import timezone

from donations.models import Campaign, Donation
from donations.services import create_pending_donation

EVENTS = Path(__file__).parent / "events"
SECRET = "whsec_test_secret_for_the_suite"


@pytest.fixture(autouse=True)
def stripe_settings(settings, stripe_api):
    """Test-mode keys, and Stripe's API stood in for: no test ever reaches Stripe itself."""
    settings.STRIPE_SECRET_KEY = "sk_test_suite"
    settings.STRIPE_WEBHOOK_SECRET = SECRET


@pytest.fixture
def during_campaign(monkeypatch):
    """Freeze "today" inside the campaign period (the page and the figures read Tokyo's date)."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2026, 11, 21))


@pytest.fixture
def campaign(db):
    return Campaign.objects.create(
        slug="chiisana-rikai",
        title={"ja": "「小さな理解」から広がる やさしい共生の未来", "en": "A kinder shared future"},
        summary={"ja": "…", "en": "…"},
        starts_on=date(2026, 11, 5),
        ends_on=date(2026, 12, 25),
        goal_new_monthly_supporters=50,
        goal_amount_yen=1_500_000,
        is_published=True,
    )


def donation_for(campaign, frequency="once", amount=5000, **details):
    return create_pending_donation(
        campaign=campaign,
        frequency=frequency,
        amount_yen=amount,
        name=details.pop("name", "山田 花子"),
        email=details.pop("email", "hanako@example.jp"),
        language=details.pop("language", "ja"),
        **details,
    )


@pytest.fixture
def make_donation(campaign):
    return lambda **kwargs: donation_for(campaign, **kwargs)


def stripe_event(name: str, donation: Donation, *, created: int, event_id: str | None = None, **values) -> str:
    """A stored, real-shaped Stripe event with this donation's id, amount and times filled in."""
    text = (EVENTS / f"{name}.json").read_text()
    replacements = {
        '"__DONATION__"': json.dumps(str(donation.pk)),
        '"__AMOUNT__"': str(donation.amount_yen),
        '"__CREATED__"': str(created),
        '"__STATUS__"': json.dumps(values.pop("status", "active")),
        '"__REFUNDED__"': str(values.pop("refunded", donation.amount_yen)),
    }
    replacements |= {f'"__{key.upper()}__"': json.dumps(value) for key, value in values.items()}  # e.g. remaining=
    for placeholder, value in replacements.items():
        text = text.replace(placeholder, value)
    event = json.loads(text)
    if event_id:
        event["id"] = event_id
    return json.dumps(event)


def signed(payload: str, secret: str = SECRET, timestamp: int | None = None) -> str:
    return stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp or int(time.time()))


@pytest.fixture
def deliver(client):
    """POST an event to /stripe/webhook/ as Stripe would (signed); returns the response."""

    def post(payload: str, signature: str | None = None):
        return client.post(
            "/stripe/webhook/",
            data=payload,
            content_type="application/json",
            headers={"Stripe-Signature": signature or signed(payload)},
        )

    return post


def sent_receipt(message) -> str:
    """The number of the receipt a receipt message issued and sent, or "" if it issued none."""
    from donations.models import Receipt

    message.refresh_from_db()
    receipt = Receipt.objects.filter(pk=message.ids.get("receipt")).first()
    return receipt.number if receipt and message.state == "sent" else ""


def issue_receipt(payment_id: int) -> str:
    """A payment's receipt message written and delivered, as after the webhook's commit: its receipt's number."""
    from django.db import transaction
    from django.test import TestCase

    from donations import messages
    from donations.models import Payment
    from jii.models import Message

    with TestCase.captureOnCommitCallbacks(execute=True), transaction.atomic():
        messages.queue_receipt(Payment.objects.select_related("donation").get(pk=payment_id))
    return sent_receipt(Message.objects.get(once_key=f"donation_receipt:payment:{payment_id}"))


def issue_annual_receipts(year: int) -> int:
    """The annual run, its messages delivered when it commits: how many it wrote."""
    from django.test import TestCase

    from donations.tasks import issue_annual_receipts as run

    with TestCase.captureOnCommitCallbacks(execute=True):
        return run(year)
