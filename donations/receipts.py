"""Receipts (領収書), their state changes: numbered per fiscal year without gaps, issued once per payment or once
per donor and year, never edited (a correction voids and reissues). Each change is one transaction; the PDF is
laid out by donations/receipt_pdf.py."""

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from donations.models import Donation, Payment, Receipt, ReceiptCounter
from donations.receipt_pdf import render_pdf
from donations.selectors import annual_gifts, fiscal_year, net_amount
from jii import numbering
from jii.languages import nearest_language
from jii.privacy import ERASED


class CannotIssue(Exception):
    """No receipt from JII for this gift: it came through another channel (which issues its own), or JII is a
    認定NPO法人 and the donor's name or address is missing (a deductible receipt must name both)."""


def name_and_address(donation: Donation) -> tuple[str, str]:
    """As given with the gift, else as the donor last gave them (staff may add an address on the donor's record)."""
    donor = donation.donor
    name = donation.name if donation.name.strip() not in ("", ERASED) else (donor.name if donor else "")
    address = donation.address.strip() or (donor.address.strip() if donor else "")
    return name, address


def check_issuable(donation: Donation) -> None:
    """Raises CannotIssue for a gift JII gives no receipt for (yet)."""
    if donation.method == Donation.Method.OTHER_CHANNEL:
        raise CannotIssue("a gift through another channel: the channel issues its receipt")
    name, address = name_and_address(donation)
    if settings.DONATIONS_TAX_DEDUCTIBLE and (name.strip() in ("", ERASED) or not address):
        raise CannotIssue("a deductible receipt needs the donor's name and address")


def receipt_language(language: str) -> str:
    """Receipts are issued in settings.RECEIPT_LANGUAGES only; a donor who gave in another language gets the
    nearest of them."""
    return nearest_language(settings.RECEIPT_LANGUAGES, language) or settings.RECEIPT_LANGUAGES[0]


def next_number(year: int) -> tuple[int, str]:
    """Take the next number of the fiscal year (call inside the transaction that stores the receipt)."""
    number = numbering.take_next(ReceiptCounter, fiscal_year=year)
    return number, f"JII-{year}-{number:06d}"


def wants_annual_receipt(payment: Payment) -> bool:
    return payment.donation.receipts_wanted == Donation.ReceiptsWanted.ANNUAL


@transaction.atomic
def issue_for_payment(payment: Payment, replaces: Receipt | None = None) -> Receipt:
    """The receipt of one payment: the existing valid one, or a new one with the next number and its PDF. Raises
    CannotIssue for a gift JII gives no receipt for (yet)."""
    payment = (
        Payment.objects.select_for_update(of=("self", "donation"))
        .select_related("donation__campaign", "donation__donor")
        .get(pk=payment.pk)
    )
    existing = payment.receipts.filter(voided_at__isnull=True, kind=Receipt.Kind.SINGLE).first()
    if existing:
        return existing
    donation = payment.donation
    check_issuable(donation)
    name, address = name_and_address(donation)
    received_on = timezone.localtime(payment.received_at).date()
    year = fiscal_year(received_on)
    sequence, number = next_number(year)
    language = receipt_language(donation.language)
    with translation.override(language):
        purpose = str(donation.campaign.title)
    receipt = Receipt(
        number=number,
        donor_email=donation.email.lower(),
        donor=donation.donor,
        fiscal_year=year,
        sequence=sequence,
        donation=donation,
        payment=payment,
        amount_yen=net_amount(payment),
        received_on=received_on,
        donor_name=name,
        donor_address=address,
        purpose=purpose,
        language=language,
        replaces=replaces,
    )
    receipt.file.save(f"{number}.pdf", ContentFile(render_pdf(receipt)), save=False)
    receipt.save()
    return receipt


def void(receipt: Receipt, reason: str) -> None:
    """Mark a receipt void, the only change an issued receipt ever takes (inside the caller's transaction)."""
    receipt.voided_at = timezone.now()
    receipt.void_reason = reason
    receipt.save(update_fields=["voided_at", "void_reason"])


@transaction.atomic
def void_and_reissue(*, receipt: Receipt, reason: str) -> Receipt | None:
    """Correct a receipt: the old one is marked void (never changed otherwise), a new one points to it."""
    receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
    if receipt.voided_at:
        return receipt.replaced_by
    void(receipt, reason)
    if receipt.kind == Receipt.Kind.ANNUAL:
        return issue_annual(donor_id=receipt.donor_id, year=receipt.fiscal_year, replaces=receipt)
    return issue_for_payment(receipt.payment, replaces=receipt)


# --- annual receipts ------------------------------------------------------------------------------------


@transaction.atomic
def issue_annual(*, donor_id: int | None, year: int, replaces: Receipt | None = None) -> Receipt | None:
    """The donor's one receipt for the fiscal year: the valid one if it still covers every gift, else a new one
    (voiding the old, e.g. when a bank transfer of December was recorded in January). None without gifts. Raises
    CannotIssue (the old one left valid) when a deductible receipt would lack the name or address."""
    if donor_id is None:  # a gift stored without its donor (never through the services)
        return None
    # Lock the donor's donations: two runs for one donor wait for each other instead of racing.
    donations = list(
        Donation.objects.select_for_update(of=("self",))
        .select_related("donor")
        .filter(donor=donor_id)
        .exclude(status__in=Donation.NOT_GIVEN)
    )
    if not donations:
        return None
    current = Receipt.objects.filter(
        kind=Receipt.Kind.ANNUAL, donor=donor_id, fiscal_year=year, voided_at__isnull=True
    ).first()
    gifts = list(annual_gifts(donor_id, year))
    # Name, address and language as the donor last gave them.
    donor = max(donations, key=lambda donation: donation.created_at)
    if gifts:
        check_issuable(donor)
    if current:
        same_gifts = {gift.pk for gift in gifts} == set(current.covers.values_list("pk", flat=True))
        if same_gifts and current.amount_yen == sum(net_amount(gift) for gift in gifts):
            return current
        void(current, gettext("The year's gifts changed after this receipt was issued."))
        replaces = current
    if not gifts:
        return None
    name, address = name_and_address(donor)
    sequence, number = next_number(year)
    language = receipt_language(donor.language)
    with translation.override(language):
        purpose = ", ".join(sorted({str(gift.campaign.title) for gift in gifts}))
    receipt = Receipt(
        number=number,
        fiscal_year=year,
        sequence=sequence,
        kind=Receipt.Kind.ANNUAL,
        donation=donor,
        donor_id=donor_id,
        donor_email=(donor.donor.email if donor.donor else donor.email).lower(),
        amount_yen=sum(net_amount(gift) for gift in gifts),
        received_on=timezone.localtime(gifts[-1].received_at).date(),
        donor_name=name,
        donor_address=address,
        purpose=purpose[:200],
        language=language,
        replaces=replaces,
    )
    receipt.file.save(f"{number}.pdf", ContentFile(render_pdf(receipt, gifts)), save=False)
    receipt.save()
    receipt.covers.set(gifts)
    return receipt


@transaction.atomic
def correct_after_refund(payment: Payment) -> Receipt | None:
    """A refund changes what the donor gave: their receipt for it is voided and, if anything is left, reissued
    for the net amount. Returns the new receipt, if one was issued."""
    payment = Payment.objects.select_for_update().select_related("donation").get(pk=payment.pk)
    single = payment.receipts.filter(voided_at__isnull=True, kind=Receipt.Kind.SINGLE).first()
    if single and single.amount_yen != net_amount(payment):
        reason = gettext("Refunded: %(yen)s yen.") % {"yen": f"{payment.refunded_yen:,}"}
        if net_amount(payment) == 0:
            void(single, reason)
            return None
        return void_and_reissue(receipt=single, reason=reason)
    annual = payment.annual_receipts.filter(voided_at__isnull=True).first()
    if annual:
        replacement = issue_annual(donor_id=annual.donor_id, year=annual.fiscal_year)
        return None if replacement == annual else replacement
    return None
