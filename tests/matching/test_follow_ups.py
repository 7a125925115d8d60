"""The daily follow-up job: reminders, overdue reminders, surveys and the coordinators' end notice, once each."""

from datetime import date, timedelta

import pytest
from django.core import mail

from matching.models import CheckIn, FollowUp, Match
from matching.services import propose_match, respond_as_resident, respond_as_volunteer
from matching.tasks import due_follow_ups, send_due_follow_ups
from tests.factories import ApplicationFactory, approved_volunteer

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
def test_running_the_job_twice_sends_each_message_once(pair, settings):
    move_start(pair, days_ago=100)  # month 4: past the three-month survey; month 3 has no check-in
    first = send_due_follow_ups()
    sent = len(mail.outbox)
    assert first == 3 and sent == 4  # reminder, overdue (volunteer); survey (resident and volunteer)
    assert send_due_follow_ups() == 0
    assert len(mail.outbox) == sent
    assert set(FollowUp.objects.values_list("kind", "month")) == {
        ("check_in_reminder", 4),
        ("check_in_overdue", 3),
        ("midpoint_survey", 0),
    }
    recipients = {message.to[0] for message in mail.outbox}
    assert recipients == {pair.volunteer.user.email, pair.application.resident.email}


@pytest.mark.django_db
def test_a_logged_check_in_means_no_overdue_reminder(pair):
    move_start(pair, days_ago=40)  # month 2; month 1 is overdue unless it was logged
    CheckIn.objects.create(match=pair, month=1, met=True, how="phone", mood="good")
    send_due_follow_ups()
    assert not FollowUp.objects.filter(kind="check_in_overdue").exists()
    assert FollowUp.objects.filter(kind="check_in_reminder", month=2).exists()


@pytest.mark.django_db
def test_coordinators_hear_two_weeks_before_a_pair_ends(pair, settings):
    move_start(pair, days_ago=170)
    send_due_follow_ups()
    notices = [message for message in mail.outbox if message.to == [settings.COORDINATOR_EMAIL]]
    assert len(notices) == 1 and f"#{pair.pk}" in notices[0].subject


@pytest.mark.django_db
def test_closed_pairs_get_nothing(pair):
    from matching.services import close_pair

    move_start(pair, days_ago=100)
    close_pair(match=pair, reason="moved")
    assert send_due_follow_ups() == 0 and mail.outbox == []


def test_the_job_is_on_the_beat_schedule(settings):
    assert "matching.tasks.send_due_follow_ups" in {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
