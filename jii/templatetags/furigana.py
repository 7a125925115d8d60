from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from jii.furigana import add_to_html, wants_furigana

register = template.Library()


@register.tag
def furigana(parser, token):
    """{% furigana %}…{% endfurigana %}: readings over the kanji inside, on pages in a furigana language."""
    nodelist = parser.parse(("endfurigana",))
    parser.delete_first_token()
    return FuriganaNode(nodelist)


class FuriganaNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        html = self.nodelist.render(context)
        return mark_safe(add_to_html(html)) if wants_furigana(get_language()) else html  # noqa: S308 — rendered template output
