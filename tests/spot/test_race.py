"""First one wins, under real concurrency: 20 volunteers press accept on one request at the same moment."""

import pytest
from django.db import connection

from spot.models import Acceptance, SpotRequest
from spot.services import AlreadyTaken, accept_request
from tests.factories import SpotRequestFactory, approved_volunteer
from tests.race import race

VOLUNTEERS = 20
ROUNDS = 20


def all_press_accept(spot_request, volunteers):
    def press(i):
        return accept_request(request=spot_request, volunteer=volunteers[i])

    return race(len(volunteers), press, refused=AlreadyTaken)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_volunteers_accepting_at_once_give_exactly_one_acceptance():
    if connection.vendor != "postgresql":
        pytest.skip("needs a database that serves many connections at once (PostgreSQL)")
    volunteers = [approved_volunteer() for _ in range(VOLUNTEERS)]
    for _ in range(ROUNDS):
        spot_request = SpotRequestFactory()
        outcomes = all_press_accept(spot_request, volunteers)
        taken = [outcome for outcome in outcomes if isinstance(outcome, AlreadyTaken)]
        assert len(taken) == VOLUNTEERS - 1, outcomes
        assert Acceptance.objects.filter(request=spot_request).count() == 1
        winner = Acceptance.objects.get(request=spot_request).volunteer
        assert SpotRequest.objects.get(pk=spot_request.pk).volunteer == winner
