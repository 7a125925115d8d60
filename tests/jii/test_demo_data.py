from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from donations.demo import campaign_period
from donations.models import Campaign
from jii.choices import HouseholdType, Prefecture
from jii.models import Resident, User, VolunteerLanguage, VolunteerProfile

pytestmark = pytest.mark.django_db

MODELS = [User, VolunteerProfile, VolunteerLanguage, Resident, Campaign]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_loading_the_demo_data_twice_creates_nothing_twice():
    call_command("load_demo_data", stdout=StringIO())
    first = counts()
    call_command("load_demo_data", stdout=StringIO())
    assert counts() == first
    assert first["Campaign"] == 1


def test_the_demo_covers_every_area_and_household_type_with_jiis_mix():
    call_command("load_demo_data", stdout=StringIO())
    assert set(VolunteerProfile.objects.values_list("area__prefecture", flat=True)) == set(Prefecture.values)
    households = list(Resident.objects.values_list("household_type", flat=True))
    assert set(households) == set(HouseholdType.values)
    jiis_groups = [kind for kind in households if kind != "other"]
    share = {kind: jiis_groups.count(kind) / len(jiis_groups) for kind in ["family", "single_worker", "student"]}
    assert share == {"family": 0.4, "single_worker": 0.3, "student": 0.2}
    assert VolunteerProfile.objects.filter(status="pending").exists()


def test_a_second_run_keeps_what_a_coordinator_changed_since():
    call_command("load_demo_data", stdout=StringIO())
    waiting = VolunteerProfile.objects.filter(status="pending").first()
    waiting.status = VolunteerProfile.Status.APPROVED
    waiting.save()
    call_command("load_demo_data", stdout=StringIO())
    waiting.refresh_from_db()
    assert waiting.status == VolunteerProfile.Status.APPROVED


@pytest.mark.parametrize("today", [date(2026, 11, 21), date(2027, 2, 1), date(2027, 11, 4), date(2027, 12, 25)])
def test_the_demo_campaign_runs_whatever_the_day(today):
    starts_on, ends_on = campaign_period(today)
    assert starts_on <= today <= ends_on
    assert (ends_on - starts_on).days == 50  # 11/5–12/25, as in JII's campaign


def test_the_demo_campaign_carries_jiis_goals_and_is_running_today():
    call_command("load_demo_data", stdout=StringIO())
    campaign = Campaign.objects.running().get()
    assert campaign.goal_new_monthly_supporters == 50
    assert campaign.goal_amount_yen == 1_500_000
    assert list(campaign.tiers.values_list("amount_yen", flat=True)) == [3000, 5000, 10000, 30000, 100000]


def test_the_demo_logins_work_and_the_coordinator_is_not_a_superuser(client):
    call_command("load_demo_data", stdout=StringIO())
    out = StringIO()
    call_command("demo_coordinator", password="demo-pass-1234", stdout=out)
    assert "coordinator@example.org / demo-pass-1234" in out.getvalue()
    coordinator = User.objects.get(email="coordinator@example.org")
    assert not coordinator.is_superuser
    login = client.post("/accounts/login/", {"login": "coordinator@example.org", "password": "demo-pass-1234"})
    assert login.status_code == 302
    assert client.get("/admin/jii/volunteerprofile/").status_code == 200
