"""Spot figures from the data: requests per category and month, accepted within 48 hours, time to accept."""

import statistics
from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from jii.choices import SpotCategory
from jii.figures import percent
from spot.models import Acceptance, Alert, SpotRequest

WITHIN = timedelta(hours=48)


def spot_figures(start, end) -> dict:
    """Over requests made between start and end. Cancelled requests are left out of the rates: nobody could
    have helped with them."""
    requests = SpotRequest.objects.filter(created_at__date__gte=start, created_at__date__lte=end)
    per_month = {}
    for month, category, n in (
        requests.annotate(month=TruncMonth("created_at", tzinfo=timezone.get_current_timezone()))
        .values_list("month", "category")
        .annotate(n=Count("id"))
        .order_by("month")
    ):
        per_month.setdefault(month.date(), {})[category] = n
    waits = first_acceptance_waits(requests.exclude(status=SpotRequest.Status.CANCELLED))
    alerts = alert_figures(requests.exclude(status=SpotRequest.Status.CANCELLED))
    counts = requests.aggregate(
        total=Count("id"),
        done=Count("id", filter=Q(status=SpotRequest.Status.DONE)),
        cancelled=Count("id", filter=Q(status=SpotRequest.Status.CANCELLED)),
    )
    return {
        "start": start,
        "end": end,
        "categories": SpotCategory.choices,
        "per_month": [
            (month, [row.get(value, 0) for value, _label in SpotCategory.choices]) for month, row in per_month.items()
        ],
        "total": counts["total"],
        "accepted_within_48h": percent(sum(wait <= WITHIN for wait in waits), counts["total"] - counts["cancelled"]),
        "median_hours_to_accept": round(statistics.median(waits).total_seconds() / 3600, 1) if waits else None,
        "done_rate": percent(counts["done"], counts["total"] - counts["cancelled"]),
        **alerts,
    }


def median_hours(waits: list[timedelta]) -> float | None:
    return round(statistics.median(waits).total_seconds() / 3600, 1) if waits else None


def alert_figures(requests) -> dict:
    """Alerted → accepted: of the requests whose volunteers were alerted, the share taken by one of the
    volunteers alerted about it; and the median hours to accept with alerts and without (before alerts)."""
    alerted = requests.filter(alerted_at__isnull=False)
    taken_by_alerted = Acceptance.objects.filter(
        request=OuterRef("request"), volunteer=OuterRef("volunteer"), released_at__isnull=True
    )
    alerts = Alert.objects.filter(request__in=alerted)
    counts = alerts.aggregate(
        volunteers=Count("pk"),
        requests=Count("request", distinct=True),
        accepted=Count("request", distinct=True, filter=Q(Exists(taken_by_alerted))),
    )
    return {
        "volunteers_alerted": counts["volunteers"],
        "alerted_then_accepted": percent(counts["accepted"], counts["requests"]),
        "median_hours_with_alerts": median_hours(first_acceptance_waits(alerted)),
        "median_hours_without_alerts": median_hours(first_acceptance_waits(requests.filter(alerted_at__isnull=True))),
    }


def first_acceptance_waits(requests) -> list[timedelta]:
    """For each request ever accepted, the time from asking to its first acceptance."""
    first = {}
    for pk, created, accepted in requests.filter(acceptances__isnull=False).values_list(
        "pk", "created_at", "acceptances__accepted_at"
    ):
        if pk not in first or accepted - created < first[pk]:
            first[pk] = accepted - created
    return list(first.values())
