import functools
import os
import re

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.common import CommonMiddleware
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, CsrfViewMiddleware
from django.utils.cache import patch_vary_headers

from donations import progress
from donations.views import shareable

CAMPAIGN_PATH = re.compile(r"^/(?:(?P<language>[\w@-]+)/)?donate/(?P<slug>[-\w]+)/$")


def page_language(prefix: str | None) -> str | None:
    """The language of a campaign page's address: no prefix is the default language (never prefixed), any other
    language is its code; None for an address that is not a campaign page (a prefix that is no language)."""
    if prefix is None:
        return settings.LANGUAGE_CODE
    if prefix != settings.LANGUAGE_CODE and prefix in language_codes():
        return prefix
    return None


@functools.cache
def language_codes() -> frozenset[str]:
    return frozenset(code for code, _name in settings.LANGUAGES)


@functools.cache
def security_policy() -> tuple[str, str]:
    """The Content-Security-Policy headers django-csp gives a page with no nonce and no policy of its own: the
    same for every such page, so built once (building them cost more than the rest of an early answer)."""
    return build_policy(), build_policy(report_only=True)


@receiver(setting_changed)
def forget_policy(setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        security_policy.cache_clear()
    if setting == "LANGUAGES":
        language_codes.cache_clear()


CHARS = len(CSRF_ALLOWED_CHARS)  # 62
INDEX = {char: i for i, char in enumerate(CSRF_ALLOWED_CHARS)}
UNBIASED = 256 - 256 % CHARS  # 248: random bytes from here on are dropped, so no character is likelier


def random_chars(length: int) -> str:
    """As Django's get_random_string, uniform over CSRF_ALLOWED_CHARS from os.urandom, but in one call instead of
    one per character: Django's way cost more than the whole rest of an early answer (bench/campaign_load.py)."""
    chars: list[str] = []
    while len(chars) < length:
        chars += [CSRF_ALLOWED_CHARS[byte % CHARS] for byte in os.urandom(2 * length) if byte < UNBIASED]
    return "".join(chars[:length])


def csrf_token(request) -> str:
    """django.middleware.csrf.get_token, with random_chars: the visitor's secret (a new one if their cookie had
    none) masked with a fresh mask; CsrfViewMiddleware.process_response then sets the cookie as ever."""
    secret = request.META.get("CSRF_COOKIE") or random_chars(CSRF_SECRET_LENGTH)
    request.META.update({"CSRF_COOKIE": secret, "CSRF_COOKIE_NEEDS_UPDATE": True})
    mask = random_chars(CSRF_SECRET_LENGTH)
    return mask + "".join(CSRF_ALLOWED_CHARS[(INDEX[a] + INDEX[b]) % CHARS] for a, b in zip(secret, mask, strict=True))


class CachedCampaignPage:
    """A press release sends thousands of anonymous visitors to the campaign page at once: each is answered the
    shared page from the cache here, before sessions, authentication, messages and the rest of the stack. The
    answer is the one the whole stack gives (tests/donations/test_early_page.py compares them): the form gets a
    fresh CSRF token (csrf_token) and its cookie (by CsrfViewMiddleware's own code), and the later middleware's
    headers.
    The page uses no CSP nonce (a nonce would be stale in a shared page).
    Anything else (a session or messages cookie, a query string, a page not cached yet) goes on as usual.

    Sits after SecurityMiddleware and WhiteNoise (HTTPS redirect, security headers) and before sessions."""

    def __init__(self, get_response):
        self.get_response = get_response
        # The later middleware whose part of the answer this one must give too, in the order they answer.
        self.common = CommonMiddleware(get_response)
        self.csrf = CsrfViewMiddleware(get_response)
        self.frame = XFrameOptionsMiddleware(get_response)

    def __call__(self, request):
        response = self.cached_answer(request)
        return self.get_response(request) if response is None else response

    def cached_answer(self, request):
        match = CAMPAIGN_PATH.match(request.path_info)
        if match is None or settings.CSRF_USE_SESSIONS or not shareable(request):
            return None
        language = page_language(match["language"])
        page = progress.cached_page(match["slug"], language) if language else None
        if page is None:
            return None
        # Only a page that campaign_page rendered is in the cache, so the address is a campaign page's.
        if self.common.process_request(request) is not None:  # host checked (400 if not allowed); www redirect
            return None
        self.csrf.process_request(request)
        token = f'<input type="hidden" name="csrfmiddlewaretoken" value="{csrf_token(request)}">'
        before, after = page
        response = HttpResponse(b"".join((before, token.encode(), after)))
        policy, report_only = security_policy()
        if policy:
            response[HEADER] = policy
        if report_only:
            response[HEADER_REPORT_ONLY] = report_only
        for middleware in (self.frame, self.csrf, self.common):
            response = middleware.process_response(request, response)
        # As LocaleMiddleware: the page without a language prefix is the default language's, whatever was asked.
        if match["language"] is None:
            patch_vary_headers(response, ("Accept-Language",))
        response["Content-Language"] = language
        return response
