"""Model fields shared by the programs."""

import unicodedata
from functools import partial

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.db import migrations, models
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedTextField as LibraryEncryptedTextField


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


class EncryptedTextField(LibraryEncryptedTextField):
    """A free text encrypted at rest (Fernet) with settings.FIELD_ENCRYPTION_KEYS, newest first: the newest encrypts,
    any of them decrypts, and `manage.py reencrypt` moves every row to the newest (README, "Encryption at rest").
    Nothing can search or sort by it: each value is encrypted anew, so only an empty text can be looked up.

    Three departures from django-fernet-encrypted-fields: the keys are our own, not derived from SECRET_KEY (changing
    that must not lose the texts); an empty text stays "" (the library writes NULL, refused by these columns); and a
    text that no key opens raises, where the library would show the ciphertext and save it encrypted twice."""

    @property
    def f(self) -> MultiFernet:
        # Built on each use (cheap, nothing derived), so a change of keys applies at once, in tests too.
        return MultiFernet([Fernet(key) for key in settings.FIELD_ENCRYPTION_KEYS])

    def get_prep_value(self, value):
        return "" if value == "" else super().get_prep_value(value)

    def from_db_value(self, value, expression, connection):
        return self.f.decrypt(value.encode()).decode() if value else value


def pk_batches(queryset, size: int = 500) -> list[list]:
    """The primary keys of a queryset, `size` at a time: its rows rewritten a batch at a time."""
    pks = list(queryset.order_by("pk").values_list("pk", flat=True))
    return [pks[start : start + size] for start in range(0, len(pks), size)]


def encrypting(model: str, *names: str) -> migrations.RunPython:
    """A migration step to put before the fields `names` of `model` ("app.Model") become EncryptedTextField: it
    encrypts their plain texts in place with the newest key, or decrypts them when the migration is reversed."""

    def convert(apps, schema_editor, *, forward: bool):
        cipher = EncryptedTextField()
        historical = apps.get_model(model)  # its fields still plain text: it reads and writes the stored strings
        for pks in pk_batches(historical.objects.all()):
            rows = list(historical.objects.filter(pk__in=pks).only("pk", *names))
            for row in rows:
                for name in names:
                    text = getattr(row, name)
                    if text:
                        stored = cipher.get_prep_value(text) if forward else cipher.from_db_value(text, None, None)
                        setattr(row, name, stored)
            historical.objects.bulk_update(rows, names)

    return migrations.RunPython(partial(convert, forward=True), partial(convert, forward=False))
