"""OFP teams (a lead volunteer and supporting volunteers, one pair) and rematches (a new volunteer for the same
application after one who moved or stopped)."""

import re
from datetime import timedelta
from functools import partial

import pytest
from django.core import mail
from django.utils import timezone

from jii import hours
from jii.models import Message
from jii.status_links import make_token
from matching.figures import program_figures
from matching.models import Application, CheckIn, Match, Survey
from matching.services import (
    MatchingError,
    answer_survey,
    cancel_proposal,
    close_pair,
    propose_match,
    propose_rematch,
    propose_supporter,
    respond_as_resident,
    respond_as_volunteer,
)
from matching.tasks import send_due_follow_ups
from tests.factories import ApplicationFactory, CoordinatorFactory, approved_volunteer
from tests.matching.test_pages import answer, started_pair
from tests.race import race

pytestmark = pytest.mark.django_db


def named_volunteer(name, latin):
    volunteer = approved_volunteer()
    volunteer.user.name, volunteer.user.given_name_latin = name, latin
    volunteer.user.save()
    return volunteer


def team_of_three(capture):
    """A running pair (lead Haruka) with two supporters: Ken said yes before the pair started, Aya after."""
    lead = propose_match(
        application=ApplicationFactory(), volunteer=named_volunteer("佐藤 春香", "Haruka"), proposed_by=None
    )
    ken = propose_supporter(lead=lead, volunteer=named_volunteer("田中 健", "Ken"), proposed_by=None)
    aya = propose_supporter(lead=lead, volunteer=named_volunteer("鈴木 彩", "Aya"), proposed_by=None)
    with capture(execute=True):
        respond_as_volunteer(match=ken, volunteer=ken.volunteer, accepted=True)
        respond_as_resident(match=lead, resident=lead.application.resident, accepted=True)
        respond_as_volunteer(match=lead, volunteer=lead.volunteer, accepted=True)
        respond_as_volunteer(match=aya, volunteer=aya.volunteer, accepted=True)
    return [Match.objects.get(pk=match.pk) for match in (lead, ken, aya)]


@pytest.fixture
def desk(client):
    client.force_login(CoordinatorFactory())
    return client


def test_a_team_of_three_runs_with_the_leads_dates_and_each_member_checks_in(
    client, django_capture_on_commit_callbacks
):
    lead, ken, aya = team_of_three(django_capture_on_commit_callbacks)
    assert [match.status for match in (lead, ken, aya)] == ["active"] * 3
    assert {(match.starts_on, match.ends_on) for match in (lead, ken, aya)} == {(lead.starts_on, lead.ends_on)}
    assert Application.objects.get(pk=lead.application_id).stage == "active"
    for match, minutes in [(lead, 90), (ken, 60), (aya, 30)]:
        client.force_login(match.volunteer.user)
        assert f"/ofp/pairs/{match.pk}/check-in/" in client.get("/en/volunteer/").content.decode()
        form = {"met": "yes", "how": "phone", "mood": "good", "minutes_spent": minutes}
        response = client.post(f"/en/ofp/pairs/{match.pk}/check-in/", form)
        assert response.status_code == 302
    assert sorted(CheckIn.objects.values_list("match_id", "month")) == sorted([(lead.pk, 1), (ken.pk, 1), (aya.pk, 1)])
    # Each member's hours are their own check-in's time, not the pair's.
    today = timezone.localdate()
    for match, minutes in [(lead, 90), (ken, 60), (aya, 30)]:
        assert hours.volunteer_hours(match.volunteer_id, today, today).total == minutes
    client.force_login(ken.volunteer.user)
    assert client.post(f"/en/ofp/pairs/{aya.pk}/check-in/", {"met": "no", "mood": "good"}).status_code == 404


def test_the_resident_is_told_who_joins_by_given_name_and_sees_the_team_on_the_status_page(
    client, django_capture_on_commit_callbacks
):
    lead, ken, aya = team_of_three(django_capture_on_commit_callbacks)
    resident = lead.application.resident
    joined = [email for email in mail.outbox if email.to == [resident.email] and "joins your" in email.subject]
    assert sorted(email.subject for email in joined) == [
        "Aya (彩) joins your Otonari-san team",
        "Ken (健) joins your Otonari-san team",
    ]
    for email in joined:
        assert "another volunteer, joins your Otonari-san team" in email.body
        assert "田中" not in email.body and "鈴木" not in email.body
        assert ken.volunteer.user.email not in email.body and aya.volunteer.user.email not in email.body
    # Each supporter gets the resident's contact details once they are in the running pair.
    for supporter in (ken, aya):
        started = [email for email in mail.outbox if email.to == [supporter.volunteer.user.email]]
        assert [email.subject for email in started] == ["OFPのチームに加わりました"]
        assert "サポートのボランティアとして利用者さんのチームに加わりました" in started[0].body
        assert resident.email in started[0].body
    to_lead = [email.subject for email in mail.outbox if email.to == [lead.volunteer.user.email]]
    assert "今日からOFPのペアが始まります" in to_lead and "OFPのチームに加わりました" not in to_lead
    html = client.get(f"/en/status/{make_token(resident)}/").content.decode()
    assert "Also in your team: Ken (健), Aya (彩)" in html
    assert "田中 健" not in html and "鈴木 彩" not in html


def test_a_supporter_is_proposed_by_email_and_only_the_volunteer_answers(django_capture_on_commit_callbacks):
    lead = started_pair()
    volunteer = approved_volunteer()
    volunteer.user.language = "en"
    volunteer.user.save()
    with django_capture_on_commit_callbacks(execute=True):
        supporter = propose_supporter(lead=lead, volunteer=volunteer, proposed_by=None)
    assert Message.objects.get(user=volunteer.user).template == "ofp_supporter_proposed_volunteer"
    email = [email for email in mail.outbox if email.to == [volunteer.user.email]][-1]
    assert email.subject == "You are asked to join an OFP pair as a supporting volunteer"
    assert "as a supporting volunteer beside the pair's lead volunteer" in email.body
    assert lead.application.resident.name not in email.body
    assert supporter.status == "proposed" and supporter.resident_accepted_at
    assert Application.objects.get(pk=lead.application_id).stage == "active"  # the application stays as it is


def test_a_supporter_beyond_the_limit_is_refused(settings):
    lead = started_pair()
    for _ in range(2):
        propose_supporter(lead=lead, volunteer=approved_volunteer(), proposed_by=None)
    with pytest.raises(MatchingError, match="The team is full: at most 2 supporting volunteers."):
        propose_supporter(lead=lead, volunteer=approved_volunteer(), proposed_by=None)
    settings.OFP_TEAM_SUPPORTERS = 3
    propose_supporter(lead=lead, volunteer=approved_volunteer(), proposed_by=None)
    assert lead.supporters.count() == 3


def test_a_declined_supporter_frees_a_place_and_leaves_the_pair_alone():
    lead = started_pair()
    first = propose_supporter(lead=lead, volunteer=approved_volunteer(), proposed_by=None)
    propose_supporter(lead=lead, volunteer=approved_volunteer(), proposed_by=None)
    respond_as_volunteer(match=first, volunteer=first.volunteer, accepted=False, reason="busy")
    assert Application.objects.get(pk=lead.application_id).stage == "active"
    assert Match.objects.get(pk=lead.pk).status == "active"
    propose_supporter(lead=lead, volunteer=approved_volunteer(), proposed_by=None)


def test_supporters_are_refused_for_a_member_of_the_team_or_a_supporter_or_a_closed_pair():
    lead = started_pair()
    with pytest.raises(MatchingError) as refused:
        propose_supporter(lead=lead, volunteer=lead.volunteer, proposed_by=None)
    assert [reason["code"] for reason in refused.value.reasons] == ["full", "proposed_before"]
    supporter = propose_supporter(lead=lead, volunteer=approved_volunteer(), proposed_by=None)
    with pytest.raises(MatchingError, match="through its lead volunteer"):
        propose_supporter(lead=supporter, volunteer=approved_volunteer(), proposed_by=None)
    close_pair(match=lead, reason="completed")
    with pytest.raises(MatchingError, match="through its lead volunteer"):
        propose_supporter(lead=lead, volunteer=approved_volunteer(), proposed_by=None)


def test_a_declined_lead_takes_its_supporters_proposals_with_it():
    lead = propose_match(application=ApplicationFactory(), volunteer=approved_volunteer(), proposed_by=None)
    supporter = propose_supporter(lead=lead, volunteer=approved_volunteer(), proposed_by=None)
    respond_as_volunteer(match=supporter, volunteer=supporter.volunteer, accepted=True)
    respond_as_resident(match=lead, resident=lead.application.resident, accepted=False, reason="not now")
    assert Match.objects.get(pk=supporter.pk).status == "cancelled"
    assert Application.objects.get(pk=lead.application_id).stage == "matching"
    # A new lead may be proposed: the one open lead per application is free again.
    other = propose_match(application=lead.application, volunteer=approved_volunteer(), proposed_by=None)
    cancel_proposal(match=other, reason="no answer")


def test_the_team_closes_with_the_pair_and_is_one_pair_in_the_figures(django_capture_on_commit_callbacks):
    lead, ken, aya = team_of_three(django_capture_on_commit_callbacks)
    close_pair(match=lead, reason="completed")
    assert set(Match.objects.values_list("status", flat=True)) == {"completed"}
    today = timezone.localdate()
    figures = program_figures(today - timedelta(days=1), today)
    assert (figures["pairs_started"], figures["matched"], figures["completed"]) == (1, 1, 1)
    assert figures["completion_rate"] == 100.0
    assert sum(count for _label, count in figures["pairs_by_prefecture"]) == 1


def test_a_supporter_who_stops_early_leaves_the_pair_running(django_capture_on_commit_callbacks):
    lead, ken, _aya = team_of_three(django_capture_on_commit_callbacks)
    close_pair(match=ken, reason="volunteer_stopped")
    assert Match.objects.get(pk=lead.pk).status == "active"
    assert Application.objects.get(pk=lead.application_id).stage == "active"
    with pytest.raises(MatchingError):  # only a lead's pair is rematched
        propose_rematch(ended=Match.objects.get(pk=ken.pk), volunteer=approved_volunteer(), proposed_by=None)


def test_supporters_get_check_in_reminders_but_the_team_is_surveyed_once(django_capture_on_commit_callbacks):
    lead, ken, aya = team_of_three(django_capture_on_commit_callbacks)
    Match.objects.update(starts_on=timezone.localdate() - timedelta(days=100))  # month 4, past the midpoint
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        send_due_follow_ups()
    templates = sorted(
        Message.objects.filter(created_at__gte=timezone.now() - timedelta(minutes=1)).values_list("template", flat=True)
    )
    for supporter in (ken, aya):
        sent = set(Message.objects.filter(user=supporter.volunteer.user).values_list("template", flat=True))
        assert "ofp_check_in_reminder" in sent and "ofp_survey_volunteer" not in sent
    assert templates.count("ofp_survey_resident") == 1 and templates.count("ofp_survey_volunteer") == 1
    with pytest.raises(MatchingError):
        answer_survey(match=ken, respondent="volunteer", kind="midpoint", satisfaction=5)
    answer_survey(match=lead, respondent="volunteer", kind="midpoint", satisfaction=5)
    assert Survey.objects.get().match_id == lead.pk


def ended_for(reason):
    match = started_pair()
    return close_pair(match=match, reason=reason)


def test_a_rematch_proposes_a_new_volunteer_to_the_same_application_and_keeps_both_pairs(
    django_capture_on_commit_callbacks,
):
    ended = ended_for("volunteer_moved")
    new_volunteer = approved_volunteer()
    with django_capture_on_commit_callbacks(execute=True):
        rematch = propose_rematch(ended=ended, volunteer=new_volunteer, proposed_by=None)
    application = Application.objects.get(pk=ended.application_id)
    assert application.stage == "proposed"
    assert rematch.application_id == ended.application_id and rematch.rematch_of == ended
    assert list(application.matches.order_by("proposed_at").values_list("status", flat=True)) == [
        "ended_early",
        "proposed",
    ]
    # The usual proposal messages, to the resident and the new volunteer.
    proposals = Message.objects.filter(template__startswith="ofp_proposal_", ids__match=rematch.pk)
    assert {(message.template, message.resident_id or message.user_id) for message in proposals} == {
        ("ofp_proposal_resident", application.resident_id),
        ("ofp_proposal_volunteer", new_volunteer.user_id),
    }
    respond_as_resident(match=rematch, resident=application.resident, accepted=True)
    respond_as_volunteer(match=rematch, volunteer=new_volunteer, accepted=True)
    assert Application.objects.get(pk=application.pk).stage == "active"


def test_a_rematch_is_counted_as_its_own_pair_in_the_figures(desk):
    ended = ended_for("volunteer_stopped")
    rematch = propose_rematch(ended=ended, volunteer=approved_volunteer(), proposed_by=None)
    respond_as_resident(match=rematch, resident=rematch.application.resident, accepted=True)
    rematch = respond_as_volunteer(match=rematch, volunteer=rematch.volunteer, accepted=True)
    close_pair(match=rematch, reason="completed")
    today = timezone.localdate()
    figures = program_figures(today - timedelta(days=1), today)
    assert (figures["applications"], figures["matched"], figures["match_success_rate"]) == (1, 1, 100.0)
    assert (figures["pairs_started"], figures["rematches"]) == (2, 1)
    assert (figures["completed"], figures["ended_early"], figures["completion_rate"]) == (1, 1, 50.0)
    html = desk.get("/en/admin/matching/application/figures/").content.decode()
    assert re.search(r'id="pairs-started">2<', html)
    assert "including 1 rematch<" in html
    assert "a rematch (a new volunteer after one who moved or stopped) counts as a pair of its own." in html
    # The application's history keeps both pairs, the new one named as the rematch.
    html = desk.get(f"/en/admin/matching/application/{rematch.application_id}/change/").content.decode()
    assert f"{rematch.volunteer}</a> (rematch)</td>" in html and f"{ended.volunteer}</a></td>" in html


@pytest.mark.parametrize("reason", ["moved", "schedule", "health", "not_a_fit", "no_contact", "other"])
def test_a_rematch_is_refused_when_the_pair_ended_for_the_residents_reason(reason):
    ended = ended_for(reason)
    with pytest.raises(MatchingError, match="ended early for the volunteer's reason"):
        propose_rematch(ended=ended, volunteer=approved_volunteer(), proposed_by=None)
    assert Application.objects.get(pk=ended.application_id).stage == "ended_early"
    assert Match.objects.count() == 1


def test_a_rematch_is_refused_after_a_completed_pair_or_beside_a_newer_one():
    with pytest.raises(MatchingError):
        propose_rematch(ended=ended_for("completed"), volunteer=approved_volunteer(), proposed_by=None)
    ended = ended_for("volunteer_moved")
    first = propose_rematch(ended=ended, volunteer=approved_volunteer(), proposed_by=None)
    with pytest.raises(MatchingError, match="newer pair or proposal"):
        propose_rematch(ended=ended, volunteer=approved_volunteer(), proposed_by=None)
    # Declined, the rematch may be tried with someone else.
    respond_as_resident(match=first, resident=first.application.resident, accepted=False, reason="not this one")
    second = propose_rematch(ended=ended, volunteer=approved_volunteer(), proposed_by=None)
    assert second.rematch_of_id == ended.pk


def status_page_queries(client, django_assert_num_queries, resident, expected):
    with django_assert_num_queries(expected):
        assert client.get(f"/en/status/{make_token(resident)}/").status_code == 200


@pytest.mark.parametrize(("supporters", "past_pairs"), [(0, 0), (2, 0), (0, 2), (2, 2)])
def test_the_status_page_runs_a_fixed_number_of_queries_whatever_the_team_and_history(
    client, settings, django_assert_num_queries, supporters, past_pairs
):
    application = ApplicationFactory()
    ended = None
    for _ in range(past_pairs):
        if ended is None:
            ended = close_pair(match=started_pair(application=application), reason="volunteer_moved")
            continue
        rematch = propose_rematch(ended=ended, volunteer=approved_volunteer(), proposed_by=None)
        respond_as_resident(match=rematch, resident=application.resident, accepted=True)
        respond_as_volunteer(match=rematch, volunteer=rematch.volunteer, accepted=True)
        ended = close_pair(match=rematch, reason="volunteer_stopped")
    if ended:
        lead = propose_rematch(ended=ended, volunteer=approved_volunteer(), proposed_by=None)
        respond_as_resident(match=lead, resident=application.resident, accepted=True)
        lead = respond_as_volunteer(match=lead, volunteer=lead.volunteer, accepted=True)
    else:
        lead = started_pair(application=application)
    for _ in range(supporters):
        supporter = propose_supporter(lead=lead, volunteer=approved_volunteer(), proposed_by=None)
        respond_as_volunteer(match=supporter, volunteer=supporter.volunteer, accepted=True)
    assert application.matches.count() == 1 + supporters + past_pairs
    # resident; OFP applications, their proposals, pairs and team, those pairs' surveys; the other programs (as
    # tests/jii/test_pages.py counts them)
    status_page_queries(client, django_assert_num_queries, application.resident, 9)


@pytest.mark.parametrize("teams", [1, 3])
def test_the_volunteer_page_runs_a_fixed_number_of_queries_for_a_supporter_of_several_teams(
    client, settings, django_assert_num_queries, teams
):
    settings.OFP_PAIRS_PER_VOLUNTEER = 6
    volunteer = approved_volunteer()
    for _ in range(teams):
        lead = started_pair()
        supporting = propose_supporter(lead=lead, volunteer=volunteer, proposed_by=None)
        respond_as_volunteer(match=supporting, volunteer=volunteer, accepted=True)
        proposed = propose_supporter(lead=started_pair(), volunteer=volunteer, proposed_by=None)
        close_pair(match=lead, reason="completed")  # a past pair, still listed for its closing survey
    client.force_login(volunteer.user)
    with django_assert_num_queries(18):  # as for a lead (test_resident_voice.VOLUNTEER_PAGE_QUERIES)
        html = client.get("/en/volunteer/").content.decode()
    assert html.count("As a supporting volunteer in the team of") == teams
    assert f"/ofp/pairs/{proposed.pk}/respond/" in html


def test_the_coordinator_proposes_a_supporter_from_the_pairs_page_and_sees_the_team(desk):
    lead = started_pair()
    candidate = approved_volunteer()
    html = desk.get(f"/en/admin/matching/match/{lead.pk}/change/").content.decode()
    assert "Candidates to support the pair" in html
    assert f"/admin/matching/match/{lead.pk}/supporters/{candidate.pk}/" in html
    url = f"/en/admin/matching/match/{lead.pk}/supporters/{candidate.pk}/"
    assert desk.get(url).status_code == 403
    html = desk.post(url, follow=True).content.decode()
    assert "Proposed. The volunteer has been emailed." in html
    supporter = Match.objects.get(lead=lead)
    assert supporter.volunteer == candidate
    assert "supporting volunteer" in html and "lead volunteer" in html  # the supporter's page shows the team
    html = desk.post(url, follow=True).content.decode()  # the same volunteer again
    assert "Not proposed:" in html and Match.objects.filter(lead=lead).count() == 1


def test_the_coordinator_proposes_a_rematch_from_the_ended_pair_and_not_after_the_residents_reason(desk):
    ended = ended_for("volunteer_moved")
    candidate = approved_volunteer()
    html = desk.get(f"/en/admin/matching/match/{ended.pk}/change/").content.decode()
    assert "Candidates for a rematch" in html
    response = desk.post(f"/en/admin/matching/match/{ended.pk}/rematch/{candidate.pk}/", follow=True)
    assert "Proposed." in response.content.decode()
    assert Match.objects.get(rematch_of=ended).volunteer == candidate
    html = desk.get(f"/en/admin/matching/match/{ended.pk}/change/").content.decode()
    assert "Candidates for a rematch" not in html  # proposed already
    residents_reason = ended_for("moved")
    html = desk.get(f"/en/admin/matching/match/{residents_reason.pk}/change/").content.decode()
    assert "Candidates for a rematch" not in html
    response = desk.post(f"/en/admin/matching/match/{residents_reason.pk}/rematch/{candidate.pk}/", follow=True)
    assert "Not proposed: Only a pair that ended early" in response.content.decode()


def test_the_volunteer_answers_a_supporting_proposal_on_their_page(client):
    lead = started_pair()
    volunteer = approved_volunteer()
    supporter = propose_supporter(lead=lead, volunteer=volunteer, proposed_by=None)
    client.force_login(volunteer.user)
    response = client.post(f"/en/ofp/pairs/{supporter.pk}/respond/", answer(supporter, "accept"))
    assert response.status_code == 302
    assert Match.objects.get(pk=supporter.pk).status == "active"


def at_once(*calls):
    """Run the calls at the same moment, one thread and connection each: sorted, which were done and which refused."""
    outcomes = race(len(calls), lambda i: calls[i](), refused=MatchingError)
    return sorted("refused" if isinstance(outcome, MatchingError) else "done" for outcome in outcomes)


def check_team_races():
    """Run by the one concurrent test of OFP (tests/matching/test_services.py): a second test with
    serialized_rollback in the same run fails to restore the database."""
    # Three coordinators fill the last place of a team at once: one supporter.
    lead = started_pair()
    propose_supporter(lead=lead, volunteer=approved_volunteer(), proposed_by=None)
    volunteers = [approved_volunteer() for _ in range(3)]
    calls = [partial(propose_supporter, lead=lead, volunteer=volunteer, proposed_by=None) for volunteer in volunteers]
    assert at_once(*calls) == ["done", "refused", "refused"]
    assert lead.supporters.count() == 2
    # A supporter says yes while the lead's yes starts the pair: the supporter joins it either way.
    lead = propose_match(application=ApplicationFactory(), volunteer=approved_volunteer(), proposed_by=None)
    respond_as_resident(match=lead, resident=lead.application.resident, accepted=True)
    supporter = propose_supporter(lead=lead, volunteer=approved_volunteer(), proposed_by=None)
    assert at_once(
        partial(respond_as_volunteer, match=lead, volunteer=lead.volunteer, accepted=True),
        partial(respond_as_volunteer, match=supporter, volunteer=supporter.volunteer, accepted=True),
    ) == ["done", "done"]
    assert set(Match.objects.filter(application=lead.application).values_list("status", flat=True)) == {"active"}


def test_erasing_a_resident_closes_the_pair_with_its_team(django_capture_on_commit_callbacks):
    from matching.privacy import erase

    lead, ken, aya = team_of_three(django_capture_on_commit_callbacks)
    erase(lead.application.resident)
    assert set(Match.objects.values_list("status", flat=True)) == {"ended_early"}


def test_a_lead_volunteer_who_leaves_jii_ends_the_pair_for_the_volunteers_reason_so_it_may_be_rematched():
    from jii.services import ask_for_erasure, erase_person

    lead = started_pair()
    supporter = propose_supporter(lead=lead, volunteer=approved_volunteer(), proposed_by=None)
    erase_person(request=ask_for_erasure(user=lead.volunteer.user), by=CoordinatorFactory())
    ended = Match.objects.get(pk=lead.pk)
    assert (ended.status, ended.end_reason) == ("ended_early", "volunteer_stopped")
    assert Match.objects.get(pk=supporter.pk).status == "cancelled"
    rematch = propose_rematch(ended=ended, volunteer=approved_volunteer(), proposed_by=None)
    assert rematch.rematch_of_id == lead.pk


def test_the_campaign_page_counts_a_running_team_as_one_pair(django_capture_on_commit_callbacks):
    from matching.sections import public_figures

    team_of_three(django_capture_on_commit_callbacks)
    assert [count for _label, count in public_figures()] == [1, 0]


def test_a_team_continues_as_one_its_supporters_follow_the_pairs_new_end(client, django_capture_on_commit_callbacks):
    from django.core.exceptions import PermissionDenied

    from matching.services import ask_for_extension, decide_extension

    lead, ken, aya = team_of_three(django_capture_on_commit_callbacks)
    client.force_login(ken.volunteer.user)
    assert "Ask to continue after the end date" not in client.get("/en/volunteer/").content.decode()
    assert client.post(f"/en/ofp/pairs/{ken.pk}/continue/").status_code == 403
    with pytest.raises(PermissionDenied):
        ask_for_extension(match=ken, by=ken.volunteer)
    client.force_login(lead.volunteer.user)
    assert "Ask to continue after the end date" in client.get("/en/volunteer/").content.decode()
    new_end = lead.ends_on + timedelta(days=60)
    decide_extension(
        extension=ask_for_extension(match=lead, by=lead.volunteer), approved=True, by=None, new_ends_on=new_end
    )
    assert [Match.objects.get(pk=match.pk).ends_on for match in (lead, ken, aya)] == [new_end] * 3
    # The resident's forms belong to the pair: a supporter's part of it is not found from the status page.
    token = make_token(lead.application.resident)
    assert client.post(f"/en/ofp/r/pairs/{ken.pk}/continue/", {"token": token}).status_code == 404
    assert client.post(f"/en/ofp/r/pairs/{lead.pk}/continue/", {"token": token}).status_code == 302
    assert lead.extensions.get(status="open").asked_by == "resident"
