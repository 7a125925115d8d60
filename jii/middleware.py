import logging

from django.http import HttpResponseBadRequest

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
