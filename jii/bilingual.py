from django.utils.translation import get_language


def pick(ja: str, en: str) -> str:
    """The Japanese or English text of a content field kept in both languages, for the active language."""
    return en if get_language() == "en" else ja
