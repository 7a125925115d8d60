"""Model fields shared by the programs."""

import unicodedata

from django.conf import settings
from django.db import models
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _


def language_choices() -> list[tuple[str, str]]:
    """Each language the site offers, by its own name (as in the language switcher)."""
    choices = []
    for code, name in settings.LANGUAGES:
        try:
            choices.append((code, unicodedata.normalize("NFC", get_language_info(code)["name_local"])))
        except KeyError:  # a language Django does not know: the name given in settings
            choices.append((code, str(name)))
    return choices


def default_language() -> str:
    return settings.LANGUAGE_CODE


class LanguageField(models.CharField):
    """The language a person is written to in: one the site offers. Its choices follow settings.LANGUAGES and
    are left out of migrations, so adding a language to the site needs no migration."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("verbose_name", _("language for emails"))
        kwargs.setdefault("max_length", 16)
        kwargs.setdefault("default", default_language)
        kwargs["choices"] = language_choices
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("choices", None)
        return name, path, args, kwargs


# Characters that reorder the text after them: "Ali\u202egnp.exe" would show as "Aliexe.png" in a list.
BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def without_bidi_controls(text: str) -> str:
    return text.translate(BIDI_CONTROLS)
