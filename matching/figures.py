"""The program figures JII quotes (match success, six-month completion, …), computed from the data."""

import statistics
from datetime import date

from django.db.models import Count, Q
from django.utils import timezone

from jii.choices import HouseholdType, Prefecture
from jii.figures import percent
from matching.models import Application, Match

STARTED = [Match.Status.ACTIVE, Match.Status.COMPLETED, Match.Status.ENDED_EARLY]
STILL_OPEN = [Application.Stage.RECEIVED, Application.Stage.MATCHING, Application.Stage.PROPOSED]


def program_figures(start: date, end: date) -> dict:
    """Figures for applications made, pairs started and pairs closed between start and end (inclusive).

    Match success counts every application that is no longer waiting: one withdrawn without a pair is a
    miss, one still waiting for a partner is not counted yet.

    A team (a lead and supporting volunteers) is one pair: only the lead's match counts. A rematch (a new
    volunteer after one who moved or stopped) is a pair of its own: it counts among pairs started and closed,
    while its application counts once for match success and the days to a first pair."""
    applications = Application.objects.filter(created_at__date__gte=start, created_at__date__lte=end)
    counts = applications.aggregate(
        total=Count("id", distinct=True),
        waiting=Count("id", filter=Q(stage__in=STILL_OPEN), distinct=True),
        matched=Count("id", filter=Q(matches__status__in=STARTED), distinct=True),
    )
    decided = counts["total"] - counts["waiting"]

    pairs = Match.objects.filter(lead__isnull=True)
    closed = pairs.filter(closed_at__date__gte=start, closed_at__date__lte=end).aggregate(
        completed=Count("id", filter=Q(status=Match.Status.COMPLETED)),
        ended_early=Count("id", filter=Q(status=Match.Status.ENDED_EARLY)),
    )
    started = pairs.filter(status__in=STARTED, starts_on__gte=start, starts_on__lte=end)
    started_counts = started.aggregate(total=Count("id"), rematches=Count("id", filter=Q(rematch_of__isnull=False)))
    waits = [
        (starts_on - timezone.localdate(applied)).days
        for starts_on, applied in started.filter(rematch_of__isnull=True).values_list(
            "starts_on", "application__created_at"
        )
    ]
    households = dict(applications.values_list("household_type").annotate(n=Count("id")))
    by_prefecture = dict(started.values_list("application__area__prefecture").annotate(n=Count("id")))
    total_households = sum(households.values())
    return {
        "start": start,
        "end": end,
        "applications": counts["total"],
        "still_waiting": counts["waiting"],
        "matched": counts["matched"],
        "match_success_rate": percent(counts["matched"], decided),
        "pairs_started": started_counts["total"],
        "rematches": started_counts["rematches"],
        "completed": closed["completed"],
        "ended_early": closed["ended_early"],
        "completion_rate": percent(closed["completed"], closed["completed"] + closed["ended_early"]),
        "median_days_to_match": statistics.median(waits) if waits else None,
        "households": [
            (label, households.get(value, 0), percent(households.get(value, 0), total_households))
            for value, label in HouseholdType.choices
        ],
        "pairs_by_prefecture": [(label, by_prefecture.get(value, 0)) for value, label in Prefecture.choices],
    }
