"""The ledger of time volunteers give, counted for them from what the programs already record.

jii imports no program: each program registers, in its AppConfig.ready(), a function that sums its own records:

    register_hours("spot", _("Spot Otonari-san"), collect)

`collect(volunteer_ids, start, end)` gets volunteer profile ids (None: every volunteer) and a period of whole days
in Tokyo time (both ends included), and returns rows (volunteer_id, month, minutes) from ONE aggregate query, the
month being its first day in Tokyo time. `month_of(field)` and `period_filter(field, start, end)` help write it.
Readers here run one query per program."""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import DateField, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

# What a program's collect function returns: (volunteer_id, month, minutes) rows.
HoursRows = Iterable[tuple[int, date, int]]


@dataclass(frozen=True)
class Program:
    code: str
    label: str  # a lazy translation
    collect: Callable[[Iterable[int] | None, date, date], HoursRows]


PROGRAMS: list[Program] = []
EARLIEST = date(2000, 1, 1)  # "all their hours": JII began long after


def register_hours(program_code: str, label, collect: Callable) -> None:
    if program_code not in [program.code for program in PROGRAMS]:
        PROGRAMS.append(Program(program_code, label, collect))


def labels() -> dict[str, str]:
    return {program.code: str(program.label) for program in PROGRAMS}


# --- helpers for the programs' collect functions -------------------------------------------------------------


def month_of(field_name: str) -> TruncMonth:
    """The first day of the Tokyo month of a date-time field."""
    return TruncMonth(field_name, output_field=DateField(), tzinfo=timezone.get_default_timezone())


def period_filter(field_name: str, start: date, end: date) -> Q:
    """A date-time field within the days start..end (Tokyo time, both included)."""
    begins = timezone.make_aware(datetime.combine(start, time.min))
    ends = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min))
    return Q(**{f"{field_name}__gte": begins, f"{field_name}__lt": ends})


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def months_before(day: date, months: int) -> date:
    """The first day of the month `months` before `day`'s month."""
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def last_of_month(day: date) -> date:
    return months_before(day, -1) - timedelta(days=1)


# --- readers ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    program: str
    volunteer_id: int
    month: date
    minutes: int


def ledger(volunteer_ids: Iterable[int] | None, start: date, end: date) -> list[Row]:
    """Every program's minutes per volunteer and month in the period (one query per program); months without
    any time are left out."""
    ids = None if volunteer_ids is None else list(volunteer_ids)
    rows = []
    for program in PROGRAMS:
        for volunteer_id, month, minutes in program.collect(ids, start, end):
            if minutes:
                rows.append(Row(program.code, volunteer_id, month, int(minutes)))
    return rows


@dataclass
class Table:
    """Minutes by month (newest first) and program, with the totals: a volunteer's hours, or a period's."""

    programs: list[tuple[str, str]] = field(default_factory=list)  # (code, label) of programs with any time
    months: list[tuple[date, list[int], int]] = field(default_factory=list)  # month, minutes per program, total
    totals: list[int] = field(default_factory=list)  # per program, in the order of `programs`
    total: int = 0

    def by_program(self) -> list[tuple[str, str, int]]:
        return [(code, label, minutes) for (code, label), minutes in zip(self.programs, self.totals, strict=True)]


def table(rows: Iterable[Row]) -> Table:
    rows = list(rows)
    names = labels()
    codes = [code for code in names if any(row.program == code for row in rows)]
    cells: defaultdict[tuple[date, str], int] = defaultdict(int)
    for row in rows:
        cells[row.month, row.program] += row.minutes
    months = sorted({row.month for row in rows}, reverse=True)
    result = Table(programs=[(code, names[code]) for code in codes])
    for month in months:
        minutes = [cells[month, code] for code in codes]
        result.months.append((month, minutes, sum(minutes)))
    result.totals = [sum(cells[month, code] for month in months) for code in codes]
    result.total = sum(result.totals)
    return result


def volunteer_hours(volunteer_id: int, start: date, end: date) -> Table:
    """One volunteer's hours in the period, by month and program."""
    return table(ledger([volunteer_id], start, end))


@dataclass
class RecentHours:
    table: Table  # the last months with any time
    all_time: int  # minutes since they began
    older: bool  # whether earlier months are left out of the table


def recent_hours(volunteer_id: int, months: int = 12) -> RecentHours:
    """For the volunteer's own page: the `months` most recent months with any time, and all their time."""
    rows = ledger([volunteer_id], EARLIEST, timezone.localdate())
    shown = sorted({row.month for row in rows}, reverse=True)[:months]
    recent = table(row for row in rows if row.month in shown)
    return RecentHours(recent, sum(row.minutes for row in rows), len(shown) < len({row.month for row in rows}))


@dataclass
class VolunteerTotal:
    volunteer_id: int
    by_program: dict[str, int]
    total: int


def totals(start: date, end: date) -> tuple[Table, list[VolunteerTotal]]:
    """The period's hours for coordinators: the table by month and program, and each volunteer's minutes per
    program and in all, the most first."""
    rows = ledger(None, start, end)
    per_volunteer: defaultdict[int, defaultdict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        per_volunteer[row.volunteer_id][row.program] += row.minutes
    volunteers = [
        VolunteerTotal(volunteer_id, dict(minutes), sum(minutes.values()))
        for volunteer_id, minutes in per_volunteer.items()
    ]
    volunteers.sort(key=lambda volunteer: (-volunteer.total, volunteer.volunteer_id))
    return table(rows), volunteers


def format_minutes(minutes: int) -> str:
    """ "3 h 30 min", "45 min", "2 h" (in the current language: 3時間30分)."""
    hours, rest = divmod(int(minutes), 60)
    if hours and rest:
        return _("%(hours)s h %(minutes)s min") % {"hours": f"{hours:,}", "minutes": rest}
    if hours:
        return _("%(hours)s h") % {"hours": f"{hours:,}"}
    return _("%(minutes)s min") % {"minutes": rest}
