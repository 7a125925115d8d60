"""Keeping monthly and yearly supporters: a failed payment asks the donor (once) to update their card, a yearly
supporter hears before each renewal, donations staff see failed payments on their desk, and every link to manage a
gift reaches monthly and yearly donors alike."""

import json
import re
import time
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone, translation
from django.utils.formats import date_format

from donations.models import Donation, Payment
from jii.models import Message
from tests.donations.conftest import stripe_event
from tests.factories import CoordinatorFactory

pytestmark = pytest.mark.django_db

NOW = int(datetime(2026, 11, 20, 3, 0, tzinfo=UTC).timestamp())
FAILED_SUBJECT = "Your gift to JII: the payment did not go through"


def in_language(language: str, text: str) -> str:
    """The text as the donor reads it in their language (the catalog's translation, once there is one)."""
    with translation.override(language):
        return translation.gettext(text)


@pytest.fixture
def supporter(make_donation, deliver):
    """A monthly (or yearly) supporter whose first payment went through."""

    def make(frequency="monthly", language="ja", amount=3000):
        donation = make_donation(frequency=frequency, amount=amount)
        Donation.objects.filter(pk=donation.pk).update(language=language)
        donation.refresh_from_db()
        first = stripe_event("invoice_paid", donation, created=NOW - 30 * 86400, event_id=f"evt_{donation.pk}")
        deliver(first.replace("in_1FirstInvoice", f"in_{donation.pk.hex}"))
        mail.outbox.clear()
        return donation

    return make


@pytest.mark.parametrize(("language", "day"), [("en", "Nov. 23, 2026"), ("ja", "2026年11月23日")])
def test_a_failed_monthly_payment_asks_the_donor_to_update_their_card_in_their_language(
    supporter, deliver, django_capture_on_commit_callbacks, language, day
):
    donation = supporter(language=language)
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(stripe_event("invoice_payment_failed_will_retry", donation, created=NOW)).status_code == 200
    [email] = mail.outbox
    assert email.to == [donation.email]
    assert email.subject == in_language(language, FAILED_SUBJECT)
    html = email.alternatives[0][0]
    assert f'lang="{language}"' in html
    assert "/donate/manage/" in email.body  # the Stripe portal, to update the card
    retry = in_language(language, "Stripe will try again on %(day)s.") % {"day": day}
    assert retry in email.body and retry in html  # when, in Tokyo, as the donor writes dates
    assert Donation.objects.get(pk=donation.pk).status == Donation.Status.PAST_DUE


def test_after_the_last_try_the_donor_is_told_stripe_will_not_try_again(
    supporter, deliver, django_capture_on_commit_callbacks
):
    donation = supporter(frequency="yearly", language="en", amount=36000)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(stripe_event("invoice_payment_failed_final", donation, created=NOW))
    [email] = mail.outbox
    assert "This year's payment of ¥36,000 for your yearly gift to JII did not go through." in email.body
    assert "Stripe will not try again by itself: please update your card so that your gift can go on." in email.body
    assert "/donate/manage/" in email.body


def test_one_email_per_failed_invoice_however_often_its_events_come(
    supporter, deliver, django_capture_on_commit_callbacks, stripe_api
):
    from donations.tasks import reconcile_with_stripe

    donation = supporter(language="en")
    first_try = stripe_event("invoice_payment_failed_will_retry", donation, created=NOW)
    last_try = stripe_event("invoice_payment_failed_final", donation, created=NOW + 3 * 86400)
    with django_capture_on_commit_callbacks(execute=True):
        for payload in (first_try, first_try, last_try, last_try):  # redelivered, and a second try failing
            assert deliver(payload).status_code == 200
        stripe_api.events = [json.loads(first_try), json.loads(last_try)]  # the daily reconciliation's replay
        reconcile_with_stripe()
    assert len(mail.outbox) == 1
    assert Message.objects.filter(template="donation_payment_failed").count() == 1


def paid_event(donation, created, invoice="in_1RenewalInvoice"):
    payload = stripe_event("invoice_paid", donation, created=created, event_id=f"evt_paid_{created}")
    return payload.replace("in_1FirstInvoice", invoice)


def test_an_invoice_paid_before_its_failure_arrives_sends_nothing(
    supporter, deliver, django_capture_on_commit_callbacks
):
    donation = supporter(language="en")
    with django_capture_on_commit_callbacks(execute=True):
        deliver(paid_event(donation, NOW + 86400))  # a retry paid it; its event came first
        deliver(stripe_event("invoice_payment_failed_will_retry", donation, created=NOW))
    assert mail.outbox == [m for m in mail.outbox if m.attachments]  # the receipt only
    assert not Message.objects.filter(template="donation_payment_failed").exists()
    assert Donation.objects.get(pk=donation.pk).status == Donation.Status.ACTIVE


def test_an_invoice_paid_before_the_email_went_out_cancels_it(supporter, deliver, django_capture_on_commit_callbacks):
    donation = supporter(language="en")
    with django_capture_on_commit_callbacks(execute=True):  # both events applied before the outbox sends
        deliver(stripe_event("invoice_payment_failed_will_retry", donation, created=NOW))
        deliver(paid_event(donation, NOW + 86400))
    assert [m for m in mail.outbox if not m.attachments] == []
    assert Message.objects.get(template="donation_payment_failed").state == Message.State.OBSOLETE
    assert Payment.objects.filter(stripe_reference="in_1RenewalInvoice").exists()


def test_a_stopped_gift_is_not_asked_for_a_new_card(supporter, deliver, django_capture_on_commit_callbacks):
    donation = supporter(language="en")
    with django_capture_on_commit_callbacks(execute=True):
        deliver(stripe_event("customer_subscription_deleted", donation, created=NOW + 60))
        deliver(stripe_event("invoice_payment_failed_final", donation, created=NOW))
    assert mail.outbox == []
    assert Donation.objects.get(pk=donation.pk).status == Donation.Status.ENDED


# --- yearly gifts, wherever monthly ones are handled ----------------------------------------------------------


def test_the_form_offers_a_yearly_gift_and_says_when_the_notice_comes(client, campaign, during_campaign, settings):
    settings.DONATION_RENEWAL_NOTICE_DAYS = 30
    html = client.get(f"/en/donate/{campaign.slug}/").content.decode()
    assert 'value="yearly"' in html
    assert "A yearly gift renews each year on the day you give; we email you 30 days before each renewal." in html


def test_a_yearly_gift_goes_to_stripe_as_a_yearly_subscription(client, campaign, during_campaign, stripe_api):
    response = client.post(
        f"/en/donate/{campaign.slug}/",
        {"frequency": "yearly", "method": "card", "tier": "other", "other_amount": "12000", "name": "山田 花子",
         "email": "hanako@example.jp", "receipts_wanted": "annual", "show_as": "name", "consent": "on"},
    )  # fmt: skip
    assert response.status_code == 303
    assert Donation.objects.get().frequency == "yearly"
    [session] = stripe_api.made("POST", "/v1/checkout/sessions")
    assert session.params["mode"] == "subscription"
    assert session.params["line_items"]["0"]["price_data"]["recurring"] == {"interval": "year"}


def test_a_yearly_supporter_gets_the_manage_link_in_the_thank_you_and_each_receipt(
    make_donation, deliver, django_capture_on_commit_callbacks
):
    donation = make_donation(frequency="yearly", amount=36000)
    Donation.objects.filter(pk=donation.pk).update(language="en")
    with django_capture_on_commit_callbacks(execute=True):
        deliver(stripe_event("checkout_session_completed_subscription", donation, created=NOW))
        deliver(stripe_event("invoice_paid", donation, created=NOW + 1))
    [thanks] = [email for email in mail.outbox if not email.attachments]
    [receipt] = [email for email in mail.outbox if email.attachments]
    assert "Thank you for becoming a JII Partner with a yearly gift of ¥36,000." in thanks.body
    assert "we will email you 30 days before each renewal." in thanks.body
    assert "You can change or stop your yearly gift at any time here: http" in thanks.body
    assert "You can change or stop your yearly gift at any time here: http" in receipt.body
    assert "/donate/manage/" in receipt.alternatives[0][0]


def test_the_history_link_again_reaches_the_manage_links_of_monthly_and_yearly_gifts(
    client, make_donation, deliver, django_capture_on_commit_callbacks, stripe_api
):
    monthly = make_donation(frequency="monthly", amount=3000)
    yearly = make_donation(frequency="yearly", amount=36000)
    once = make_donation(amount=5000)
    for gift in (monthly, yearly):
        payload = stripe_event("invoice_paid", gift, created=NOW, event_id=f"evt_{gift.frequency}")
        deliver(payload.replace("in_1FirstInvoice", f"in_1{gift.frequency}"))
    deliver(stripe_event("checkout_session_completed_payment", once, created=NOW))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/en/donate/history/", {"email": "HANAKO@example.jp"}).status_code == 302
    [email] = mail.outbox
    token = email.body.split("/donate/history/", 1)[1].split("/")[0]
    html = client.get(f"/donate/history/{token}/").content.decode()
    assert html.count("/donate/manage/") == 2  # the monthly and the yearly gift, not the one-off
    for words in ("Change or stop my monthly gift", "Change or stop my yearly gift"):
        assert in_language("ja", words) in html  # the donor's language, as the link was sent in
    manage = re.findall(r'href="([^"]*/donate/manage/[^"]*)"', html)
    assert [client.get(urlsplit(url).path).status_code for url in manage] == [303, 303]  # Stripe's portal


def test_new_yearly_supporters_count_toward_the_supporters_goal(client, campaign, during_campaign):
    from donations.progress import campaign_state

    started = datetime(2026, 11, 10, tzinfo=UTC)
    for frequency in ("monthly", "yearly", "once"):
        gift = make_gift(campaign, frequency)
        Donation.objects.filter(pk=gift.pk).update(started_at=started, status="active")
    assert campaign_state(campaign)["supporters"] == 2
    html = client.get(f"/en/donate/{campaign.slug}/").content.decode()
    assert "JII Partners: new monthly or yearly supporters" in html
    assert "Everyone who starts a monthly or a yearly gift during the campaign counts." in html
    assert 'id="supporters-now">2<' in html


def test_a_stopped_yearly_gift_is_erased_after_its_time_like_a_monthly_one(campaign):
    from donations.privacy import finished_gifts

    for frequency in ("monthly", "yearly"):
        gift = make_gift(campaign, frequency)
        Donation.objects.filter(pk=gift.pk).update(status="ended", ended_at=datetime(2018, 1, 1, tzinfo=UTC),
                                                   created_at=datetime(2017, 1, 1, tzinfo=UTC))  # fmt: skip
    found = finished_gifts(datetime(2026, 1, 1, tzinfo=UTC)).values_list("frequency", flat=True)
    assert sorted(found) == ["monthly", "yearly"]


def make_gift(campaign, frequency):
    from tests.donations.conftest import donation_for

    return donation_for(campaign, frequency=frequency, amount=3000)


# --- the notice before a yearly renewal ----------------------------------------------------------------------

RENEWAL_SUBJECT = "Your yearly gift to JII renews on %(day)s"


def upcoming(donation, *, days_ahead=30, event_id="evt_1InvoiceUpcoming"):
    """Stripe's invoice.upcoming for the gift's next renewal, sent now, `days_ahead` days before it."""
    now = int(time.time())
    event = json.loads(stripe_event("invoice_upcoming", donation, created=now, event_id=event_id))
    renews = now + days_ahead * 86400
    event["data"]["object"]["next_payment_attempt"] = event["data"]["object"]["period_end"] = renews
    return json.dumps(event), datetime.fromtimestamp(renews, tz=UTC)


def as_written(language, moment):
    with translation.override(language):
        return date_format(timezone.localtime(moment), "DATE_FORMAT")


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_yearly_supporter_is_told_once_before_each_renewal_in_their_language(
    supporter, deliver, django_capture_on_commit_callbacks, language
):
    donation = supporter(frequency="yearly", language=language, amount=36000)
    payload, renews_at = upcoming(donation)
    # Stripe announces the same renewal again after a change to the subscription (a new event, the same day).
    again, _ = upcoming(donation, event_id="evt_1InvoiceUpcomingAgain")
    with django_capture_on_commit_callbacks(execute=True):
        for event in (payload, payload, again):
            assert deliver(event).status_code == 200
    [email] = mail.outbox
    day = as_written(language, renews_at)
    assert email.to == [donation.email]
    assert email.subject == in_language(language, RENEWAL_SUBJECT) % {"day": day}
    html = email.alternatives[0][0]
    assert f'lang="{language}"' in html and day in email.body and day in html
    assert ("¥36,000" if language == "en" else "36,000円") in email.body
    assert "/donate/manage/" in email.body and "/donate/manage/" in html  # to change or stop it
    if language == "en":
        assert f"It renews on {day}: ¥36,000 will then be charged to your card." in email.body
    assert Message.objects.get(template="donation_renewal_notice").language == language


def test_next_years_renewal_brings_its_own_notice(supporter, deliver, django_capture_on_commit_callbacks):
    donation = supporter(frequency="yearly", language="en")
    with django_capture_on_commit_callbacks(execute=True):
        deliver(upcoming(donation)[0])
        deliver(upcoming(donation, days_ahead=30 + 365, event_id="evt_next_year")[0])
    assert len(mail.outbox) == 2


def test_a_monthly_supporter_gets_no_renewal_notice(supporter, deliver, django_capture_on_commit_callbacks):
    donation = supporter(frequency="monthly", language="en")
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(upcoming(donation)[0]).status_code == 200
    assert mail.outbox == [] and not Message.objects.filter(template="donation_renewal_notice").exists()


def test_a_stopped_yearly_gift_gets_no_renewal_notice(supporter, deliver, django_capture_on_commit_callbacks):
    stopped = supporter(frequency="yearly", language="en")
    with django_capture_on_commit_callbacks(execute=True):
        deliver(stripe_event("customer_subscription_deleted", stopped, created=NOW))
        deliver(upcoming(stopped)[0])
    assert mail.outbox == []
    # Stopped after Stripe announced the renewal but before the notice went out: not sent either.
    stopping = supporter(frequency="yearly", language="en")
    with django_capture_on_commit_callbacks(execute=True):
        deliver(upcoming(stopping, event_id="evt_upcoming_2")[0])
        deliver(stripe_event("customer_subscription_deleted", stopping, created=int(time.time()), event_id="evt_d2"))
    assert mail.outbox == []
    assert Message.objects.get(template="donation_renewal_notice").state == Message.State.OBSOLETE


def test_a_dashboard_set_to_other_than_the_setting_is_logged(supporter, deliver, settings, caplog):
    settings.DONATION_RENEWAL_NOTICE_DAYS = 30
    donation = supporter(frequency="yearly", language="en")
    deliver(upcoming(donation, days_ahead=7)[0])
    assert "announced a yearly renewal 7 days ahead, where DONATION_RENEWAL_NOTICE_DAYS is 30" in caplog.text
    assert str(donation.pk) not in caplog.text and donation.email not in caplog.text


# --- donations staff: failed payments on Today's desk ---------------------------------------------------------


# The session, the user, their second factor, their permissions (2), the failed payments' count, recent actions.
DESK_QUERIES = 7
LIST_QUERIES = 12  # the same for one failed payment or many


def past_due_gifts(campaign, n):
    gifts = [make_gift(campaign, "monthly" if i % 2 else "yearly") for i in range(n)]
    Donation.objects.filter(pk__in=[gift.pk for gift in gifts]).update(status="past_due")
    return gifts


@pytest.mark.parametrize("failed", [1, 12])
def test_donations_staff_see_failed_payments_on_todays_desk_in_a_fixed_number_of_queries(
    client, campaign, failed, django_assert_num_queries
):
    past_due_gifts(campaign, failed)
    make_gift(campaign, "monthly")  # waiting for its first payment: not a failure
    client.force_login(CoordinatorFactory(groups=["donations staff"]))
    with django_assert_num_queries(DESK_QUERIES):
        html = client.get("/en/admin/").content.decode()
    gifts = "gift" if failed == 1 else "gifts"
    link = f'<a href="/en/admin/donations/donation/?status__exact=past_due">{failed} monthly or yearly {gifts} whose'
    assert link in html


def test_the_desk_tells_only_donations_staff_and_only_when_a_payment_failed(client, campaign):
    client.force_login(CoordinatorFactory())  # a coordinator of the programs
    past_due_gifts(campaign, 2)
    assert "whose payment failed" not in client.get("/en/admin/").content.decode()
    client.force_login(CoordinatorFactory(groups=["donations staff"]))
    assert "2 monthly or yearly gifts whose payment failed" in client.get("/en/admin/").content.decode()
    Donation.objects.update(status="active")
    assert "whose payment failed" not in client.get("/en/admin/").content.decode()


@pytest.mark.parametrize("failed", [1, 12])
def test_the_donations_list_links_to_the_failed_payments_and_lists_only_them(
    client, campaign, failed, django_assert_num_queries
):
    past_due_gifts(campaign, failed)
    active = make_gift(campaign, "monthly")
    Donation.objects.filter(pk=active.pk).update(status="active")
    client.force_login(CoordinatorFactory(groups=["donations staff"]))
    html = client.get("/en/admin/donations/donation/").content.decode()
    assert f"Payment failed: {failed} gift" in html and "?status__exact=past_due" in html
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get("/en/admin/donations/donation/?status__exact=past_due")
    assert response.context["cl"].result_count == failed
