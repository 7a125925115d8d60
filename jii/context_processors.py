from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language, get_language_bidi

from jii.languages import language_tag


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
                "url": translate_url(request.get_full_path(), code),
                "current": code == current,
            }
            for code, _name in settings.LANGUAGES
        ],
    }
