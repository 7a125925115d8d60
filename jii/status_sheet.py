"""The status link on paper: a one-page PDF with a QR code, in the resident's language, that a coordinator prints
and hands to a resident who has no email (or gives the link by LINE instead). Several residents: one page each."""

import segno
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe

from jii import line
from jii.furigana import add_to_html, bracket_text, wants_furigana
from jii.languages import language_tag
from jii.status_links import status_url


def sheet_html(resident) -> str:
    url = status_url(resident)
    qr = segno.make(url, error="m").svg_inline(scale=5, dark="#000", light="#fff")
    with translation.override(resident.language):
        direction = "rtl" if translation.get_language_bidi() else "ltr"
        html = render_to_string(
            "jii/status_sheet.html",
            {"resident": resident, "url": url, "qr": mark_safe(qr), "line": line.configured(),  # noqa: S308 — segno's own SVG
             "html_lang": language_tag(resident.language), "html_dir": direction},
        )  # fmt: skip
    return add_to_html(html, write=bracket_text) if wants_furigana(resident.language) else html


def status_sheets_pdf(residents) -> bytes:
    from weasyprint import HTML  # imported here: WeasyPrint (Pango) is loaded only to print

    pages = [HTML(string=sheet_html(resident)).render() for resident in residents]
    first, *rest = pages
    return (
        first.copy([page for document in pages for page in document.pages]).write_pdf() if rest else first.write_pdf()
    )
