"""The hours ledger (jii/hours.py): what each program counts, adding up across programs, per volunteer and month
in Tokyo time; the volunteer's page and the coordinators' figures."""

import csv
import io
from datetime import date

import pytest
from django.utils import translation

from jii import hours
from jii.models import User, VolunteerProfile
from tests.factories import CoordinatorFactory, VolunteerFactory
from tests.jii import hours_scenario

MAY, JUNE = date(2025, 5, 1), date(2025, 6, 1)


@pytest.fixture
def scenario(db):
    return hours_scenario.build()


def per_program(table):
    return [(code, minutes) for code, _label, minutes in table.by_program()]


def test_the_programs_name_their_hours():
    with translation.override("en"):
        assert hours.labels() == {
            "ofp": "Otonari-san Family Friend Program (OFP)",
            "spot": "Spot Otonari-san",
            "hanamaru": "Hanamaru class",
        }


def test_the_ledger_adds_up_across_programs_by_month(scenario):
    table = hours.volunteer_hours(scenario["profile"].pk, date(2025, 1, 1), date(2025, 12, 31))

    # Hanamaru: the session where they were present only, not the absent one nor the one unrecorded.
    assert per_program(table) == [("ofp", 90), ("spot", 75), ("hanamaru", 120)]
    # Newest month first; the Spot request done at 00:30 on 1 June (Tokyo) is June's.
    assert table.months == [(JUNE, [0, 30, 0], 30), (MAY, [90, 45, 120], 255)]
    assert table.total == 285


def test_another_volunteers_hours_are_their_own(scenario):
    table = hours.volunteer_hours(scenario["other"].pk, date(2025, 1, 1), date(2025, 12, 31))

    assert per_program(table) == [("spot", 60), ("hanamaru", 120)]
    assert table.total == 180


def test_the_period_boundaries_are_whole_days_in_tokyo(scenario):
    profile = scenario["profile"].pk
    may = hours.volunteer_hours(profile, date(2025, 5, 1), date(2025, 5, 31))
    assert may.months == [(MAY, [90, 45, 120], 255)]
    june = hours.volunteer_hours(profile, date(2025, 6, 1), date(2025, 6, 30))
    assert per_program(june) == [("spot", 30)]
    # The check-in on 20 May is in a period ending that day, not in one starting the day after.
    assert hours.volunteer_hours(profile, date(2025, 5, 20), date(2025, 5, 20)).total == 90
    assert hours.volunteer_hours(profile, date(2025, 5, 21), date(2025, 5, 23)).total == 0


def test_the_coordinators_totals_per_program_and_per_volunteer(scenario):
    table, volunteers = hours.totals(date(2025, 5, 1), date(2025, 5, 31))

    assert per_program(table) == [("ofp", 90), ("spot", 45 + 60), ("hanamaru", 120 + 120)]
    assert [(v.volunteer_id, v.by_program, v.total) for v in volunteers] == [
        (scenario["profile"].pk, {"ofp": 90, "spot": 45, "hanamaru": 120}, 255),  # the most first
        (scenario["other"].pk, {"spot": 60, "hanamaru": 120}, 180),
    ]


def test_one_query_per_program(scenario, django_assert_num_queries):
    with django_assert_num_queries(3):
        hours.totals(date(2025, 1, 1), date(2025, 12, 31))


def test_time_reads_as_hours_and_minutes():
    with translation.override("en"):
        assert [hours.format_minutes(m) for m in (45, 120, 285, 0)] == ["45 min", "2 h", "4 h 45 min", "0 min"]


# --- the volunteer's page ------------------------------------------------------------------------------------


def hours_section(html: str) -> str:
    start = html.index('id="hours-title"')
    return html[start : html.index("</section>", start)].replace("\u00a0", " ")  # "4 h" is never split


def test_the_volunteer_sees_their_hours_by_program_and_month(client, scenario):
    client.force_login(scenario["volunteer"])
    section = hours_section(client.get("/en/volunteer/").content.decode())

    assert "Your hours by month" in section
    assert "May 2025" in section and "June 2025" in section
    assert "4 h 15 min" in section  # May
    assert '<td id="hours-total">4 h 45 min</td>' in section
    assert "1 h 30 min" in section and "1 h 15 min" in section and "2 h" in section  # per program
    assert 'href="/en/volunteer/certificate/"' in section


def test_the_hours_in_japanese(client, scenario):
    client.force_login(scenario["volunteer"])
    section = hours_section(client.get("/volunteer/").content.decode())

    assert "2025年5月" in section and "2025年6月" in section
    assert "4時間45分" in section and "1時間30分" in section and "45分" in section
    assert "スポットおとなりさん" in section


@pytest.mark.parametrize("status", ["suspended", "archived"])
def test_a_suspended_or_archived_volunteer_still_sees_their_hours(client, scenario, status):
    VolunteerProfile.objects.filter(pk=scenario["profile"].pk).update(status=status)
    client.force_login(scenario["volunteer"])
    section = hours_section(client.get("/en/volunteer/").content.decode())

    assert "4 h 45 min" in section and "/en/volunteer/certificate/" in section


def test_a_volunteer_without_hours_is_told_how_they_are_counted(client, db):
    client.force_login(VolunteerFactory(profile__status="approved"))
    section = hours_section(client.get("/en/volunteer/").content.decode())

    assert "No hours yet" in section and "certificate" not in section


# --- the coordinators' figures ------------------------------------------------------------------------------


def test_the_coordinators_page_lists_totals_per_program_and_volunteer(client, scenario):
    client.force_login(CoordinatorFactory())
    response = client.get("/en/admin/jii/volunteerprofile/hours/", {"start": "2025-05-01", "end": "2025-05-31"})
    html = response.content.decode().replace("\u00a0", " ")

    assert response.status_code == 200
    assert "Volunteer hours" in html
    first, second = html.index("佐藤 春香"), html.index("山田 太郎")
    assert first < second  # the most hours first
    assert "4 h 15 min" in html and "3 h" in html  # each volunteer's total
    assert "7 h 15 min" in html  # everyone's, May
    volunteer_list = client.get("/en/admin/jii/volunteerprofile/").content.decode()
    assert 'href="/en/admin/jii/volunteerprofile/hours/"' in volunteer_list


def test_the_coordinators_csv(client, scenario):
    client.force_login(CoordinatorFactory())
    response = client.get(
        "/en/admin/jii/volunteerprofile/hours/", {"start": "2025-05-01", "end": "2025-05-31", "format": "csv"}
    )

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][-1] == "Total (hours)"
    assert rows[1][0] == "佐藤 春香" and rows[1][-1] == "4.25"
    assert rows[2][0] == "山田 太郎" and rows[2][-1] == "3.00"


def test_a_name_that_looks_like_a_formula_stays_text_in_the_csv(client, scenario):
    User.objects.filter(name="佐藤 春香").update(name='=HYPERLINK("http://evil")')
    client.force_login(CoordinatorFactory())
    response = client.get(
        "/en/admin/jii/volunteerprofile/hours/", {"start": "2025-05-01", "end": "2025-05-31", "format": "csv"}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][0] == '\'=HYPERLINK("http://evil")' and rows[1][-1] == "4.25"


def test_a_volunteer_cannot_open_the_coordinators_page(client, scenario):
    client.force_login(scenario["volunteer"])
    response = client.get("/en/admin/jii/volunteerprofile/hours/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_staff_who_may_not_view_volunteers_get_no_access(client, scenario):
    client.force_login(CoordinatorFactory(groups=["donations staff"]))
    assert client.get("/en/admin/jii/volunteerprofile/hours/").status_code == 403


def test_time_reads_in_japanese():
    with translation.override("ja"):
        assert hours.format_minutes(90) == "1時間30分"


def test_the_page_shows_the_last_twelve_months_with_time_and_all_of_it_below(client, db):
    from tests.factories import SpotRequestFactory
    from tests.jii.hours_scenario import tokyo

    volunteer = VolunteerFactory(profile__status="archived")
    for month in range(1, 14):  # thirteen months, January 2024 to January 2025, an hour each
        year, month = 2024 + (month - 1) // 12, (month - 1) % 12 + 1
        SpotRequestFactory(
            status="done", volunteer=volunteer.volunteer_profile, done_at=tokyo(year, month, 5), minutes_spent=60
        )
    client.force_login(volunteer)
    section = hours_section(client.get("/en/volunteer/").content.decode())

    assert "Your hours in the last 12 months with activity" in section
    assert "January 2025" in section and "February 2024" in section and "January 2024" not in section
    assert '<td id="hours-total">12 h</td>' in section
    assert "All your hours with JII, earlier months included: 13 h." in section
