from django.conf import settings
from django.urls import Resolver404, resolve, reverse, translate_url
from django.utils import translation
from django.utils.translation import get_language, get_language_bidi

from jii.languages import language_tag


def page_in_language(request, code: str) -> str:
    """This page in another language; its home page when this path is not one of the site's (a 404), so that a
    path such as //evil.example/ never becomes a link off the site."""
    try:
        resolve(request.path_info)
    except Resolver404:
        with translation.override(code):
            return reverse("home")
    return translate_url(request.get_full_path(), code)


def language_links(request):
    """The page's language tag and direction, and the current page in each language for the switcher."""
    current = get_language()
    return {
        "html_lang": language_tag(current),
        "html_dir": "rtl" if get_language_bidi() else "ltr",
        "language_links": [
            {
                "code": code,
                "tag": language_tag(code),
                "url": page_in_language(request, code),
                "current": code == current,
            }
            for code, _name in settings.LANGUAGES
        ],
    }
