from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def yen(amount):
    """¥1,500,000 in English, 1,500,000円 in Japanese (yen has no decimals)."""
    if amount in (None, ""):
        return ""
    return _("¥%(amount)s") % {"amount": f"{int(amount):,}"}
