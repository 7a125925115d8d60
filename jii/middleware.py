import logging
from urllib.parse import urlencode

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse

from jii.second_factor import passed_in_this_session

logger = logging.getLogger(__name__)

READABLE_CHARSETS = {"utf-8", "utf8", "us-ascii", "ascii"}


class RefuseUnreadableForms:
    """A form posted in another character set than UTF-8 (charset=utf-16, say: what no browser sends for our
    pages) cannot be decoded, and Django would fail on it with a 500 and a long traceback: answer 400 at once."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        charset = request.content_params.get("charset", "utf-8").strip().lower()
        if request.method == "POST" and charset not in READABLE_CHARSETS:
            logger.warning("Refused a form posted in charset %.20s", charset)
            return HttpResponseBadRequest("Please send the form in UTF-8.", content_type="text/plain")
        return self.get_response(request)


# No page of ours uses these; a script injected into one could not either.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)


def permissions_policy(get_response):
    def middleware(request):
        response = get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response

    return middleware


class StaffSecondFactor:
    """No admin page opens for staff (superusers too) without a second factor: a staff member without an
    authenticator app is sent to set one up; one with an app whose session did not pass it (a way in that skipped
    allauth's code step, now or after a settings change) is asked for a code. Everyone else is untouched."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not (user.is_authenticated and user.is_staff and request.resolver_match.namespace == "admin"):
            return None
        if not is_mfa_enabled(user, [Authenticator.Type.TOTP]):
            return redirect("mfa_activate_totp")
        if not passed_in_this_session(request, user):
            return redirect(f"{reverse('mfa_reauthenticate')}?{urlencode({'next': request.get_full_path()})}")
        return None
