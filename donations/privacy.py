"""Donations' part of JII's privacy notice and retention table (jii/privacy.py). Gifts and receipts are kept seven
years after the last of them, as the accounts must be (法人税法; the donor register, 寄付者名簿, needs five)."""

from functools import partial

from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from donations.forms import CONSENT_TEXT
from donations.models import Donation, Donor, Receipt, StatementLine
from jii import audit
from jii.models import Message
from jii.privacy import ERASED, RecordKind, register_program, section

Status, Frequency = Donation.Status, Donation.Frequency
FINISHED = Q(frequency=Frequency.ONCE, status__in=[Status.ACTIVE, Status.REFUNDED]) | Q(
    frequency__in=Donation.RECURRING, status__in=[Status.ENDED, Status.REFUNDED]
)


def never_paid(cutoff):
    return Donation.objects.filter(status__in=Donation.NOT_GIVEN, anonymised_at=None, created_at__lt=cutoff)


def finished_gifts(cutoff):
    """One-off gifts and stopped monthly or yearly gifts whose last payment, receipt and end are all before `cutoff`."""
    gifts = Donation.objects.filter(FINISHED, anonymised_at=None).annotate(
        ended=Greatest(
            Coalesce(Max("payments__received_at"), "created_at"),
            Coalesce(Max("receipts__issued_at"), "created_at"),
            Coalesce("ended_at", "created_at"),
        )
    )
    return gifts.filter(ended__lt=cutoff)


def anonymise(donations) -> None:
    """Erase the donor's name, contacts, address and message, on the gift and on its receipts (and the receipts'
    PDFs). Kept for the accounts and the campaign figures: amounts, dates, frequency, method and status."""
    ids = list(donations.values_list("pk", flat=True))
    emails = set(Donation.objects.filter(pk__in=ids).values_list("email", flat=True)) - {""}
    for receipt in Receipt.objects.filter(donation__in=ids).exclude(file=""):
        transaction.on_commit(partial(receipt.file.storage.delete, receipt.file.name))
    audit.update(Receipt.objects.filter(donation__in=ids), donor_name=ERASED, donor_email="", donor_address="", file="")
    # The bank statement's line a transfer was matched from names the sender too.
    audit.update(StatementLine.objects.filter(payment__donation__in=ids), kana=ERASED, reference="")
    audit.update(
        Donation.objects.filter(pk__in=ids),
        name=ERASED,
        name_kana="",
        email="",
        phone="",
        address="",
        nickname="",
        message="",
        message_status=Donation.MessageStatus.NONE,
        show_as=Donation.ShowAs.ANONYMOUS,
        stripe_customer="",
        anonymised_at=timezone.now(),
    )
    # The outbox's rows hold no words, but the address: it goes unless the donor still gives.
    still_giving = Donation.objects.filter(email__in=emails).values_list("email", flat=True)
    Message.objects.filter(address__in=emails - set(still_giving)).update(address="")


def donors_with_nothing_left(cutoff):
    """Donors all of whose gifts are anonymised (the gifts' own periods decide), and donors merged into one who is."""
    gifts = Donation.objects.filter(donor=OuterRef("pk"))
    return (
        Donor.objects.filter(anonymised_at=None)
        .filter(Exists(gifts) | Q(merged_into__anonymised_at__isnull=False))
        .exclude(Exists(gifts.filter(anonymised_at=None)))
    )


def anonymise_donors(donors) -> None:
    """Erase the donor's name, contacts, address and staff's notes; the record stays, holding its gifts."""
    audit.update(
        Donor.objects.filter(pk__in=list(donors.values_list("pk", flat=True))),
        name=ERASED,
        name_kana="",
        email="",
        phone="",
        address="",
        notes="",
        anonymised_at=timezone.now(),
    )


def gifts_of(resident):
    return Donation.objects.filter(email__iexact=resident.email) if resident.email else Donation.objects.none()


def collect(resident) -> list[dict]:
    """Gifts made with the resident's email address."""
    fields = ["created_at", "frequency", "method", "amount_yen", "status", "name", "name_kana", "phone", "address",
              "nickname", "message"]  # fmt: skip
    donors = Donor.objects.filter(pk__in=gifts_of(resident).values("donor"))
    donor_fields = ["name", "name_kana", "email", "phone", "address", "notes"]
    return [section(_("Gift"), gift, fields) for gift in gifts_of(resident)] + [
        section(_("Donor"), donor, donor_fields) for donor in donors
    ]


def erase(resident) -> None:
    """Their gifts keep what the accounts need for seven years (name, address, amounts; see the table); the
    message, nickname, kana and phone go now, and nothing more is shown on the campaign page. Their donor record keeps
    the same; staff's notes, the kana and the phone go."""
    audit.update(Donor.objects.filter(pk__in=gifts_of(resident).values("donor")), notes="", name_kana="", phone="")
    audit.update(
        gifts_of(resident),
        name_kana="",
        phone="",
        nickname="",
        message="",
        message_status=Donation.MessageStatus.NONE,
        show_as=Donation.ShowAs.ANONYMOUS,
    )


def unmatched_lines(cutoff):
    """A bank statement's credits never matched to a gift (ignored, or waiting), imported before the cutoff."""
    matched = StatementLine.State.MATCHED
    return StatementLine.objects.exclude(state=matched).exclude(kana=ERASED).filter(statement__uploaded_at__lt=cutoff)


def anonymise_lines(lines) -> None:
    audit.update(lines, kana=ERASED, reference="")


# The retention table's rows for this program (jii/privacy.py runs them).
RETENTION = [
    RecordKind("donations.never_paid", _("A gift that was never paid"), 1, _("after it was started"), never_paid,
               anonymise),
    RecordKind("donations.gift", _("A gift and its receipts (for the accounts)"), 7, _("after the last payment"),
               finished_gifts, anonymise),
    RecordKind("donations.statement_line", _("A bank transfer on an imported statement, not matched to a gift"),
               1, _("after the statement was imported"), unmatched_lines, anonymise_lines),
    RecordKind("donations.donor", _("A donor's record: name, contacts, address and staff's notes"), 7, "",
               donors_with_nothing_left, anonymise_donors, kept=_("As long as any of their gifts is kept")),
]  # fmt: skip


def register() -> None:
    # Gifts are not a resident's records (donors are their own people), but a resident may have given.
    register_program(
        "donations",
        _("Donations"),
        consent=CONSENT_TEXT,
        kinds=RETENTION,
        collect=collect,
        erase=erase,
    )
