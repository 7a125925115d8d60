"""What every page must carry: the CSP header, no inline script, landmarks, and a fixed number of queries."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from jii.status_links import make_token
from matching.services import propose_match, respond_as_resident, respond_as_volunteer
from tests.factories import ApplicationFactory, ResidentFactory, VolunteerFactory, approved_volunteer

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)


@pytest.mark.parametrize("path", ["/", "/en/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"])
def test_pages_send_a_strict_csp_and_have_no_inline_script(client, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert not INLINE_SCRIPT.search(response.content.decode())


def test_the_home_page_names_jii_and_the_four_programs(client):
    html = client.get("/en/").content.decode()
    for name in ["JII", "Otonari-san Family Friend Program", "Spot Otonari-san", "Hanamaru class", "Kurashi"]:
        assert name in html
    assert '<main id="main"' in html
    assert 'class="skip-link" href="#main"' in html


def test_the_home_page_lists_each_programs_card_in_order_with_its_form(client):
    """Each program adds its own card (jii/sections.py); the order stays OFP, Spot, Hanamaru, consultations."""
    html = client.get("/en/").content.decode()
    programs = html.split('id="programs-title"')[1].split("</section>")[0]
    cards = re.findall(r'<li class="card">\s*<h3>([^<]+)</h3>.*?<a href="([^"]+)"', programs, re.S)
    assert cards == [
        ("Otonari-san Family Friend Program (OFP)", "/en/ofp/apply/"),
        ("Spot Otonari-san", "/en/spot/request/"),
        ("Hanamaru class", "/en/hanamaru/"),
        ("Kurashi consultations", "/en/consultations/request/"),
    ]


def test_the_home_page_shows_the_running_campaign(client):
    call_command("load_demo_data", stdout=StringIO())
    html = client.get("/en/").content.decode()
    assert "50 new monthly or yearly supporters and ¥1,500,000 including one-off gifts" in html
    assert "¥3,000" in html
    japanese = client.get("/").content.decode()
    assert "1,500,000円" in japanese


def test_the_home_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    call_command("load_demo_data", stdout=StringIO())
    with django_assert_num_queries(2):  # the running campaign, its suggested amounts
        client.get("/")


@pytest.mark.parametrize("applications", [1, 5])
def test_the_status_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, applications):
    resident = ResidentFactory()
    ResidentFactory.create_batch(20)
    for _ in range(applications):  # each with a pair that has started
        match = propose_match(
            application=ApplicationFactory(resident=resident), volunteer=approved_volunteer(), proposed_by=None
        )
        respond_as_resident(match=match, resident=resident, accepted=True)
        respond_as_volunteer(match=match, volunteer=match.volunteer, accepted=True)
    # resident; OFP applications, their proposals and pairs, those pairs' surveys and resident's check-ins; Spot
    # requests; Hanamaru enrolments; consultations with their appointments (none here: nothing more); an open
    # erasure request
    with django_assert_num_queries(9):
        assert client.get(f"/status/{make_token(resident)}/").status_code == 200


@pytest.mark.parametrize("other_volunteers", [0, 20])
def test_the_volunteer_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, other_volunteers):
    volunteer = VolunteerFactory(profile__status="approved")
    VolunteerFactory.create_batch(other_volunteers, profile__status="approved")
    client.force_login(volunteer)
    # session, user, profile, its languages and their names, OFP pairs (none here: nothing more), Spot requests,
    # Hanamaru: the volunteer's sessions, sessions that need tutors; an open erasure request, the current pledge,
    # whether they may help (jii/readiness.py: orientation, insurance and pledge, in one query); their hours, one
    # query per program (OFP, Spot, Hanamaru)
    with django_assert_num_queries(15):
        assert client.get("/volunteer/").status_code == 200
