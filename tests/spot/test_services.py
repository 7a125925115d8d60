"""Every Spot transition, and the ones that must be refused."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from jii.models import Message
from jii.tasks import deliver_message
from matching.models import Match
from spot.models import Acceptance, SpotRequest
from spot.services import (
    AlreadyTaken,
    SpotError,
    accept_request,
    cancel_request,
    give_feedback,
    mark_done,
    release_request,
    wish_for_ofp,
)
from tests.factories import ResidentFactory, SpotRequestFactory, VolunteerFactory, approved_volunteer

pytestmark = pytest.mark.django_db


def test_the_first_volunteer_wins_and_the_second_is_told_kindly(django_capture_on_commit_callbacks):
    spot_request = SpotRequestFactory()
    first, second = approved_volunteer(), approved_volunteer()
    with django_capture_on_commit_callbacks(execute=True):
        accepted = accept_request(request=spot_request, volunteer=first)
    assert (accepted.status, accepted.volunteer) == (SpotRequest.Status.ACCEPTED, first)
    with pytest.raises(AlreadyTaken):
        accept_request(request=spot_request, volunteer=second)
    assert Acceptance.objects.filter(request=spot_request).count() == 1
    assert mail.outbox[-1].to == [spot_request.resident.email]


def test_a_pending_volunteer_cannot_accept():
    with pytest.raises(PermissionDenied):
        accept_request(request=SpotRequestFactory(), volunteer=VolunteerFactory().volunteer_profile)


def test_releasing_puts_the_request_back_with_the_reason():
    spot_request = SpotRequestFactory()
    volunteer = approved_volunteer()
    accept_request(request=spot_request, volunteer=volunteer)
    with pytest.raises(PermissionDenied):
        release_request(request=spot_request, volunteer=approved_volunteer(), reason="not mine")
    release_request(request=spot_request, volunteer=volunteer, reason="I caught a cold")
    spot_request.refresh_from_db()
    assert (spot_request.status, spot_request.volunteer) == (SpotRequest.Status.OPEN, None)
    assert Acceptance.objects.get().release_reason == "I caught a cold"
    accept_request(request=spot_request, volunteer=approved_volunteer())  # someone else can take it now


def test_only_the_accepting_volunteer_marks_it_done():
    spot_request = SpotRequestFactory()
    volunteer = approved_volunteer()
    accept_request(request=spot_request, volunteer=volunteer)
    with pytest.raises(PermissionDenied):
        mark_done(
            request=spot_request, volunteer=approved_volunteer(), report="x", minutes_spent=5, follow_up_needed=False
        )
    done = mark_done(
        request=spot_request, volunteer=volunteer, report="Booked", minutes_spent=45, follow_up_needed=True
    )
    assert done.status == SpotRequest.Status.DONE and done.minutes_spent == 45
    with pytest.raises(SpotError):
        release_request(request=spot_request, volunteer=volunteer, reason="too late")


def test_a_resident_cancels_and_the_volunteer_is_told(django_capture_on_commit_callbacks):
    spot_request = SpotRequestFactory()
    volunteer = approved_volunteer()
    accept_request(request=spot_request, volunteer=volunteer)
    with pytest.raises(PermissionDenied):
        cancel_request(request=spot_request, resident=ResidentFactory())
    with django_capture_on_commit_callbacks(execute=True):
        cancel_request(request=spot_request, resident=spot_request.resident)
    assert SpotRequest.objects.get(pk=spot_request.pk).status == SpotRequest.Status.CANCELLED
    assert mail.outbox[-1].to == [volunteer.user.email]
    with pytest.raises(SpotError):
        cancel_request(request=spot_request, resident=spot_request.resident)


def test_feedback_once_and_only_after_done():
    spot_request = SpotRequestFactory()
    volunteer = approved_volunteer()
    with pytest.raises(SpotError):
        give_feedback(request=spot_request, resident=spot_request.resident, feedback="Thanks")
    accept_request(request=spot_request, volunteer=volunteer)
    mark_done(request=spot_request, volunteer=volunteer, report="Done", minutes_spent=30, follow_up_needed=False)
    give_feedback(request=spot_request, resident=spot_request.resident, feedback="ありがとうございました")
    with pytest.raises(SpotError):
        give_feedback(request=spot_request, resident=spot_request.resident, feedback="again")


def test_when_both_want_it_a_done_request_becomes_an_ofp_proposal():
    spot_request = SpotRequestFactory()
    volunteer = approved_volunteer(area="tokyo-setagaya")
    accept_request(request=spot_request, volunteer=volunteer)
    with pytest.raises(SpotError):
        wish_for_ofp(request=spot_request, volunteer=volunteer)  # not done yet
    mark_done(request=spot_request, volunteer=volunteer, report="Done", minutes_spent=30, follow_up_needed=False)
    wish_for_ofp(request=spot_request, volunteer=volunteer)
    assert not Match.objects.exists()
    wish_for_ofp(request=spot_request, resident=spot_request.resident)
    match = Match.objects.get()
    assert match.volunteer == volunteer and match.application.resident == spot_request.resident
    assert match.status == Match.Status.PROPOSED and match.resident_accepted_at
    assert SpotRequest.objects.get(pk=spot_request.pk).ofp_requested_at
    wish_for_ofp(request=spot_request, resident=spot_request.resident)  # asking again makes nothing twice
    assert Match.objects.count() == 1


def test_a_closed_request_is_no_longer_open_rather_than_taken():
    spot_request = SpotRequestFactory()
    cancel_request(request=spot_request, resident=spot_request.resident)
    with pytest.raises(SpotError, match="no longer open") as refused:
        accept_request(request=spot_request, volunteer=approved_volunteer())
    assert not isinstance(refused.value, AlreadyTaken)


def test_a_release_tells_the_resident_and_an_assignment_tells_the_volunteer(
    coordinator, django_capture_on_commit_callbacks
):
    spot_request = SpotRequestFactory()
    first, second = approved_volunteer(), approved_volunteer()
    accept_request(request=spot_request, volunteer=first)
    with django_capture_on_commit_callbacks(execute=True):
        release_request(request=spot_request, volunteer=first, reason="ill")
    assert mail.outbox[-1].to == [spot_request.resident.email]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        accept_request(request=spot_request, volunteer=second, assigned_by=coordinator)
    assert {message.to[0] for message in mail.outbox} == {spot_request.resident.email, second.user.email}


def test_each_email_goes_out_once_even_if_its_task_comes_twice(django_capture_on_commit_callbacks):
    spot_request = SpotRequestFactory()
    with django_capture_on_commit_callbacks(execute=True):
        accept_request(request=spot_request, volunteer=approved_volunteer())
    message = Message.objects.get(template="spot_accepted_resident")
    assert deliver_message(message.pk) == ""  # the broker delivered the task again: nothing more is sent
    assert [email.to for email in mail.outbox] == [[spot_request.resident.email]]


def test_feedback_before_the_help_is_done_gets_its_own_message():
    spot_request = SpotRequestFactory()
    with pytest.raises(SpotError, match="once the help is done"):
        give_feedback(request=spot_request, resident=spot_request.resident, feedback="Thanks")


def test_continuing_as_ofp_when_the_volunteer_has_no_free_place_is_a_message_not_a_crash():
    from matching.services import propose_match
    from tests.factories import ApplicationFactory

    spot_request = SpotRequestFactory()
    volunteer = approved_volunteer()
    accept_request(request=spot_request, volunteer=volunteer)
    mark_done(request=spot_request, volunteer=volunteer, report="ok", minutes_spent=10, follow_up_needed=False)
    propose_match(application=ApplicationFactory(), volunteer=volunteer, proposed_by=None)  # now full
    wish_for_ofp(request=spot_request, volunteer=volunteer)
    with pytest.raises(SpotError, match="coordinator will contact you"):
        wish_for_ofp(request=spot_request, resident=spot_request.resident)
