"""The OFP pages residents, volunteers and coordinators use."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jii.models import Area, Language
from jii.status_links import make_token
from matching.models import Application, CheckIn, IntakeRound, Match, Survey
from matching.services import close_pair, propose_match, respond_as_resident, respond_as_volunteer
from tests.factories import ApplicationFactory, CoordinatorFactory, approved_volunteer

pytestmark = pytest.mark.django_db


def application_form(**changes):
    data = {
        "name": "Emily Johnson",
        "email": "emily@example.com",
        "phone": "",
        "household_type": "family",
        "adults": "2",
        "children_ages": "4, 7",
        "japanese_level": "basic",
        "languages": [Language.objects.get(code="en").pk],
        "area": Area.objects.get(code="tokyo-meguro").pk,
        "nearest_station": "中目黒",
        "availability": ["weekend:afternoon"],
        "hopes": ["child_rearing"],
        "interests": ["cooking"],
        "gender_preference": "any",
        "message": "",
        "consent": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def answer(match, decision, reason=""):
    """The answer form's data, with the per-proposal field prefix the pages use."""
    return {f"match-{match.pk}-decision": decision, f"match-{match.pk}-reason": reason}


def started_pair(application=None, volunteer=None):
    match = propose_match(
        application=application or ApplicationFactory(), volunteer=volunteer or approved_volunteer(), proposed_by=None
    )
    respond_as_resident(match=match, resident=match.application.resident, accepted=True)
    return respond_as_volunteer(match=match, volunteer=match.volunteer, accepted=True)


def test_a_resident_applies_and_gets_their_status_link(client, django_capture_on_commit_callbacks):
    assert "おとなりさん" in client.get("/ofp/apply/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/en/ofp/apply/", application_form())
    assert response.status_code == 302 and response["Location"] == "/en/ofp/apply/thanks/"
    application = Application.objects.get()
    assert application.children_ages == [4, 7]
    assert application.resident.language == "en"
    assert "/en/status/" in mail.outbox[0].body


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"consent": None}, "consent", "Please tick the box to agree."),
        ({"children_ages": "four"}, "children_ages", "Write ages as numbers"),
        ({"children_ages": ""}, "children_ages", "Please tell us your children"),
        ({"area": "999999"}, "area", "Select a valid choice"),
        ({"availability": []}, "availability", "Please choose at least one."),
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
    ],
)
def test_bad_input_is_explained_next_to_the_field_and_nothing_is_saved(client, changes, field, message):
    response = client.post("/en/ofp/apply/", application_form(**changes))
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert f'id="id_{field}_error"' in html
    assert not Application.objects.exists()


def test_the_form_errors_are_in_japanese_at_the_unprefixed_path(client):
    html = client.post("/ofp/apply/", application_form(consent=None)).content.decode()
    assert "同意のチェックを入れてください。" in html and "このフィールドは必須です。" not in html


def test_the_status_page_tells_the_stage_and_only_the_partners_first_name_and_area(client):
    application = ApplicationFactory()
    token = make_token(application.resident)
    assert "Received." in client.get(f"/en/status/{token}/").content.decode()
    volunteer = approved_volunteer()
    volunteer.user.name = "佐藤 春香"
    volunteer.user.save()
    propose_match(application=application, volunteer=volunteer, proposed_by=None)
    html = client.get(f"/en/status/{token}/").content.decode()
    assert "A partner is proposed." in html
    assert "春香" in html and "佐藤" not in html and volunteer.user.email not in html
    assert "Meguro" in html


def test_the_resident_accepts_from_the_status_page(client):
    application = ApplicationFactory()
    match = propose_match(application=application, volunteer=approved_volunteer(), proposed_by=None)
    token = make_token(application.resident)
    response = client.post(f"/en/ofp/r/pairs/{match.pk}/respond/", {**answer(match, "accept"), "token": token})
    assert response.status_code == 302
    assert Match.objects.get(pk=match.pk).resident_accepted_at
    assert "waiting for the volunteer" in client.get(f"/en/status/{token}/").content.decode()


def test_a_decline_without_a_reason_is_not_taken(client):
    application = ApplicationFactory()
    match = propose_match(application=application, volunteer=approved_volunteer(), proposed_by=None)
    token = make_token(application.resident)
    client.post(f"/en/ofp/r/pairs/{match.pk}/respond/", {**answer(match, "decline", ""), "token": token})
    assert Match.objects.get(pk=match.pk).status == Match.Status.PROPOSED


def test_a_resident_cannot_answer_someone_elses_proposal(client):
    match = propose_match(application=ApplicationFactory(), volunteer=approved_volunteer(), proposed_by=None)
    other = ApplicationFactory()
    response = client.post(
        f"/ofp/r/pairs/{match.pk}/respond/", {**answer(match, "accept"), "token": make_token(other.resident)}
    )
    assert response.status_code == 404
    assert client.post(f"/ofp/r/forged/pairs/{match.pk}/respond/", answer(match, "accept")).status_code == 404


def test_a_volunteer_sees_a_proposal_without_the_residents_identity_then_their_contact(client):
    application = ApplicationFactory(resident__name="Emily Johnson", resident__email="emily@example.com")
    volunteer = approved_volunteer()
    match = propose_match(application=application, volunteer=volunteer, proposed_by=None)
    client.force_login(volunteer.user)
    html = client.get("/en/volunteer/").content.decode()
    assert "Proposed to you" in html and "Family raising children" in html
    assert "Emily" not in html and "emily@example.com" not in html

    client.post(f"/en/ofp/pairs/{match.pk}/respond/", answer(match, "accept"))
    respond_as_resident(match=match, resident=application.resident, accepted=True)
    html = client.get("/en/volunteer/").content.decode()
    assert "Your pair with Emily Johnson" in html and "emily@example.com" in html


def test_another_volunteer_cannot_answer_or_check_in(client):
    match = started_pair()
    intruder = approved_volunteer()
    client.force_login(intruder.user)
    assert client.post(f"/ofp/pairs/{match.pk}/respond/", answer(match, "accept")).status_code == 404
    assert client.get(f"/ofp/pairs/{match.pk}/check-in/").status_code == 404


def test_a_pending_volunteer_is_refused(client, pending_volunteer):
    match = started_pair()
    client.force_login(pending_volunteer)
    assert client.get(f"/ofp/pairs/{match.pk}/check-in/").status_code == 403


def test_the_volunteer_logs_a_check_in_and_a_concern_flags_the_pair(
    client, settings, django_capture_on_commit_callbacks
):
    match = started_pair()
    client.force_login(match.volunteer.user)
    assert client.get(f"/en/ofp/pairs/{match.pk}/check-in/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/en/ofp/pairs/{match.pk}/check-in/",
            {
                "met": "yes",
                "how": "in_person",
                "mood": "difficult",
                "minutes_spent": "90",
                "note": "Lunch",
                "concern": "Her landlord",
            },
        )
    assert response.status_code == 302
    assert CheckIn.objects.get().concern == "Her landlord"
    assert CheckIn.objects.get().minutes_spent == 90  # their hours
    assert Match.objects.get(pk=match.pk).needs_attention
    assert mail.outbox[-1].to == [settings.COORDINATOR_EMAIL]
    assert f"#{match.pk}" in mail.outbox[-1].subject
    assert "Her landlord" not in mail.outbox[-1].body  # the concern itself stays in the admin


def test_a_check_in_that_says_met_must_say_how(client):
    match = started_pair()
    client.force_login(match.volunteer.user)
    html = client.post(f"/en/ofp/pairs/{match.pk}/check-in/", {"met": "yes", "mood": "good"}).content.decode()
    assert "Please tell us how you met." in html
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize("minutes", ["", "-5", "3001", "an hour"])
def test_a_check_in_asks_the_time_spent_in_plain_words(client, minutes):
    match = started_pair()
    client.force_login(match.volunteer.user)
    form = {"met": "no", "mood": "good", "minutes_spent": minutes}
    html = client.post(f"/en/ofp/pairs/{match.pk}/check-in/", form).content.decode()
    assert "Please write the minutes as a number from 0 to 3,000." in html
    field = re.search(r'<input[^>]*name="minutes_spent"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in field  # the error belongs to its field
    assert not CheckIn.objects.exists()


def test_a_closed_pair_takes_no_check_in_from_the_page(client):
    match = started_pair()
    close_pair(match=match, reason="moved")
    client.force_login(match.volunteer.user)
    response = client.post(f"/en/ofp/pairs/{match.pk}/check-in/", {"met": "no", "mood": "okay"}, follow=True)
    assert "check-ins are closed" in response.content.decode()
    assert not CheckIn.objects.exists()


def test_both_sides_answer_a_survey_once_it_is_sent(client):
    match = started_pair()
    token = make_token(match.application.resident)
    assert client.get(f"/en/ofp/r/{token}/pairs/{match.pk}/survey/midpoint/").status_code == 404  # not sent yet
    Match.objects.filter(pk=match.pk).update(starts_on=timezone.localdate() - timedelta(days=100))  # three months
    token = make_token(match.application.resident)
    status = client.get(f"/en/status/{token}/").content.decode()
    assert f"/en/ofp/r/{token}/pairs/{match.pk}/survey/midpoint/" in status
    client.post(f"/en/ofp/r/{token}/pairs/{match.pk}/survey/midpoint/", {"satisfaction": "5", "comment": "Great"})
    client.force_login(match.volunteer.user)
    assert f"/en/ofp/pairs/{match.pk}/survey/midpoint/" in client.get("/en/volunteer/").content.decode()
    client.post(f"/en/ofp/pairs/{match.pk}/survey/midpoint/", {"satisfaction": "4"})
    assert sorted(Survey.objects.values_list("respondent", "satisfaction")) == [("resident", 5), ("volunteer", 4)]
    assert "/survey/midpoint/" not in client.get(f"/en/status/{token}/").content.decode()


# --- coordinators ----------------------------------------------------------------------------------------


@pytest.fixture
def desk(client):
    client.force_login(CoordinatorFactory())
    return client


def test_the_application_page_ranks_candidates_with_their_breakdown_and_exclusions(desk):
    application = ApplicationFactory()
    best = approved_volunteer(experience=["raising_children"])
    approved_volunteer(area="tokyo-shibuya")
    approved_volunteer(availability=["mon:morning"])  # excluded: no common time
    approved_volunteer(area="tokyo-hachioji")  # too far
    html = desk.get(f"/en/admin/matching/application/{application.pk}/change/").content.decode()
    ranked = re.findall(r"/admin/jii/volunteerprofile/(\d+)/change/", html.split("Excluded nearby volunteers")[0])
    assert int(ranked[0]) == best.pk and len(ranked) == 2
    assert "Same city or ward (Meguro) +30" in html
    assert "no time when both are free" in html
    assert "1 more volunteer lives too far away." in html


def test_proposing_from_the_application_page(desk):
    application = ApplicationFactory()
    volunteer = approved_volunteer()
    url = f"/en/admin/matching/application/{application.pk}/propose/{volunteer.pk}/"
    assert desk.get(url).status_code == 403
    response = desk.post(url, follow=True)
    assert "Proposed. Both sides have been emailed." in response.content.decode()
    assert Match.objects.get().volunteer == volunteer


def test_a_refused_proposal_says_why(desk):
    application = ApplicationFactory(gender_preference="female")
    volunteer = approved_volunteer(gender="male")
    response = desk.post(f"/en/admin/matching/application/{application.pk}/propose/{volunteer.pk}/", follow=True)
    assert "Not proposed: the resident asked for a woman" in response.content.decode()
    assert not Match.objects.exists()


def queries(client, path):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_the_candidate_list_runs_a_fixed_number_of_queries(desk):
    application = ApplicationFactory()
    approved_volunteer()
    path = f"/en/admin/matching/application/{application.pk}/change/"
    few = queries(desk, path)
    for area in ["tokyo-meguro", "tokyo-shibuya", "tokyo-setagaya", "tokyo-hachioji"] * 3:
        approved_volunteer(area=area)
    approved_volunteer(availability=["mon:morning"])
    assert queries(desk, path) == few


@pytest.mark.parametrize("path", ["/en/admin/matching/application/", "/en/admin/matching/match/"])
def test_the_ofp_lists_run_a_fixed_number_of_queries(desk, path):
    started_pair()
    few = queries(desk, path)
    for _ in range(5):
        started_pair()
        ApplicationFactory()
    assert queries(desk, path) == few


def test_an_intake_round_is_computed_and_proposed_from_the_admin(desk):
    for _ in range(3):
        approved_volunteer()
        ApplicationFactory()
    ApplicationFactory(languages=["ne"], japanese_level="none")
    response = desk.post("/en/admin/matching/intakeround/add/")
    intake = IntakeRound.objects.get()
    assert response["Location"].endswith(f"/matching/intakeround/{intake.pk}/change/")
    html = desk.get(response["Location"]).content.decode()
    assert "3 suggested pairs" in html and "No partner in this round" in html and "no shared language" in html
    desk.post(response["Location"], {"propose_all": "1"})
    assert Match.objects.filter(status="proposed").count() == 3


def test_the_figures_page_computes_jiis_rates(desk):
    pairs = [started_pair() for _ in range(4)]
    for match in pairs[:3]:
        close_pair(match=match, reason="completed")
    close_pair(match=pairs[3], reason="moved")
    Application.objects.filter(pk=ApplicationFactory().pk).update(stage="withdrawn")  # gave up: a miss
    ApplicationFactory()  # still waiting: not counted yet
    html = desk.get("/en/admin/matching/application/figures/").content.decode()
    assert re.search(r'id="match-success-rate">80.0%', html)
    assert re.search(r'id="completion-rate">75.0%', html)
    assert re.search(r'id="median-days">0', html)


def test_volunteers_have_no_access_to_the_desk(client):
    volunteer = approved_volunteer()
    client.force_login(volunteer.user)
    assert client.get("/admin/matching/application/").status_code == 302


def test_a_closed_pair_stays_on_the_volunteers_page_for_its_closing_survey(client):
    match = started_pair()
    close_pair(match=match, reason="completed")
    client.force_login(match.volunteer.user)
    html = client.get("/en/volunteer/").content.decode()
    assert "has ended" in html and f"/en/ofp/pairs/{match.pk}/survey/closing/" in html
    client.post(f"/en/ofp/pairs/{match.pk}/survey/closing/", {"satisfaction": "5"})
    assert Survey.objects.filter(match=match, kind="closing", respondent="volunteer").exists()


def test_two_proposals_on_one_page_have_their_own_field_ids(client, settings):
    settings.OFP_PAIRS_PER_VOLUNTEER = 2
    volunteer = approved_volunteer()
    for _ in range(2):
        propose_match(application=ApplicationFactory(), volunteer=volunteer, proposed_by=None)
    client.force_login(volunteer.user)
    html = client.get("/en/volunteer/").content.decode()
    ids = re.findall(r'id="(id_match-\d+-reason)"', html)
    assert len(ids) == 2 and len(set(ids)) == 2


def test_applications_can_be_filtered_by_how_long_they_have_waited(desk):
    from datetime import timedelta

    from django.utils import timezone

    recent = ApplicationFactory()
    old = ApplicationFactory(created_at=timezone.now() - timedelta(days=40))
    html = desk.get("/en/admin/matching/application/", {"waiting": "3m"}).content.decode()
    assert f"/matching/application/{old.pk}/change/" in html
    assert f"/matching/application/{recent.pk}/change/" not in html
