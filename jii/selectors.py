"""Reads for the coordinators' own pages that span several modules: each volunteer's hours with the volunteer, a
message to a group as its readers will read it."""

from datetime import date
from typing import Any

from django.conf import settings
from django.utils.translation import pgettext

from jii import audiences, hours
from jii.emails import render_localized
from jii.languages import language_tag, nearest_language
from jii.models import VolunteerProfile


def hours_by_volunteer(
    start: date, end: date
) -> tuple[hours.Table, list[tuple[VolunteerProfile, hours.VolunteerTotal]]]:
    """The period's hours table, and each volunteer with their minutes per program, the most first."""
    table, totals = hours.totals(start, end)
    profiles = VolunteerProfile.objects.select_related("user").in_bulk([row.volunteer_id for row in totals])
    return table, [(profiles[row.volunteer_id], row) for row in totals]


def group_message_preview(kind: str, value: str, subject: dict[str, str], body: dict[str, str]) -> dict[str, Any]:
    """How many will receive it, and each version written as its readers will read it, with how many read it."""
    readers = audiences.readers_by_language(kind, value)
    names = dict(settings.LANGUAGES)
    versions = []
    for code in body:
        count = sum(n for language, n in readers.items() if nearest_language(body.keys(), language) == code)
        context = {"name": pgettext("staff", "(the volunteer's name)"), "subject": subject[code], "body": body[code],
                   "written_in": language_tag(code)}  # fmt: skip
        shown_subject, text, _html = render_localized("group_message", language=code, context=context)
        versions.append({"language": names[code], "tag": language_tag(code), "readers": count,
                         "subject": shown_subject, "text": text})  # fmt: skip
    return {"count": sum(readers.values()), "versions": versions}
