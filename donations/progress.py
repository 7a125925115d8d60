"""A campaign's progress and its approved supporter messages, cached until money moves (see
donations.services.money_moved): the campaign page stays cheap however many donations there are."""

import contextlib
import functools
import hashlib
import time as time_module
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.db.models import F, Sum
from django.dispatch import receiver
from django.utils import timezone

from donations.models import Campaign, Donation, Payment
from jii.languages import site_languages

MESSAGES_SHOWN = 30


def period(campaign: Campaign) -> tuple[datetime, datetime]:
    """The campaign's first and last day in Tokyo, as [start, end) instants."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(campaign.starts_on, time.min, tzinfo=tz)
    end = datetime.combine(campaign.ends_on + timedelta(days=1), time.min, tzinfo=tz)
    return start, end


def compute_progress(campaign: Campaign) -> dict:
    start, end = period(campaign)
    # New supporters are gifts that renew, monthly or yearly (継続寄付, as Congrant counts them), started in the period.
    supporters = Donation.objects.filter(
        campaign=campaign, frequency__in=Donation.RECURRING, started_at__gte=start, started_at__lt=end
    ).count()
    received = Payment.objects.filter(campaign=campaign, received_at__gte=start, received_at__lt=end).aggregate(
        total=Sum(F("amount_yen") - F("refunded_yen"))
    )["total"]
    return {"supporters": supporters, "yen": received or 0}


def compute_messages(campaign: Campaign) -> list[dict]:
    paid = [Donation.Status.ACTIVE, Donation.Status.PAST_DUE, Donation.Status.ENDED]
    approved = (
        Donation.objects.filter(campaign=campaign, message_status=Donation.MessageStatus.APPROVED, status__in=paid)
        .order_by("-created_at")
        .only("name", "nickname", "show_as", "message", "created_at")[:MESSAGES_SHOWN]
    )
    return [{"name": d.public_name, "message": d.message, "date": d.created_at} for d in approved]


CONTENT_SECONDS = 300  # edits in the admin also clear it at once (see forget_campaign)


def version(campaign: Campaign) -> int:
    """Bumped whenever money moves or messages change: part of every cache key of the campaign page."""
    return cache.get_or_set(f"campaign:{campaign.pk}:version", 1, None)


def cached(campaign: Campaign, name: str, compute):
    key = f"campaign:{campaign.pk}:{name}:v{version(campaign)}"
    return cache.get_or_set(key, lambda: compute(campaign), 3600)


def published_campaign(slug: str) -> Campaign | None:
    """The campaign with its suggested amounts and voices, from the cache when possible (no queries)."""

    def load():
        return Campaign.objects.prefetch_related("tiers", "voices").filter(slug=slug, is_published=True).first()

    campaign = cache.get(f"campaign-page:{slug}")
    if campaign is None:
        campaign = load()
        if campaign is not None:
            cache.set(f"campaign-page:{slug}", campaign, CONTENT_SECONDS)
    return campaign


SHOWN_SETTINGS = {
    "STRIPE_SECRET_KEY", "DONATION_MINIMUM_YEN", "DONATION_PAYMENT_METHODS", "DONATION_RENEWAL_NOTICE_DAYS",
    "DONATIONS_TAX_DEDUCTIBLE", "TAX_DEDUCTIBLE_ROUTE_URL",
}  # fmt: skip


@functools.cache  # settings do not change while the site runs (but in tests: see below)
def settings_version() -> str:
    """A short hash of the settings the page shows (card form or bank transfer only, the smallest gift, the tax
    note): part of its cache keys, so a deploy with new settings never serves a page rendered with the old ones."""
    shown = [
        bool(settings.STRIPE_SECRET_KEY),  # whether cards are taken; the key itself never goes into a cache key
        settings.DONATION_MINIMUM_YEN,
        settings.DONATION_PAYMENT_METHODS,
        settings.DONATION_RENEWAL_NOTICE_DAYS,
        settings.DONATIONS_TAX_DEDUCTIBLE,
        settings.TAX_DEDUCTIBLE_ROUTE_URL,
    ]
    return hashlib.sha256(repr(shown).encode()).hexdigest()[:8]


@receiver(setting_changed)
def forget_settings_version(setting, **kwargs):
    if setting in SHOWN_SETTINGS:
        settings_version.cache_clear()


def page_key(slug: str, language: str) -> str:
    return f"campaign-html:{slug}:{language}:{timezone.localdate()}:{settings_version()}"


# Each worker also keeps the page for a second, which saves a Redis round trip on every busy request; after a
# payment, other workers show the new total within that second. It keeps it as the bytes before and after the form's
# CSRF token (CSRF_SLOT), so that an answer only joins them around a fresh token.
LOCAL_SECONDS = 1.0
CSRF_SLOT = "<!--csrf-->"
local_pages: dict[str, tuple[float, bytes, bytes]] = {}


def cached_page(slug: str, language: str) -> tuple[bytes, bytes] | None:
    """The whole page as rendered for anonymous visitors today, in its two parts around the CSRF token; dropped when
    money moves."""
    key = page_key(slug, language)
    now = time_module.monotonic()
    found = local_pages.get(key)
    if found and found[0] > now:
        return found[1:]
    html = cache.get(key)
    if html is None:
        return None
    before, _slot, after = html.partition(CSRF_SLOT)
    local_pages[key] = (now + LOCAL_SECONDS, before.encode(), after.encode())
    return local_pages[key][1:]


def remember_page(campaign: Campaign, language: str, html: str) -> None:
    cache.set(page_key(campaign.slug, language), html, CONTENT_SECONDS)


def forget_pages(slug: str) -> None:
    keys = [page_key(slug, language) for language in site_languages()]
    cache.delete_many(keys)
    for key in keys:
        local_pages.pop(key, None)


def forget_campaign(campaign: Campaign) -> None:
    """After an edit in the admin: the next view reloads the campaign and re-renders every fragment."""
    cache.delete(f"campaign-page:{campaign.slug}")
    forget_pages(campaign.slug)
    with contextlib.suppress(ValueError):  # no version yet: nothing cached to forget
        cache.incr(f"campaign:{campaign.pk}:version")


def campaign_state(campaign: Campaign) -> dict:
    """Everything the page shows about progress: counts, targets, percentages, days left, ended or not."""
    progress = cached(campaign, "progress", compute_progress)
    today = timezone.localdate()
    return {
        **progress,
        "supporters_left": max(campaign.goal_new_monthly_supporters - progress["supporters"], 0),
        "yen_left": max(campaign.goal_amount_yen - progress["yen"], 0),
        "days_left": max((campaign.ends_on - today).days + 1, 0) if today >= campaign.starts_on else None,
        "ended": today > campaign.ends_on,
        "not_started": today < campaign.starts_on,
    }


def supporter_messages(campaign: Campaign) -> list[dict]:
    return cached(campaign, "messages", compute_messages)
