"""The volunteer certificate (ボランティア活動証明書): chosen on /volunteer/certificate/, issued with a number per
calendar year, downloaded as a PDF that names the volunteer and their hours and nothing about any resident."""

import re
import subprocess
from datetime import date

import pytest
from django.db import connection
from django.utils import timezone

from jii import services
from jii.models import Certificate
from tests.factories import CoordinatorFactory, SpotRequestFactory, VolunteerFactory
from tests.jii import hours_scenario
from tests.race import race


@pytest.fixture
def scenario(db):
    return hours_scenario.build()


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "certificate.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout


def download(client, *, start="2025-05", end="2025-06", language="en", prefix="/en"):
    response = client.post(f"{prefix}/volunteer/certificate/", {"start": start, "end": end, "language": language})
    assert response.status_code == 302, response.content.decode()
    return client.get(response["Location"])


def test_the_certificate_names_the_volunteer_and_their_hours_and_no_resident(client, scenario, tmp_path):
    client.force_login(scenario["volunteer"])
    response = download(client)

    assert response["Content-Type"] == "application/pdf"
    number = f"JII-V-{timezone.localdate().year}-0001"
    assert response["Content-Disposition"] == f'attachment; filename="{number}.pdf"'
    text = pdf_text(response.content, tmp_path)
    # One space between words ("2h" as pdftotext reads "2 h" set tight: put back).
    lines = [re.sub(r"(\d)h\b", r"\1 h", " ".join(line.split())) for line in text.splitlines()]
    assert "Certificate of Volunteer Activity" in text
    assert "Full name 佐藤 春香" in lines
    assert "Period of activity May 1, 2025 – June 30, 2025" in lines
    assert "Otonari-san Family Friend Program (OFP) 1 h 30 min" in lines
    assert "Spot Otonari-san 1 h 15 min" in lines
    assert "Hanamaru class 2 h" in lines
    assert "Total 4 h 45 min" in lines
    assert "NPO Japan Intercultural Intelligence (JII)" in text and "Norihiko Ishikawa, Chair" in text
    assert number in text
    for private in [hours_scenario.RESIDENT_NAME, "Olena", "Kovalenko", hours_scenario.RESIDENT_EMAIL,
                    hours_scenario.REQUEST_WORDS, "fever", hours_scenario.CHILD_NAME, "山田"]:  # fmt: skip
        assert private not in text


def test_the_certificate_in_japanese(client, scenario, tmp_path):
    client.force_login(scenario["volunteer"])
    text = pdf_text(download(client, language="ja", prefix="").content, tmp_path)
    flat = re.sub(r"\s+", "", text)

    assert "ボランティア活動証明書" in flat
    assert "佐藤春香" in flat
    assert "活動期間2025年5月1日–2025年6月30日" in flat
    assert "スポットおとなりさん1時間15分" in flat and "合計4時間45分" in flat
    assert "特定非営利活動法人アジア人文文化交流促進協会" in flat
    assert "Kovalenko" not in text and hours_scenario.CHILD_NAME not in text


def test_the_record_keeps_the_period_and_the_hours_as_issued(client, scenario):
    client.force_login(scenario["volunteer"])
    download(client)

    certificate = Certificate.objects.get()
    assert certificate.volunteer == scenario["profile"]
    assert (certificate.starts_on, certificate.ends_on, certificate.language) == (
        date(2025, 5, 1),
        date(2025, 6, 30),
        "en",
    )
    assert certificate.hours == [
        {"program": "ofp", "minutes": 90},
        {"program": "spot", "minutes": 75},
        {"program": "hanamaru", "minutes": 120},
    ]


def test_the_form_offers_the_last_twelve_months_in_the_volunteers_language(client, scenario):
    client.force_login(scenario["volunteer"])
    html = client.get("/volunteer/certificate/").content.decode()
    today = timezone.localdate()
    first = date(today.year - (today.month < 12), (today.month % 12) + 1, 1)  # eleven months before this one

    assert f'name="start" value="{first:%Y-%m}"' in html
    assert f'name="end" value="{today:%Y-%m}"' in html
    assert re.search(r'value="ja"[^>]*checked', html)  # their language


@pytest.mark.parametrize(
    ("start", "end", "field", "error"),
    [
        ("2025-05", "2099-01", "end", "This month is still to come. Choose this month or an earlier one."),
        ("2099-01", "2099-02", "start", "This month is still to come. Choose this month or an earlier one."),
        ("2025-06", "2025-05", "end", "The last month comes before the first. Choose a later month."),
        ("", "2025-05", "start", "Please choose a month."),
        ("May", "2025-05", "start", "Please choose a month, for example 2026-04."),
        ("2024-01", "2024-12", "start", "You have no hours recorded in this period. Choose another period."),
    ],
)
def test_a_period_that_cannot_be_certified_is_an_error_on_its_field(client, scenario, start, end, field, error):
    client.force_login(scenario["volunteer"])
    response = client.post("/en/volunteer/certificate/", {"start": start, "end": end, "language": "en"})
    html = response.content.decode()

    assert response.status_code == 200
    assert error in html
    tag = re.search(rf'<input[^>]*name="{field}"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in tag
    assert not Certificate.objects.exists()


def test_another_volunteers_certificate_cannot_be_fetched(client, scenario):
    client.force_login(scenario["volunteer"])
    url = client.post("/en/volunteer/certificate/", {"start": "2025-05", "end": "2025-05", "language": "en"})[
        "Location"
    ]

    client.force_login(scenario["other"].user)
    assert client.get(url).status_code == 404
    client.logout()
    assert "/accounts/login/" in client.get(url)["Location"]


def test_numbers_run_through_the_calendar_year(scenario):
    profile, other = scenario["profile"], scenario["other"]
    year = timezone.localdate().year
    Certificate.objects.create(
        number="JII-V-2025-0007", year=2025, sequence=7, volunteer=other, starts_on=date(2025, 1, 1),
        ends_on=date(2025, 1, 31), language="ja", hours=[{"program": "spot", "minutes": 60}],
    )  # fmt: skip
    may = {"start": date(2025, 5, 1), "end": date(2025, 5, 31)}

    first = services.issue_certificate(volunteer=profile, language="en", **may)
    again = services.issue_certificate(volunteer=profile, language="en", **may)
    japanese = services.issue_certificate(volunteer=profile, language="ja", **may)
    others = services.issue_certificate(volunteer=other, language="ja", **may)

    assert first.number == f"JII-V-{year}-0001"  # a new year starts again at 1
    assert again == first  # the same period and language the same day: the same certificate
    assert japanese.number == f"JII-V-{year}-0002"
    assert others.number == f"JII-V-{year}-0003"
    assert others.hours == [{"program": "spot", "minutes": 60}, {"program": "hanamaru", "minutes": 120}]


def test_the_volunteer_finds_the_certificates_issued_on_the_page(client, scenario):
    client.force_login(scenario["volunteer"])
    download(client)
    html = client.get("/en/volunteer/certificate/").content.decode().replace("\u00a0", " ")

    number = f"JII-V-{timezone.localdate().year}-0001"
    assert f'href="/en/volunteer/certificate/{number}/"' in html and "4 h 45 min" in html


def test_a_volunteer_without_a_profile_fills_it_in_first(client, db):
    client.force_login(VolunteerFactory(profile=None))
    assert client.get("/volunteer/certificate/")["Location"] == "/volunteer/profile/"


def test_staff_check_a_number_in_the_admin(client, scenario):
    certificate = services.issue_certificate(
        volunteer=scenario["profile"], start=date(2025, 5, 1), end=date(2025, 6, 30), language="en"
    )
    client.force_login(CoordinatorFactory())
    listing = client.get("/en/admin/jii/certificate/", {"q": certificate.number}).content.decode()
    assert certificate.number in listing and "佐藤 春香" in listing
    page = client.get(f"/en/admin/jii/certificate/{certificate.pk}/change/").content.decode()
    assert "Spot Otonari-san: 1 h 15 min" in page and "4 h 45 min" in page
    assert client.post(f"/en/admin/jii/certificate/{certificate.pk}/delete/").status_code == 403  # read-only


def images_in(content: bytes, tmp_path) -> int:
    path = tmp_path / "certificate.pdf"
    path.write_bytes(content)
    listing = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, check=True, text=True).stdout
    return len(listing.splitlines()) - 2  # two lines of headings


def test_the_seal_is_printed_when_a_setting_points_at_one(client, scenario, settings, tmp_path):
    from PIL import Image

    client.force_login(scenario["volunteer"])
    assert images_in(download(client).content, tmp_path) == 0  # no seal configured: no image
    seal = tmp_path / "seal.png"
    Image.new("RGB", (60, 60), (200, 30, 30)).save(seal)
    settings.RECEIPT_SEAL_IMAGE = str(seal)
    assert images_in(download(client, language="ja").content, tmp_path) == 1


def test_the_hours_and_certificate_pages_are_valid_html(client, scenario):
    from tests.page_checks import nu_errors

    client.force_login(scenario["volunteer"])
    pages = {
        "volunteer page with hours": client.get("/volunteer/").content.decode(),
        "certificate page": client.get("/en/volunteer/certificate/").content.decode(),
        "certificate page with mistakes": client.post(
            "/en/volunteer/certificate/", {"start": "2099-01", "end": "May"}
        ).content.decode(),
    }
    download(client)
    pages["certificate page listing one"] = client.get("/volunteer/certificate/").content.decode()
    assert nu_errors(pages) == {}


# Skipped before the database is set up: on SQLite a second test that restores the database fails to.
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs many connections at once (PostgreSQL)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ten_volunteers_downloading_at_once_get_ten_consecutive_numbers():
    volunteers = []
    for _ in range(10):
        profile = VolunteerFactory(profile__status="approved").volunteer_profile
        SpotRequestFactory(status="done", volunteer=profile, done_at=hours_scenario.tokyo(2025, 5, 9), minutes_spent=60)
        volunteers.append(profile)

    def issue(i):
        certificate = services.issue_certificate(
            volunteer=volunteers[i], start=date(2025, 5, 1), end=date(2025, 5, 31), language="ja"
        )
        return certificate.sequence

    numbers = race(len(volunteers), issue)
    assert sorted(numbers) == list(range(1, 11))
