"""A donor's private links, as signed tokens (no personal data in the URL): to manage a monthly or yearly gift, and to
see every gift and receipt. Both are redacted from logs (jii/logging.py), and both expire like status links
(settings.STATUS_LINK_MAX_AGE_DAYS): the donor then asks for a new one (donations.views.history_link_again)."""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import translation

MANAGE_SALT = "donations.manage"
HISTORY_SALT = "donations.history"


def manage_url(donation) -> str:
    token = signing.dumps(str(donation.pk), salt=MANAGE_SALT)
    with translation.override(donation.language):
        return settings.SITE_URL.rstrip("/") + reverse("donations:manage", args=[token])


def history_url(donation, language: str = "") -> str:
    """The donor's page of every gift made with this donation's email. The token names the donation, not the
    email: a signed value is readable by anyone who decodes it."""
    token = signing.dumps(str(donation.pk), salt=HISTORY_SALT)
    with translation.override(language or donation.language):
        return settings.SITE_URL.rstrip("/") + reverse("donations:history", args=[token])


def donation_id_from_token(token: str, salt: str) -> str | None:
    """The donation a link names, None for a forged one; signing.SignatureExpired for one too old. (signing.dumps
    has always dated its tokens, so links sent before they expired work until their time is up.)"""
    max_age = timedelta(days=settings.STATUS_LINK_MAX_AGE_DAYS)
    try:
        return signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise
    except signing.BadSignature:
        return None


def campaign_url(campaign, language: str) -> str:
    with translation.override(language):
        return settings.SITE_URL.rstrip("/") + reverse("donations:campaign", args=[campaign.slug])
