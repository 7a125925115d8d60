"""A receipt laid out as a one-page A4 PDF by WeasyPrint, with an embedded Japanese font subset. Rendering only:
which receipt is issued, and when, is donations/receipts.py's."""

import functools
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from donations.models import Payment, Receipt
from donations.selectors import fiscal_year_bounds, net_amount
from jii.issuer import ISSUER


@functools.cache
def typesetter() -> tuple[Any, Any]:
    """WeasyPrint's font configuration and the receipt stylesheet, made once per process: rebuilding them
    for every receipt cost more than laying the receipt out."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    css = render_to_string("donations/receipt.css").replace("IPAexGothic", settings.RECEIPT_FONT_FAMILY)
    return fonts, CSS(string=css, font_config=fonts)


def seal_uri() -> str:
    """JII's seal image as a file URI for WeasyPrint, or "" when none is configured."""
    path = settings.RECEIPT_SEAL_IMAGE
    return Path(path).resolve().as_uri() if path else ""


def render_pdf(receipt: Receipt, gifts: Iterable[Payment] = ()) -> bytes:
    """The receipt as a one-page A4 PDF; an annual receipt lists its gifts (payments) too."""
    from weasyprint import HTML  # imported here: loading WeasyPrint (Pango) is only needed to render

    fonts, stylesheet = typesetter()
    period = None
    if receipt.kind == Receipt.Kind.ANNUAL:
        start, end = fiscal_year_bounds(receipt.fiscal_year)
        period = (start.date(), (end - timedelta(days=1)).date())
    with translation.override(receipt.language):
        html = render_to_string(
            "donations/receipt.html",
            {
                "receipt": receipt,
                "issuer": ISSUER,
                "font": settings.RECEIPT_FONT_FAMILY,
                "seal": seal_uri(),
                "deductible": settings.DONATIONS_TAX_DEDUCTIBLE,
                "nintei_number": settings.NINTEI_NUMBER,
                "nintei_date": settings.NINTEI_DATE,
                "route_url": settings.TAX_DEDUCTIBLE_ROUTE_URL,
                "lang": receipt.language,
                "period": period,
                "gifts": [(timezone.localtime(gift.received_at).date(), net_amount(gift)) for gift in gifts],
            },
        )
    return HTML(string=html).write_pdf(stylesheets=[stylesheet], font_config=fonts)
