"""A warning when the pinned Stripe API version is not the one the installed stripe-python describes: the
requests are then built from the library's types for another version, which Stripe may refuse."""

import stripe
from django.conf import settings
from django.core.checks import Warning


def stripe_api_version_matches_library(app_configs, **kwargs):
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
