"""Private status links: /status/<token>/ where the token is the resident's secret key, signed and dated.

The key is random (unguessable), the signature makes tampering visible, and the date lets links expire.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.http import Http404
from django.urls import reverse
from django.utils import translation

from jii.models import Resident

SALT = "jii.status-link"


def make_token(resident: Resident) -> str:
    return signing.TimestampSigner(salt=SALT).sign(resident.status_key)


def status_url(resident: Resident) -> str:
    """The full link to mail to the resident, in their language (/status/… or /en/status/…)."""
    with translation.override(resident.language):
        path = reverse("status", kwargs={"token": make_token(resident)})
    return settings.SITE_URL.rstrip("/") + path


def resident_from_form(request) -> tuple[Resident, str]:
    """The resident whose status page sent this form, and their token: the token comes in the form (a hidden
    field, templates/jii/_status_token.html), not in the path, so that no access log or proxy sees it."""
    token = request.POST.get("token", "")
    resident = resident_for_token(token)
    if resident is None:
        raise Http404
    return resident, token


def resident_for_token(token: str) -> Resident | None:
    """The resident behind a valid token, or None for a tampered, expired or revoked one."""
    max_age = timedelta(days=settings.STATUS_LINK_MAX_AGE_DAYS)
    try:
        key = signing.TimestampSigner(salt=SALT).unsign(token, max_age=max_age)
    except signing.BadSignature:
        return None
    return Resident.objects.filter(status_key=key).first()
