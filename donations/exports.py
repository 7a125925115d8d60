"""The CSV files donations staff download: the payments of a period for accounting, and the donor register of a
fiscal year. A donor who did not agree to appear by name is listed without name, email and address."""

import csv
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

from donations.models import Payment
from donations.register import donors_of_year
from donations.selectors import payments_for_export
from jii.exports import spreadsheet_safe


def csv_response(file_name: str) -> tuple[HttpResponse, Any]:
    """An attachment to write rows to, and its writer."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    response.write("\ufeff")  # a BOM, so spreadsheet programs read the Japanese correctly
    return response, csv.writer(response)


def payment_rows(payments: Iterable[Payment]) -> Iterable[list]:
    safe = spreadsheet_safe
    yield ["received", "amount_yen", "refunded_yen", "net_yen", "method", "frequency", "campaign", "donation", "name",
           "email", "address"]  # fmt: skip
    for payment in payments:
        donation = payment.donation
        named = donation.accounting_consent
        yield [
            timezone.localtime(payment.received_at).strftime("%Y-%m-%d %H:%M"),
            payment.amount_yen, payment.refunded_yen, payment.amount_yen - payment.refunded_yen,
            donation.method, donation.frequency, payment.campaign.slug, donation.pk,
            safe(donation.name) if named else "", safe(donation.email) if named else "",
            safe(donation.address) if named else "",
        ]  # fmt: skip


def payments_csv(start: date, end: date, *, campaign_id: int | None = None, method: str = "") -> HttpResponse:
    """Payments in a period as CSV for accounting."""
    response, writer = csv_response(f"donations-{start}-{end}.csv")
    payments = payments_for_export(start, end, campaign_id=campaign_id, method=method)
    writer.writerows(payment_rows(payments.iterator(chunk_size=2000)))
    return response


def register_rows(year: int) -> Iterable[list]:
    yield ["name", "email", "address", "gifts", "total_yen", "first", "last", "JII receipt"]
    for row in donors_of_year(year):
        named = row["named"] == 1  # not if any of the donor's gifts said "do not list my name"
        channel = row["donation__channel"]
        yield [
            spreadsheet_safe(row["name"] or "") if named else "",
            spreadsheet_safe(row["email"] or "") if named else "",
            spreadsheet_safe(row["address"] or "") if named else "", row["gifts"], row["total"],
            timezone.localtime(row["first"]).date(), timezone.localtime(row["last"]).date(),
            f"no ({channel})" if channel else "yes",
        ]  # fmt: skip


def register_csv(year: int) -> HttpResponse:
    """The donor register of a fiscal year as CSV."""
    response, writer = csv_response(f"donor-register-{year}.csv")
    writer.writerows(register_rows(year))
    return response
