"""Volunteer certificates (ボランティア活動証明書): the hours of a period per program, numbered per calendar year
("JII-V-2026-0001"), drawn as an A4 PDF by WeasyPrint with the receipts' one embedded font. A certificate names the
volunteer, the programs and the hours, never a resident or what was asked."""

import functools
from datetime import date
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from jii import hours, numbering
from jii.issuer import issuer_in
from jii.models import Certificate, CertificateCounter


class NothingToCertify(Exception):
    """No hours in the period: nothing to certify."""


def hours_snapshot(volunteer_id: int, start: date, end: date) -> list[dict]:
    """The volunteer's minutes per program in the period, as a certificate keeps them."""
    result = hours.volunteer_hours(volunteer_id, start, end)
    return [{"program": code, "minutes": minutes} for code, _label, minutes in result.by_program()]


def next_number(year: int) -> tuple[int, str]:
    """Take the year's next number (call inside the transaction that stores the certificate)."""
    number = numbering.take_next(CertificateCounter, year=year)
    return number, f"JII-V-{year}-{number:04d}"


@functools.cache
def font_config():
    """WeasyPrint's font configuration, made once per process (as for receipts)."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def seal_uri() -> str:
    """JII's seal image (the receipts' setting) as a file URI for WeasyPrint, or "" when none is configured."""
    path = settings.RECEIPT_SEAL_IMAGE
    return Path(path).resolve().as_uri() if path else ""


def render_pdf(certificate: Certificate) -> bytes:
    """The certificate as an A4 PDF in its language, from the row (the hours as issued)."""
    from weasyprint import HTML  # loaded only to render

    user = certificate.volunteer.user
    with translation.override(certificate.language):
        names = hours.labels()
        lines = [
            (names.get(line["program"], line["program"]), hours.format_minutes(line["minutes"]))
            for line in certificate.hours
        ]
        html = render_to_string(
            "jii/certificate.html",
            {
                "certificate": certificate,
                "name": user.name,
                "lines": lines,
                "total": hours.format_minutes(certificate.total_minutes),
                "issued_on": timezone.localtime(certificate.issued_at).date(),
                "issuer": issuer_in(certificate.language),
                "seal": seal_uri(),
                "font": settings.RECEIPT_FONT_FAMILY,
                "lang": certificate.language,
            },
        )
    return HTML(string=html).write_pdf(font_config=font_config())
