import os
import re
import subprocess
import sys
from datetime import date, timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from donations.demo import campaign_period
from donations.models import Campaign, Donation
from jii.choices import HouseholdType, Prefecture
from jii.models import Resident, User, VolunteerLanguage, VolunteerProfile
from matching.figures import program_figures
from matching.models import Application, CheckIn, Match
from spot.models import SpotRequest
from tests.factories import totp_code

pytestmark = pytest.mark.django_db

MODELS = [User, VolunteerProfile, VolunteerLanguage, Resident, Campaign, Application, Match, CheckIn, SpotRequest]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_loading_the_demo_data_twice_creates_nothing_twice():
    call_command("load_demo_data", stdout=StringIO())
    first = counts()
    call_command("load_demo_data", stdout=StringIO())
    assert counts() == first
    assert first["Campaign"] == 1


def test_the_demo_covers_every_area_and_household_type():
    call_command("load_demo_data", stdout=StringIO())
    assert set(VolunteerProfile.objects.values_list("area__prefecture", flat=True)) == set(Prefecture.values)
    assert set(Resident.objects.values_list("household_type", flat=True)) == set(HouseholdType.values)
    assert VolunteerProfile.objects.filter(status="pending").exists()


def test_the_demo_reproduces_jiis_published_ofp_figures():
    call_command("load_demo_data", stdout=StringIO())
    today = timezone.localdate()
    figures = program_figures(today - timedelta(days=800), today)
    assert 85 <= figures["match_success_rate"] <= 95  # "90% of applicants matched"
    assert 85 <= figures["completion_rate"] <= 95  # "a similar six-month completion rate"
    shares = {label: share for label, _count, share in figures["households"]}
    expected = {"family": 40, "single_worker": 30, "student": 20, "refugee": 10}
    for value, label in HouseholdType.choices:
        if value in expected:
            assert abs(shares[label] - expected[value]) <= 5, (value, shares[label])
    assert all(count for _label, count in figures["pairs_by_prefecture"])
    assert Application.objects.waiting().exists() and Match.objects.filter(status="active").exists()


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


def test_the_demo_campaign_shows_both_bars_moving_approved_messages_and_every_method(client):
    call_command("load_demo_data", stdout=StringIO())
    call_command("load_demo_data", stdout=StringIO())  # again: no second set of gifts
    campaign = Campaign.objects.running().get()
    html = client.get(f"/en/donate/{campaign.slug}/").content.decode()
    assert re.search(r"id=\"yen-now\">¥870,000<", html) and re.search(r"id=\"supporters-now\">23<", html)
    assert "応援しています！" in html and "Proud to support neighbours helping neighbours." in html
    states = set(campaign.donations.values_list("method", "status"))
    for method in Donation.Method.values:
        assert any(m == method for m, _status in states), method
    assert {("konbini", "pending"), ("konbini", "unpaid"), ("konbini", "active"), ("card", "past_due")} <= states
    assert campaign.donations.filter(funded_yen__gt=0, status="pending").exists()  # a transfer paid in part
    assert campaign.donations.filter(excess_yen__gt=0).exists()  # and one paid beyond the gift


def test_the_demo_logins_work_and_the_coordinator_is_not_a_superuser(client):
    call_command("load_demo_data", stdout=StringIO())
    out = StringIO()
    call_command("demo_coordinator", password="demo-pass-1234", stdout=out)
    assert "coordinator@example.org / demo-pass-1234" in out.getvalue()
    coordinator = User.objects.get(email="coordinator@example.org")
    assert not coordinator.is_superuser
    login = client.post("/accounts/login/", {"login": "coordinator@example.org", "password": "demo-pass-1234"})
    assert login.status_code == 302 and login["Location"] == "/accounts/2fa/authenticate/"
    # The admin asks the demo coordinator for a second factor too: a printed recovery code lets a newcomer in.
    recovery_code = re.search(r"then a recovery code, each good once: (\d{8})  \d{8}  \d{8}$", out.getvalue(), re.M)[1]
    assert client.post(login["Location"], {"code": recovery_code}).status_code == 302
    assert client.get("/admin/jii/volunteerprofile/").status_code == 200


def test_the_demo_coordinators_app_secret_stays_and_their_recovery_codes_are_new_each_run(client):
    call_command("load_demo_data", stdout=StringIO())
    first, second = StringIO(), StringIO()
    call_command("demo_coordinator", password="demo-pass-1234", stdout=first)
    call_command("demo_coordinator", password="demo-pass-1234", stdout=second)
    secret = re.search(r"set up with the secret (\w+)$", first.getvalue(), re.M)[1]
    assert f"set up with the secret {secret}" in second.getvalue()
    codes = re.compile(r"each good once: (.+)$", re.M)
    assert codes.search(first.getvalue())[1] != codes.search(second.getvalue())[1]
    client.post("/accounts/login/", {"login": "coordinator@example.org", "password": "demo-pass-1234"})
    assert client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)}).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_the_demo_block_leads_to_a_residents_private_page(client):
    call_command("load_demo_data", stdout=StringIO())
    out = StringIO()
    call_command("demo_coordinator", password="demo-pass-1234", stdout=out)
    block = out.getvalue()
    assert "The demo site is at http://127.0.0.1:8000/" in block
    assert "sato.haruka@example.jp / demo-pass-1234" in block
    link = re.search(r"http://127\.0\.0\.1:8000(/en/status/\S+/)", block)[1]
    page = client.get(link).content.decode()
    assert "Sofiia" in page and "Marko" in page  # Olena's children in a Hanamaru class
    assert len(block.splitlines()) <= 10


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the emails go when the demo's data commits
def test_the_demo_emails_go_to_a_folder_when_email_goes_to_the_console(settings, tmp_path, capsys):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    out = StringIO()
    call_command("load_demo_data", emails_to=tmp_path / "emails", stdout=out)
    files = list((tmp_path / "emails").glob("*.log"))
    assert files and f"The demo's {len(files)} emails are in {tmp_path / 'emails'}/" in out.getvalue()
    assert "Subject: Consultation appointment booked" in "".join(path.read_text() for path in files)
    assert "Content-Type" not in capsys.readouterr().out + out.getvalue()


def test_a_newcomers_first_run_prints_no_email_and_no_warning(tmp_path):
    """`make run`'s steps on the embedded default, as a newcomer runs them: short output, nothing alarming."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3", "REDIS_URL": "", "CACHE_URL": "",
           "EMAIL_URL": "consolemail://", "ENV_FILE": ""}  # fmt: skip
    env.pop("DJANGO_SETTINGS_MODULE", None)
    printed = ""
    for step in (["migrate", "--noinput", "--verbosity", "0"], ["load_demo_data", "--emails-to", str(tmp_path)],
                 ["demo_coordinator"]):  # fmt: skip
        done = subprocess.run(
            [sys.executable, "manage.py", *step], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True,
            check=True,
        )  # fmt: skip
        printed += done.stdout + done.stderr
    assert "WARNING" not in printed and "Content-Type" not in printed and "Traceback" not in printed
    assert "Coordinator:  coordinator@example.org / " in printed
    assert len(printed.splitlines()) <= 20
