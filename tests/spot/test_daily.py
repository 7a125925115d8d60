"""The Spot daily job: escalation after 48 hours, the day-before reminder, the feedback request — once each."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from spot.models import SpotRequest
from spot.services import accept_request, agree_date, give_feedback, mark_done, release_request
from tests.factories import SpotRequestFactory, approved_volunteer
from tests.jii.test_beat import beat_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    """The daily job, with the messages it writes delivered when it commits."""

    def run():
        with django_capture_on_commit_callbacks(execute=True):
            return beat_task("spot-daily").apply().get()

    return run


def test_requests_open_for_48_hours_are_escalated_once(settings, run_jobs):
    old = SpotRequestFactory(created_at=timezone.now() - timedelta(hours=49))
    SpotRequestFactory(created_at=timezone.now() - timedelta(hours=47))
    assert run_jobs()["escalated"] == 1
    assert mail.outbox[-1].to == [settings.COORDINATOR_EMAIL] and f"#{old.pk}" in mail.outbox[-1].body
    assert old.resident.name not in mail.outbox[-1].body
    assert run_jobs()["escalated"] == 0
    assert len(mail.outbox) == 1


def test_both_sides_are_reminded_the_day_before_the_agreed_date_once(run_jobs):
    spot_request = SpotRequestFactory()
    volunteer = approved_volunteer()
    accept_request(request=spot_request, volunteer=volunteer)
    agree_date(request=spot_request, volunteer=volunteer, day=timezone.localdate() + timedelta(days=1))
    assert run_jobs()["reminded"] == 1
    assert {message.to[0] for message in mail.outbox} == {spot_request.resident.email, volunteer.user.email}
    assert run_jobs()["reminded"] == 0
    assert len(mail.outbox) == 2


def test_a_moved_date_or_a_new_volunteer_gets_its_own_reminder(run_jobs):
    spot_request = SpotRequestFactory()
    first, second = approved_volunteer(), approved_volunteer()
    tomorrow = timezone.localdate() + timedelta(days=1)
    accept_request(request=spot_request, volunteer=first)
    agree_date(request=spot_request, volunteer=first, day=timezone.localdate() + timedelta(days=5))
    assert run_jobs()["reminded"] == 0  # not the day before yet
    agree_date(request=spot_request, volunteer=first, day=tomorrow)  # moved closer
    assert run_jobs()["reminded"] == 1
    release_request(request=spot_request, volunteer=first, reason="ill")
    accept_request(request=spot_request, volunteer=second)
    agree_date(request=spot_request, volunteer=second, day=tomorrow)  # same day, another volunteer
    assert run_jobs()["reminded"] == 1
    assert second.user.email in {message.to[0] for message in mail.outbox}


def test_the_resident_is_asked_for_feedback_once_a_day_after_it_is_done(run_jobs):
    spot_request = SpotRequestFactory()
    volunteer = approved_volunteer()
    accept_request(request=spot_request, volunteer=volunteer)
    mark_done(request=spot_request, volunteer=volunteer, report="ok", minutes_spent=20, follow_up_needed=False)
    assert run_jobs()["feedback"] == 0  # too soon
    SpotRequest.objects.filter(pk=spot_request.pk).update(done_at=timezone.now() - timedelta(days=2))
    assert run_jobs()["feedback"] == 1
    assert mail.outbox[-1].to == [spot_request.resident.email]
    assert run_jobs()["feedback"] == 0


def test_no_feedback_request_when_the_resident_already_said_thanks(run_jobs):
    spot_request = SpotRequestFactory()
    volunteer = approved_volunteer()
    accept_request(request=spot_request, volunteer=volunteer)
    mark_done(request=spot_request, volunteer=volunteer, report="ok", minutes_spent=20, follow_up_needed=False)
    give_feedback(request=spot_request, resident=spot_request.resident, feedback="Thanks!")
    SpotRequest.objects.filter(pk=spot_request.pk).update(done_at=timezone.now() - timedelta(days=2))
    assert run_jobs()["feedback"] == 0
