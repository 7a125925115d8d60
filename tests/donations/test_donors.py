"""The donor record: one person's gifts in one place (same email in any letter case, or merged by staff), found by
name, kana, email or phone, with notes; merging moves every gift and receipt, and the register follows."""

import csv
import io
from datetime import date, datetime, timedelta

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from donations.models import Donor, Payment, Receipt
from donations.receipts import issue_for_payment
from donations.services import merge_donors
from jii.privacy import apply_retention
from tests.donations.conftest import donation_for, issue_annual_receipts
from tests.factories import CoordinatorFactory
from tests.race import race

pytestmark = pytest.mark.django_db
JST = timezone.get_fixed_timezone(9 * 60)


def paid(campaign, amount=5000, month=11, **details):
    donation = donation_for(campaign, amount=amount, **details)
    donation.status = "active"
    donation.save(update_fields=["status"])
    payment = Payment.objects.create(
        donation=donation, campaign=campaign, amount_yen=amount, received_at=datetime(2026, month, 20, 10, tzinfo=JST)
    )
    return payment


@pytest.fixture
def staff_client(client):
    client.force_login(CoordinatorFactory(groups=["donations staff"]))
    return client


def test_gifts_with_one_email_in_any_letter_case_are_one_donor_with_the_latest_details(campaign):
    first = donation_for(campaign, email="hanako@example.jp", address="東京都目黒区1-1")
    second = donation_for(campaign, email="Hanako@Example.JP", address="東京都品川区2-2", phone="090-1111-2222")
    no_email = donation_for(campaign, email="", name="振込 太郎")
    assert first.donor == second.donor != no_email.donor
    donor = Donor.objects.get(pk=first.donor_id)
    assert (donor.email, donor.address, donor.phone) == ("hanako@example.jp", "東京都品川区2-2", "090-1111-2222")
    assert first.address == "東京都目黒区1-1"  # each gift keeps what was given with it, for its receipt


def test_staff_find_a_donor_by_name_kana_email_in_another_case_and_phone(staff_client, campaign):
    donation_for(campaign, name="山田 花子", name_kana="ヤマダ ハナコ", email="hanako@x.jp", phone="090-1234-5678")
    donation_for(campaign, name="佐藤 一郎", name_kana="サトウ イチロウ", email="ichi@x.jp", phone="080-9999-0000")
    for term in ["山田", "ヤマダ", "HANAKO@X.JP", "090-1234"]:
        page = staff_client.get("/en/admin/donations/donor/", {"q": term}).content.decode()
        assert "山田 花子" in page and "佐藤 一郎" not in page, term
        gifts = staff_client.get("/en/admin/donations/donation/", {"q": term})
        assert [gift.name for gift in gifts.context["cl"].result_list] == ["山田 花子"], term


def test_the_donor_list_shows_gifts_total_and_last_gift_in_a_fixed_number_of_queries(
    staff_client, campaign, django_assert_num_queries
):
    paid(campaign, amount=3000, email="a@example.jp", name="一人目")
    paid(campaign, amount=2000, email="A@example.jp", name="一人目", month=12)
    page = staff_client.get("/en/admin/donations/donor/").content.decode()
    assert "¥5,000" in page and "Dec. 20, 2026" in page
    # session, user, second factor, permissions (2); counts (2), the list with its figures
    with django_assert_num_queries(8):
        staff_client.get("/en/admin/donations/donor/")
    for n in range(10):
        paid(campaign, email=f"donor{n}@example.jp", name=f"寄付者 {n}")
    with django_assert_num_queries(8):
        staff_client.get("/en/admin/donations/donor/")


def test_the_donor_page_shows_every_gift_payment_receipt_and_message_in_a_fixed_number_of_queries(
    staff_client, campaign, django_assert_num_queries
):
    payment = paid(campaign, email="hanako@example.jp", message="応援しています")
    receipt = issue_for_payment(payment)
    donor = payment.donation.donor
    url = f"/en/admin/donations/donor/{donor.pk}/change/"
    page = staff_client.get(url).content.decode()
    assert receipt.number in page and "応援しています" in page and "¥5,000" in page
    # session, user, second factor, donor, permissions (2); gifts, payments, receipts, donors merged into it
    with django_assert_num_queries(10):
        staff_client.get(url)
    for month in (9, 10, 12):
        issue_for_payment(paid(campaign, email="hanako@example.jp", month=month, message="また"))
    with django_assert_num_queries(10):
        staff_client.get(url)


def test_staff_keep_notes_on_a_donor_and_the_change_is_audited(staff_client, campaign):
    donor = donation_for(campaign).donor
    form = {"name": donor.name, "name_kana": "", "email": donor.email, "phone": "", "address": "",
            "notes": "年末に電話で御礼済み"}  # fmt: skip
    assert staff_client.post(f"/en/admin/donations/donor/{donor.pk}/change/", form).status_code == 302
    donor.refresh_from_db()
    assert donor.notes == "年末に電話で御礼済み"
    entry = LogEntry.objects.get_for_object(donor).latest("timestamp")
    assert "notes" in entry.changes_dict and "年末" not in str(entry.changes)  # audited, the words masked


def test_giving_a_donor_another_donors_email_says_to_merge_them(staff_client, campaign):
    donation_for(campaign, email="taken@example.jp")
    donor = donation_for(campaign, email="other@example.jp").donor
    form = {"name": donor.name, "name_kana": "", "email": "Taken@example.jp", "phone": "", "address": "", "notes": ""}
    page = staff_client.post(f"/en/admin/donations/donor/{donor.pk}/change/", form)
    assert (
        page.status_code == 200
        and "Another donor has this email: merge the two donors instead." in page.content.decode()
    )
    donor.refresh_from_db()
    assert donor.email == "other@example.jp"


def test_merging_moves_gifts_and_receipts_and_the_register_shows_one_row(staff_client, campaign):
    old = paid(campaign, amount=2000, email="hanako@old.example.jp", name="山田 花子")
    new = paid(campaign, amount=1500, email="hanako@new.example.jp", name="山田 花子")
    receipt = issue_for_payment(old)
    keep, merge = new.donation.donor, old.donation.donor
    Donor.objects.filter(pk=merge.pk).update(notes="旧アドレス")
    Donor.objects.filter(pk=keep.pk).update(notes="新アドレス")

    page = staff_client.post(
        "/en/admin/donations/donor/", {"action": "merge_donors", "_selected_action": [keep.pk, merge.pk]}
    )
    assert "Which donor stays?" in page.content.decode()  # the confirmation first, nothing merged yet
    assert Donor.objects.get(pk=merge.pk).merged_into is None
    staff_client.post(
        "/en/admin/donations/donor/",
        {"action": "merge_donors", "_selected_action": [keep.pk, merge.pk], "keep": keep.pk},
    )

    merge.refresh_from_db()
    keep.refresh_from_db()
    assert merge.merged_into == keep and keep.notes == "新アドレス\n\n旧アドレス"
    assert set(keep.gifts.all()) == {old.donation, new.donation}
    receipt.refresh_from_db()
    assert receipt.donor == keep and receipt.donation.donor == keep and receipt.voided_at is None
    assert LogEntry.objects.get_for_object(merge).filter(changes__icontains="merged_into").exists()
    # a later gift with the old email belongs to the donor kept
    assert donation_for(campaign, email="HANAKO@old.example.jp").donor == keep

    response = staff_client.get("/en/admin/donations/donation/register/", {"year": "2026", "download": "1"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(row["name"], row["gifts"], row["total_yen"]) for row in rows] == [("山田 花子", "2", "3500")]


def test_merging_two_donors_with_annual_receipts_of_one_year_leaves_one_receipt_for_both(
    campaign, django_capture_on_commit_callbacks
):
    gifts = [paid(campaign, amount=3000, email=email, receipts_wanted="annual") for email in ("a@x.jp", "b@x.jp")]
    issue_annual_receipts(2026)
    assert Receipt.objects.filter(kind="annual", voided_at=None).count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        merge_donors(keep=gifts[0].donation.donor, merge=gifts[1].donation.donor)
    assert issue_annual_receipts(2026) == 0  # the merge sent the one receipt for both already
    [receipt] = Receipt.objects.filter(kind="annual", voided_at=None)
    assert receipt.amount_yen == 6000 and set(receipt.covers.all()) == set(gifts)


def test_merging_needs_exactly_two_donors(staff_client, campaign):
    donors = [donation_for(campaign, email=f"{n}@example.jp").donor for n in range(3)]
    response = staff_client.post(
        "/en/admin/donations/donor/",
        {"action": "merge_donors", "_selected_action": [d.pk for d in donors], "keep": donors[0].pk},
        follow=True,
    )
    assert "exactly two donors" in response.content.decode()
    assert not Donor.objects.exclude(merged_into=None).exists()


def test_a_donor_is_anonymised_once_all_their_gifts_are(campaign):
    payment = paid(campaign, name="山田 花子", phone="090-1234-5678", address="東京都目黒区1-1")
    donor = payment.donation.donor
    Donor.objects.filter(pk=donor.pk).update(notes="電話で話した")
    apply_retention(now=datetime(2030, 1, 1, tzinfo=JST))
    donor.refresh_from_db()
    assert donor.anonymised_at is None  # the gift is kept seven years, and so is its donor
    apply_retention(now=datetime(2034, 1, 1, tzinfo=JST))
    donor.refresh_from_db()
    assert donor.anonymised_at and (donor.name, donor.phone, donor.address, donor.notes) == ("—", "", "", "")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_first_gifts_started_at_once_with_one_email_make_one_donor(campaign):
    if connection.vendor != "postgresql":
        pytest.skip("needs a database that serves many connections at once (PostgreSQL)")
    donors = race(8, lambda n: donation_for(campaign, email=f"Hanako@{'EXAMPLE' if n % 2 else 'example'}.jp").donor_id)
    assert len(set(donors)) == 1
    assert Donor.objects.get().email == "hanako@example.jp"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_gives_every_existing_gift_its_donor_and_receipts_follow():
    executor = MigrationExecutor(connection)
    executor.migrate([("donations", "0007_payment_methods")])
    old = executor.loader.project_state([("donations", "0007_payment_methods")]).apps
    Campaign, Donation, Receipt = (old.get_model("donations", name) for name in ("Campaign", "Donation", "Receipt"))
    campaign = Campaign.objects.create(slug="c", title={"ja": "c"}, summary={"ja": "c"}, starts_on=date(2026, 1, 1),
                                       ends_on=date(2026, 12, 31), goal_new_monthly_supporters=5,
                                       goal_amount_yen=10_000)  # fmt: skip
    now = timezone.now()

    def gift(email, name, address="", days=0):
        return Donation.objects.create(campaign=campaign, amount_yen=3000, name=name, email=email, address=address,
                                       consented_at=now, created_at=now + timedelta(days=days))  # fmt: skip

    first = gift("hanako@example.jp", "山田 花子", "旧住所")
    later = gift("Hanako@Example.JP", "山田 花子", "新住所", days=1)
    transfers = [gift("", "振込 太郎"), gift("", "振込 次郎")]
    Receipt.objects.create(number="JII-2026-000001", fiscal_year=2026, sequence=1, donation=first, amount_yen=3000,
                           received_on=date(2026, 3, 1), donor_name="山田 花子", purpose="c")  # fmt: skip

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from donations.models import Donation as NewDonation
    from donations.models import Receipt as NewReceipt

    hanako = NewDonation.objects.get(pk=first.pk).donor
    assert NewDonation.objects.get(pk=later.pk).donor == hanako
    assert (hanako.email, hanako.address) == ("hanako@example.jp", "新住所")  # as last given
    assert len({NewDonation.objects.get(pk=t.pk).donor_id for t in transfers} | {hanako.pk}) == 3
    assert NewReceipt.objects.get().donor == hanako
