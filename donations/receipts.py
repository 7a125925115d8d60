"""Receipts (領収書): numbered per fiscal year without gaps, rendered to PDF by WeasyPrint with an embedded
Japanese font subset, never edited (a correction voids and reissues)."""

import functools
from datetime import date

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from donations.models import Payment, Receipt, ReceiptCounter

ISSUER = {
    "name_ja": "特定非営利活動法人 アジア人文文化交流促進協会",
    "name_en": "NPO Japan Intercultural Intelligence (JII)",
    "address_ja": "東京都目黒区下目黒5-27-5",
    "address_en": "5-27-5 Shimomeguro, Meguro-ku, Tokyo",
    "representative_ja": "理事長 石川 憲彦",
    "representative_en": "Norihiko Ishikawa, Chair",
}


def fiscal_year(day: date) -> int:
    start = settings.FISCAL_YEAR_START_MONTH
    return day.year if day.month >= start else day.year - 1


def next_number(year: int) -> tuple[int, str]:
    """Take the next number of the fiscal year (call inside the transaction that stores the receipt)."""
    try:
        with transaction.atomic():
            ReceiptCounter.objects.get_or_create(fiscal_year=year)
    except IntegrityError:  # created by a parallel issuer a moment ago
        pass
    counter = ReceiptCounter.objects.select_for_update().get(fiscal_year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number, f"JII-{year}-{counter.last_number:06d}"


@functools.cache
def typesetter():
    """WeasyPrint's font configuration and the receipt stylesheet, made once per process: rebuilding them
    for every receipt cost more than laying the receipt out."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    css = render_to_string("donations/receipt.css").replace("IPAexGothic", settings.RECEIPT_FONT_FAMILY)
    return fonts, CSS(string=css, font_config=fonts)


def render_pdf(receipt: Receipt) -> bytes:
    from weasyprint import HTML  # imported here: loading WeasyPrint (Pango) is only needed to render

    fonts, stylesheet = typesetter()
    with translation.override(receipt.language):
        html = render_to_string(
            "donations/receipt.html",
            {
                "receipt": receipt,
                "issuer": ISSUER,
                "font": settings.RECEIPT_FONT_FAMILY,
                "deductible": settings.DONATIONS_TAX_DEDUCTIBLE,
                "nintei_number": settings.NINTEI_NUMBER,
                "nintei_date": settings.NINTEI_DATE,
                "route_url": settings.TAX_DEDUCTIBLE_ROUTE_URL,
                "lang": receipt.language,
            },
        )
    return HTML(string=html).write_pdf(stylesheets=[stylesheet], font_config=fonts)


@transaction.atomic
def issue_for_payment(payment: Payment, replaces: Receipt | None = None) -> Receipt:
    """The receipt of one payment: the existing valid one, or a new one with the next number and its PDF."""
    payment = Payment.objects.select_for_update().select_related("donation__campaign").get(pk=payment.pk)
    existing = payment.receipts.filter(voided_at__isnull=True, kind=Receipt.Kind.SINGLE).first()
    if existing:
        return existing
    donation = payment.donation
    received_on = timezone.localtime(payment.received_at).date()
    year = fiscal_year(received_on)
    sequence, number = next_number(year)
    with translation.override(donation.language):
        purpose = str(donation.campaign.title)
    receipt = Receipt(
        number=number,
        fiscal_year=year,
        sequence=sequence,
        donation=donation,
        payment=payment,
        amount_yen=payment.amount_yen - payment.refunded_yen,
        received_on=received_on,
        donor_name=donation.name,
        donor_address=donation.address,
        purpose=purpose,
        language=donation.language,
        replaces=replaces,
    )
    receipt.file.save(f"{number}.pdf", ContentFile(render_pdf(receipt)), save=False)
    receipt.save()
    return receipt


@transaction.atomic
def void_and_reissue(*, receipt: Receipt, reason: str) -> Receipt:
    """Correct a receipt: the old one is marked void (never changed otherwise), a new one points to it."""
    receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
    if receipt.voided_at:
        return receipt.replaced_by
    receipt.voided_at = timezone.now()
    receipt.void_reason = reason
    receipt.save(update_fields=["voided_at", "void_reason"])
    return issue_for_payment(receipt.payment, replaces=receipt)
