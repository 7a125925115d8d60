from collections.abc import Iterable
from datetime import date

from django.db.models import Sum

from jii.hours import HoursRows, month_of, period_filter
from matching.models import CheckIn, Match


def pair_with_people(match_id: int) -> Match | None:
    """A match with its resident, volunteer and their areas, in one query."""
    return (
        Match.objects.select_related("application__resident", "application__area", "volunteer__user", "volunteer__area")
        .filter(pk=match_id)
        .first()
    )


def known_pair_with_people(match_id: int) -> Match:
    """As pair_with_people, for a match the caller's transaction has just written or locked (so it exists)."""
    pair = pair_with_people(match_id)
    assert pair is not None
    return pair


def hours_given(volunteer_ids: Iterable[int] | None, start: date, end: date) -> HoursRows:
    """Each volunteer's minutes of OFP per month (jii/hours.py): their own check-ins (a supporting volunteer logs
    theirs on their own match), by the month they were logged. Check-ins from before the time was asked count 0."""
    check_ins = CheckIn.objects.filter(period_filter("created_at", start, end), minutes_spent__gt=0)
    if volunteer_ids is not None:
        check_ins = check_ins.filter(match__volunteer_id__in=volunteer_ids)
    return (
        check_ins.annotate(in_month=month_of("created_at"))
        .values_list("match__volunteer_id", "in_month")
        .annotate(minutes=Sum("minutes_spent"))
        .order_by()
    )
