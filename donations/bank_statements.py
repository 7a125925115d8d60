"""Bank statements as the bank gives them, read into plain rows, and the pending gifts each credit may be.

Two formats, told apart by their content (never by the file's name):
- 全銀協 入出金取引明細 ("zengin"): fixed-length 200-byte records in Shift_JIS, with or without line breaks — a
  header record (データ区分 1, 種別コード 03), data records (2), a trailer with the totals (8) and an end record (9).
  Dates are in the Japanese era (和暦 YYMMDD), names in half-width katakana.
- SBI Net Bank's (住信SBIネット銀行) 入出金明細 CSV in cp932, its header
  "日付","内容","出金金額(円)","入金金額(円)","残高(円)","メモ", a transfer's 内容 reading e.g. "振込＊ヤマダ　ハナコ".
Only credits (money in) are kept. A line's checksum is the hash of its own content and of its position among
identical lines of the same file, so the same line in a second upload (or an overlapping statement) is known, as in
pretix's bank import."""

import csv
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from donations.models import BankStatement, Donation, Payment

ZENGIN, SBI = BankStatement.Format.ZENGIN, BankStatement.Format.SBI
RECORD = 200  # bytes, every zengin record
SBI_HEADER = ["日付", "内容", "出金金額(円)", "入金金額(円)", "残高(円)"]  # then メモ


NEITHER = _("This file is neither a zengin (全銀) statement of deposits and withdrawals nor an SBI Net Bank CSV.")


class NotAStatement(ValueError):
    """A file that is neither format, or one cut short: the message says which, for the upload form."""


@dataclass(frozen=True)
class Row:
    date: date
    amount_yen: int
    kana: str  # the sender as printed
    reference: str  # the bank's own reference, for staff to read
    content: str  # the line as the bank wrote it: what its checksum is made of


@dataclass(frozen=True)
class Statement:
    format: str
    checksum: str  # of the whole file
    rows: list[Row]


def parse(data: bytes) -> Statement:
    checksum = hashlib.sha256(data).hexdigest()
    if b"\x00" in data:  # a binary file (neither format has a NUL byte, nor may a database's text)
        raise NotAStatement(NEITHER)
    if looks_zengin(data):
        return Statement(ZENGIN, checksum, parse_zengin(data))
    if looks_sbi(data):
        return Statement(SBI, checksum, parse_sbi(data))
    raise NotAStatement(NEITHER)


def line_checksums(rows: list[Row]) -> list[str]:
    """Two identical lines in one file (the same donor sending the same amount twice that day) stay two lines."""
    seen: dict[str, int] = {}
    checksums = []
    for row in rows:
        position = seen[row.content] = seen.get(row.content, -1) + 1
        checksums.append(hashlib.sha256(f"{row.content}\x1f{position}".encode()).hexdigest())
    return checksums


# --- 全銀 入出金取引明細 --------------------------------------------------------------------------------------


def zengin_records(data: bytes) -> list[bytes]:
    # Records come with CR LF or without any break; an old EOF byte may end the file. Neither byte can be part
    # of a Shift_JIS character, so removing them never cuts one.
    body = data.replace(b"\r", b"").replace(b"\n", b"").rstrip(b"\x1a")
    return [body[start : start + RECORD] for start in range(0, len(body), RECORD)]


def looks_zengin(data: bytes) -> bool:
    return data.lstrip(b"\r\n")[:3] == b"103"  # a header record (1) of 入出金取引明細 (03)


def field(record: bytes, start: int, end: int) -> str:
    """Columns numbered from 1 as in the layout's tables."""
    return record[start - 1 : end].decode("cp932", errors="replace").strip()


def number(text: str) -> int:
    if not text.isdigit():
        raise NotAStatement(_("The statement has a number that is not one (%(text)s).") % {"text": text})
    return int(text)


LARGEST = 2_000_000_000  # yen: what a line's amount column holds; no gift comes near it


def yen_amount(text: str) -> int:
    cleaned = text.replace(",", "").replace("円", "").strip()
    if not cleaned.isdigit() or int(cleaned) > LARGEST:
        raise NotAStatement(_("The statement has an amount that is not one (%(text)s).") % {"text": text})
    return int(cleaned)


def era_date(text: str) -> date:
    """和暦 YYMMDD: Reiwa, or Heisei for a year that would be in the future."""
    if len(text) != 6 or not text.isdigit():
        raise NotAStatement(_("The statement has a date that is not one (%(text)s).") % {"text": text})
    year = 2018 + int(text[:2])
    if year > timezone.localdate().year + 1:
        year = 1988 + int(text[:2])
    try:
        return date(year, int(text[2:4]), int(text[4:6]))
    except ValueError as error:
        raise NotAStatement(_("The statement has a date that is not one (%(text)s).") % {"text": text}) from error


def parse_zengin(data: bytes) -> list[Row]:
    """A file may hold several accounts, each a header, its data records and a trailer; one end record closes it."""
    records = zengin_records(data)
    if len(records[-1]) != RECORD:
        raise NotAStatement(_("The statement's records are not 200 bytes each: the file may be cut short."))
    rows, account, trailers = [], [], 0
    for record in records:
        kind = record[:1]
        if kind == b"1":
            account = []
        elif kind == b"2" and field(record, 22, 22) == "1":  # 入払区分 1: a credit
            account.append(zengin_row(record))
        elif kind == b"8":
            # The trailer's count and total of credits: a file cut or edited by hand does not add up.
            totals = (number(field(record, 2, 7)), number(field(record, 8, 20)))
            if totals != (len(account), sum(row.amount_yen for row in account)):
                raise NotAStatement(_("The statement's credits do not add up to its trailer's totals."))
            rows += account
            account, trailers = [], trailers + 1
        elif kind not in (b"2", b"9"):
            raise NotAStatement(_("The statement has a record of an unknown kind."))
    if not trailers or account:
        raise NotAStatement(_("The statement has no trailer record: the file may be cut short."))
    return rows


def zengin_row(record: bytes) -> Row:
    return Row(
        date=era_date(field(record, 10, 15)),  # 勘定日
        amount_yen=yen_amount(field(record, 25, 36)),  # 取引金額
        kana=field(record, 82, 129) or field(record, 160, 179),  # 振込依頼人名, else 摘要内容
        # 照会番号, 摘要内容, 仕向銀行名, 仕向店名
        reference=" ".join(
            part
            for part in (field(record, 2, 9), field(record, 160, 179), field(record, 130, 144), field(record, 145, 159))
            if part
        ),
        content=record.decode("cp932", errors="replace").rstrip(),
    )


# --- SBI Net Bank CSV ------------------------------------------------------------------------------------------


def spreadsheet_text(data: bytes) -> str | None:
    """A CSV as saved again by a spreadsheet (UTF-8, which cp932's bytes for Japanese never are), or as a Japanese
    bank or channel lets one download it (Shift_JIS, as cp932); None for neither."""
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def looks_sbi(data: bytes) -> bool:
    text = spreadsheet_text(data)
    if text is None:
        return False
    try:
        header = next(csv.reader(io.StringIO(text.lstrip("\ufeff"))), [])
    except csv.Error:
        return False
    return [cell.strip() for cell in header[: len(SBI_HEADER)]] == SBI_HEADER


TRANSFER_PREFIX = re.compile(r"^\s*振込\s*[＊*]?\s*")


def sbi_date(text: str) -> date:
    for layout in ("%Y/%m/%d", "%Y-%m-%d", "%Y年%m月%d日"):
        try:
            return datetime.strptime(text, layout).date()
        except ValueError:
            continue
    raise NotAStatement(_("The statement has a date that is not one (%(text)s).") % {"text": text})


def parse_sbi(data: bytes) -> list[Row]:
    reader = csv.reader(io.StringIO(spreadsheet_text(data).lstrip("\ufeff")))
    next(reader)
    try:
        return [row for cells in reader if (row := sbi_row(cells))]
    except csv.Error as error:
        raise NotAStatement(_("A line of the statement cannot be read as CSV.")) from error


def sbi_row(cells: list[str]) -> Row | None:
    """A credit, or None for a withdrawal or an empty line."""
    if not any(cell.strip() for cell in cells):
        return None
    if len(cells) < len(SBI_HEADER):
        raise NotAStatement(_("A line of the statement has fewer columns than its header."))
    day, description, _out, credit, balance = (cell.strip() for cell in cells[: len(SBI_HEADER)])
    if not credit:
        return None
    return Row(
        date=sbi_date(day),
        amount_yen=yen_amount(credit),
        kana=TRANSFER_PREFIX.sub("", description).strip(),
        reference=description,
        # Not the メモ: the account holder may edit it, and the line would seem new on the next download.
        content="\x1f".join((day, description, credit, balance)),
    )


# --- names in kana ----------------------------------------------------------------------------------------------

SMALL_AND_OLD = str.maketrans("ァィゥェォッャュョヮヵヶヴヰヱヲヂヅ", "アイウエオツヤユヨワカケブイエオジズ")
LONG_VOWEL = re.compile(r"[-‐‑–—―−ｰー]")
# 株式会社 and the like as statements abbreviate them: カ) before the name, (カ after it, (カ) within it.
CORPORATE = "カ|ユ|ド|メ|シ|ザイ|シヤ|トクヒ|イ|ガク|フク|ギ|ソ|セイ|ノウ|キヨウ|ユウ|ホ"
CORPORATE_MARK = re.compile(rf"\((?:{CORPORATE})\)|^(?:{CORPORATE})\)|\((?:{CORPORATE})$")
CORPORATE_WORDS = re.compile(
    r"カブシキガイシヤ|ユウゲンガイシヤ|ゴウドウガイシヤ|トクテイヒエイリカツドウホウジン|イツパンシヤダンホウジン"
)
PREFIX = re.compile(r"^(?:振込|フリコミ)\s*\*?\s*")
NOT_KANA = re.compile(r"[^ア-ヺー]+")


def kana_tokens(text: str) -> list[str]:
    """The words of a name in kana, normalised as a bank prints them: full-width katakana (half-width and hiragana
    widened), no small kana, ヴ as ブ, one long-vowel mark, without 振込 before it or a company's legal form."""
    text = unicodedata.normalize("NFKC", text or "")  # ﾔﾏﾀﾞ → ヤマダ, ＊ → *, full-width space → space
    text = "".join(chr(ord(char) + 0x60) if "ぁ" <= char <= "ゖ" else char for char in text)  # hiragana
    text = LONG_VOWEL.sub("ー", text.translate(SMALL_AND_OLD))
    text = PREFIX.sub("", text.strip())
    text = CORPORATE_WORDS.sub(" ", CORPORATE_MARK.sub(" ", text))
    return [token for token in NOT_KANA.split(text) if token]


def kana_key(text: str) -> str:
    """What two spellings of one name in kana have in common: "ﾔﾏﾀﾞ ﾊﾅｺ", "やまだ はなこ" and "振込＊ヤマダ　ハナコ"
    all give "ヤマダハナコ"."""
    return "".join(kana_tokens(text))


EXACT, PARTIAL, UNKNOWN, DIFFERENT = 3, 2, 1, 0


def name_match(printed: str, given: str) -> int:
    """How far a statement's sender is the donor: the same name (in any word order), one part of the other (a
    family name alone, or a name the bank cut short), no kana to compare, or another name."""
    line_tokens, donor_tokens = kana_tokens(printed), kana_tokens(given)
    line_key, donor_key = "".join(line_tokens), "".join(donor_tokens)
    if not line_key or not donor_key:
        return UNKNOWN
    if line_key == donor_key or sorted(line_tokens) == sorted(donor_tokens):
        return EXACT
    shorter, longer = sorted((line_key, donor_key), key=len)
    if len(shorter) >= 2 and (longer.startswith(shorter) or shorter in donor_tokens or shorter in line_tokens):
        return PARTIAL
    return DIFFERENT


# --- proposals ----------------------------------------------------------------------------------------------------

WINDOW = timedelta(days=60)  # a donor who promised a transfer sends it within this
MOST = 5  # candidates offered per line
RENEWING = [Donation.Frequency.MONTHLY, Donation.Frequency.YEARLY]


@dataclass(frozen=True)
class Candidate:
    donation: Donation
    match: int
    recorded_by_hand: bool = False  # a payment of the line's amount and day, recorded without a statement

    @property
    def strong(self) -> bool:
        return self.match == EXACT and not self.recorded_by_hand


def candidate_donations(lines):
    """In one query, every gift any of the lines may pay: a pending bank transfer promised within the window
    before the line, or a monthly or yearly bank-transfer supporter's later transfer; of the same amount."""
    if not lines:
        return Donation.objects.none()
    earliest, latest = min(line.date for line in lines) - WINDOW, max(line.date for line in lines)
    return Donation.objects.filter(
        Q(status=Donation.Status.PENDING, created_at__date__gte=earliest)
        | Q(frequency__in=RENEWING, status__in=[Donation.Status.ACTIVE, Donation.Status.PAST_DUE]),
        method=Donation.Method.BANK_TRANSFER,
        amount_yen__in={line.amount_yen for line in lines},
        created_at__date__lte=latest,
        anonymised_at=None,
    )


def propose(lines) -> dict[int, list[Candidate]]:
    """Each line's candidates, best first: the closer the name, the better; then a promised gift before a
    supporter's later one; then the nearer in time."""
    by_amount: dict[int, list[Donation]] = {}
    for donation in candidate_donations(lines):
        by_amount.setdefault(donation.amount_yen, []).append(donation)
    # A supporter's transfer that staff already keyed in by hand is not chosen again (it would count twice).
    by_hand = set()
    if by_amount:
        dates = {line.date for line in lines}
        recorded = Payment.objects.filter(
            donation__in=[donation for donations in by_amount.values() for donation in donations],
            statement_line=None,
            received_at__date__gte=min(dates),
            received_at__date__lte=max(dates),
        )
        by_hand = {
            (donation_id, amount, timezone.localtime(received_at).date())
            for donation_id, amount, received_at in recorded.values_list("donation_id", "amount_yen", "received_at")
        }
    proposals = {}
    for line in lines:
        candidates = []
        for donation in by_amount.get(line.amount_yen, []):
            created = timezone.localtime(donation.created_at).date()
            if created > line.date or (donation.status == Donation.Status.PENDING and created < line.date - WINDOW):
                continue
            match = name_match(line.kana, donation.name_kana or donation.name)
            if match != DIFFERENT:
                later = donation.status != Donation.Status.PENDING
                candidate = Candidate(donation, match, (donation.pk, line.amount_yen, line.date) in by_hand)
                candidates.append((-match, later, (line.date - created).days, candidate))
        candidates.sort(key=lambda item: item[:3])
        proposals[line.pk] = [item[3] for item in candidates[:MOST]]
    return proposals
