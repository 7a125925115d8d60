"""The one way this site talks to Stripe, and the event shapes it can read.

Every request goes through `stripe_client()`: JII's secret key and the pinned API version
(settings.STRIPE_API_VERSION), so upgrading stripe-python never changes the API quietly. Events are rendered
at another version: the webhook endpoint's (set in the Stripe Dashboard), or for the events API the account's
default version when the event happened. `readable_event_version` says whether the handlers can read one."""

import functools
from dataclasses import dataclass

import stripe
from django.conf import settings

from jii.languages import nearest_language

# The handlers read objects as Stripe renders them since 2025-03-31.basil: an invoice names its subscription
# under `parent.subscription_details`, and a charge no longer names its invoice.
OLDEST_READABLE_EVENT_VERSION = "2025-03-31.basil"


# Stripe's name for each language of ours its Checkout and customer portal speak (their `locale` parameter).
STRIPE_LOCALES = {
    "ja": "ja", "en": "en", "zh-hans": "zh", "zh-hant": "zh-TW", "vi": "vi", "ko": "ko", "pt-br": "pt-BR",
    "fil": "fil", "th": "th", "id": "id", "es": "es", "fr": "fr", "de": "de", "it": "it",
}  # fmt: skip


def stripe_locale(language: str) -> str:
    """Stripe's locale for a donor's language, or the nearest it speaks (e.g. Nepali → English)."""
    return STRIPE_LOCALES.get(nearest_language(STRIPE_LOCALES, language), "auto")


def stripe_client() -> stripe.StripeClient:
    return _client(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_VERSION, settings.STRIPE_API_BASE)


@functools.lru_cache(maxsize=4)
def _client(api_key: str, api_version: str, api_base: str) -> stripe.StripeClient:
    # One client per key and version, so its HTTP connections are kept open between requests.
    return stripe.StripeClient(api_key, stripe_version=api_version, base_addresses={"api": api_base})


def release_date(api_version: str) -> str:
    """ "2026-10-28.endive" → "2026-10-28": versions compare by their date."""
    return api_version.partition(".")[0]


def readable_event_version(api_version: str | None) -> bool:
    """Whether the handlers can read an event rendered at this version: not older than the shapes they read,
    nor newer than the version this site speaks (a newer one may have moved what they read)."""
    if not api_version:
        return False
    oldest, pinned = OLDEST_READABLE_EVENT_VERSION, settings.STRIPE_API_VERSION
    return release_date(oldest) <= release_date(api_version) <= release_date(pinned)


# The payment methods the campaign page can offer through Stripe Checkout, with what Stripe allows each in yen.
# Only cards can renew (monthly, yearly); the others are for one-off gifts in Checkout's payment mode:
# https://docs.stripe.com/payments/konbini (¥120–¥300,000), https://docs.stripe.com/payments/paypay (¥50–¥1,000,000,
# not in subscription mode), https://docs.stripe.com/payments/bank-transfers (customer_balance, jp_bank_transfer).
@dataclass(frozen=True)
class StripeMethod:
    checkout_type: str  # Checkout's name for it (allowed_payment_method_types)
    renews: bool = False
    minimum_yen: int = 50
    maximum_yen: int = 99_999_999


STRIPE_METHODS = {
    "card": StripeMethod("card", renews=True),
    "konbini": StripeMethod("konbini", minimum_yen=120, maximum_yen=300_000),
    "paypay": StripeMethod("paypay", maximum_yen=1_000_000),
    "jp_bank_transfer": StripeMethod("customer_balance"),
}
KONBINI_DAYS_TO_PAY = 3  # Stripe's default; the voucher expires at 23:59 JST on the third day


def offered_methods() -> list[str]:
    """The methods the campaign page offers, as settings.DONATION_PAYMENT_METHODS lists them (unknown ones left out:
    see the donations.E003 check)."""
    return [method for method in settings.DONATION_PAYMENT_METHODS if method in STRIPE_METHODS]
