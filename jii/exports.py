"""CSV files coordinators download, opened in a spreadsheet: UTF-8 with a byte-order mark (Excel reads the Japanese
names right) and typed text made inert."""

import csv
from collections.abc import Iterable
from datetime import date

from django.http import HttpResponse
from django.utils.translation import pgettext

from jii.hours import Table, VolunteerTotal
from jii.models import VolunteerProfile


def spreadsheet_safe(value: str) -> str:
    """Text someone typed (a name, an address) made inert for spreadsheets: a leading = + - @ starts a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def volunteer_hours_csv(
    table: Table, rows: Iterable[tuple[VolunteerProfile, VolunteerTotal]], start: date, end: date
) -> HttpResponse:
    """Each volunteer's hours per program and in all, in decimal hours (a spreadsheet adds them up)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="volunteer-hours-{start}-{end}.csv"'
    response.write("\ufeff")  # Excel reads the Japanese names as UTF-8
    writer = csv.writer(response)
    in_hours = pgettext("staff", "%(program)s (hours)")
    writer.writerow(
        [pgettext("staff", "Volunteer")]
        + [in_hours % {"program": label} for _code, label in table.programs]
        + [pgettext("staff", "Total (hours)")]
    )
    for profile, row in rows:
        minutes = [row.by_program.get(code, 0) for code, _label in table.programs] + [row.total]
        writer.writerow([spreadsheet_safe(str(profile))] + [f"{value / 60:.2f}" for value in minutes])
    return response
