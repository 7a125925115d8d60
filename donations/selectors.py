"""Reads about receipts and payments that the admin, the services and the messages share: the fiscal year, which
payments JII still owes a receipt for, what an annual receipt covers, what the accounting export lists."""

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from donations.models import Donation, Payment, Receipt


def fiscal_year(day: date) -> int:
    start = settings.FISCAL_YEAR_START_MONTH
    return day.year if day.month >= start else day.year - 1


def fiscal_year_bounds(year: int) -> tuple[datetime, datetime]:
    """The first moment of the fiscal year and of the next one, in Tokyo time."""
    start = settings.FISCAL_YEAR_START_MONTH
    return timezone.make_aware(datetime(year, start, 1)), timezone.make_aware(datetime(year + 1, start, 1))


def net_amount(payment: Payment) -> int:
    return payment.amount_yen - payment.refunded_yen


def receipted_one_by_one() -> QuerySet[Receipt, Any]:
    """Ids of the payments that hold a valid receipt of their own."""
    return Receipt.objects.filter(kind=Receipt.Kind.SINGLE, voided_at__isnull=True).values("payment_id")


def covered_by_annual_receipts() -> QuerySet[Any, Any]:
    """Ids of the payments a valid annual receipt covers."""
    return Receipt.covers.through.objects.filter(receipt__voided_at__isnull=True).values("payment_id")


def unreceipted_payments() -> QuerySet[Payment]:
    """Payments JII owes a receipt for and has none valid yet, one by one or in an annual receipt."""
    return (
        Payment.objects.filter(refunded_yen__lt=F("amount_yen"))
        .exclude(donation__method=Donation.Method.OTHER_CHANNEL)
        .exclude(pk__in=receipted_one_by_one())
        .exclude(pk__in=covered_by_annual_receipts())
    )


def receipts_waiting_for_address(donations: QuerySet[Donation]) -> QuerySet[Donation]:
    """With DONATIONS_TAX_DEDUCTIBLE, a receipt needs the donor's name and address: the gifts owed a receipt that
    lack either (on the gift and on its donor)."""
    if not settings.DONATIONS_TAX_DEDUCTIBLE:
        return donations.none()
    no_address = Q(address="") & (Q(donor=None) | Q(donor__address=""))
    owed = Exists(unreceipted_payments().filter(donation=OuterRef("pk")))
    return donations.filter(Q(name="") | no_address, owed)


def payments_without_receipt(start: date, end: date) -> QuerySet[Payment]:
    """The payments received between two days (Tokyo) that have no valid receipt of their own and should: not those
    an annual receipt covers, nor gifts through another channel (the channel issued theirs)."""
    receipted = Receipt.objects.filter(voided_at__isnull=True, payment__isnull=False).values("payment_id")
    return (
        Payment.objects.filter(received_at__date__gte=start, received_at__date__lte=end)
        .exclude(pk__in=receipted)
        .exclude(donation__receipts_wanted=Donation.ReceiptsWanted.ANNUAL)
        .exclude(donation__method=Donation.Method.OTHER_CHANNEL)
    )


def annual_payments(year: int) -> QuerySet[Payment]:
    """The gifts of the fiscal year that annual receipts cover: on donations that asked for one, less any already
    receipted one by one (never two receipts for the same yen), any refunded in full and any through another
    channel (which issues its own receipt)."""
    start, end = fiscal_year_bounds(year)
    return (
        Payment.objects.filter(
            donation__receipts_wanted=Donation.ReceiptsWanted.ANNUAL,
            received_at__gte=start,
            received_at__lt=end,
            refunded_yen__lt=F("amount_yen"),
        )
        .exclude(donation__method=Donation.Method.OTHER_CHANNEL)
        .exclude(pk__in=receipted_one_by_one())
    )


def annual_gifts(donor_id: int, year: int) -> QuerySet[Payment]:
    """The payments one donor's annual receipt covers."""
    gifts = annual_payments(year).filter(donation__donor=donor_id)
    return gifts.select_related("campaign").order_by("received_at", "pk")


def payments_for_export(
    start: date, end: date, *, campaign_id: int | None = None, method: str = ""
) -> QuerySet[Payment]:
    """The payments of a period (Tokyo days) for the accounting export, oldest first."""
    payments = Payment.objects.filter(received_at__date__gte=start, received_at__date__lte=end)
    if campaign_id:
        payments = payments.filter(campaign=campaign_id)
    if method:
        payments = payments.filter(donation__method=method)
    return payments.select_related("donation", "campaign").order_by("received_at")
