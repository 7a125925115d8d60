import functools
import re

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.common import CommonMiddleware
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.cache import patch_vary_headers

from donations import progress
from donations.views import shareable, with_csrf

CAMPAIGN_PATH = re.compile(r"^/(?:(?P<language>[\w@-]+)/)?donate/(?P<slug>[-\w]+)/$")


def page_language(prefix: str | None) -> str | None:
    """The language of a campaign page's address: no prefix is the default language (never prefixed), any other
    language is its code; None for an address that is not a campaign page (a prefix that is no language)."""
    if prefix is None:
        return settings.LANGUAGE_CODE
    if prefix != settings.LANGUAGE_CODE and prefix in dict(settings.LANGUAGES):
        return prefix
    return None


@functools.cache
def security_policy() -> tuple[str, str]:
    """The Content-Security-Policy headers django-csp gives a page with no nonce and no policy of its own: the
    same for every such page, so built once (building them cost more than the rest of an early answer)."""
    return build_policy(), build_policy(report_only=True)


@receiver(setting_changed)
def forget_policy(setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        security_policy.cache_clear()


class CachedCampaignPage:
    """A press release sends thousands of anonymous visitors to the campaign page at once: each is answered the
    shared page from the cache here, before sessions, authentication, messages and the rest of the stack. The
    answer is the one the whole stack gives (tests/donations/test_early_page.py compares them): the form gets a
    fresh CSRF token and its cookie (by CsrfViewMiddleware's own code), and the headers the later middleware add.
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
        return self.cached_answer(request) or self.get_response(request)

    def cached_answer(self, request):
        match = CAMPAIGN_PATH.match(request.path_info)
        if match is None or not shareable(request):
            return None
        language = page_language(match["language"])
        html = progress.cached_page(match["slug"], language) if language else None
        if html is None:
            return None
        # Only a page that campaign_page rendered is in the cache, so the address is a campaign page's.
        if self.common.process_request(request) is not None:  # host checked (400 if not allowed); www redirect
            return None
        self.csrf.process_request(request)
        response = with_csrf(request, html)
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
