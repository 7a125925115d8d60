"""Gifts received through other channels, read from their CSV exports for donations staff to preview and import
(donations.services.import_channel_gifts). Three layouts:

- Benevity: the "Donations Report" of the Causes Portal (one per disbursement): a few lines about the disbursement,
  then a header row with "Transaction ID", "Donation Date", "Donor First Name", "Donor Last Name", "Email",
  "Address", "City", "State/Province", "Postal Code", "Currency" and "Total Donation to be Acknowledged" among
  others, then a line per gift and a totals line (no transaction id; skipped). A donor who shares nothing is
  "Not shared by donor". The match a company adds ("Match Amount") is the company's gift, not the person's: left out.
- Give One: its export layout is not published, so staff save the gifts in JII's simple layout below.
- Other channels: JII's simple layout, with the channel's name typed on the upload form.

JII's simple layout: a header row, then a line per gift, columns in any order (English or Japanese headers):
  date (日付), amount (金額, whole yen), name (氏名), email (メールアドレス), reference (受付番号: the channel's own
  transaction id, unique), and optionally kana (フリガナ), address (住所), phone (電話番号).
Files in UTF-8 (with or without BOM) or Shift_JIS (as Japanese Excel saves them).
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from donations.bank_statements import spreadsheet_text
from donations.models import Payment

MAX_YEN = 99_999_999
MAX_ROWS = 5000
NOT_SHARED = "not shared by donor"  # Benevity's word for a detail the donor keeps private

SIMPLE = {
    "reference": ("reference", "transaction id", "受付番号"),
    "date": ("date", "日付"),
    "amount": ("amount", "金額"),
    "name": ("name", "氏名"),
    "email": ("email", "メールアドレス"),
    "name_kana": ("kana", "フリガナ"),
    "address": ("address", "住所"),
    "phone": ("phone", "電話番号"),
}
BENEVITY = {
    "reference": ("transaction id",),
    "date": ("donation date",),
    "first_name": ("donor first name",),
    "last_name": ("donor last name",),
    "email": ("email",),
    "street": ("address",),
    "city": ("city",),
    "region": ("state/province",),
    "postal_code": ("postal code",),
    "currency": ("currency",),
    "amount": ("total donation to be acknowledged",),
}
REQUIRED = ("reference", "date", "amount")


@dataclass(frozen=True)
class Channel:
    key: str
    label: str
    columns: dict


CHANNELS = {
    "giveone": Channel("giveone", "Give One", SIMPLE),
    "benevity": Channel("benevity", "Benevity", BENEVITY),
    "other": Channel("other", "", SIMPLE),
}
CHANNEL_CHOICES = [
    ("giveone", gettext_lazy("Give One (JII's simple layout)")),
    ("benevity", gettext_lazy("Benevity (its donations report)")),
    ("other", gettext_lazy("Another channel (JII's simple layout)")),
]


@dataclass
class Row:
    line: int
    channel_name: str
    reference: str = ""
    received_on: date | None = None
    amount_yen: int = 0
    name: str = ""
    name_kana: str = ""
    email: str = ""
    address: str = ""
    phone: str = ""
    errors: list[str] = field(default_factory=list)
    repeated: bool = False  # the same transaction twice in this file
    already: bool = False  # imported before

    @property
    def importable(self) -> bool:
        return not (self.errors or self.repeated or self.already)


@dataclass
class Upload:
    rows: list[Row] = field(default_factory=list)
    problem: str = ""  # the whole file cannot be read

    @property
    def importable(self) -> list[Row]:
        return [row for row in self.rows if row.importable]

    @property
    def total_yen(self) -> int:
        return sum(row.amount_yen for row in self.importable)

    @property
    def already(self) -> int:
        return sum(row.already for row in self.rows)

    @property
    def repeated(self) -> int:
        return sum(row.repeated for row in self.rows)

    @property
    def with_errors(self) -> list[Row]:
        return [row for row in self.rows if row.errors]


def header_of(lines: list[list[str]], columns: dict) -> tuple[int, dict[str, int]] | None:
    """The header row (the first naming the transaction id: Benevity's report has lines above it) and where each
    of our fields is in it."""
    for number, cells in enumerate(lines):
        names = [cell.strip().lower() for cell in cells]
        if any(name in columns["reference"] for name in names):
            where = {}
            for ours, theirs in columns.items():
                found = [index for index, name in enumerate(names) if name in theirs]
                if found:
                    where[ours] = found[0]
            return number, where
    return None


def yen(text: str) -> int | None:
    cleaned = re.sub(r"[\s,¥￥円]", "", text)
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        return None
    return int(amount) if amount == amount.to_integral_value() else None


def day(text: str) -> date | None:
    found = re.match(r"\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", text)
    if not found:
        return None
    try:
        return date(*(int(part) for part in found.groups()))
    except ValueError:
        return None


def shared(text: str) -> str:
    text = text.strip()
    return "" if text.lower() == NOT_SHARED else text


def read_row(line: int, values: dict[str, str], channel: Channel, channel_name: str) -> Row:
    row = Row(line=line, channel_name=channel_name)
    prefix = channel.key if channel.key != "other" else slugify(channel_name) or "other"
    their_id = values.get("reference", "").strip()
    row.reference = f"{prefix}:{their_id}"
    if not their_id:
        row.errors.append(_("The transaction id is empty."))
    row.received_on = day(values.get("date", ""))
    if row.received_on is None:
        row.errors.append(
            _("The date “%(value)s” is not a date like 2026-11-18.") % {"value": values.get("date", "")[:40]}
        )
    amount = yen(values.get("amount", ""))
    if amount is None or not 1 <= amount <= MAX_YEN:
        row.errors.append(
            _("The amount “%(value)s” is not a whole number of yen.") % {"value": values.get("amount", "")[:40]}
        )
    else:
        row.amount_yen = amount
    currency = values.get("currency", "").strip().upper()
    if currency not in ("", "JPY"):
        error = _("The gift is in %(currency)s: only gifts in yen can be imported.")
        row.errors.append(error % {"currency": currency[:10]})
    if "first_name" in values or "last_name" in values:
        names = (values.get(key, "") for key in ("first_name", "last_name"))
        row.name = " ".join(part for part in map(shared, names) if part)
        parts = (values.get(key, "") for key in ("postal_code", "region", "city", "street"))
        row.address = " ".join(part for part in map(shared, parts) if part)
    else:
        row.name = shared(values.get("name", ""))
        row.address = shared(values.get("address", ""))
    row.name = row.name[:150]
    row.address = row.address[:300]
    row.name_kana = shared(values.get("name_kana", ""))[:150]
    row.phone = shared(values.get("phone", ""))[:30]
    row.email = shared(values.get("email", ""))
    if row.email:
        try:
            validate_email(row.email)
        except ValidationError:
            row.errors.append(_("The email address is not one an email can be sent to."))
            row.email = ""
    return row


def read(data: bytes, *, channel_key: str, channel_name: str = "") -> Upload:
    """Every line of a channel's export, each with what is wrong with it in plain words, the ones already imported
    and the ones repeated in the file marked."""
    channel = CHANNELS[channel_key]
    channel_name = (channel.label or channel_name).strip()
    text = spreadsheet_text(data)
    if text is None:
        return Upload(problem=_("The file is not text in UTF-8 or Shift_JIS: save it from the spreadsheet as CSV."))
    lines = list(csv.reader(io.StringIO(text)))
    found = header_of(lines, channel.columns)
    if found is None:
        return Upload(problem=_("No header row naming the transaction id: is this the right channel's file?"))
    number, where = found
    missing = [name for name in REQUIRED if name not in where]
    if missing:
        names = ", ".join(f"“{channel.columns[name][0]}”" for name in missing)
        return Upload(problem=_("The header row lacks a column for: %(names)s.") % {"names": names})
    upload = Upload()
    for line, cells in enumerate(lines[number + 1 :], start=number + 2):
        values = {ours: cells[index] if index < len(cells) else "" for ours, index in where.items()}
        if not any(cell.strip() for cell in cells) or (
            not values["reference"].strip() and channel.key == "benevity"  # the totals line
        ):
            continue
        upload.rows.append(read_row(line, values, channel, channel_name))
        if len(upload.rows) > MAX_ROWS:
            return Upload(problem=_("More than %(n)d gifts: split the file.") % {"n": MAX_ROWS})
    seen = set()
    for row in upload.rows:
        row.repeated = row.reference in seen
        seen.add(row.reference)
    imported = set(
        Payment.objects.filter(stripe_reference__in=[row.reference for row in upload.rows]).values_list(
            "stripe_reference", flat=True
        )
    )
    for row in upload.rows:
        row.already = row.reference in imported
    return upload
