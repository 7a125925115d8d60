"""Passing a case to Spot offers Spot's own values (spot/handover.py), so staff choose what Spot's volunteers see."""

import pytest

from consultations import services
from jii.models import Area
from spot.models import SpotRequest
from tests.consultations.conftest import committed, submit
from tests.factories import CoordinatorFactory

pytestmark = pytest.mark.django_db


def test_staff_choose_the_urgency_in_the_words_spot_volunteers_read(client):
    case = submit()
    client.force_login(CoordinatorFactory(groups=["consultation staff"]))
    page = client.get(f"/en/admin/consultations/consultation/{case.pk}/spot/").content.decode()
    assert "Urgent (a deadline in the next few days)" in page
    assert "Within a week" in page and "When someone is free" in page


def test_the_spot_request_keeps_the_ways_of_helping_spot_offers(client):
    case = submit()
    with committed():
        services.redirect_to_spot(
            consultation=case, topic="utilities", area=Area.objects.get(code="tokyo-meguro"), urgency=3, summary="x"
        )
    assert (SpotRequest.objects.get().modes, SpotRequest.objects.get().urgency) == (["in_person"], 3)
