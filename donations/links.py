"""A donor's private links, as signed tokens (no personal data in the URL): to manage a monthly gift, and to
see every gift and receipt. Both are redacted from logs (jii/logging.py)."""

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import translation

MANAGE_SALT = "donations.manage"
HISTORY_SALT = "donations.history"


def manage_url(donation) -> str:
    token = signing.dumps(str(donation.pk), salt=MANAGE_SALT)
    with translation.override(donation.language):
        return settings.SITE_URL.rstrip("/") + reverse("donation_manage", args=[token])


def history_url(donation, language: str = "") -> str:
    """The donor's page of every gift made with this donation's email. The token names the donation, not the
    email: a signed value is readable by anyone who decodes it."""
    token = signing.dumps(str(donation.pk), salt=HISTORY_SALT)
    with translation.override(language or donation.language):
        return settings.SITE_URL.rstrip("/") + reverse("donor_history", args=[token])


def donation_id_from_history_token(token: str) -> str | None:
    try:
        return signing.loads(token, salt=HISTORY_SALT)
    except signing.BadSignature:
        return None
