"""Content staff write in any number of languages (campaign texts, class names and access notes, consent texts,
area and language names): one JSON object per text, {"ja": "…", "en": "…", "vi": "…"}, shown in the page's
language or the nearest one written along the fallback chain (jii/languages.py).

Adding a language to the site needs no migration: the admin shows a box for it, and until that is filled the
text falls back. The admin asks for settings.CONTENT_REQUIRED_LANGUAGES (Japanese and English) on every text
that is not optional."""

from django import forms
from django.conf import settings
from django.db import models
from django.db.models.query_utils import DeferredAttribute
from django.utils.text import format_lazy
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from jii.languages import current_language, fallback_chain, language_tag, site_languages


class TranslatedText(dict):
    """A text in several languages. It shows (str, templates) in the page's language, or the nearest written."""

    def in_language(self, language: str) -> str:
        for code in fallback_chain(language):
            if self.get(code):
                return self[code]
        return next((text for text in self.values() if text), "")

    def __str__(self):
        return self.in_language(current_language())

    def original_beside(self) -> tuple[str, str]:
        """The text as shown, and the site's own language's (Japanese) when it differs: an address to show a
        taxi driver or a passer-by. The second is "" when there is nothing more to show."""
        shown, original = str(self), self.get(settings.LANGUAGE_CODE, "")
        return shown, original if original != shown else ""

    def with_original(self) -> str:
        """As plain text: "5-27-5 Shimomeguro, Meguro-ku (東京都目黒区下目黒5-27-5)"."""
        shown, original = self.original_beside()
        return f"{shown} ({original})" if original else shown


class TranslatedDescriptor(DeferredAttribute):
    """Whatever is assigned (a dict from the database, a form or code) reads back as a TranslatedText."""

    def __get__(self, instance, cls=None):
        value = super().__get__(instance, cls)
        if instance is not None and not isinstance(value, TranslatedText):
            value = instance.__dict__[self.field.attname] = TranslatedText(value or {})
        return value

    def __set__(self, instance, value):  # a data descriptor, so reads always come through __get__
        instance.__dict__[self.field.attname] = value


class TranslatedWidget(forms.MultiWidget):
    """One box per language of the site, each with its language's name."""

    template_name = "jii/widgets/translated.html"

    def __init__(self, *, multiline=False, attrs=None):
        self.languages = list(settings.LANGUAGES)
        boxes = {}
        for code, _name in self.languages:  # staff type Dari right to left, and spell-checkers know the language
            typing = {"lang": language_tag(code), "dir": "rtl" if get_language_info(code)["bidi"] else "ltr"}
            boxes[code] = forms.Textarea(attrs={"rows": 3, **typing}) if multiline else forms.TextInput(typing)
        super().__init__(boxes, attrs)  # the boxes are named <field>_ja, <field>_en, …

    def decompress(self, value):
        return [(value or {}).get(code, "") for code, _name in self.languages]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        for box, (code, language_name) in zip(context["widget"]["subwidgets"], self.languages, strict=True):
            box["language"] = {"code": code, "name": language_name}
        return context


class TranslatedFormField(forms.MultiValueField):
    def __init__(self, *, multiline=False, max_length=None, required_languages=(), **kwargs):
        self.languages = [code for code, _name in settings.LANGUAGES]
        names = dict(settings.LANGUAGES)
        missing = format_lazy(
            "{}: {}",
            _("Please write it in each of these languages"),
            ", ".join(str(names[c]) for c in required_languages),
        )
        fields = [
            forms.CharField(
                required=code in required_languages, max_length=max_length, error_messages={"incomplete": missing}
            )
            for code in self.languages
        ]
        kwargs["required"] = bool(required_languages)
        super().__init__(fields, widget=TranslatedWidget(multiline=multiline), require_all_fields=False, **kwargs)
        self.error_messages["required"] = missing  # every box empty: the same words as some of them empty

    def compress(self, data_list):
        return TranslatedText({code: text for code, text in zip(self.languages, data_list or [], strict=False) if text})


class TranslatedField(models.JSONField):
    """A text staff write in every language of the site (see the module's docstring)."""

    descriptor_class = TranslatedDescriptor

    def __init__(self, *args, multiline=False, required_languages=None, **kwargs):
        """`required_languages`: the languages the admin asks for, when not settings.CONTENT_REQUIRED_LANGUAGES."""
        self.multiline = multiline
        self.required_languages = required_languages
        kwargs.setdefault("default", dict)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.multiline:
            kwargs["multiline"] = True
        if self.required_languages is not None:
            kwargs["required_languages"] = self.required_languages
        return name, path, args, kwargs

    def formfield(self, **kwargs):
        required_languages = self.required_languages
        if required_languages is None:
            required_languages = () if self.blank else settings.CONTENT_REQUIRED_LANGUAGES
        return models.Field.formfield(
            self,
            form_class=TranslatedFormField,
            multiline=self.multiline,
            max_length=self.max_length,
            required_languages=required_languages,
            show_hidden_initial=False,
            **kwargs,
        )


def in_every_language(lookup: str) -> list[str]:
    """Admin search_fields for a translated text (or one across a relation, "area__name"): each language's key."""
    return [f"{lookup}__{code}" for code in site_languages()]
