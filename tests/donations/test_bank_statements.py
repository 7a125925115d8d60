"""The bank's statement imported: real-shaped files (a zengin 入出金取引明細 in Shift_JIS, SBI Net Bank's CSV in
cp932), each line kept once however often it is uploaded, matched by amount, date and name in kana, and confirmed
by donations staff in one step."""

import itertools
from datetime import date, datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from donations import bank_statements
from donations.bank_statements import NotAStatement, kana_key, name_match, parse
from donations.models import BankStatement, Donation, Payment, StatementLine
from donations.progress import campaign_state
from donations.services import IGNORE, confirm_statement_lines, import_bank_statement, record_bank_transfer
from jii.models import Message
from tests.donations.conftest import donation_for
from tests.factories import CoordinatorFactory
from tests.race import race

pytestmark = pytest.mark.django_db
STATEMENTS = Path(__file__).parent / "statements"
ZENGIN = (STATEMENTS / "zengin_2026-11.txt").read_bytes()
SBI = (STATEMENTS / "sbi_2026-11.csv").read_bytes()
JST = timezone.get_fixed_timezone(9 * 60)
EMAILS = itertools.count()
RAKUTEN = "取引日,入出金(円),取引後残高(円),入出金内容\n20261120,5000,128000,振込 ヤマダ ハナコ\n"
UPLOAD = "/en/admin/donations/donation/bank-statement/"
LINES = "/en/admin/donations/donation/bank-statement/lines/"


def promised(campaign, name, kana, amount=5000, on=date(2026, 11, 3), **details):
    """A donor who chose to transfer to JII's account, on the page on that day."""
    return donation_for(
        campaign,
        amount=amount,
        name=name,
        name_kana=kana,
        email=details.pop("email", f"donor{next(EMAILS)}@example.jp"),
        method=details.pop("method", Donation.Method.BANK_TRANSFER),
        created_at=datetime(on.year, on.month, on.day, 10, tzinfo=JST),
        **details,
    )


def longer_sbi(days: int) -> bytes:
    """The SBI statement with a transfer from Yamada Hanako on each of the first `days` days of November."""
    row = '"2026/11/{day:02d}","振込＊ヤマダ　ハナコ","","5000","{balance}",""\r\n'
    rows = "".join(row.format(day=day, balance=100000 + day) for day in range(1, days + 1))
    return SBI.decode("cp932").replace("\r\n", "\r\n" + rows, 1).encode("cp932")


def upload(client, data: bytes, name="statement.txt"):
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, data)}, follow=True)


def chosen(page) -> dict:
    """The lines page's form as staff would send it untouched: the strong matches chosen, the rest for later."""
    form = page.context["form"]
    return {name: form[name].value() or "" for name in form.fields}


@pytest.fixture
def staff(client):
    user = CoordinatorFactory(groups=["donations staff"])
    client.force_login(user)
    return user


@pytest.fixture
def donors(campaign):
    """The gifts the November zengin statement pays: Yamada's ¥5,000 and Suzuki Shoji's ¥10,000 promised, and
    Sato's monthly ¥3,000 by transfer since October."""
    sato = promised(campaign, "佐藤 健", "サトウ ケン", amount=3000, frequency="monthly", on=date(2026, 10, 10))
    record_bank_transfer(donation=sato, amount_yen=3000, received_on=date(2026, 10, 15), recorded_by=None)
    return {
        "yamada": promised(campaign, "山田 花子", "ヤマダ ハナコ"),
        "suzuki": promised(campaign, "鈴木商事株式会社", "スズキショウジ", amount=10000, on=date(2026, 11, 11)),
        "sato": sato,
    }


# --- names in kana ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "printed, given",
    [
        ("ﾔﾏﾀﾞ ﾊﾅｺ", "ヤマダ　ハナコ"),  # half-width on the statement, full-width on the form
        ("振込＊ヤマダ　ハナコ", "やまだ はなこ"),  # SBI's 内容, and a donor typing hiragana
        ("ﾌﾘｺﾐ ﾔﾏﾀﾞ ﾊﾅｺ", "ヤマダハナコ"),
        ("ｶ)ｽｽﾞｷｼﾖｳｼﾞ", "スズキショウジ"),  # 株式会社 abbreviated; banks print no small kana
        ("ｽｽﾞｷｼﾖｳｼﾞ(ｶ", "スズキショウジ カブシキガイシャ"),
        ("ﾄｸﾋ)ｼﾞｴｲｱｲｱｲ", "ジェイアイアイ"),
        ("ﾌﾞｲｸﾄﾙ ﾌﾞﾗｳﾝ", "ヴィクトル・ブラウン"),
        ("ｵ-ﾉ ｹﾝｲﾁ", "オーノ ケンイチ"),
    ],
)
def test_one_name_has_one_kana_key_however_the_bank_or_the_donor_writes_it(printed, given):
    assert kana_key(printed) == kana_key(given) != ""


def test_names_match_in_any_word_order_and_in_part_but_not_otherwise():
    assert name_match("ﾊﾅｺ ﾔﾏﾀﾞ", "ヤマダ ハナコ") == bank_statements.EXACT
    assert name_match("ﾔﾏﾀﾞ", "ヤマダ ハナコ") == bank_statements.PARTIAL  # the family name alone
    assert name_match("ﾔﾏﾀﾞ ﾊﾅ", "ヤマダ ハナコ") == bank_statements.PARTIAL  # cut short by the bank
    assert name_match("ﾔﾏﾀﾞ ﾊﾅｺ", "山田 花子") == bank_statements.UNKNOWN  # no kana to compare
    assert name_match("ﾀﾅｶ ﾀﾛｳ", "ヤマダ ハナコ") == bank_statements.DIFFERENT


# --- reading the files --------------------------------------------------------------------------------------


def test_a_zengin_statement_gives_its_credits_with_or_without_line_breaks(during_campaign):
    statement = parse(ZENGIN)
    assert statement.format == "zengin"
    assert [(row.date, row.amount_yen, row.kana) for row in statement.rows] == [
        (date(2026, 11, 10), 5000, "ﾔﾏﾀﾞ ﾊﾅｺ"),
        (date(2026, 11, 12), 10000, "ｶ)ｽｽﾞｷｼﾖｳｼﾞ"),
        (date(2026, 11, 15), 3000, "ｻﾄｳ ｹﾝ"),
        (date(2026, 11, 20), 5000, "ﾀﾅｶ ﾀﾛｳ"),
        (date(2026, 11, 30), 12, "ﾘｿｸ"),  # interest: no sender, its 摘要 instead
    ]  # the ¥1,100 fee (a withdrawal) is not there
    assert statement.rows[0].reference == "00001201 ﾌﾘｺﾐ ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ ｼﾌﾞﾔ"
    assert parse(ZENGIN.replace(b"\r\n", b"")).rows == statement.rows
    # Two accounts in one file: each its header, data and trailer, then one end record.
    accounts = ZENGIN[:-202] + ZENGIN[:-202] + ZENGIN[-202:]
    assert parse(accounts).rows == statement.rows * 2


def test_an_sbi_csv_gives_its_credits():
    statement = parse(SBI)
    assert statement.format == "sbi"
    assert [(row.date, row.amount_yen, row.kana) for row in statement.rows] == [
        (date(2026, 11, 20), 5000, "ヤマダ\u3000タロウ"),
        (date(2026, 11, 17), 5000, "ヤマダ\u3000ハナコ"),
        (date(2026, 11, 16), 3000, "スズキ\u3000イチロウ"),
        (date(2026, 11, 5), 10000, "ATM入金"),
    ]


@pytest.mark.parametrize(
    "data, error",
    [
        (RAKUTEN.encode("cp932"), "neither"),  # another bank's CSV
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "neither"),
        (b"\x00\x01binary,\x00", "neither"),
        (SBI + b'"2026/11/30","\x00","","1","1",""\r\n', "neither"),
        (SBI + b'"2026/11/30","' + b"x" * 200_000 + b'","","1","1",""\r\n', "CSV"),  # beyond csv's field limit
        (SBI.decode("cp932").encode("utf-8-sig").replace(b'"5000"', b'"5,000 yen"', 1), "amount"),
        (ZENGIN[:-404], "trailer"),  # cut short: the trailer and end records lost
        (ZENGIN.replace(b"000000005000000000000000", b"000000050000000000000000", 1), "add up"),  # edited by hand
        (ZENGIN.replace(b"\r\n", b"")[:-1], "200 bytes"),
        (ZENGIN.replace(b"000000005000000000000000", b"999999999999000000000000", 1), "amount"),
        (SBI.replace("2026/11/17".encode("cp932"), "17 Nov".encode("cp932")), "date"),
    ],
)
def test_a_file_that_is_not_a_statement_or_is_damaged_is_refused(during_campaign, data, error):
    with pytest.raises(NotAStatement, match=error):
        parse(data)


def test_the_upload_form_says_why_a_file_is_refused(client, staff, during_campaign):
    page = upload(client, "日付,摘要,金額\n2026/11/20,ﾔﾏﾀﾞ ﾊﾅｺ,5000\n".encode("cp932"), "rakuten.csv")
    assert page.status_code == 200
    assert "This file is neither a zengin" in str(page.context["form"].errors["file"])
    assert not BankStatement.objects.exists() and not StatementLine.objects.exists()


def test_identical_lines_of_one_file_stay_two_lines_and_are_known_next_time():
    row = bank_statements.Row(date(2026, 11, 20), 5000, "ﾔﾏﾀﾞ ﾊﾅｺ", "ﾌﾘｺﾐ", "same line")
    first, second = bank_statements.line_checksums([row, row])
    assert first != second
    assert bank_statements.line_checksums([row, row]) == [first, second]


# --- importing, once --------------------------------------------------------------------------------------------


def test_uploading_the_same_statement_twice_adds_no_line_twice(client, staff, during_campaign):
    page = upload(client, ZENGIN)
    assert page.redirect_chain[-1][0] == LINES
    assert "New lines: 5. Already imported: 0." in page.content.decode()
    page = upload(client, ZENGIN.replace(b"\r\n", b""), "the-same-without-line-breaks.txt")
    assert "New lines: 0. Already imported: 5." in page.content.decode()
    assert StatementLine.objects.count() == 5
    first, again = BankStatement.objects.order_by("uploaded_at")
    assert (first.uploaded_by, first.format, first.lines_new, again.lines_known) == (staff, "zengin", 5, 5)


def test_an_overlapping_statement_adds_only_its_new_lines(campaign):
    import_bank_statement(statement=parse(SBI), file_name="november.csv", uploaded_by=None)
    later = SBI.decode("cp932").replace(
        '"日付","内容","出金金額(円)","入金金額(円)","残高(円)","メモ"\r\n',
        '"日付","内容","出金金額(円)","入金金額(円)","残高(円)","メモ"\r\n'
        '"2026/11/25","振込＊サトウ　ケン","","3000","131000",""\r\n',
    )
    later = later.replace('"毎月の寄付"', '"メモを書き直した"')  # the account holder's own note changed since
    upload = import_bank_statement(statement=parse(later.encode("cp932")), file_name="late.csv", uploaded_by=None)
    assert (upload.lines_new, upload.lines_known) == (1, 4)
    assert StatementLine.objects.count() == 5


# --- proposals ----------------------------------------------------------------------------------------------------


def imported(data=ZENGIN):
    import_bank_statement(statement=parse(data), file_name="statement", uploaded_by=None)
    return list(StatementLine.objects.order_by("date", "pk"))


def test_a_line_is_proposed_the_pending_transfers_of_its_amount_and_name(campaign, during_campaign):
    yamada = promised(campaign, "山田 花子", "ヤマダ ハナコ")
    no_kana = promised(campaign, "Hanako Yamada", "")  # compared by amount and date only
    family_only = promised(campaign, "山田", "やまだ", on=date(2026, 11, 9))
    promised(campaign, "田中 一郎", "タナカ イチロウ")  # another name
    promised(campaign, "山田 花子", "ヤマダ ハナコ", amount=6000)  # another amount
    promised(campaign, "山田 花子", "ヤマダ ハナコ", on=date(2026, 11, 11))  # promised after the transfer
    promised(campaign, "山田 花子", "ヤマダ ハナコ", on=date(2026, 9, 1))  # too long before
    promised(campaign, "山田 花子", "ヤマダ ハナコ", method=Donation.Method.CARD)  # not by transfer
    line = imported()[0]
    candidates = bank_statements.propose([line])[line.pk]
    assert [candidate.donation for candidate in candidates] == [yamada, family_only, no_kana]
    assert [candidate.strong for candidate in candidates] == [True, False, False]


def test_a_monthly_supporter_s_later_transfer_is_proposed(campaign, donors, during_campaign):
    lines = imported()
    proposals = bank_statements.propose(lines)
    sato_line = next(line for line in lines if line.kana == "ｻﾄｳ ｹﾝ")
    [candidate] = proposals[sato_line.pk]
    assert candidate.donation == donors["sato"] and candidate.strong


def test_a_supporter_s_transfer_keyed_in_by_hand_is_not_chosen_again(campaign, donors, during_campaign):
    record_bank_transfer(donation=donors["sato"], amount_yen=3000, received_on=date(2026, 11, 15), recorded_by=None)
    lines = imported()
    sato_line = next(line for line in lines if line.kana == "ｻﾄｳ ｹﾝ")
    [candidate] = bank_statements.propose(lines)[sato_line.pk]
    assert candidate.donation == donors["sato"] and candidate.recorded_by_hand and not candidate.strong


# --- confirming ------------------------------------------------------------------------------------------------------


def messages_of(template):
    return sorted(Message.objects.filter(template=template).values_list("once_key", flat=True))


def test_staff_confirm_the_proposed_matches_in_one_step(
    client, staff, campaign, donors, during_campaign, django_capture_on_commit_callbacks
):
    upload(client, ZENGIN)
    page = client.get(LINES)
    text = page.content.decode()
    assert "山田 花子 (ヤマダ ハナコ) — ¥5,000 Once" in text and "same name" in text
    data = chosen(page)
    tanaka, interest = StatementLine.objects.filter(kana__in=["ﾀﾅｶ ﾀﾛｳ", "ﾘｿｸ"]).order_by("date")
    assert data[f"line_{tanaka.pk}"] == "" and data[f"line_{interest.pk}"] == ""  # nothing fits: for later
    data[f"line_{interest.pk}"] = IGNORE
    thanks_before, receipts_before = messages_of("donation_thanks"), messages_of("donation_receipt")
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(LINES, data, follow=True)
    assert "Transfers recorded: 3. Lines ignored: 1." in page.content.decode()

    paid = Payment.objects.filter(statement_line__isnull=False).select_related("statement_line")
    assert {(payment.donation_id, payment.amount_yen, payment.statement_line.date) for payment in paid} == {
        (donors["yamada"].pk, 5000, date(2026, 11, 10)),
        (donors["suzuki"].pk, 10000, date(2026, 11, 12)),
        (donors["sato"].pk, 3000, date(2026, 11, 15)),
    }
    assert all(payment.recorded_by == staff for payment in paid)
    assert campaign_state(campaign)["yen"] == 5000 + 10000 + 3000  # (Sato's October transfer is before the campaign)
    # A thank-you for each new donor (Sato had one in October), a receipt for each payment: once each.
    new_thanks = sorted(set(messages_of("donation_thanks")) - set(thanks_before))
    assert new_thanks == sorted(f"donation_thanks:{donors[name].pk}" for name in ("yamada", "suzuki"))
    new_receipts = set(messages_of("donation_receipt")) - set(receipts_before)
    assert new_receipts == {f"donation_receipt:payment:{payment.pk}" for payment in paid}
    assert Donation.objects.get(pk=donors["yamada"].pk).status == Donation.Status.ACTIVE
    assert StatementLine.objects.get(pk=tanaka.pk).state == StatementLine.State.UNMATCHED
    assert StatementLine.objects.get(pk=interest.pk).state == StatementLine.State.IGNORED

    # The same form sent again (a double click, the back button) and the same file uploaded again pay nothing.
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(LINES, data, follow=True)
        upload(client, ZENGIN)
    assert "Transfers recorded: 0. Lines ignored: 0." in page.content.decode()
    assert Payment.objects.filter(statement_line__isnull=False).count() == 3
    assert campaign_state(campaign)["yen"] == 18000
    assert len(messages_of("donation_thanks")) == len(thanks_before) + 2
    assert [line.kana for line in client.get(LINES).context["form"].lines] == ["ﾀﾅｶ ﾀﾛｳ"]


def test_matching_works_across_half_and_full_width_in_an_sbi_statement(client, staff, campaign, during_campaign):
    hanako = promised(campaign, "山田 花子", "やまだ　はなこ", on=date(2026, 11, 14))
    upload(client, SBI, "sbi.csv")
    data = chosen(client.get(LINES))
    line = StatementLine.objects.get(kana="ヤマダ\u3000ハナコ")
    assert data[f"line_{line.pk}"] == str(hanako.pk)
    client.post(LINES, data)
    assert hanako.payments.get().statement_line == line


def test_one_one_off_gift_cannot_be_chosen_for_two_lines(client, staff, campaign, during_campaign):
    hanako = promised(campaign, "山田 花子", "ヤマダ ハナコ", on=date(2026, 11, 1))
    twice = ZENGIN.replace("ﾀﾅｶ ﾀﾛｳ ".encode("cp932"), "ﾔﾏﾀﾞ ﾊﾅｺ".encode("cp932"))  # both ¥5,000 from her
    upload(client, twice)
    data = chosen(client.get(LINES))
    first, second = StatementLine.objects.filter(amount_yen=5000).order_by("date")
    assert data[f"line_{first.pk}"] == str(hanako.pk) and data[f"line_{second.pk}"] == ""  # only once preselected
    data[f"line_{second.pk}"] = str(hanako.pk)
    page = client.post(LINES, data)
    assert page.status_code == 200
    assert "already chosen for another line" in str(page.context["form"].errors[f"line_{second.pk}"])
    assert not Payment.objects.filter(donation=hanako).exists()


def test_a_gift_recorded_by_hand_meanwhile_leaves_its_line_to_be_matched(campaign, during_campaign):
    hanako = promised(campaign, "山田 花子", "ヤマダ ハナコ")
    line = imported()[0]
    record_bank_transfer(donation=hanako, amount_yen=5000, received_on=date(2026, 11, 10), recorded_by=None)
    assert confirm_statement_lines(decisions={line: hanako}, confirmed_by=None) == (0, 0)
    assert hanako.payments.count() == 1
    line.refresh_from_db()
    assert line.state == StatementLine.State.UNMATCHED


def test_a_line_confirmed_twice_is_paid_once(campaign, donors, during_campaign):
    sato_line = next(line for line in imported() if line.kana == "ｻﾄｳ ｹﾝ")
    assert confirm_statement_lines(decisions={sato_line: donors["sato"]}, confirmed_by=None) == (1, 0)
    assert confirm_statement_lines(decisions={sato_line: donors["sato"]}, confirmed_by=None) == (0, 0)
    assert Payment.objects.filter(statement_line=sato_line).count() == 1
    assert donors["sato"].payments.count() == 2  # October's by hand, November's from the statement


def test_the_lines_page_runs_a_fixed_number_of_queries(
    client, staff, campaign, during_campaign, django_assert_num_queries
):
    import_bank_statement(statement=parse(ZENGIN), file_name="november", uploaded_by=None)
    for day in range(1, 10):
        promised(campaign, f"寄付者 {day}", "ヤマダ ハナコ", on=date(2026, 11, day))
    client.get(LINES)  # the session and the second factor's first reads
    # The session, the user, their second factor, their permissions (2); the lines, every gift they may pay, and
    # the transfers recorded by hand on those days.
    with django_assert_num_queries(8):
        few = client.get(LINES)
    import_bank_statement(statement=parse(longer_sbi(28)), file_name="more.csv", uploaded_by=None)
    with django_assert_num_queries(8):
        many = client.get(LINES)
    assert len(few.context["form"].lines) == 5 and len(many.context["form"].lines) == 37


def test_only_staff_who_record_payments_import_and_confirm(client, during_campaign):
    client.force_login(CoordinatorFactory(groups=["coordinators"]))
    assert client.get(UPLOAD).status_code == 403
    assert client.post(UPLOAD, {"file": SimpleUploadedFile("s.txt", ZENGIN)}).status_code == 403
    assert client.get(LINES).status_code == 403
    assert not StatementLine.objects.exists()


def test_the_donations_list_links_to_the_import(client, staff):
    assert UPLOAD in client.get("/en/admin/donations/donation/").content.decode()


# Skipped before any set-up: a second serialized rollback in one SQLite run trips over the content types.
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a database serving many connections at once")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_staff_confirming_the_same_line_at_once_pay_it_once(campaign):
    hanako = promised(campaign, "山田 花子", "ヤマダ ハナコ")
    line = imported()[0]
    outcomes = race(4, lambda _: confirm_statement_lines(decisions={line: hanako}, confirmed_by=None))
    assert sorted(outcomes) == [(0, 0)] * 3 + [(1, 0)], outcomes
    assert Payment.objects.filter(donation=hanako).count() == 1


def test_erasing_a_gift_erases_the_sender_on_its_statement_line(campaign, donors, during_campaign):
    from donations.privacy import anonymise

    sato_line = next(line for line in imported() if line.kana == "ｻﾄｳ ｹﾝ")
    confirm_statement_lines(decisions={sato_line: donors["sato"]}, confirmed_by=None)
    anonymise(Donation.objects.filter(pk=donors["sato"].pk))
    sato_line.refresh_from_db()
    assert (sato_line.kana, sato_line.reference, sato_line.amount_yen) == ("—", "", 3000)
    assert StatementLine.objects.filter(kana="ﾀﾅｶ ﾀﾛｳ").exists()  # other senders' lines are not touched


def test_each_upload_is_kept_with_its_lines_and_who_decided_them(
    client, staff, campaign, donors, during_campaign, django_assert_max_num_queries
):
    upload(client, ZENGIN)
    client.post(LINES, chosen(client.get(LINES)))
    statement = BankStatement.objects.get()
    with django_assert_max_num_queries(20) as queries:
        page = client.get(f"/en/admin/donations/bankstatement/{statement.pk}/change/")
    asked = len(queries)
    text = page.content.decode()
    assert text.count("Matched to a gift") == 3 and text.count("To be matched") == 2
    assert str(staff) in text
    sato_page = client.get(f"/en/admin/donations/donation/{donors['sato'].pk}/change/")
    assert "2026-11-15 ¥3,000" in sato_page.content.decode()  # November's payment names its statement line
    # A longer statement's page asks no more.
    import_bank_statement(statement=parse(longer_sbi(28)), file_name="sbi.csv", uploaded_by=staff)
    lines = StatementLine.objects.filter(statement__file_name="sbi.csv")
    confirm_statement_lines(decisions=dict.fromkeys(lines, IGNORE), confirmed_by=staff)
    assert lines.count() == 32
    with django_assert_max_num_queries(asked):
        client.get(f"/en/admin/donations/bankstatement/{lines[0].statement_id}/change/")
