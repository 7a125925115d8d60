"""The campaign page: progress at the boundaries, giving through Stripe Checkout, messages, fixed queries."""

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import get_language_info

from donations.models import Donation, Payment
from donations.progress import campaign_state
from donations.services import moderate_messages, record_bank_transfer
from jii.languages import language_tag
from tests.donations.conftest import donation_for, signed, stripe_event
from tests.factories import CoordinatorFactory

pytestmark = pytest.mark.django_db
JST = timezone.get_fixed_timezone(9 * 60)


def pay(donation, amount, when):
    return Payment.objects.create(donation=donation, campaign=donation.campaign, amount_yen=amount, received_at=when)


def test_progress_counts_the_campaigns_first_and_last_day_in_tokyo(campaign, during_campaign):
    gift = donation_for(campaign)
    pay(gift, 1000, datetime(2026, 11, 5, 0, 0, tzinfo=JST))  # first minute of the first day
    pay(gift, 2000, datetime(2026, 12, 25, 23, 59, tzinfo=JST))  # last minute of the last day
    pay(gift, 4000, datetime(2026, 11, 4, 23, 59, tzinfo=JST))  # a minute before: not counted
    pay(gift, 8000, datetime(2026, 12, 26, 0, 0, tzinfo=JST))  # a minute after: not counted
    refunded = pay(gift, 500, datetime(2026, 11, 10, tzinfo=JST))
    refunded.refunded_yen = 500
    refunded.save()
    monthly = donation_for(campaign, frequency="monthly", amount=3000)
    Donation.objects.filter(pk=monthly.pk).update(started_at=datetime(2026, 11, 5, 0, 0, tzinfo=JST))
    late = donation_for(campaign, frequency="monthly", amount=3000)
    Donation.objects.filter(pk=late.pk).update(started_at=datetime(2026, 12, 26, 0, 0, tzinfo=JST))
    state = campaign_state(campaign)
    assert state["yen"] == 3000  # refunds subtract
    assert state["supporters"] == 1
    assert state["days_left"] == 35  # 21 Nov to 25 Dec, today included


def test_a_failed_payment_adds_nothing(client, campaign, make_donation, during_campaign):
    donation = make_donation(frequency="monthly", amount=3000)
    payload = stripe_event(
        "invoice_payment_failed", donation, created=int(datetime(2026, 11, 20, tzinfo=UTC).timestamp())
    )
    response = client.post("/stripe/webhook/", data=payload, content_type="application/json",
                           headers={"Stripe-Signature": signed(payload)})  # fmt: skip
    assert response.status_code == 200
    assert campaign_state(campaign)["yen"] == 0


def test_the_page_shows_both_counters_and_the_tax_note(client, campaign, during_campaign):
    pay(donation_for(campaign), 23000, datetime(2026, 11, 10, tzinfo=JST))
    html = client.get(f"/en/donate/{campaign.slug}/").content.decode()
    assert 'id="yen-now">¥23,000<' in html and 'max="1500000"' in html
    assert 'id="supporters-now">0<' in html and "35 days left" in html
    assert "not tax-deductible" in html and "Give One" in html
    assert "1418300" in html  # the bank account for transfers


def test_after_the_end_the_page_says_what_was_reached(client, campaign, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2026, 12, 26))
    pay(donation_for(campaign), 5000, datetime(2026, 12, 1, tzinfo=JST))
    html = client.get(f"/en/donate/{campaign.slug}/").content.decode()
    assert 'id="campaign-ended"' in html and "¥5,000" in html
    assert "Continue to secure payment" not in html


def give_form(**changes):
    data = {"frequency": "monthly", "method": "card", "tier": "other", "other_amount": "5000", "name": "山田 花子",
            "email": "hanako@example.jp", "address": "", "show_as": "nickname", "nickname": "はなこ",
            "message": "応援しています！", "receipts_wanted": "annual", "consent": "on"}  # fmt: skip
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_giving_opens_a_stripe_checkout_for_a_pending_donation(client, campaign, during_campaign, stripe_api):
    response = client.post(f"/en/donate/{campaign.slug}/", give_form())
    [request] = stripe_api.made("POST", "/v1/checkout/sessions")
    assert response.status_code == 303 and response["Location"] == "https://checkout.stripe.com/c/pay/cs_test_0"
    donation = Donation.objects.get()
    assert (donation.status, donation.amount_yen, donation.message_status) == ("pending", 5000, "pending")
    assert donation.receipts_wanted == "annual" and donation.stripe_checkout_session == "cs_test_0"
    assert request.headers["Idempotency-Key"] == f"checkout-{donation.pk}"
    params = request.params
    assert params["mode"] == "subscription"
    price = params["line_items"]["0"]["price_data"]
    assert (price["currency"], price["unit_amount"], price["recurring"]) == ("jpy", "5000", {"interval": "month"})
    assert params["metadata"] == params["subscription_data"]["metadata"] == {"donation": str(donation.pk)}
    assert not Payment.objects.exists()  # nothing is recorded until Stripe's webhook says so


def test_when_stripe_cannot_be_reached_the_donor_gets_a_message_not_a_500(
    client, campaign, during_campaign, stripe_api
):
    stripe_api.fail("/v1/checkout/sessions")
    response = client.post(f"/en/donate/{campaign.slug}/", give_form())
    assert response.status_code == 200
    assert "Online payments cannot be reached right now" in response.content.decode()
    assert 'value="hanako@example.jp"' in response.content.decode()  # nothing typed is lost


def test_without_stripe_keys_the_form_is_there_and_giving_points_to_the_bank_transfer(
    client, campaign, during_campaign, settings, stripe_api
):
    settings.STRIPE_SECRET_KEY = ""
    html = client.get(f"/en/donate/{campaign.slug}/").content.decode()
    assert 'name="email"' in html and "Continue to secure payment" in html
    assert "Online payments are not set up on this site yet." in html and 'href="#bank-title"' in html
    response = client.post(f"/donate/{campaign.slug}/", give_form())  # the Japanese page
    page = response.content.decode()
    assert response.status_code == 200 and 'role="alert"' in page
    assert "オンライン決済の準備ができていないため、ここからはご寄付いただけません。下記の口座への銀行振込" in page
    assert 'value="hanako@example.jp"' in page  # nothing typed is lost
    assert not Donation.objects.exists() and stripe_api.requests == []
    wrong = client.post(f"/en/donate/{campaign.slug}/", give_form(other_amount="")).content.decode()
    assert "Please enter an amount in whole yen." in wrong and "cannot be made by card" not in wrong


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"other_amount": "499"}, "greater than or equal to 500"),
        ({"other_amount": "1000.5"}, "Enter a whole number."),
        ({"other_amount": ""}, "Please enter an amount in whole yen."),
        ({"tier": "777"}, "Select a valid choice."),
        ({"receipts_wanted": "weekly"}, "Select a valid choice."),
        ({"nickname": ""}, "Please enter the nickname to show."),
        ({"consent": None}, "Please tick the box to agree."),
        ({"email": "nope"}, "Enter a valid email address."),
    ],
)
def test_bad_gifts_get_clear_errors(client, campaign, during_campaign, changes, message):
    html = client.post(f"/en/donate/{campaign.slug}/", give_form(**changes)).content.decode()
    assert message in html
    assert not Donation.objects.exists()


def test_messages_appear_newest_first_after_approval_and_anonymous_ones_without_a_name(
    client, campaign, during_campaign, django_capture_on_commit_callbacks
):
    donation_for(campaign, message="がんばってください", show_as="name", name="佐藤 一郎")
    hidden = donation_for(campaign, message="Keep going!", show_as="anonymous", name="Secret Person")
    unpaid = donation_for(campaign, message="Never paid", show_as="name", name="Nobody")
    Donation.objects.exclude(pk=unpaid.pk).update(status="active")  # only paid gifts' messages may show
    Donation.objects.filter(pk=hidden.pk).update(created_at=timezone.now() + timedelta(minutes=1))
    html = client.get(f"/en/donate/{campaign.slug}/").content.decode()
    assert "がんばってください" not in html  # not approved yet
    with django_capture_on_commit_callbacks(execute=True):  # approving refreshes the page's cached messages
        moderate_messages(donations=Donation.objects.all(), approve=True)
    html = client.get(f"/en/donate/{campaign.slug}/").content.decode()
    assert html.index("Keep going!") < html.index("がんばってください")
    assert "Secret Person" not in html and "佐藤 一郎" in html
    assert "Never paid" not in html


@pytest.mark.parametrize("donations", [10, 100_000])
def test_the_page_runs_a_fixed_number_of_queries(client, campaign, during_campaign, donations):
    gift = donation_for(campaign, message="ありがとう")
    moderate_messages(donations=Donation.objects.all(), approve=True)
    now = datetime(2026, 11, 20, tzinfo=JST)
    Donation.objects.bulk_create(
        Donation(campaign=campaign, amount_yen=1000, name="x", email="x@example.com", consented_at=now,
                 started_at=now, frequency="monthly", message="m", message_status="approved")
        for _ in range(donations - 1)
    )  # fmt: skip
    Payment.objects.bulk_create(
        Payment(donation=gift, campaign=campaign, amount_yen=1000, received_at=now) for _ in range(donations)
    )
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/en/donate/{campaign.slug}/")
    assert f"¥{donations * 1000:,}" in response.content.decode()
    # campaign, tiers, voices; supporters, yen; messages; OFP, Spot, Hanamaru and consultation figures (first
    # view, cold caches)
    assert len(queries) == 10
    with CaptureQueriesContext(connection) as queries:
        client.get(f"/en/donate/{campaign.slug}/")
    assert len(queries) == 0  # afterwards everything comes from the cache until money moves or an edit


def test_a_bank_transfer_counts_like_a_card_gift(client, campaign, during_campaign):
    staff = CoordinatorFactory(groups=["donations staff"])
    client.force_login(staff)
    client.post(
        "/en/admin/donations/donation/bank-transfer/",
        {"campaign": campaign.pk, "name": "田中 太郎", "email": "", "address": "", "frequency": "once",
         "receipts_wanted": "each",
         "amount_yen": "30000", "received_on": "2026-11-18"},
    )  # fmt: skip
    assert campaign_state(campaign)["yen"] == 30000
    assert Donation.objects.get().method == "bank_transfer"


def test_the_accounting_export_leaves_out_donors_who_did_not_agree(client, campaign, during_campaign):
    agreed = donation_for(campaign, name="公開 可")
    private = donation_for(campaign, name="非公開 様", accounting_consent=False)
    for donation in (agreed, private):
        record_bank_transfer(donation=donation, amount_yen=5000, received_on=date(2026, 11, 10), recorded_by=None)
    client.force_login(CoordinatorFactory(groups=["donations staff"]))
    response = client.get("/en/admin/donations/donation/export/", {"start": "2026-11-01", "end": "2026-11-30"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2
    assert {row["name"] for row in rows} == {"公開 可", ""}
    assert all(row["net_yen"] == "5000" for row in rows)


def test_the_cached_page_shows_new_money_at_once(client, campaign, during_campaign, django_capture_on_commit_callbacks):
    gift = donation_for(campaign)
    client.get(f"/en/donate/{campaign.slug}/")  # cache the page
    with django_capture_on_commit_callbacks(execute=True):
        record_bank_transfer(donation=gift, amount_yen=7000, received_on=date(2026, 11, 20), recorded_by=None)
    assert 'id="yen-now">¥7,000<' in client.get(f"/en/donate/{campaign.slug}/").content.decode()


def test_an_edit_in_the_admin_shows_at_once(client, campaign, during_campaign):
    client.get(f"/en/donate/{campaign.slug}/")
    client.force_login(CoordinatorFactory(groups=["donations staff"]))
    page = client.get(f"/en/admin/donations/campaign/{campaign.pk}/change/")
    form = page.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, dict):  # a translated text: one box per language, named <field>_<language>
            data |= {f"{name}_{code}": text for code, text in value.items()}
        else:
            data[name] = value or ""
    data |= {
        "summary_en": "A brand-new summary",
        "is_published": "on",
        "starts_on": "2026-11-05",
        "ends_on": "2026-12-25",
    }
    for prefix in ("tiers", "voices"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    client.post(f"/en/admin/donations/campaign/{campaign.pk}/change/", data)
    client.logout()
    assert "A brand-new summary" in client.get(f"/en/donate/{campaign.slug}/").content.decode()


def test_a_page_served_from_the_cache_still_carries_a_working_csrf_token(campaign, during_campaign):
    from django.test import Client

    Client().get(f"/en/donate/{campaign.slug}/")  # someone else's visit caches the page
    visitor = Client(enforce_csrf_checks=True)
    html = visitor.get(f"/en/donate/{campaign.slug}/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
    response = visitor.post(f"/en/donate/{campaign.slug}/", give_form(csrfmiddlewaretoken=token))
    assert response.status_code == 303


def test_every_language_has_its_own_shared_page(
    client, campaign, during_campaign, settings, django_capture_on_commit_callbacks
):
    settings.LANGUAGES = [*settings.LANGUAGES, ("ko", "Korean")]  # and a language added in settings
    pages = {code: ("" if code == "ja" else f"/{code}") + f"/donate/{campaign.slug}/" for code, _ in settings.LANGUAGES}
    for _round in range(2):  # the second round is served from the shared cache
        for code, page in pages.items():
            html = client.get(page).content.decode()
            assert f'<html lang="{language_tag(code)}"' in html
            assert f'aria-current="true">{get_language_info(code)["name_local"]}</a>' in html
    with django_capture_on_commit_callbacks(execute=True):
        record_bank_transfer(
            donation=donation_for(campaign), amount_yen=7000, received_on=date(2026, 11, 20), recorded_by=None
        )
    # Money moved: every language's page is forgotten.
    for page in pages.values():
        assert re.search('id="yen-now">[^<]*7,000', client.get(page).content.decode())


def test_a_gift_with_mistakes_lists_them_where_the_page_opens(client, campaign, during_campaign):
    html = client.post(f"/en/donate/{campaign.slug}/", give_form(name="", email="hanako@gmail.con")).content.decode()
    summary = html[html.index('id="form-errors"') : html.index("</div>", html.index('id="form-errors"'))]
    assert "autofocus" in html[html.index('<div class="form-errors"') : html.index('id="form-errors"') + 60]
    assert '<a href="#id_name">Your name — Please fill this in.</a>' in summary
    assert "Email — Please check the end of the address. Did you mean hanako@gmail.com?" in summary


def test_logged_in_visitors_never_get_the_shared_page(client, campaign, during_campaign):
    client.get(f"/en/donate/{campaign.slug}/")  # cached for anonymous visitors
    client.force_login(CoordinatorFactory())
    assert "Log out" in client.get(f"/en/donate/{campaign.slug}/").content.decode()


def test_a_page_asked_with_a_query_string_is_never_shared(client, campaign, during_campaign):
    client.get(f"/en/donate/{campaign.slug}/?email=victim%40example.jp")
    assert "victim" not in client.get(f"/en/donate/{campaign.slug}/").content.decode()


def test_the_accounting_export_makes_formulas_inert(client, campaign, during_campaign):
    donation = donation_for(campaign, name='=HYPERLINK("http://evil")')
    record_bank_transfer(donation=donation, amount_yen=1000, received_on=date(2026, 11, 10), recorded_by=None)
    client.force_login(CoordinatorFactory(groups=["donations staff"]))
    response = client.get("/en/admin/donations/donation/export/", {"start": "2026-11-01", "end": "2026-11-30"})
    [row] = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert row["name"].startswith("'=")


def test_the_campaign_list_shows_each_campaigns_figures_with_a_fixed_number_of_queries(client, campaign):
    from donations.models import Campaign

    def list_queries():
        with CaptureQueriesContext(connection) as queries:
            html = client.get("/en/admin/donations/campaign/").content.decode()
        return len(queries), html

    gift = donation_for(campaign, frequency="monthly")
    Donation.objects.filter(pk=gift.pk).update(started_at=datetime(2026, 11, 5, 0, 0, tzinfo=JST))
    pay(gift, 4000, datetime(2026, 12, 25, 23, 59, tzinfo=JST))
    pay(gift, 9000, datetime(2026, 12, 26, 0, 0, tzinfo=JST))  # after the last day in Tokyo: not counted
    client.force_login(CoordinatorFactory(groups=["donations staff"]))
    few, html = list_queries()
    assert "1 / 50" in html and "¥4,000 / ¥1,500,000" in html
    for n in range(5):
        Campaign.objects.create(slug=f"other-{n}", title={"ja": "t", "en": "t"}, summary={"ja": "s", "en": "s"},
                                starts_on=date(2025, 1, 1), ends_on=date(2025, 2, 1), goal_new_monthly_supporters=1,
                                goal_amount_yen=1)  # fmt: skip
    assert list_queries()[0] == few


def test_the_gift_form_is_limited_like_every_public_form(client, campaign, during_campaign, stripe_api):
    answers = [client.post(f"/en/donate/{campaign.slug}/", give_form()) for _ in range(6)]
    assert [answer.status_code for answer in answers] == [303] * 5 + [200]
    assert "We have received many forms from this network or for this email address" in answers[-1].content.decode()
    assert len(stripe_api.made("POST", "/v1/checkout/sessions")) == 5 and Donation.objects.count() == 5


def test_the_cached_page_changes_with_the_settings_it_shows(client, campaign, during_campaign, settings):
    url = f"/en/donate/{campaign.slug}/"
    html = client.get(url).content.decode()  # cached for every visitor, cards taken
    assert 'id="cards-not-set-up"' not in html and 'min="500"' in html
    # A deploy without Stripe keys and with a higher minimum, the cache (Redis) kept.
    settings.STRIPE_SECRET_KEY = ""
    settings.DONATION_MINIMUM_YEN = 1000
    html = client.get(url).content.decode()
    assert 'id="cards-not-set-up"' in html and 'min="1000"' in html


def test_the_page_carries_its_preview_card_and_plain_share_links_with_the_hashtag(client, campaign, during_campaign):
    html = client.get(f"/en/donate/{campaign.slug}/").content.decode()
    url = f"{settings.SITE_URL.rstrip('/')}/en/donate/{campaign.slug}/"
    assert '<meta property="og:title" content="A kinder shared future">' in html
    assert f'<meta property="og:url" content="{url}">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    share = html.split('id="share-title"', 1)[1].split("</section>", 1)[0]
    encoded = quote(url, safe="")
    assert f'href="https://social-plugins.line.me/lineit/share?url={encoded}' in share
    assert (
        "https://twitter.com/intent/tweet?" in share
        and "hashtags=%E5%B0%8F%E3%81%95%E3%81%AA%E7%90%86%E8%A7%A3" in share
    )
    assert f'href="https://www.facebook.com/sharer/sharer.php?u={encoded}"' in share
    assert not re.search(r"<script[^>]+src=\"https?://", html)  # no third-party script
    ja = client.get(f"/donate/{campaign.slug}/").content.decode()
    assert '<meta property="og:title" content="「小さな理解」から広がる やさしい共生の未来">' in ja
