"""Hanamaru figures from the attendance records: sessions held, children's attendance rate, tutor hours."""

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from hanamaru.models import Attendance, Session, TutorSignup
from jii.figures import percent


def hanamaru_figures(start, end) -> dict:
    """Per month of sessions held between start and end (a session is held once its attendance is recorded)."""
    zone = timezone.get_current_timezone()
    held = Session.objects.filter(
        status=Session.Status.SCHEDULED,
        attendance_recorded_at__isnull=False,
        starts_at__date__gte=start,
        starts_at__date__lte=end,
    )
    months = {}

    def month_row(month):
        return months.setdefault(month.date(), {"sessions": 0, "present": 0, "expected": 0, "tutor_hours": 0.0})

    for month, n in (
        held.annotate(month=TruncMonth("starts_at", tzinfo=zone)).values_list("month").annotate(n=Count("id"))
    ):
        month_row(month)["sessions"] = n
    for month, expected, present in (
        Attendance.objects.filter(session__in=held)
        .annotate(month=TruncMonth("session__starts_at", tzinfo=zone))
        .values_list("month")
        .annotate(expected=Count("id"), present=Count("id", filter=Q(present=True)))
    ):
        row = month_row(month)
        row["expected"], row["present"] = expected, present
    length = ExpressionWrapper(F("session__ends_at") - F("session__starts_at"), output_field=DurationField())
    for month, duration in (
        TutorSignup.objects.filter(session__in=held, attended=True)
        .annotate(month=TruncMonth("session__starts_at", tzinfo=zone))
        .values_list("month")
        .annotate(duration=Sum(length))
    ):
        month_row(month)["tutor_hours"] = round(duration.total_seconds() / 3600, 1)
    rows = [
        (month, row["sessions"], percent(row["present"], row["expected"]), row["tutor_hours"])
        for month, row in sorted(months.items())
    ]
    return {
        "start": start,
        "end": end,
        "months": rows,
        "sessions": sum(row[1] for row in rows),
        "attendance_rate": percent(
            sum(row["present"] for row in months.values()), sum(row["expected"] for row in months.values())
        ),
        "tutor_hours": round(sum(row[3] for row in rows), 1),
    }
