"""The donor register (寄付者名簿) of a fiscal year, and the public-support-test figure: how many donors gave
¥3,000 or more in the year (認定NPO法人 status needs 100 such donors a year on average)."""

from datetime import date, datetime, time

from django.conf import settings
from django.db.models import Count, F, IntegerField, Max, Min, Sum
from django.db.models.functions import Cast, Lower
from django.utils import timezone

from donations.models import Payment

PUBLIC_SUPPORT_MINIMUM_YEN = 3000


def fiscal_year_bounds(year: int) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    month = settings.FISCAL_YEAR_START_MONTH
    start = datetime.combine(date(year, month, 1), time.min, tzinfo=tz)
    end = datetime.combine(date(year + 1, month, 1), time.min, tzinfo=tz)
    return start, end


def donors_of_year(year: int):
    """One row per donor (by email, any letter case; transfers without an email by name): what they gave."""
    start, end = fiscal_year_bounds(year)
    return (
        Payment.objects.filter(received_at__gte=start, received_at__lt=end)
        .annotate(donor=Lower("donation__email"))
        .values("donor", "donation__name")
        .annotate(
            gifts=Count("id"),
            total=Sum(F("amount_yen") - F("refunded_yen")),
            first=Min("received_at"),
            last=Max("received_at"),
            # 1 only if every gift allowed listing the name (MIN over booleans, portable across databases).
            named=Min(Cast("donation__accounting_consent", output_field=IntegerField())),
            address=Max("donation__address"),
        )
        .order_by("donation__name")
    )


def public_support_count(year: int) -> int:
    return sum(1 for row in donors_of_year(year) if (row["total"] or 0) >= PUBLIC_SUPPORT_MINIMUM_YEN)
