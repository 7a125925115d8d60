from django import template

from jii.hours import format_minutes

register = template.Library()


@register.filter
def as_hours(minutes):
    """Minutes as "3 h 30 min" (3時間30分 in Japanese)."""
    return format_minutes(minutes or 0)
