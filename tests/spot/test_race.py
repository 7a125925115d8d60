"""First one wins, under real concurrency: 20 volunteers press accept on one request at the same moment."""

import threading

import pytest
from django.db import connection

from spot.models import Acceptance, SpotRequest
from spot.services import AlreadyTaken, accept_request
from tests.factories import SpotRequestFactory, approved_volunteer

VOLUNTEERS = 20
ROUNDS = 20


def press_accept(spot_request, volunteer, barrier, outcomes):
    """One volunteer's thread: wait for all the others, then accept; record what happened."""
    try:
        barrier.wait(timeout=30)
        accept_request(request=spot_request, volunteer=volunteer)
        outcome = "accepted"
    except AlreadyTaken:
        outcome = "taken"
    except Exception as error:  # anything else (a deadlock, a 500) fails the test
        outcome = repr(error)
    finally:
        connection.close()
    outcomes.append(outcome)  # list.append is atomic under the GIL


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_volunteers_accepting_at_once_give_exactly_one_acceptance():
    if connection.vendor != "postgresql":
        pytest.skip("needs a database that serves many connections at once (PostgreSQL)")
    volunteers = [approved_volunteer() for _ in range(VOLUNTEERS)]
    for _ in range(ROUNDS):
        spot_request = SpotRequestFactory()
        barrier = threading.Barrier(VOLUNTEERS)
        outcomes = []
        threads = [
            threading.Thread(target=press_accept, args=(spot_request, volunteer, barrier, outcomes))
            for volunteer in volunteers
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(outcomes) == ["accepted"] + ["taken"] * (VOLUNTEERS - 1), outcomes
        assert Acceptance.objects.filter(request=spot_request).count() == 1
        winner = Acceptance.objects.get(request=spot_request).volunteer
        assert SpotRequest.objects.get(pk=spot_request.pk).volunteer == winner
