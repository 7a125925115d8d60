"""Consultation figures from the data: cases per topic and month, days to the first appointment, the share that
needed an interpreter."""

import statistics
from datetime import date
from typing import Any

from django.db.models import Count, Min, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from consultations.models import Appointment, Consultation, Topic


def consultation_figures(start: date, end: date) -> dict[str, Any]:
    """Cases by topic and month, median days from request to the first appointment, share needing an interpreter."""
    cases = Consultation.objects.filter(created_at__date__gte=start, created_at__date__lte=end)
    per_month: dict[date, dict[str, int]] = {}
    zone = timezone.get_current_timezone()
    for month, topic, n in (
        cases.annotate(month=TruncMonth("created_at", tzinfo=zone))
        .values_list("month", "topic")
        .annotate(n=Count("id"))
    ):
        per_month.setdefault(month.date(), {})[topic] = n
    waits = [
        (first - asked).total_seconds() / 86400
        for asked, first in cases.annotate(
            first=Min("appointments__starts_at", filter=Q(appointments__status=Appointment.Status.BOOKED))
        )
        .filter(first__isnull=False)
        .values_list("created_at", "first")
    ]
    counts = cases.aggregate(total=Count("id"), interpreter=Count("id", filter=Q(interpreter_needed=True)))
    return {
        "start": start,
        "end": end,
        "topics": Topic.choices,
        "per_month": [
            (month, [row.get(value, 0) for value, _label in Topic.choices]) for month, row in sorted(per_month.items())
        ],
        "total": counts["total"],
        "median_days_to_appointment": round(statistics.median(waits), 1) if waits else None,
        "interpreter_share": round(100 * counts["interpreter"] / counts["total"], 1) if counts["total"] else None,
    }
