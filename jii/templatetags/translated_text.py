from django import template
from django.conf import settings
from django.utils.html import conditional_escape, format_html

from jii.translated import TranslatedText

register = template.Library()


@register.filter(needs_autoescape=True)
def with_japanese(text, autoescape=True):
    """A text in the page's language with its Japanese beside it when that differs: a venue or an address to
    show a taxi driver or a passer-by. In plain-text emails (autoescape off) without markup."""
    shown, japanese = text.original_beside() if isinstance(text, TranslatedText) else (str(text), "")
    if not japanese:
        return conditional_escape(shown) if autoescape else shown
    if not autoescape:
        return text.with_original()
    return format_html('{} <span lang="{}">（{}）</span>', shown, settings.LANGUAGE_CODE, japanese)
