"""Every OFP transition, and the ones that must be refused."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone, translation

from jii.models import Area, Language
from matching.models import Application, CheckIn, Match, add_months
from matching.services import (
    MatchingError,
    answer_survey,
    apply_from_spot,
    cancel_proposal,
    close_pair,
    log_check_in,
    propose_match,
    respond_as_resident,
    respond_as_volunteer,
    submit_application,
    withdraw_application,
)
from tests.factories import ApplicationFactory, ResidentFactory, approved_volunteer
from tests.race import race

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(coordinator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        match = propose_match(application=ApplicationFactory(), volunteer=approved_volunteer(), proposed_by=coordinator)
    mail.outbox.clear()
    return match


@pytest.fixture
def active_pair(proposal):
    respond_as_resident(match=proposal, resident=proposal.application.resident, accepted=True)
    return respond_as_volunteer(match=proposal, volunteer=proposal.volunteer, accepted=True)


def test_an_application_makes_one_resident_record_and_sends_the_status_link(django_capture_on_commit_callbacks):
    english = Language.objects.get(code="en")
    details = {
        "household_type": "student",
        "adults": 1,
        "children_ages": [],
        "japanese_level": "basic",
        "area": Area.objects.get(code="tokyo-shinjuku"),
        "nearest_station": "高田馬場",
        "availability": ["weekday:evening"],
        "hopes": ["japanese"],
        "interests": [],
        "gender_preference": "any",
        "message": "",
    }
    resident_details = {"name": "Tran Van Minh", "phone": "", "prefecture": "tokyo", "municipality": "新宿区"}
    with django_capture_on_commit_callbacks(execute=True):
        first = submit_application(
            email="minh@example.com", language="en", languages=[english], resident_details=resident_details, **details
        )
        second = submit_application(
            email="Minh@Example.com", language="en", languages=[english], resident_details=resident_details, **details
        )
    assert first.resident_id == second.resident_id
    assert first.stage == Application.Stage.RECEIVED
    assert mail.outbox[0].to == ["minh@example.com"]
    assert "/en/status/" in mail.outbox[0].body


def test_proposing_emails_both_sides_without_revealing_either(coordinator, django_capture_on_commit_callbacks):
    application = ApplicationFactory(resident__name="Emily Johnson", resident__phone="090-1111-2222")
    volunteer = approved_volunteer()
    volunteer.user.name = "佐藤 春香"
    volunteer.user.save()
    with django_capture_on_commit_callbacks(execute=True):
        match = propose_match(application=application, volunteer=volunteer, proposed_by=coordinator)
    application.refresh_from_db()
    assert application.stage == Application.Stage.PROPOSED
    assert match.score > 0 and sum(item["points"] for item in match.breakdown) == match.score
    to_resident, to_volunteer = mail.outbox
    assert "春香" in to_resident.body and "佐藤" not in to_resident.body
    assert volunteer.user.email not in to_resident.body
    assert "Emily" not in to_volunteer.body and "090-1111-2222" not in to_volunteer.body


def test_an_application_cannot_have_two_open_proposals(proposal, coordinator):
    with pytest.raises(MatchingError):
        propose_match(application=proposal.application, volunteer=approved_volunteer(), proposed_by=coordinator)


def test_a_proposal_that_breaks_a_hard_rule_is_refused_with_the_reason(coordinator):
    with pytest.raises(MatchingError) as refused:
        propose_match(
            application=ApplicationFactory(),
            volunteer=approved_volunteer(area="tokyo-hachioji"),
            proposed_by=coordinator,
        )
    assert [reason["code"] for reason in refused.value.reasons] == ["far"]
    assert not Match.objects.exists()


def test_a_volunteer_cannot_answer_a_proposal_meant_for_another(proposal):
    with pytest.raises(PermissionDenied):
        respond_as_volunteer(match=proposal, volunteer=approved_volunteer(), accepted=True)
    with pytest.raises(PermissionDenied):
        respond_as_resident(match=proposal, resident=ResidentFactory(), accepted=True)
    proposal.refresh_from_db()
    assert proposal.status == Match.Status.PROPOSED and not proposal.volunteer_accepted_at


def test_when_both_accept_the_pair_runs_six_months_and_contacts_are_shared(
    proposal, django_capture_on_commit_callbacks
):
    respond_as_resident(match=proposal, resident=proposal.application.resident, accepted=True)
    assert Match.objects.get(pk=proposal.pk).status == Match.Status.PROPOSED
    with django_capture_on_commit_callbacks(execute=True):
        match = respond_as_volunteer(match=proposal, volunteer=proposal.volunteer, accepted=True)
    assert match.status == Match.Status.ACTIVE
    assert match.ends_on == add_months(match.starts_on, 6)
    assert Application.objects.get(pk=match.application_id).stage == Application.Stage.ACTIVE
    to_resident, to_volunteer = mail.outbox
    assert proposal.volunteer.user.email in to_resident.body
    assert proposal.application.resident.email in to_volunteer.body


def test_a_decline_returns_the_application_to_matching_with_the_reason(proposal, coordinator):
    respond_as_volunteer(match=proposal, volunteer=proposal.volunteer, accepted=False, reason="I move in March")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.declined_by, proposal.decline_reason) == (
        "declined",
        "volunteer",
        "I move in March",
    )
    assert Application.objects.get(pk=proposal.application_id).stage == Application.Stage.MATCHING
    with pytest.raises(MatchingError):
        respond_as_resident(match=proposal, resident=proposal.application.resident, accepted=True)
    with pytest.raises(MatchingError) as refused:  # never the same partner twice
        propose_match(application=proposal.application, volunteer=proposal.volunteer, proposed_by=coordinator)
    assert [reason["code"] for reason in refused.value.reasons] == ["proposed_before"]


def test_a_coordinator_can_cancel_an_unanswered_proposal(proposal):
    cancel_proposal(match=proposal, reason="no answer for three weeks")
    assert Match.objects.get(pk=proposal.pk).status == Match.Status.CANCELLED
    assert Application.objects.get(pk=proposal.application_id).stage == Application.Stage.MATCHING


def test_check_ins_are_logged_by_the_pairs_volunteer_and_a_concern_flags_the_pair(active_pair):
    log_check_in(match=active_pair, volunteer=active_pair.volunteer, met=True, how="in_person", mood="good")
    assert not Match.objects.get(pk=active_pair.pk).needs_attention
    log_check_in(
        match=active_pair, volunteer=active_pair.volunteer, met=False, how="", mood="difficult", concern="No reply"
    )
    assert Match.objects.get(pk=active_pair.pk).needs_attention
    assert list(CheckIn.objects.values_list("month", flat=True)) == [1, 1]
    with pytest.raises(PermissionDenied):
        log_check_in(match=active_pair, volunteer=approved_volunteer(), met=True, how="phone", mood="good")


def test_a_closed_pair_takes_no_check_ins(active_pair):
    close_pair(match=active_pair, reason=Match.EndReason.MOVED, note="moved to Osaka")
    assert Application.objects.get(pk=active_pair.application_id).stage == Application.Stage.ENDED_EARLY
    with pytest.raises(MatchingError):
        log_check_in(match=active_pair, volunteer=active_pair.volunteer, met=True, how="phone", mood="good")
    with pytest.raises(MatchingError):
        close_pair(match=active_pair, reason=Match.EndReason.COMPLETED)


def test_completing_a_pair_asks_both_sides_the_closing_survey(active_pair, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        match = close_pair(match=active_pair, reason=Match.EndReason.COMPLETED)
    assert match.status == Match.Status.COMPLETED
    assert Application.objects.get(pk=match.application_id).stage == Application.Stage.COMPLETED
    assert {message.to[0] for message in mail.outbox} == {
        active_pair.application.resident.email,
        active_pair.volunteer.user.email,
    }
    answer_survey(match=match, respondent="volunteer", kind="closing", satisfaction=4)


def test_a_check_in_in_the_first_week_of_a_month_reports_on_the_month_before(active_pair):
    Match.objects.filter(pk=active_pair.pk).update(starts_on=timezone.localdate() - timedelta(days=33))
    active_pair.refresh_from_db()
    log_check_in(match=active_pair, volunteer=active_pair.volunteer, met=True, how="phone", mood="good")
    log_check_in(match=active_pair, volunteer=active_pair.volunteer, met=True, how="phone", mood="good")
    assert sorted(CheckIn.objects.values_list("month", flat=True)) == [1, 2]


def test_withdrawing_an_application_cancels_its_proposal(proposal):
    assert withdraw_application(application=proposal.application)
    assert Match.objects.get(pk=proposal.pk).status == Match.Status.CANCELLED
    assert Application.objects.get(pk=proposal.application_id).stage == Application.Stage.WITHDRAWN


def test_a_survey_cannot_be_answered_before_it_is_sent(active_pair):
    with pytest.raises(MatchingError):
        answer_survey(match=active_pair, respondent="resident", kind="closing", satisfaction=5)


def test_each_side_answers_each_survey_once(active_pair):
    Match.objects.filter(pk=active_pair.pk).update(starts_on=timezone.localdate() - timedelta(days=100))
    answer_survey(match=active_pair, respondent="resident", kind="midpoint", satisfaction=5)
    answer_survey(match=active_pair, respondent="volunteer", kind="midpoint", satisfaction=4)
    with pytest.raises(MatchingError):
        answer_survey(match=active_pair, respondent="resident", kind="midpoint", satisfaction=1)


def test_a_proposal_not_yet_accepted_cannot_be_surveyed(proposal):
    with pytest.raises(MatchingError):
        answer_survey(match=proposal, respondent="resident", kind="midpoint", satisfaction=5)


def test_months_of_a_pair_follow_the_calendar():
    match = Match(starts_on=date(2026, 8, 31))
    assert match.month_on(date(2026, 8, 31)) == 1
    assert match.month_on(date(2026, 9, 29)) == 1
    assert match.month_on(date(2026, 9, 30)) == 2  # 31 Aug + 1 month is 30 Sep
    assert match.month_on(date(2027, 3, 1)) == 6
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)


def test_a_spot_pair_becomes_an_ofp_proposal_to_the_same_volunteer():
    volunteer = approved_volunteer(area="tokyo-hachioji")  # far from the resident: they chose each other anyway
    resident = ResidentFactory()
    match = apply_from_spot(
        resident=resident,
        volunteer=volunteer,
        area=Area.objects.get(code="tokyo-meguro"),
        nearest_station="目黒",
        household_type="family",
        japanese_level="basic",
        languages=[Language.objects.get(code="en")],
        availability=["weekend:afternoon"],
        hopes=["friendship"],
        consented_at=timezone.now(),
    )
    assert match.status == Match.Status.PROPOSED and match.resident_accepted_at
    assert match.application.resident == resident and match.volunteer == volunteer
    active = respond_as_volunteer(match=match, volunteer=volunteer, accepted=True)
    assert active.status == Match.Status.ACTIVE


def test_a_spot_pair_still_respects_the_volunteers_free_places(coordinator):
    volunteer = approved_volunteer()
    propose_match(application=ApplicationFactory(), volunteer=volunteer, proposed_by=coordinator)
    with pytest.raises(MatchingError):
        apply_from_spot(
            resident=ResidentFactory(),
            volunteer=volunteer,
            area=volunteer.area,
            nearest_station="目黒",
            household_type="student",
            japanese_level="basic",
            languages=[Language.objects.get(code="en")],
            availability=["weekend:afternoon"],
            hopes=[],
            consented_at=timezone.now(),
        )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_coordinators_proposing_one_volunteer_at_once_give_one_proposal():
    if connection.vendor != "postgresql":
        pytest.skip("needs a database that serves two connections at once (PostgreSQL)")
    volunteer = approved_volunteer()
    applications = [ApplicationFactory(), ApplicationFactory()]
    outcomes = race(
        2, lambda i: propose_match(application=applications[i], volunteer=volunteer, proposed_by=None),
        refused=MatchingError,
    )  # fmt: skip
    assert sum(isinstance(outcome, MatchingError) for outcome in outcomes) == 1  # the other was proposed
    assert Match.objects.filter(volunteer=volunteer).count() == 1
    # Teams: one supporter for a team's last place, and a supporter's yes while the pair starts.
    from tests.matching.test_teams import check_team_races

    check_team_races()


def test_the_end_date_is_six_months_on_even_at_a_month_end():
    assert add_months(date(2026, 12, 31), 6) == date(2027, 6, 30)


def test_a_name_without_a_space_is_never_shown_whole_before_the_pair_starts():
    from jii.models import User

    with translation.override("en"):
        assert User(name="佐藤春香").get_short_name() == "Otonari-san"
        assert User(name="Emily Johnson").get_short_name() == "Emily"
        assert User(name="佐藤 春香").get_short_name() == "春香"
