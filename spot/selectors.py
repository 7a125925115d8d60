"""Who should hear of an open Spot request: the approved volunteers who fit it."""

from collections.abc import Iterable
from datetime import date, timedelta

from django.db.models import Sum
from django.utils import timezone

from jii.choices import LanguageLevel, Prefecture, Weekday
from jii.hours import HoursRows, month_of, period_filter
from jii.models import Area, VolunteerProfile
from spot.models import HelpMode, SpotRequest

# Areas whose centres are this close count as neighbours (as in OFP's matching).
NEIGHBOUR_KM = 8.0
# The wider second round reaches the request's prefecture and those bordering it.
NEIGHBOURING_PREFECTURES: dict[str, set[str]] = {
    Prefecture.TOKYO: {Prefecture.KANAGAWA, Prefecture.SAITAMA, Prefecture.CHIBA},
    Prefecture.KANAGAWA: {Prefecture.TOKYO},
    Prefecture.SAITAMA: {Prefecture.TOKYO, Prefecture.CHIBA},
    Prefecture.CHIBA: {Prefecture.TOKYO, Prefecture.SAITAMA},
}
REMOTE_MODES = {HelpMode.ONLINE, HelpMode.PHONE}
SPEAKING_LEVELS = [level for level in LanguageLevel.values if level != LanguageLevel.BASIC]
WEEKDAYS = list(Weekday.values)  # date.weekday() order: mon … sun


def window_weekdays(request: SpotRequest, today: date) -> set[str] | None:
    """The weekdays ("sat", …) within the request's window from today on; None for "any day"."""
    if request.is_flexible:
        return None
    start = max(request.earliest or today, today)
    end = request.latest or start + timedelta(days=6)
    days = min((end - start).days + 1, 7)
    return {WEEKDAYS[(start + timedelta(days=n)).weekday()] for n in range(max(days, 0))}


def free_in_window(availability: list, weekdays: set[str] | None) -> bool:
    return weekdays is None or any(slot.split(":")[0] in weekdays for slot in availability)


def areas_for(request: SpotRequest, *, wider: bool) -> list[int] | None:
    """The areas whose volunteers may fit; None for anywhere (a remote request in the wider round).

    First round: the same or a neighbouring area, or the same prefecture when the help can be online or by phone.
    Wider round: the prefecture and its neighbours, or anywhere for online or phone help."""
    remote = bool(REMOTE_MODES & set(request.modes))
    if wider and remote:
        return None
    area = request.area
    areas = Area.objects.only("pk", "prefecture", "latitude", "longitude")
    if wider:
        prefectures = {area.prefecture, *NEIGHBOURING_PREFECTURES.get(area.prefecture, ())}
        return [other.pk for other in areas if other.prefecture in prefectures]
    return [
        other.pk
        for other in areas
        if other.pk == area.pk
        or area.distance_km(other) <= NEIGHBOUR_KM
        or (remote and other.prefecture == area.prefecture)
    ]


def volunteers_who_fit(request: SpotRequest, *, wider: bool = False) -> list[VolunteerProfile]:
    """Volunteers ready to help (with their user) who fit the request: its category among their Spot categories, an
    area of areas_for(), a language of the request they speak beyond a basic level, and free (by their usual
    availability) on at least one weekday of the request's window."""
    volunteers = (
        VolunteerProfile.objects.ready()
        .filter(
            anonymised_at__isnull=True,
            user__is_active=True,
            # one filter(): both conditions hold for the same language row
            languages__language__in=request.languages.all(),
            languages__level__in=SPEAKING_LEVELS,
        )
        .select_related("user")
        .distinct()
        .order_by("pk")
    )
    areas = areas_for(request, wider=wider)
    if areas is not None:
        volunteers = volunteers.filter(area__in=areas)
    weekdays = window_weekdays(request, timezone.localdate())
    return [
        volunteer
        for volunteer in volunteers
        if request.category in volunteer.spot_categories and free_in_window(volunteer.availability, weekdays)
    ]


def hours_given(volunteer_ids: Iterable[int] | None, start: date, end: date) -> HoursRows:
    """Each volunteer's minutes of Spot help per month (jii/hours.py): done requests' time, by the month done."""
    done = SpotRequest.objects.filter(
        period_filter("done_at", start, end), status=SpotRequest.Status.DONE, minutes_spent__gt=0
    )
    if volunteer_ids is not None:
        done = done.filter(volunteer_id__in=volunteer_ids)
    return (
        done.annotate(in_month=month_of("done_at"))
        .values_list("volunteer_id", "in_month")
        .annotate(minutes=Sum("minutes_spent"))
        .order_by()
    )
