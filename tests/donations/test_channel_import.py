"""Gifts through Give One, Benevity or another channel, imported from the channel's CSV: staff upload, preview and
confirm; the gifts count towards the campaign's total once however often the file is imported, get no thank-you
and no receipt from JII, and the register says so."""

import csv
import io
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from donations import channels
from donations.models import Donation, Payment, Receipt
from donations.progress import campaign_state
from donations.register import public_support_count
from donations.services import import_channel_gifts
from tests.factories import CoordinatorFactory
from tests.race import race

pytestmark = pytest.mark.django_db
FILES = Path(__file__).parent / "channels"


@pytest.fixture
def staff_client(client):
    client.force_login(CoordinatorFactory(groups=["donations staff"]))
    return client


def upload(client, campaign, name, channel, **extra):
    """The preview page for a channel's file."""
    csv_file = SimpleUploadedFile(name, (FILES / name).read_bytes(), content_type="text/csv")
    form = {"campaign": campaign.pk, "channel": channel, "channel_name": "", "file": csv_file, **extra}
    return client.post("/en/admin/donations/donation/channels/", form)


def confirm(client, preview):
    """Press "Import these gifts" on the preview."""
    form = preview.context["form"].cleaned_data
    data = {"campaign": form["campaign"].pk, "channel": form["channel"], "channel_name": form["channel_name"],
            "data": preview.context["data"], "confirm": "1"}  # fmt: skip
    return client.post("/en/admin/donations/donation/channels/", data, follow=True)


def test_a_benevity_report_imported_twice_counts_once_toward_the_campaign(
    staff_client, campaign, during_campaign, django_capture_on_commit_callbacks
):
    preview = upload(staff_client, campaign, "benevity.csv", "benevity")
    page = preview.content.decode()
    assert "2 gifts to import, ¥8,000 in all." in page and "Hanako Yamada" in page
    assert not Payment.objects.exists()  # a preview changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        done = confirm(staff_client, preview).content.decode()
    assert "2 gifts imported; 0 were imported before." in done
    assert campaign_state(campaign)["yen"] == 8000
    assert set(Payment.objects.values_list("stripe_reference", flat=True)) == {
        "benevity:1AB2C3D4E5",
        "benevity:9ZY8X7W6V5",
    }
    named = Donation.objects.get(name="Hanako Yamada")
    assert (named.method, named.channel, named.status, named.email) == (
        "channel",
        "Benevity",
        "active",
        "hanako.yamada@acme.example",
    )
    assert named.address == "153-0064 Tokyo Meguro-ku 1-2-3 Shimomeguro"
    assert Donation.objects.get(name="").email == ""  # "Not shared by donor"
    assert mail.outbox == [] and not Receipt.objects.exists()  # Benevity thanks and receipts its donors itself

    again = upload(staff_client, campaign, "benevity.csv", "benevity")
    assert "0 gifts to import" in again.content.decode() and "2 were imported before" in again.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = confirm(staff_client, again).content.decode()
    assert "0 gifts imported; 2 were imported before." in done
    assert Payment.objects.count() == 2 and campaign_state(campaign)["yen"] == 8000


def test_the_register_flags_gifts_through_a_channel_as_receipted_elsewhere(staff_client, campaign, during_campaign):
    confirm(staff_client, upload(staff_client, campaign, "giveone.csv", "giveone"))
    response = staff_client.get("/en/admin/donations/donation/register/", {"year": "2026", "download": "1"})
    rows = {row["name"]: row for row in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))}
    assert rows["鈴木 一郎"]["JII receipt"] == "no (Give One)" and rows["鈴木 一郎"]["total_yen"] == "10000"
    # the channel received the gift and granted it on: not the person's gift in the public support test
    assert public_support_count(2026) == 0


def test_the_preview_says_what_is_wrong_with_each_line_in_plain_words(staff_client, campaign, during_campaign):
    preview = upload(staff_client, campaign, "giveone.csv", "giveone")  # Shift_JIS, as Excel saves it
    page = preview.content.decode()
    assert "2 gifts to import, ¥13,000 in all." in page
    assert "Line 4: The amount “三千円” is not a whole number of yen." in page
    assert "1 line repeats a transaction of this file and is left out." in page
    confirm(staff_client, preview)
    assert sorted(Payment.objects.values_list("amount_yen", flat=True)) == [3000, 10000]


def test_a_file_of_another_layout_or_channel_is_refused_with_a_reason(staff_client, campaign):
    wrong = upload(staff_client, campaign, "giveone.csv", "benevity")
    assert "No header row naming the transaction id" in wrong.content.decode()
    unnamed = upload(staff_client, campaign, "giveone.csv", "other")
    assert "Please name the channel" in unnamed.content.decode()
    named = upload(staff_client, campaign, "giveone.csv", "other", channel_name="Syncable")
    confirm(staff_client, named)
    assert Payment.objects.filter(stripe_reference="syncable:GO-20261110-001").exists()
    assert set(Donation.objects.values_list("channel", flat=True)) == {"Syncable"}
    assert not Payment.objects.exclude(donation__channel="Syncable").exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_one_report_imported_by_two_people_at_once_counts_once(campaign):
    if connection.vendor != "postgresql":
        pytest.skip("needs a database that serves many connections at once (PostgreSQL)")
    rows = channels.read((FILES / "benevity.csv").read_bytes(), channel_key="benevity").importable

    def run(_):
        return import_channel_gifts(campaign=campaign, channel="benevity", rows=rows, recorded_by=None)

    results = race(4, run)
    assert sum(added for added, _already in results) == 2
    assert Payment.objects.count() == 2 and Donation.objects.count() == 2
    assert sum(Payment.objects.values_list("amount_yen", flat=True)) == 8000
