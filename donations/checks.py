"""Start-up checks of the Stripe settings."""

import stripe
from django.conf import settings
from django.core.checks import Error, Warning

from donations.stripe_api import STRIPE_METHODS

STRIPE_API = "https://api.stripe.com"


def stripe_api_version_matches_library(app_configs, **kwargs):
    """The requests are built from the installed library's types: another version may refuse them."""
    if stripe.api_version == settings.STRIPE_API_VERSION:
        return []
    return [
        Warning(
            f"STRIPE_API_VERSION is {settings.STRIPE_API_VERSION}, but the installed stripe-python speaks "
            f"{stripe.api_version}.",
            hint='Pin the version of the locked library; README, "Stripe API version", says how to move.',
            id="donations.W001",
        )
    ]


def stripe_api_is_stripes(app_configs, **kwargs):
    """In production the secret key goes to Stripe only: a stand-in's address left in STRIPE_API_BASE would send
    it elsewhere, perhaps unencrypted."""
    if settings.STRIPE_API_BASE == STRIPE_API:
        return []
    return [
        Warning(
            f"STRIPE_API_BASE is {settings.STRIPE_API_BASE}, not {STRIPE_API}.",
            hint="Unset STRIPE_API_BASE in production.",
            id="donations.W002",
        )
    ]


def payment_methods_are_known(app_configs, **kwargs):
    """A method the site cannot take would silently vanish from the page: say so at start."""
    unknown = [method for method in settings.DONATION_PAYMENT_METHODS if method not in STRIPE_METHODS]
    if not unknown and settings.DONATION_PAYMENT_METHODS:
        return []
    return [
        Error(
            f"DONATION_PAYMENT_METHODS has {unknown or 'nothing'}; the site takes {', '.join(STRIPE_METHODS)}.",
            hint="List only methods enabled in JII's Stripe Dashboard (README: Payment methods).",
            id="donations.E003",
        )
    ]
