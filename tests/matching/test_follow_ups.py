"""The daily follow-up job: reminders, overdue reminders, surveys and the coordinators' end notice, once each."""

from datetime import date, timedelta

import pytest
from django.core import mail

from jii.models import Message
from matching.follow_ups import due_follow_ups
from matching.models import CheckIn, Match
from matching.services import propose_match, respond_as_resident, respond_as_volunteer
from tests.factories import ApplicationFactory, approved_volunteer
from tests.jii.test_beat import beat_task

START = date(2026, 1, 10)


def kinds(day, checked_in=()):
    match = Match(starts_on=START, ends_on=date(2026, 7, 10))
    return set(due_follow_ups(match, day, set(checked_in)))


def test_what_is_due_on_which_day():
    assert kinds(START) == {("check_in_reminder", 1)}
    assert kinds(date(2026, 2, 16)) == {("check_in_reminder", 2)}  # month 1 not yet overdue
    assert kinds(date(2026, 2, 17)) == {("check_in_reminder", 2), ("check_in_overdue", 1)}
    assert kinds(date(2026, 2, 17), checked_in=[1]) == {("check_in_reminder", 2)}
    assert ("midpoint_survey", 0) in kinds(date(2026, 4, 10))
    assert ("midpoint_survey", 0) not in kinds(date(2026, 4, 9))
    assert ("end_notice", 0) in kinds(date(2026, 6, 26))
    assert ("end_notice", 0) not in kinds(date(2026, 6, 25))
    assert ("closing_survey", 0) in kinds(date(2026, 7, 10))


@pytest.fixture
def run_job(django_capture_on_commit_callbacks):
    """The daily job, with the messages it writes delivered when it commits."""

    def run():
        with django_capture_on_commit_callbacks(execute=True):
            return beat_task("ofp-follow-ups").apply().get()

    return run


def written(pair) -> set[str]:
    """The follow-ups written for the pair (not the proposal and start messages before them)."""
    follow_ups = Message.objects.exclude(template__startswith="ofp_p")
    return set(follow_ups.values_list("once_key", flat=True))


@pytest.fixture
def pair(db):
    match = propose_match(application=ApplicationFactory(), volunteer=approved_volunteer(), proposed_by=None)
    respond_as_resident(match=match, resident=match.application.resident, accepted=True)
    return respond_as_volunteer(match=match, volunteer=match.volunteer, accepted=True)


def move_start(match, days_ago):
    from matching.models import add_months

    match.starts_on = date.today() - timedelta(days=days_ago)
    match.ends_on = add_months(match.starts_on, 6)
    match.save()


@pytest.mark.django_db
def test_running_the_job_twice_sends_each_message_once(pair, settings, run_job):
    move_start(pair, days_ago=100)  # month 4: past the three-month survey; month 3 has no check-in
    first = run_job()
    sent = len(mail.outbox)
    assert first == 3 and sent == 4  # reminder, overdue (volunteer); survey (resident and volunteer)
    assert run_job() == 0
    assert len(mail.outbox) == sent
    assert written(pair) == {
        f"ofp_check_in_reminder:{pair.pk}:4",
        f"ofp_check_in_overdue:{pair.pk}:3",
        f"ofp_survey_resident:{pair.pk}:midpoint",
        f"ofp_survey_volunteer:{pair.pk}:midpoint",
    }
    recipients = {message.to[0] for message in mail.outbox}
    assert recipients == {pair.volunteer.user.email, pair.application.resident.email}


@pytest.mark.django_db
def test_a_logged_check_in_means_no_overdue_reminder(pair, run_job):
    move_start(pair, days_ago=40)  # month 2; month 1 is overdue unless it was logged
    CheckIn.objects.create(match=pair, month=1, met=True, how="phone", mood="good")
    run_job()
    assert written(pair) == {f"ofp_check_in_reminder:{pair.pk}:2"}


@pytest.mark.django_db
def test_coordinators_hear_two_weeks_before_a_pair_ends(pair, settings, run_job):
    move_start(pair, days_ago=170)
    run_job()
    notices = [message for message in mail.outbox if message.to == [settings.COORDINATOR_EMAIL]]
    assert len(notices) == 1 and f"#{pair.pk}" in notices[0].subject


@pytest.mark.django_db
def test_closed_pairs_get_only_their_closing_survey(pair, run_job, django_capture_on_commit_callbacks):
    from matching.services import close_pair

    move_start(pair, days_ago=100)
    with django_capture_on_commit_callbacks(execute=True):
        close_pair(match=pair, reason="moved")
    assert len(mail.outbox) == 2  # the closing survey, to both sides
    assert run_job() == 0 and len(mail.outbox) == 2
