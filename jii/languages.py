"""The site's languages come from settings.LANGUAGES alone: a line there and a catalog under locale/ add one.

Every use that needs "a language" asks here: the language of a page, of a resident's emails, or the nearest one
that something with its own list offers (Stripe Checkout's locales, the receipts' two languages), found by
walking the fallback chain: the language, its own fallbacks (settings.LANGUAGE_FALLBACKS, e.g. plain Japanese →
Japanese), then settings.LANGUAGE_FALLBACK_ORDER."""

from collections.abc import Collection

from django.conf import settings
from django.utils.translation import get_language


def site_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def fallback_chain(language: str) -> list[str]:
    """Where to look, in order, for something missing in `language`."""
    chain = [language, *settings.LANGUAGE_FALLBACKS.get(language, ()), *settings.LANGUAGE_FALLBACK_ORDER]
    return list(dict.fromkeys(chain))


def current_language() -> str:
    """The language of the page being served (the one a resident applies in, and later hears from us in), or
    the site's default outside a request."""
    language = get_language()
    return language if language in site_languages() else settings.LANGUAGE_CODE


def nearest_language(offered: Collection[str], language: str = "") -> str | None:
    """The first language of `language`'s fallback chain (default: the page's) that `offered` has, or None."""
    return next((code for code in fallback_chain(language or current_language()) if code in offered), None)


def reads_japanese(language: str) -> bool:
    """Whether a reader of this language reads Japanese script: Japanese, and languages that fall back to it
    first (plain Japanese)."""
    japanese = settings.LANGUAGE_CODE
    return language == japanese or settings.LANGUAGE_FALLBACKS.get(language, [None])[0] == japanese


def language_tag(language: str) -> str:
    """The BCP 47 tag for `lang` and `hreflang` attributes (a URL code such as ja-easy is not one)."""
    return settings.LANGUAGE_TAGS.get(language, language)
