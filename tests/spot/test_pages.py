"""The Spot pages: the request form, the board (private until accepted), the request page, the status page."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jii.models import Area, Language
from jii.status_links import make_token
from spot.models import SpotRequest
from spot.services import accept_request, mark_done
from tests.factories import CoordinatorFactory, SpotRequestFactory, VolunteerFactory, approved_volunteer
from tests.hanamaru.conftest import committed

pytestmark = pytest.mark.django_db


def request_form(**changes):
    data = {
        "name": "Nguyen Thi Lan",
        "email": "lan@example.com",
        "phone": "080-1234-5678",
        "category": "children",
        "topic": "daycare",
        "description": "I need help with the daycare application form for my daughter.",
        "languages": [Language.objects.get(code="vi").pk],
        "modes": ["in_person"],
        "area": Area.objects.get(code="chiba-funabashi").pk,
        "flexible": "",
        "earliest": (timezone.localdate() + timedelta(days=2)).isoformat(),
        "latest": (timezone.localdate() + timedelta(days=10)).isoformat(),
        "urgency": "2",
        "consent": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_a_resident_asks_for_help_and_gets_their_status_link(client, django_capture_on_commit_callbacks):
    assert "スポットおとなりさん" in client.get("/spot/request/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/en/spot/request/", request_form())
    assert response.status_code == 302 and response["Location"] == "/en/spot/request/thanks/"
    spot_request = SpotRequest.objects.get()
    assert (spot_request.category, spot_request.topic, spot_request.status) == ("children", "daycare", "open")
    assert "/en/status/" in mail.outbox[0].body


TODAY = timezone.localdate()
NASTY = [
    ("description", "", "Please fill this in."),
    ("description", "x" * 10_000, "Please shorten this to 2000 characters or fewer"),
    ("name", "", "Please fill this in."),
    ("name", "n" * 10_000, "Please shorten this to 150 characters or fewer"),
    ("email", "<script>alert(1)</script>", "Enter a valid email address."),
    ("email", "🙂@🙂", "Enter a valid email address."),
    ("phone", "9" * 10_000, "Please shorten this to 30 characters or fewer"),
    ("category", "visa", "Select a valid choice."),
    ("category", "other", "Kurashi consultations"),
    ("topic", "vaccination", "Please choose a topic from the area you chose above."),
    ("topic", "<b>x</b>", "Select a valid choice."),
    ("languages", ["999999"], "Select a valid choice."),
    ("languages", ["abc"], "is not a valid value"),
    ("modes", ["teleport"], "Select a valid choice."),
    ("area", "-1", "Select a valid choice."),
    ("area", "🙂", "Select a valid choice."),
    ("earliest", (TODAY - timedelta(days=3)).isoformat(), "Please choose today or a later day."),
    ("earliest", "2026-02-31", "Enter a valid date."),
    ("earliest", "9" * 10_000, "Enter a valid date."),
    ("latest", (TODAY + timedelta(days=1)).isoformat(), "This must be on or after the first day."),
    ("urgency", "99", "Select a valid choice."),
    ("urgency", "drop table", "Select a valid choice."),
    ("consent", None, "Please tick the box to agree."),
]


@pytest.mark.parametrize(("field", "value", "message"), NASTY)
def test_bad_input_gets_a_clear_error_next_to_the_field_and_saves_nothing(client, field, value, message):
    response = client.post("/en/spot/request/", request_form(**{field: value}))
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert f'id="id_{field}_error"' in html
    assert "<script>alert(1)</script>" not in html  # echoed back escaped, never as markup
    assert not SpotRequest.objects.exists()


def test_the_error_is_in_japanese_at_the_unprefixed_path(client):
    html = client.post("/spot/request/", request_form(category="other")).content.decode()
    assert "くらしの相談" in html


def test_no_dates_and_not_flexible_is_asked_about_but_flexible_is_fine(client):
    html = client.post("/en/spot/request/", request_form(earliest="", latest="")).content.decode()
    assert "Any day is fine" in html and not SpotRequest.objects.exists()
    client.post("/en/spot/request/", request_form(earliest="", latest="", flexible="on"))
    assert SpotRequest.objects.get().is_flexible


# --- the board -------------------------------------------------------------------------------------------


def test_the_board_never_shows_who_asked_or_their_words(client):
    spot_request = SpotRequestFactory(
        resident__name="Olena Kovalenko", resident__email="olena@example.com", resident__phone="090-9999-0000"
    )
    client.force_login(approved_volunteer().user)
    html = client.get("/en/spot/board/").content.decode()
    assert "Choosing a clinic or hospital" in html and "Meguro" in html
    for secret in ["Olena", "olena@example.com", "090-9999-0000", spot_request.description[:20]]:
        assert secret not in html


def test_a_pending_volunteer_sees_no_board_and_visitors_must_log_in(client):
    SpotRequestFactory()
    assert client.get("/spot/board/").status_code == 302
    client.force_login(VolunteerFactory(profile__status="pending"))
    response = client.get("/spot/board/")
    assert response.status_code == 403
    assert "承認" in response.content.decode()  # explained in the page's language, in the site's layout


def test_a_second_tap_on_accept_leads_the_winner_to_their_request(client):
    spot_request = SpotRequestFactory()
    volunteer = approved_volunteer()
    client.force_login(volunteer.user)
    client.post(f"/en/spot/requests/{spot_request.pk}/accept/")
    again = client.post(f"/en/spot/requests/{spot_request.pk}/accept/")
    assert again["Location"] == f"/en/spot/requests/{spot_request.pk}/"


def test_the_board_filters_and_puts_the_most_urgent_first(client):
    calm = SpotRequestFactory(urgency=1)
    urgent = SpotRequestFactory(urgency=3)
    SpotRequestFactory(category="welfare", topic="benefits", area=Area.objects.get(code="saitama-kawaguchi"))
    SpotRequestFactory(languages=["zh"])
    client.force_login(approved_volunteer().user)
    html = client.get("/en/spot/board/").content.decode()
    assert html.index(f"/spot/requests/{urgent.pk}/accept/") < html.index(f"/spot/requests/{calm.pk}/accept/")
    assert "4 open requests" in html
    assert "1 open request" in client.get("/en/spot/board/", {"prefecture": "saitama"}).content.decode()
    assert "1 open request" in client.get("/en/spot/board/", {"category": "welfare"}).content.decode()
    chinese = Language.objects.get(code="zh").pk
    assert "1 open request" in client.get("/en/spot/board/", {"language": chinese}).content.decode()
    # nonsense filters are ignored, never a 500
    assert client.get("/en/spot/board/", {"language": "x", "day": "never", "page": "-3"}).status_code == 200


def bulk_open_requests(count):
    """Many open requests quickly (bulk inserts), each with a resident and a language."""
    from jii.models import Resident

    area, english = Area.objects.get(code="tokyo-meguro"), Language.objects.get(code="en")
    residents = Resident.objects.bulk_create(
        Resident(name=f"R{i}", email=f"bulk{i}@example.com", prefecture="tokyo", municipality="目黒区")
        for i in range(count)
    )
    requests = SpotRequest.objects.bulk_create(
        SpotRequest(resident=r, category="healthcare", topic="find_clinic", description="…", modes=["phone"],
                    area=area, consented_at=timezone.now())
        for r in residents
    )  # fmt: skip
    SpotRequest.languages.through.objects.bulk_create(
        SpotRequest.languages.through(spotrequest=r, language=english) for r in requests
    )


@pytest.mark.parametrize("open_requests", [10, 10_000])
def test_the_board_runs_a_fixed_number_of_queries(client, open_requests):
    bulk_open_requests(open_requests)
    client.force_login(approved_volunteer().user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/en/spot/board/").status_code == 200
    # session, user, profile, the language filter's choices, count, the page of requests (with areas), languages;
    # whether the volunteer may accept (jii/readiness.py, one query)
    assert len(queries) == 8


def test_accepting_shows_the_contact_and_words_to_the_winner_only(client, django_capture_on_commit_callbacks):
    spot_request = SpotRequestFactory(resident__name="Olena Kovalenko")
    winner, other = approved_volunteer(), approved_volunteer()
    client.force_login(other.user)
    assert client.get(f"/en/spot/requests/{spot_request.pk}/").status_code == 404  # not taken by them
    client.force_login(winner.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/en/spot/requests/{spot_request.pk}/accept/", follow=True)
    html = response.content.decode()
    assert "Olena Kovalenko" in html and spot_request.description in html
    client.force_login(other.user)
    assert client.get(f"/en/spot/requests/{spot_request.pk}/").status_code == 404
    taken = client.post(f"/en/spot/requests/{spot_request.pk}/accept/", follow=True).content.decode()
    assert "Someone else has already taken this request" in taken


def test_the_volunteer_agrees_a_date_and_marks_it_done(client):
    spot_request = SpotRequestFactory()
    volunteer = approved_volunteer()
    accept_request(request=spot_request, volunteer=volunteer)
    client.force_login(volunteer.user)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    client.post(f"/en/spot/requests/{spot_request.pk}/date/", {"day": tomorrow})
    past = client.post(f"/en/spot/requests/{spot_request.pk}/date/", {"day": "2020-01-01"}, follow=True)
    assert "Please choose today or a later day." in past.content.decode()
    client.post(
        f"/en/spot/requests/{spot_request.pk}/done/",
        {"report": "Booked the clinic together", "minutes_spent": "40", "follow_up_needed": "on"},
    )
    spot_request.refresh_from_db()
    assert spot_request.agreed_on.isoformat() == tomorrow
    assert (spot_request.status, spot_request.minutes_spent, spot_request.follow_up_needed) == ("done", 40, True)


def test_the_status_page_shows_the_volunteers_first_name_and_takes_thanks(client):
    spot_request = SpotRequestFactory()
    volunteer = approved_volunteer()
    volunteer.user.name = "田中 健二"
    volunteer.user.save()
    token = make_token(spot_request.resident)
    assert "Open." in client.get(f"/en/status/{token}/").content.decode()
    accept_request(request=spot_request, volunteer=volunteer)
    html = client.get(f"/en/status/{token}/").content.decode()
    assert "Accepted." in html and "健二" in html and "田中" not in html
    mark_done(request=spot_request, volunteer=volunteer, report="ok", minutes_spent=10, follow_up_needed=False)
    client.post(f"/en/spot/r/requests/{spot_request.pk}/feedback/", {"feedback": "Thank you so much!", "token": token})
    assert SpotRequest.objects.get(pk=spot_request.pk).feedback == "Thank you so much!"


def test_a_resident_cancels_from_the_status_page_but_not_someone_elses(client):
    spot_request = SpotRequestFactory()
    other = SpotRequestFactory()
    token = make_token(spot_request.resident)
    assert client.post(f"/spot/r/requests/{other.pk}/cancel/", {"confirmed": "yes", "token": token}).status_code == 404
    client.post(f"/spot/r/requests/{spot_request.pk}/cancel/", {"confirmed": "yes", "token": token})
    assert SpotRequest.objects.get(pk=spot_request.pk).status == "cancelled"
    assert SpotRequest.objects.get(pk=other.pk).status == "open"


def test_cancelling_an_accepted_request_asks_first_and_then_tells_the_volunteer(client):
    spot_request = SpotRequestFactory()
    volunteer = approved_volunteer()
    volunteer.user.name = "田中 健二"
    volunteer.user.save()
    accept_request(request=spot_request, volunteer=volunteer)
    token = make_token(spot_request.resident)
    cancel = f"/en/spot/r/requests/{spot_request.pk}/cancel/"
    status_page = client.get(f"/en/status/{token}/").content.decode()
    assert f'action="{cancel}"' in status_page and 'class="button secondary"' in status_page
    question = client.post(cancel, {"token": token}).content.decode()
    assert "Cancel your request?" in question and "健二 has offered to help you. We will tell them" in question
    assert SpotRequest.objects.get(pk=spot_request.pk).status == "accepted"
    with committed():
        client.post(cancel, {"confirmed": "yes", "token": token})
    assert SpotRequest.objects.get(pk=spot_request.pk).status == "cancelled"
    [message] = mail.outbox
    assert (
        message.to == [volunteer.user.email]
        and message.subject == "引き受けたスポットおとなりさんの依頼がキャンセルされました"
    )


def test_a_coordinator_assigns_a_volunteer_and_reads_the_figures(client):
    spot_request = SpotRequestFactory()
    volunteer = approved_volunteer()
    client.force_login(CoordinatorFactory())
    client.post(f"/en/admin/spot/spotrequest/{spot_request.pk}/assign/", {"volunteer": volunteer.pk})
    assert SpotRequest.objects.get(pk=spot_request.pk).volunteer == volunteer
    SpotRequestFactory()
    cancelled = SpotRequestFactory()
    accept_request(request=cancelled, volunteer=approved_volunteer())
    cancelled.status = "cancelled"
    cancelled.save()
    html = client.get("/en/admin/spot/spotrequest/figures/").content.decode()
    assert 'id="spot-total">3<' in html
    assert 'id="spot-within-48h">50.0%<' in html  # cancelled requests are left out
    assert client.get("/en/admin/spot/spotrequest/").status_code == 200
