"""The resident's own voice in a pair: the monthly check-in they answer from their status page (a worried answer
flags the pair for a coordinator), and a request to continue after the six months, asked by either side and
decided by a coordinator."""

from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from jii.models import LineLink, Message
from jii.status_links import make_token
from matching.follow_ups import due_follow_ups
from matching.models import Extension, Match, ResidentCheckIn, add_months
from matching.services import (
    MatchingError,
    answer_resident_check_in,
    ask_for_extension,
    decide_extension,
    log_check_in,
    mark_concern_handled,
)
from matching.tasks import send_due_follow_ups
from tests.factories import ApplicationFactory, CoordinatorFactory, ResidentFactory, approved_volunteer
from tests.jii.test_encryption import stored
from tests.jii.test_line import LINE_USER, line_account, line_api  # noqa: F401 (LINE's API stopped at its boundary)
from tests.matching.test_pages import started_pair
from tests.matching.test_teams import at_once

pytestmark = pytest.mark.django_db

START = date(2026, 1, 10)


def move_start(match, days_ago):
    """The pair started `days_ago` days ago, for six months."""
    starts_on = timezone.localdate() - timedelta(days=days_ago)
    Match.objects.filter(pk=match.pk).update(starts_on=starts_on, ends_on=add_months(starts_on, 6))
    return Match.objects.get(pk=match.pk)


def running_pair(days_ago=20, language="en"):
    """A pair whose current month's check-in is open (from the 14th day of the month)."""
    match = started_pair(application=ApplicationFactory(resident__language=language))
    return move_start(match, days_ago)


def status_page(client, match, prefix="/en"):
    response = client.get(f"{prefix}/status/{make_token(match.application.resident)}/")
    assert response.status_code == 200
    return response.content.decode()


def check_in_form(match, feeling="good", need=""):
    return {
        f"check-in-{match.pk}-feeling": feeling,
        f"check-in-{match.pk}-need": need,
        "token": make_token(match.application.resident),
    }


@pytest.fixture
def run_job(django_capture_on_commit_callbacks):
    def run():
        with django_capture_on_commit_callbacks(execute=True):
            return send_due_follow_ups()

    return run


# --- the monthly message ----------------------------------------------------------------------------------


def resident_check_ins_due(day, ends_on=date(2026, 7, 10)):
    match = Match(starts_on=START, ends_on=ends_on)
    return [(kind, month) for kind, month in due_follow_ups(match, day, set()) if kind == "resident_check_in"]


def test_the_resident_is_asked_from_the_14th_day_of_each_month_of_the_pair():
    assert resident_check_ins_due(date(2026, 1, 23)) == []
    assert resident_check_ins_due(date(2026, 1, 24)) == [("resident_check_in", 1)]
    assert resident_check_ins_due(date(2026, 2, 23)) == []  # month 2 began on 10 February
    assert resident_check_ins_due(date(2026, 2, 24)) == [("resident_check_in", 2)]
    assert resident_check_ins_due(date(2026, 6, 30)) == [("resident_check_in", 6)]
    # An extended pair goes on being asked, month after month, until its new end.
    assert resident_check_ins_due(date(2026, 7, 24), ends_on=date(2026, 9, 10)) == [("resident_check_in", 7)]
    assert resident_check_ins_due(date(2026, 8, 24), ends_on=date(2026, 9, 10)) == [("resident_check_in", 8)]


def test_the_daily_job_asks_each_running_pairs_resident_once_a_month_in_their_language(run_job):
    match = running_pair(days_ago=20, language="vi")
    other = running_pair(days_ago=20)
    not_yet = running_pair(days_ago=5)
    mail.outbox.clear()

    run_job()
    messages = Message.objects.filter(template="ofp_resident_check_in")
    assert sorted(messages.values_list("once_key", "resident", "language", "state")) == sorted(
        [
            (f"ofp_resident_check_in:{match.pk}:1", match.application.resident_id, "vi", "sent"),
            (f"ofp_resident_check_in:{other.pk}:1", other.application.resident_id, "en", "sent"),
        ]
    )
    to_other = [email for email in mail.outbox if email.to == [other.application.resident.email]]
    assert [email.subject for email in to_other] == ["OFP: how is it going? (month 1)"]
    assert "two short questions on your status page" in to_other[0].body and "/en/status/" in to_other[0].body
    to_vietnamese = [email for email in mail.outbox if email.to == [match.application.resident.email]]
    assert len(to_vietnamese) == 1 and "/vi/status/" in to_vietnamese[0].body  # her status page, in Vietnamese
    assert not [email for email in mail.outbox if email.to == [not_yet.application.resident.email]]

    sent = len(mail.outbox)
    assert run_job() == 0  # the same month again: nothing
    assert len(mail.outbox) == sent
    move_start(match, days_ago=50)  # the next month's turn
    run_job()
    assert messages.filter(once_key=f"ofp_resident_check_in:{match.pk}:2").exists()


def test_a_resident_who_linked_line_is_asked_on_line(run_job, line_account, line_api):  # noqa: F811
    match = running_pair()
    LineLink.objects.create(line_user_id=LINE_USER, resident=match.application.resident)
    push, _reply = line_api
    mail.outbox.clear()
    run_job()
    message = Message.objects.get(template="ofp_resident_check_in")
    assert (message.state, message.channel) == ("sent", "line")
    [request] = [call.args[0] for call in push.call_args_list if call.args[0].to == LINE_USER]
    assert request.messages[0].text.startswith("OFP: how is it going? (month 1)\n\n")
    assert not [email for email in mail.outbox if email.to == [match.application.resident.email]]


def test_no_message_once_the_resident_has_answered_from_their_page(run_job):
    match = running_pair()
    answer_resident_check_in(match=match, resident=match.application.resident, feeling="good")
    mail.outbox.clear()
    run_job()
    assert Message.objects.get(template="ofp_resident_check_in").state == Message.State.OBSOLETE
    assert not [email for email in mail.outbox if email.to == [match.application.resident.email]]


# --- answering from the status page -----------------------------------------------------------------------


def test_the_status_page_asks_with_three_faces_in_words_and_stores_the_answer_encrypted(client):
    match = running_pair()
    html = status_page(client, match)
    assert "This month's check-in" in html
    # A radio group with a visible word for each face (the face itself hidden from screen readers).
    for value, word in [("good", "Good"), ("okay", "Okay"), ("worried", "Worried")]:
        assert f'value="{value}"' in html
        assert f"</span> {word}</label>" in html
    assert '<span class="face" aria-hidden="true">' in html
    assert "<legend>How is it going with your Otonari-san?</legend>" in html

    response = client.post(
        f"/en/ofp/r/pairs/{match.pk}/check-in/", check_in_form(match, "okay", "A Japanese class for my son")
    )
    assert response.status_code == 302
    check_in = ResidentCheckIn.objects.get()
    assert (check_in.match, check_in.month, check_in.feeling) == (match, 1, "okay")
    assert check_in.need == "A Japanese class for my son"
    assert "Japanese class" not in stored(ResidentCheckIn, check_in.pk, "need")
    assert not Match.objects.get(pk=match.pk).needs_attention  # "okay" is not a worry
    assert "This month's check-in" not in status_page(client, match)  # answered: the form is gone


def test_a_second_answer_in_the_same_month_is_refused_and_the_first_kept(client):
    match = running_pair()
    client.post(f"/en/ofp/r/pairs/{match.pk}/check-in/", check_in_form(match, "worried", "Help with the landlord"))
    response = client.post(
        f"/en/ofp/r/pairs/{match.pk}/check-in/", check_in_form(match, "good", "All fine now"), follow=True
    )
    assert "already answered" in response.content.decode()
    check_in = ResidentCheckIn.objects.get()
    assert (check_in.feeling, check_in.need) == ("worried", "Help with the landlord")
    with pytest.raises(MatchingError):
        answer_resident_check_in(match=match, resident=match.application.resident, feeling="good")


def test_the_next_month_takes_a_new_answer(client):
    match = running_pair(days_ago=20)
    answer_resident_check_in(match=match, resident=match.application.resident, feeling="good")
    match = move_start(match, days_ago=50)
    answer_resident_check_in(match=match, resident=match.application.resident, feeling="okay")
    assert list(ResidentCheckIn.objects.values_list("month", "feeling")) == [(1, "good"), (2, "okay")]


def test_an_answer_without_a_face_is_explained_next_to_the_question(client):
    match = running_pair()
    data = check_in_form(match, "")
    response = client.post(f"/en/ofp/r/pairs/{match.pk}/check-in/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="id_check-in-{match.pk}-feeling_error"' in html and "Please choose one." in html
    assert f'name="token" value="{data["token"]}"' in html  # can be sent again
    assert not ResidentCheckIn.objects.exists()
    response = client.post(f"/en/ofp/r/pairs/{match.pk}/check-in/", check_in_form(match, "ecstatic"))
    assert response.status_code == 200 and not ResidentCheckIn.objects.exists()


def test_before_the_14th_day_there_is_no_check_in_to_answer(client):
    match = running_pair(days_ago=5)
    assert "This month's check-in" not in status_page(client, match)
    response = client.post(f"/en/ofp/r/pairs/{match.pk}/check-in/", check_in_form(match), follow=True)
    assert response.status_code == 200 and not ResidentCheckIn.objects.exists()


def test_only_the_pairs_resident_can_answer(client):
    match = running_pair()
    intruder = ResidentFactory()
    data = {**check_in_form(match), "token": make_token(intruder)}
    assert client.post(f"/en/ofp/r/pairs/{match.pk}/check-in/", data).status_code == 404
    assert client.post(f"/en/ofp/r/pairs/{match.pk}/check-in/", {**data, "token": "forged"}).status_code == 404
    assert not ResidentCheckIn.objects.exists()


def test_a_worried_answer_flags_the_pair_and_the_coordinator_sees_it(client, django_capture_on_commit_callbacks):
    match = running_pair()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/en/ofp/r/pairs/{match.pk}/check-in/", check_in_form(match, "worried", "My landlord shouts"))
    assert Match.objects.get(pk=match.pk).needs_attention
    [email] = mail.outbox
    assert email.to == [settings.COORDINATOR_EMAIL]
    assert Message.objects.get(template="ofp_resident_worried_coordinator").address == settings.COORDINATOR_EMAIL
    assert f"#{match.pk}" in email.subject
    assert f"/admin/matching/match/{match.pk}/change/" in email.body
    assert "landlord" not in email.body and match.application.resident.name not in email.body

    client.force_login(CoordinatorFactory())
    desk = client.get("/en/admin/").content.decode()
    assert "1 pair needs a coordinator" in desk
    page = client.get(f"/en/admin/matching/match/{match.pk}/change/").content.decode()
    assert "Worried" in page and "My landlord shouts" in page
    mark_concern_handled(match=match)
    assert not Match.objects.get(pk=match.pk).needs_attention
    assert "needs a coordinator" not in client.get("/en/admin/").content.decode()


# --- asking to continue -----------------------------------------------------------------------------------


def test_the_resident_asks_to_continue_from_the_status_page(client, django_capture_on_commit_callbacks):
    match = running_pair()
    token = make_token(match.application.resident)
    assert "Ask to continue" in status_page(client, match)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/en/ofp/r/pairs/{match.pk}/continue/", {"token": token})
    assert response.status_code == 302
    extension = Extension.objects.get()
    assert (extension.match, extension.asked_by, extension.status) == (match, "resident", "open")
    assert [email.to for email in mail.outbox] == [[settings.COORDINATOR_EMAIL]]
    assert f"#{match.pk}" in mail.outbox[0].subject
    html = status_page(client, match)
    assert "You asked to continue" in html and "Ask to continue</button>" not in html


def test_the_volunteer_asks_to_continue_from_their_page(client):
    match = running_pair()
    client.force_login(match.volunteer.user)
    assert f"/en/ofp/pairs/{match.pk}/continue/" in client.get("/en/volunteer/").content.decode()
    client.post(f"/en/ofp/pairs/{match.pk}/continue/")
    assert Extension.objects.get().asked_by == "volunteer"
    html = client.get("/en/volunteer/").content.decode()
    assert "is asked for. A coordinator will tell you both." in html
    assert client.get(f"/en/ofp/pairs/{match.pk}/continue/").status_code == 405


def test_asking_twice_is_refused_while_a_request_is_open(client):
    match = running_pair()
    ask_for_extension(match=match, by=match.application.resident)
    client.force_login(match.volunteer.user)
    response = client.post(f"/en/ofp/pairs/{match.pk}/continue/", follow=True)
    assert "already asked for" in response.content.decode()
    with pytest.raises(MatchingError):
        ask_for_extension(match=match, by=match.application.resident)
    with pytest.raises(IntegrityError), transaction.atomic():  # the database has the last word
        Extension.objects.create(match=match, asked_by="volunteer")
    assert Extension.objects.count() == 1


def test_once_decided_the_pair_may_ask_again():
    match = running_pair()
    decide_extension(extension=ask_for_extension(match=match, by=match.volunteer), approved=False, by=None)
    ask_for_extension(match=match, by=match.application.resident)
    assert sorted(Extension.objects.values_list("status", flat=True)) == ["declined", "open"]


def test_only_the_pairs_people_can_ask(client):
    match = running_pair()
    with pytest.raises(PermissionDenied):
        ask_for_extension(match=match, by=ResidentFactory())
    intruder = approved_volunteer()
    client.force_login(intruder.user)
    assert client.post(f"/en/ofp/pairs/{match.pk}/continue/").status_code == 404
    other = ResidentFactory()
    assert client.post(f"/en/ofp/r/pairs/{match.pk}/continue/", {"token": make_token(other)}).status_code == 404
    assert not Extension.objects.exists()


@pytest.fixture
def desk(client):
    client.force_login(CoordinatorFactory())
    return client


def decide(desk, extension, **data):
    return desk.post(f"/en/admin/matching/extension/{extension.pk}/decide/", data)


def test_a_coordinator_approves_a_later_end_date_and_both_sides_are_told(desk, django_capture_on_commit_callbacks):
    match = running_pair()
    extension = ask_for_extension(match=match, by=match.application.resident)
    assert "1 request to continue a pair waits for a decision" in desk.get("/en/admin/").content.decode()
    page = desk.get(f"/en/admin/matching/extension/{extension.pk}/change/").content.decode()
    assert f"/admin/matching/extension/{extension.pk}/decide/" in page
    later = match.ends_on + timedelta(days=90)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(desk, extension, decision="approve", new_ends_on=later.isoformat())
    assert response.status_code == 302
    extension.refresh_from_db()
    assert (extension.status, extension.new_ends_on, extension.decided_at is not None) == ("approved", later, True)
    assert extension.decided_by.is_staff
    assert Match.objects.get(pk=match.pk).ends_on == later
    told = Message.objects.filter(template__startswith="ofp_extension_decided")
    assert sorted(told.values_list("template", "resident", "user", "state")) == [
        ("ofp_extension_decided_resident", match.application.resident_id, None, "sent"),
        ("ofp_extension_decided_volunteer", None, match.volunteer.user_id, "sent"),
    ]
    assert {email.to[0] for email in mail.outbox} == {match.application.resident.email, match.volunteer.user.email}
    to_resident = next(email for email in mail.outbox if email.to == [match.application.resident.email])
    assert to_resident.subject == "OFP: your pair continues"
    assert "It now ends on" in to_resident.body and "/en/status/" in to_resident.body
    to_volunteer = next(email for email in mail.outbox if email.to == [match.volunteer.user.email])
    assert "/volunteer/" in to_volunteer.body
    # Audited: the pair's end date change and the decision, with who made it.
    entries = LogEntry.objects.get_for_object(Match.objects.get(pk=match.pk)).order_by("timestamp")
    assert [entry.changes["ends_on"] for entry in entries if "ends_on" in entry.changes][-1] == [
        str(match.ends_on),
        str(later),
    ]
    assert LogEntry.objects.get_for_object(extension).filter(action=LogEntry.Action.UPDATE).exists()
    assert "waits for a decision" not in desk.get("/en/admin/").content.decode()


def test_an_end_date_not_later_than_the_current_one_is_an_error_on_the_field(desk):
    match = running_pair()
    extension = ask_for_extension(match=match, by=match.volunteer)
    for day in [match.ends_on, match.ends_on - timedelta(days=1)]:
        response = decide(desk, extension, decision="approve", new_ends_on=day.isoformat())
        html = response.content.decode()
        assert response.status_code == 200
        assert "The new end date must be later than the current one" in html
        assert 'id="id_new_ends_on_error"' in html  # tied to the date field
    assert decide(desk, extension, decision="approve").status_code == 200  # no date at all
    extension.refresh_from_db()
    assert extension.status == "open" and Match.objects.get(pk=match.pk).ends_on == match.ends_on
    with pytest.raises(MatchingError):
        decide_extension(extension=extension, approved=True, by=None, new_ends_on=match.ends_on)


def test_a_coordinator_declines_and_both_sides_are_told(desk, django_capture_on_commit_callbacks):
    match = running_pair()
    extension = ask_for_extension(match=match, by=match.application.resident)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decide(desk, extension, decision="decline")
    extension.refresh_from_db()
    assert (extension.status, extension.new_ends_on) == ("declined", None)
    assert Match.objects.get(pk=match.pk).ends_on == match.ends_on
    to_resident = next(email for email in mail.outbox if email.to == [match.application.resident.email])
    assert to_resident.subject == "OFP: your pair ends as planned"
    assert len(mail.outbox) == 2
    response = decide(desk, extension, decision="decline")  # decided already
    assert response.status_code == 302 and len(mail.outbox) == 2


# --- a fixed number of queries ----------------------------------------------------------------------------


@pytest.mark.parametrize("pairs", [1, 4])
def test_the_status_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, pairs):
    resident = ResidentFactory()
    for index in range(pairs):
        match = started_pair(application=ApplicationFactory(resident=resident))
        match = move_start(match, days_ago=50)
        ResidentCheckIn.objects.create(match=match, month=1, feeling="good", need="Fine")
        if index % 2:
            answer_resident_check_in(match=match, resident=resident, feeling="okay")
        ask_for_extension(match=match, by=resident)
    # resident; OFP applications, their pairs, those pairs' surveys and resident's check-ins; Spot requests;
    # Hanamaru enrolments; consultations; an open erasure request
    with django_assert_num_queries(9):
        assert client.get(f"/status/{make_token(resident)}/").status_code == 200


@pytest.mark.parametrize("pairs", [1, 3])
def test_the_volunteer_page_runs_a_fixed_number_of_queries(client, settings, django_assert_num_queries, pairs):
    settings.OFP_PAIRS_PER_VOLUNTEER = 3
    volunteer = approved_volunteer()
    for index in range(pairs):
        match = started_pair(volunteer=volunteer)
        if index % 2 == 0:
            ask_for_extension(match=match, by=volunteer)
    client.force_login(volunteer.user)
    with django_assert_num_queries(VOLUNTEER_PAGE_QUERIES):
        assert client.get("/volunteer/").status_code == 200


# With whether the volunteer may help (jii/readiness.py) and their hours, one query per program (jii/hours.py).
VOLUNTEER_PAGE_QUERIES = 18


# --- at the same moment (PostgreSQL) ----------------------------------------------------------------------


# Skipped before the database is set up: a second serialized-rollback test in one run trips over content types.
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a database that serves two connections at once")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_both_sides_asking_at_once_open_one_request_and_a_double_answer_is_kept_once():
    match = running_pair()
    resident = match.application.resident
    assert at_once(
        lambda: ask_for_extension(match=match, by=resident), lambda: ask_for_extension(match=match, by=match.volunteer)
    ) == ["done", "refused"]
    assert Extension.objects.filter(match=match, status="open").count() == 1
    assert at_once(
        lambda: answer_resident_check_in(match=match, resident=resident, feeling="worried"),
        lambda: answer_resident_check_in(match=match, resident=resident, feeling="good"),
    ) == ["done", "refused"]
    assert ResidentCheckIn.objects.filter(match=match).count() == 1


def test_the_new_forms_are_valid_html(client):
    from tests.page_checks import nu_errors

    match = running_pair(language="fa-af")
    token = make_token(match.application.resident)
    pages = {
        "status (en)": status_page(client, match),
        "status (fa-af)": status_page(client, match, prefix="/fa-af"),
        "check-in with a mistake": client.post(
            f"/en/ofp/r/pairs/{match.pk}/check-in/", check_in_form(match, "")
        ).content.decode(),
    }
    client.post(f"/en/ofp/r/pairs/{match.pk}/continue/", {"token": token})
    pages["status, continuing asked"] = status_page(client, match)
    client.force_login(match.volunteer.user)
    pages["volunteer page"] = client.get("/en/volunteer/").content.decode()
    assert "This month's check-in" in pages["status (en)"]
    assert nu_errors(pages) == {}


def test_an_extended_pair_goes_on_with_its_follow_ups_until_the_new_end(run_job, settings):
    match = running_pair(days_ago=200)  # past its six months, not closed yet; month 7 is 2–3 weeks old
    run_job()
    extension = ask_for_extension(match=match, by=match.volunteer)
    decide_extension(extension=extension, approved=True, by=None, new_ends_on=match.ends_on + timedelta(days=30))
    match = Match.objects.get(pk=match.pk)
    assert match.month_on(timezone.localdate()) == 7
    run_job()
    keys = set(Message.objects.values_list("once_key", flat=True))
    assert f"ofp_check_in_reminder:{match.pk}:7" in keys  # the volunteer's reminder goes on
    assert f"ofp_resident_check_in:{match.pk}:7" in keys
    assert f"ofp_end_notice_coordinator:{match.pk}:{match.ends_on}" in keys  # noticed before the new end
    check_in = log_check_in(match=match, volunteer=match.volunteer, met=True, how="phone", mood="good")
    assert check_in.month == 7
