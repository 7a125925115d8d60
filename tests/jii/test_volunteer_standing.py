"""A volunteer helps only once oriented, insured for this insurance year and bound by the current pledge; a
coordinator suspends, archives and reinstates them, which takes effect everywhere in one step; a volunteer
pauses themselves."""

import re
from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.utils import timezone, translation

from hanamaru import services as hanamaru_services
from hanamaru.models import TutorSignup
from jii import outbox, readiness, services
from jii.models import ConfidentialityPledge, Insurance, Message, Orientation, VolunteerProfile
from matching.models import Application
from matching.ranking import rank_candidates
from matching.services import MatchingError, propose_match
from spot import services as spot_services
from spot.models import SpotRequest
from spot.selectors import volunteers_who_fit
from tests.factories import ApplicationFactory, CoordinatorFactory, SpotRequestFactory, approved_volunteer
from tests.hanamaru.conftest import klass, session_in  # noqa: F401  (the class fixture)
from tests.matching.test_pages import started_pair
from tests.spot.test_alerts import saturday_request

pytestmark = pytest.mark.django_db
THIS_YEAR = readiness.insurance_year(timezone.localdate())


def ready_volunteer():
    """Ready to help, and fits saturday_request() (a Spot request in Meguro, in English, about healthcare)."""
    return approved_volunteer(spot_categories=["healthcare"])


def not_insured():
    volunteer = ready_volunteer()
    volunteer.insurances.update(year=THIS_YEAR - 1)  # last year's insurance only
    return volunteer


def not_oriented():
    volunteer = ready_volunteer()
    volunteer.orientations.all().delete()
    return volunteer


def on_an_old_pledge():
    volunteer = ready_volunteer()
    pledge = services.publish_text(ConfidentialityPledge, text={"ja": "第2版", "en": "Version 2"})
    VolunteerProfile.objects.exclude(pk=volunteer.pk).update(pledge=pledge)  # the others agreed to it already
    return volunteer


def paused():
    volunteer = ready_volunteer()
    services.pause_volunteering(profile=volunteer)
    return volunteer


LACKING = {
    not_insured: ("insurance", "JII has no volunteer insurance on record for you for this year (April to March)."),
    not_oriented: ("orientation", "You have not attended an orientation yet."),
    on_an_old_pledge: ("pledge", "You have not agreed to the current confidentiality pledge yet."),
    paused: ("paused", "You have paused your volunteering. Resume it on your page first."),
}


# --- the insurance year ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day, year",
    [(date(2026, 4, 1), 2026), (date(2026, 12, 6), 2026), (date(2027, 3, 31), 2026), (date(2027, 4, 1), 2027)],
)
def test_the_insurance_year_runs_from_april_to_march(day, year):
    assert readiness.insurance_year(day) == year


def test_insurance_for_the_year_now_ending_does_not_cover_april():
    volunteer = ready_volunteer()
    Insurance.objects.filter(volunteer=volunteer).update(year=2026)
    assert readiness.missing_for(volunteer, today=date(2027, 3, 31)) == []
    assert readiness.missing_for(volunteer, today=date(2027, 4, 1)) == ["insurance"]


def test_an_orientation_counts_from_the_day_it_was_attended():
    volunteer = not_oriented()
    Orientation.objects.create(volunteer=volunteer, attended_on=date(2026, 5, 10), session="Online, evening")
    assert readiness.missing_for(volunteer, today=date(2026, 5, 9)) == ["orientation"]
    assert readiness.missing_for(volunteer, today=date(2026, 5, 10)) == []


# --- each gate, with the reason shown -----------------------------------------------------------------------------


@pytest.mark.parametrize("lacking", LACKING, ids=lambda make: make.__name__)
def test_a_volunteer_who_may_not_help_yet_is_no_ofp_candidate_and_the_list_says_why(lacking, client):
    ready = ready_volunteer()
    volunteer = lacking()
    application = ApplicationFactory()
    ranking = rank_candidates(application)
    assert [candidate.volunteer_id for candidate in ranking.candidates] == [ready.pk]
    [excluded] = ranking.excluded
    code, _told = LACKING[lacking]
    assert (excluded.volunteer_id, excluded.reasons) == (volunteer.pk, [{"code": "not_ready", "missing": [code]}])
    with pytest.raises(MatchingError) as refused:
        propose_match(application=application, volunteer=volunteer, proposed_by=None)
    assert refused.value.reasons == [{"code": "not_ready", "missing": [code]}]

    client.force_login(CoordinatorFactory())
    html = client.get(f"/en/admin/matching/application/{application.pk}/change/").content.decode()
    shown = {
        "insurance": "may not help yet: no volunteer insurance for this year",
        "orientation": "may not help yet: no orientation yet",
        "pledge": "may not help yet: has not agreed to the current confidentiality pledge",
        "paused": "may not help yet: paused their volunteering",
    }
    assert shown[code] in html


def test_every_missing_step_is_named():
    volunteer = not_oriented()
    volunteer.insurances.all().delete()
    services.pause_volunteering(profile=volunteer)
    assert readiness.missing_for(volunteer) == ["paused", "orientation", "insurance"]
    with translation.override("ja"):
        assert (
            readiness.describe(["orientation", "insurance"]) == "オリエンテーション未受講; 今年度のボランティア保険なし"
        )


@pytest.mark.parametrize("lacking", LACKING, ids=lambda make: make.__name__)
def test_a_volunteer_who_may_not_help_yet_cannot_accept_a_spot_request_and_is_told_why(lacking, client):
    ready = ready_volunteer()
    volunteer = lacking()
    spot_request = saturday_request()
    client.force_login(volunteer.user)
    board = client.get("/en/spot/board/").content.decode()
    _code, told = LACKING[lacking]
    assert "Before you can help" in board and told in board
    assert "I can help — accept" not in board  # no button that can only fail
    response = client.post(f"/en/spot/requests/{spot_request.pk}/accept/", follow=True)
    assert told in response.content.decode()
    spot_request.refresh_from_db()
    assert (spot_request.status, spot_request.volunteer) == ("open", None)
    assert volunteers_who_fit(spot_request) == [ready]  # no alerts about requests they cannot take


def test_a_ready_volunteer_sees_no_notice_and_accepts(client):
    volunteer = ready_volunteer()
    spot_request = SpotRequestFactory(status="open")
    client.force_login(volunteer.user)
    board = client.get("/en/spot/board/").content.decode()
    assert "Before you can help" not in board and "I can help — accept" in board
    client.post(f"/en/spot/requests/{spot_request.pk}/accept/")
    assert SpotRequest.objects.get(pk=spot_request.pk).volunteer == volunteer


@pytest.mark.parametrize("lacking", LACKING, ids=lambda make: make.__name__)
def test_a_volunteer_who_may_not_help_yet_cannot_sign_up_to_tutor_and_is_told_why(lacking, klass):  # noqa: F811
    volunteer = lacking()
    session = session_in(klass, days=3)
    with pytest.raises(hanamaru_services.HanamaruError) as refused:
        hanamaru_services.sign_up_tutor(session=session, volunteer=volunteer)
    assert str(refused.value) == LACKING[lacking][1]
    assert not TutorSignup.objects.exists()
    hanamaru_services.sign_up_tutor(session=session, volunteer=approved_volunteer())
    assert TutorSignup.objects.count() == 1


def test_the_volunteer_page_lists_what_is_missing_in_their_language(client):
    volunteer = not_insured()
    volunteer.orientations.all().delete()
    client.force_login(volunteer.user)
    html = client.get("/volunteer/").content.decode()  # the volunteer's language: Japanese
    assert "お手伝いを始める前に" in html
    assert "オリエンテーションにまだ参加していません。" in html
    assert "今年度（4月〜翌3月）のボランティア保険の記録がありません。" in html


# --- insurance that ends: the March reminder and the coordinators' list ----------------------------------------


def test_in_march_volunteers_whose_insurance_ends_are_reminded_once(django_capture_on_commit_callbacks):
    ending, renewed, uninsured = approved_volunteer(), approved_volunteer(), approved_volunteer()
    Insurance.objects.filter(volunteer__in=[ending, renewed]).update(year=2026)
    Insurance.objects.create(volunteer=renewed, year=2027)
    uninsured.insurances.all().delete()  # never insured: not "ending"; the coordinators' list has them
    assert services.remind_of_insurance_ending(date(2027, 2, 28)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.remind_of_insurance_ending(date(2027, 3, 1)) == 1
        assert services.remind_of_insurance_ending(date(2027, 3, 2)) == 1  # found again, written once
    [message] = Message.objects.filter(template="volunteer_insurance_ending")
    assert (message.user, message.language) == (ending.user, "ja")
    [email] = mail.outbox
    assert email.to == [ending.user.email]
    assert email.subject == "ボランティア保険は3月31日で終わります"
    assert "2027年3月31日" in email.body and "2027年度" in email.body


def test_a_reminder_written_before_the_renewal_was_recorded_is_not_sent():
    volunteer = ready_volunteer()
    volunteer.insurances.update(year=2026)
    services.remind_of_insurance_ending(date(2027, 3, 1))
    Insurance.objects.create(volunteer=volunteer, year=2027)
    message = Message.objects.get(template="volunteer_insurance_ending")
    assert outbox.deliver(message.pk) == "obsolete"
    assert not mail.outbox


def test_coordinators_list_who_is_not_covered_for_april(client, monkeypatch):
    covered, not_covered = approved_volunteer(), approved_volunteer()
    Insurance.objects.create(volunteer=covered, year=THIS_YEAR + 1)
    client.force_login(CoordinatorFactory())
    html = client.get("/en/admin/jii/volunteerprofile/?insured=next").content.decode()
    listed = set(map(int, re.findall(r"/admin/jii/volunteerprofile/(\d+)/change/", html)))
    assert listed == {not_covered.pk}
    assert f"Not insured for April {THIS_YEAR + 1}" in html

    import jii.sections

    monkeypatch.setattr(jii.sections.timezone, "localdate", lambda: date(THIS_YEAR + 1, 3, 2))
    desk = client.get("/en/admin/").content.decode()
    assert f"1 volunteer is not insured for April {THIS_YEAR + 1}" in desk


# --- suspension, archiving, reinstating ----------------------------------------------------------------------


def busy_volunteer(klass):  # noqa: F811
    """A volunteer with something open in every program: an accepted Spot request, a tutor session to come and an
    OFP proposal not answered yet."""
    volunteer = ready_volunteer()
    spot_request = saturday_request()
    spot_services.accept_request(request=spot_request, volunteer=volunteer)
    hanamaru_services.sign_up_tutor(session=session_in(klass, days=3), volunteer=volunteer)
    proposal = propose_match(application=ApplicationFactory(), volunteer=volunteer, proposed_by=None)
    return volunteer, spot_request, proposal


def test_suspending_takes_the_volunteer_off_everything_at_once(klass, django_capture_on_commit_callbacks):  # noqa: F811
    volunteer, spot_request, proposal = busy_volunteer(klass)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.suspend_volunteer(
            profile=volunteer, reason="concern", note="A resident's complaint", until=date.today() + timedelta(30)
        )
    volunteer.refresh_from_db()
    assert (volunteer.status, volunteer.status_reason, volunteer.status_note) == (
        "suspended",
        "concern",
        "A resident's complaint",
    )
    # Spot: the request is open again and its resident is told.
    spot_request.refresh_from_db()
    assert (spot_request.status, spot_request.volunteer) == ("open", None)
    assert Message.objects.filter(template="spot_released_resident", resident=spot_request.resident).exists()
    # Hanamaru: no longer a tutor of the session to come.
    assert not TutorSignup.objects.filter(volunteer=volunteer, withdrawn_at=None).exists()
    # OFP: the proposal is taken back and the application waits again; no longer a candidate anywhere.
    proposal.refresh_from_db()
    assert proposal.status == "cancelled"
    assert Application.objects.get(pk=proposal.application_id).stage == "matching"
    assert volunteer.pk not in [c.volunteer_id for c in rank_candidates(ApplicationFactory()).candidates]
    assert volunteer not in volunteers_who_fit(spot_request)
    # The volunteer is told, in Japanese, with the reason and the end date; the note stays with coordinators.
    told = [email for email in mail.outbox if email.to == [volunteer.user.email]]
    [email] = told
    assert email.subject == "JIIでのボランティア活動は一時停止中です"
    assert "理由: 確認中の事柄があります" in email.body
    assert "complaint" not in email.body
    # Audited: who changed the standing, and the note masked.
    entry = LogEntry.objects.get_for_object(volunteer).filter(changes__icontains="suspended").get()
    assert "complaint" not in str(entry.changes)


def test_a_suspended_volunteers_running_pair_is_flagged_for_a_coordinator_not_ended():
    pair = started_pair()
    services.suspend_volunteer(profile=pair.volunteer, reason="documents")
    pair.refresh_from_db()
    assert (pair.status, pair.needs_attention) == ("active", True)


@pytest.mark.parametrize("reason, end_reason", [("moved", "volunteer_moved"), ("stopped", "volunteer_stopped")])
def test_archiving_a_volunteer_who_left_ends_their_pair_with_their_reason(reason, end_reason):
    pair = started_pair()
    services.archive_volunteer(profile=pair.volunteer, reason=reason)
    pair.refresh_from_db()
    assert (pair.status, pair.end_reason) == ("ended_early", end_reason)
    assert Message.objects.filter(template="volunteer_archived", user=pair.volunteer.user).exists()


def test_a_suspension_ends_by_itself_on_its_day(django_capture_on_commit_callbacks):
    volunteer = ready_volunteer()
    services.suspend_volunteer(profile=volunteer, reason="on_leave", until=date.today() + timedelta(days=7))
    assert services.end_suspensions(date.today() + timedelta(days=6)) == 0
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.end_suspensions(date.today() + timedelta(days=7)) == 1
    volunteer.refresh_from_db()
    assert (volunteer.status, volunteer.status_reason, volunteer.suspended_until) == ("approved", "", None)
    [email] = mail.outbox
    assert email.subject == "JIIでのボランティア活動を再開できます"


@pytest.mark.parametrize(
    "step, arguments, refused",
    [
        (services.suspend_volunteer, {"reason": "moved"}, "Choose a reason for the suspension."),
        (services.suspend_volunteer, {"reason": "concern", "until": date.today()}, "must be a day after today"),
        (services.archive_volunteer, {"reason": "concern"}, "Choose why the volunteer left."),
        (services.reinstate_volunteer, {}, "Only a suspended or archived volunteer can be reinstated."),
    ],
)
def test_standing_changes_that_make_no_sense_are_refused(step, arguments, refused):
    volunteer = ready_volunteer()
    with pytest.raises(services.StandingError, match=refused):
        step(profile=volunteer, **arguments)
    assert VolunteerProfile.objects.get(pk=volunteer.pk).status == "approved"


def test_a_coordinator_suspends_and_reinstates_from_the_volunteers_page(client):
    volunteer = ready_volunteer()
    client.force_login(CoordinatorFactory())
    page = f"/en/admin/jii/volunteerprofile/{volunteer.pk}/change/"
    assert "Suspend" in client.get(page).content.decode()
    url = f"/en/admin/jii/volunteerprofile/{volunteer.pk}/standing/suspend/"
    form = client.get(url).content.decode()
    assert "a concern is being looked into" in form and "moved away" not in form
    error = client.post(url, {"reason": "concern", "until": date.today().isoformat()}).content.decode()
    assert "The end of a suspension must be a day after today." in error
    response = client.post(url, {"reason": "concern", "note": "Checking a complaint"}, follow=True)
    assert "Suspended. Their open Spot requests are back on the board and they are told." in response.content.decode()
    assert VolunteerProfile.objects.get(pk=volunteer.pk).status == "suspended"
    client.post(f"/en/admin/jii/volunteerprofile/{volunteer.pk}/standing/reinstate/")
    assert VolunteerProfile.objects.get(pk=volunteer.pk).status == "approved"


def test_only_coordinators_with_the_permission_change_a_volunteers_standing(client):
    volunteer = ready_volunteer()
    client.force_login(CoordinatorFactory(groups=["consultation staff"]))
    url = f"/en/admin/jii/volunteerprofile/{volunteer.pk}/standing/suspend/"
    assert client.post(url, {"reason": "concern"}).status_code == 403
    assert VolunteerProfile.objects.get(pk=volunteer.pk).status == "approved"


def test_a_suspended_volunteer_sees_no_residents_and_is_told_why(client):
    volunteer = ready_volunteer()
    services.suspend_volunteer(profile=volunteer, reason="documents")
    client.force_login(volunteer.user)
    assert client.get("/en/spot/board/").status_code == 403
    html = client.get("/en/volunteer/").content.decode()
    assert "A JII coordinator has suspended your volunteering for now" in html
    assert "a document or training is missing" in html


# --- the volunteer's own pause ------------------------------------------------------------------------------------


def test_a_volunteer_pauses_and_resumes_from_their_page(client):
    volunteer = ready_volunteer()
    spot_request = saturday_request()
    assert volunteers_who_fit(spot_request) == [volunteer]
    client.force_login(volunteer.user)
    response = client.post("/en/volunteer/pause/", {"pause": "1"}, follow=True)
    assert "Your volunteering is paused." in response.content.decode()
    assert "Resume my volunteering" in response.content.decode()
    assert volunteer not in volunteers_who_fit(spot_request)
    client.post("/en/volunteer/pause/")
    assert VolunteerProfile.objects.get(pk=volunteer.pk).paused_at is None
    assert volunteer in volunteers_who_fit(spot_request)


def test_the_new_pages_are_valid_html(client):
    from tests.page_checks import nu_errors

    not_ready, suspended, paused_one = not_insured(), ready_volunteer(), paused()
    services.suspend_volunteer(profile=suspended, reason="on_leave", until=date.today() + timedelta(days=9))
    pages = {}
    for name, volunteer in [("not ready", not_ready), ("suspended", suspended), ("paused", paused_one)]:
        client.force_login(volunteer.user)
        pages[f"{name}: own page"] = client.get("/volunteer/").content.decode()
    client.force_login(not_ready.user)
    pages["not ready: board"] = client.get("/en/spot/board/").content.decode()
    client.force_login(CoordinatorFactory())
    pages["suspend form"] = client.get(f"/en/admin/jii/volunteerprofile/{not_ready.pk}/standing/suspend/")
    pages["suspend form"] = pages["suspend form"].content.decode()
    pages["suspended, admin"] = client.get(f"/en/admin/jii/volunteerprofile/{suspended.pk}/change/").content.decode()
    pages["not covered"] = client.get("/en/admin/jii/volunteerprofile/?insured=next").content.decode()
    assert nu_errors(pages) == {}


# --- between two steps: what changed meanwhile is seen -----------------------------------------------------------


def test_a_proposal_answered_after_the_insurance_year_ended_is_refused_with_the_reason(client):
    from tests.matching.test_pages import answer

    volunteer = ready_volunteer()
    match = propose_match(application=ApplicationFactory(), volunteer=volunteer, proposed_by=None)
    volunteer.insurances.update(year=THIS_YEAR - 1)  # 1 April came meanwhile
    client.force_login(volunteer.user)
    response = client.post(f"/en/ofp/pairs/{match.pk}/respond/", answer(match, "accept"), follow=True)
    assert LACKING[not_insured][1] in response.content.decode()
    match.refresh_from_db()
    assert (match.status, match.volunteer_accepted_at) == ("proposed", None)


def test_an_alert_held_for_quiet_hours_is_not_sent_to_a_volunteer_who_paused_meanwhile():
    volunteer = ready_volunteer()
    spot_request = saturday_request()
    message = outbox.queue("spot_alert", once="held", to=volunteer.user, request=spot_request.pk)
    services.pause_volunteering(profile=volunteer)
    assert outbox.deliver(message.pk) == "obsolete"
    services.resume_volunteering(profile=volunteer)
    again = outbox.queue("spot_alert", once="again", to=volunteer.user, request=spot_request.pk)
    assert outbox.deliver(again.pk) == "sent"


def test_the_suspension_email_says_what_was_decided_then_even_if_sent_after_a_later_change():
    volunteer = ready_volunteer()
    services.suspend_volunteer(profile=volunteer, reason="documents", until=date.today() + timedelta(days=3))
    services.archive_volunteer(profile=volunteer, reason="moved")  # before the outbox got to the first
    for message in Message.objects.filter(user=volunteer.user).order_by("pk"):
        outbox.deliver(message.pk)
    suspended, archived = mail.outbox
    assert "理由: 書類または研修が不足しています" in suspended.body
    assert "理由: 転居のため" in archived.body
    assert archived.subject == "JIIでのボランティア活動をありがとうございました"
    assert "活動時間の確認や証明書のダウンロード" in archived.body


def test_an_erased_volunteer_is_neither_reinstated_by_the_daily_job_nor_archived():
    volunteer = ready_volunteer()
    services.suspend_volunteer(profile=volunteer, reason="on_leave", until=date.today() + timedelta(days=1))
    services.erase_person(request=services.ask_for_erasure(user=volunteer.user), by=CoordinatorFactory())
    assert services.end_suspensions(date.today() + timedelta(days=1)) == 0
    with pytest.raises(services.StandingError, match="closed and erased"):
        services.archive_volunteer(profile=volunteer, reason="stopped")


# --- the first day: volunteers approved before orientations and insurance were recorded ----------------------


def test_volunteers_approved_before_are_recorded_as_oriented_and_their_insurance_in_one_go(client):
    from importlib import import_module

    from django.apps import apps

    backfill = import_module("jii.migrations.0023_orientation_of_approved_volunteers")
    approved, pending = not_oriented(), ready_volunteer()
    VolunteerProfile.objects.filter(pk=pending.pk).update(status="pending")
    pending.orientations.all().delete()
    already = ready_volunteer()
    backfill.record_orientations(apps, None)
    assert approved.orientations.get().attended_on == timezone.localtime(approved.submitted_at).date()
    assert not pending.orientations.exists() and already.orientations.count() == 1

    client.force_login(CoordinatorFactory())
    selected = [approved.pk, already.pk]
    response = client.post(
        "/en/admin/jii/volunteerprofile/",
        {"action": "insure_next_year", "_selected_action": selected},
        follow=True,
    )
    assert f"Insurance from April {THIS_YEAR + 1} recorded for 2 volunteers." in response.content.decode()
    assert set(services.not_covered_for(THIS_YEAR + 1)) == set()  # the pending one is not on the list
