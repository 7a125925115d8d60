import re

from django import template

from jii.hours import format_minutes

register = template.Library()


@register.filter
def as_hours(minutes):
    """Minutes as "3 h 30 min" (3時間30分 in Japanese); a narrow table cell may break it only between the hours and
    the minutes, never between a number and its unit."""
    return re.sub(r"(\d) (\D)", "\\1\u00a0\\2", format_minutes(minutes or 0))
