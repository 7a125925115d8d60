"""Who sees what of a case, with a fixed cast: a coordinator, consultation staff, the case's expert, another
expert and a volunteer. Only consultation staff and the case's expert read its words and notes; every showing of
the notes is logged; everyone else at most learns that a case exists."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.formats import date_format

from consultations import services
from consultations.models import Expert, NoteRead
from jii.models import Language
from jii.status_links import make_token
from tests.consultations.conftest import book, make_expert
from tests.factories import CoordinatorFactory, ResidentFactory, UserFactory, VolunteerFactory

pytestmark = pytest.mark.django_db

WORDS = "My visa expires in six weeks and I changed jobs."
NOTE = "Needs the certificate of employment from the new company."


@pytest.fixture
def cast(case, expert):
    staff = CoordinatorFactory(groups=["consultation staff"], email="staff@jii.example")
    expert.user = UserFactory(email="takahashi-login@example.jp")
    expert.save()
    other = make_expert(name="佐藤 由美", email="sato@example.jp")
    other.user = UserFactory(email="sato-login@example.jp")
    other.save()
    book(case, expert)
    services.add_note(consultation=case, author=staff, text=NOTE)
    return {
        "coordinator": CoordinatorFactory(groups=["coordinators"]),
        "staff": staff,
        "expert": expert.user,
        "other expert": other.user,
        "volunteer": VolunteerFactory(profile__status="approved"),
    }


# person: (admin case page, sees words and notes there, expert page shows the case)
EXPECTED = {
    "coordinator": (200, False, 404),
    "staff": (200, True, 404),
    "expert": (302, False, 200),  # no admin login; the case on their own page
    "other expert": (302, False, "none"),
    "volunteer": (302, False, 404),
}


@pytest.mark.parametrize("person", EXPECTED)
def test_each_person_sees_exactly_what_they_should(client, cast, case, person):
    admin_status, reads_admin, expert_page = EXPECTED[person]
    client.force_login(cast[person])
    reads_before = NoteRead.objects.count()
    page = client.get(f"/en/admin/consultations/consultation/{case.pk}/change/")
    assert page.status_code == admin_status
    html = page.content.decode()
    assert (WORDS in html, NOTE in html) == (reads_admin, reads_admin)
    assert ("Chen Li" in html) == reads_admin  # who asked is confidential too
    listing = client.get("/en/admin/consultations/consultation/").content.decode()
    assert WORDS not in listing and NOTE not in listing
    response = client.get("/en/consultations/expert/")
    if expert_page == "none":
        assert response.status_code == 200 and WORDS not in response.content.decode()
        assert "You have no open cases." in response.content.decode()
    else:
        assert response.status_code == expert_page
        assert (WORDS in response.content.decode() and NOTE in response.content.decode()) == (expert_page == 200)
    reads = NoteRead.objects.filter(reader=cast[person]).count()
    assert reads == NoteRead.objects.count() - reads_before  # nobody else's reads were logged
    assert reads == (1 if person in ("staff", "expert") else 0)


def test_only_consultation_staff_book_and_pass_cases_on(client, cast, case):
    for person, allowed in (("coordinator", False), ("staff", True)):
        client.force_login(cast[person])
        for url in (f"/en/admin/consultations/consultation/{case.pk}/book/",
                    f"/en/admin/consultations/consultation/{case.pk}/spot/"):  # fmt: skip
            assert client.get(url).status_code == (200 if allowed else 403)


def test_the_resident_sees_the_appointment_but_not_the_notes(client, cast, case):
    html = client.get(f"/en/status/{make_token(case.resident)}/").content.decode()
    assert "Residence status and visa" in html and "with 高橋 健" in html and "Add to my calendar" in html
    assert NOTE not in html


def test_the_expert_adds_a_note_to_their_case_only(client, cast, case):
    from tests.consultations.conftest import submit

    theirs = submit("someone@example.com")
    client.force_login(cast["expert"])
    client.post(f"/en/consultations/expert/cases/{case.pk}/note/", {"text": "Called the resident."})
    assert [note.text for note in case.notes.filter(author=cast["expert"])] == ["Called the resident."]
    assert client.post(f"/en/consultations/expert/cases/{theirs.pk}/note/", {"text": "x"}).status_code == 404
    assert not theirs.notes.exists()


def test_the_residents_calendar_link_is_theirs_alone(client, cast, case):
    appointment = case.appointments.get()
    mine = client.get(f"/en/consultations/r/{make_token(case.resident)}/appointments/{appointment.pk}/calendar.ics")
    assert mine.status_code == 200 and b"BEGIN:VCALENDAR" in mine.content and b"visa" not in mine.content
    from tests.factories import ResidentFactory

    stranger = ResidentFactory()
    url = f"/en/consultations/r/{make_token(stranger)}/appointments/{appointment.pk}/calendar.ics"
    assert client.get(url).status_code == 404


def test_coordinators_cannot_search_or_filter_their_way_into_a_case(client, cast, case):
    client.force_login(cast["coordinator"])
    for query in ("description__icontains=visa", f"resident={case.resident_id}", "outcome_summary__icontains=a",
                  "resident__name__icontains=Chen"):  # fmt: skip
        response = client.get(f"/en/admin/consultations/consultation/?{query}")
        assert response.status_code in (400, 302)  # refused, not answered
    assert client.get("/en/admin/consultations/consultation/?status__exact=accepted").status_code == 200
    resident_page = client.get(f"/en/admin/jii/resident/{case.resident_id}/change/").content.decode()
    assert "Residence status and visa" not in resident_page  # not even that they asked
    client.force_login(cast["staff"])
    resident_page = client.get(f"/en/admin/jii/resident/{case.resident_id}/change/").content.decode()
    assert "Residence status and visa" in resident_page


def test_notes_shown_again_with_form_errors_are_logged_too_and_bad_ids_are_not_a_500(client, cast, case):
    client.force_login(cast["staff"])
    response = client.post(
        f"/en/admin/consultations/consultation/{case.pk}/change/",
        {"outcome": "resolved", "outcome_summary": "", "follow_up_on": "not a date",
         "appointments-TOTAL_FORMS": "1", "appointments-INITIAL_FORMS": "1",
         "appointments-0-id": case.appointments.get().pk, "appointments-0-consultation": case.pk,
         "notes-TOTAL_FORMS": "2", "notes-INITIAL_FORMS": "1", "notes-0-id": case.notes.get().pk,
         "notes-0-consultation": case.pk, "notes-1-consultation": case.pk, "notes-1-text": ""},
    )  # fmt: skip
    assert response.status_code == 200 and NOTE in response.content.decode()
    assert NoteRead.objects.filter(reader=cast["staff"]).count() == 1
    for bad in ("abc", "1.5", "99999"):
        assert client.get(f"/en/admin/consultations/consultation/{bad}/change/").status_code == 302
    assert client.get("/en/admin/consultations/consultation/appointments/99999/cancel/").status_code == 404
    client.force_login(cast["coordinator"])
    assert client.get("/en/admin/consultations/consultation/appointments/99999/cancel/").status_code == 403


def test_staff_close_a_case_once_its_outcome_is_recorded(client, cast, case):
    client.force_login(cast["staff"])
    action = {"action": "close_selected", "_selected_action": [case.pk]}
    client.post("/en/admin/consultations/consultation/", action)
    case.refresh_from_db()
    assert case.status == "accepted"  # no outcome yet
    services.record_outcome(consultation=case, outcome="resolved", summary="Status changed.", close=False)
    client.post("/en/admin/consultations/consultation/", action)
    case.refresh_from_db()
    assert case.status == "closed" and case.closed_at


def test_a_coordinator_cannot_line_up_a_case_with_its_residents_registration(client, cast, case):
    registered = timezone.localtime(case.resident.created_at)
    assert abs(case.created_at - case.resident.created_at) < timedelta(seconds=1)  # made together
    client.force_login(cast["coordinator"])
    listing = client.get("/en/admin/consultations/consultation/").content.decode()
    page = client.get(f"/en/admin/consultations/consultation/{case.pk}/change/").content.decode()
    for html in (listing, page):
        assert "Consultation #" in html
        assert date_format(registered, "DATE_FORMAT") not in html, html  # no date, and so no time
    by_date = client.get(f"/en/admin/consultations/consultation/?created_at__day={registered.day}")
    assert by_date.status_code == 400  # filtering by the day is refused

    client.force_login(cast["staff"])
    listing = client.get("/en/admin/consultations/consultation/").content.decode()
    assert date_format(registered, "DATE_FORMAT") in listing  # consultation staff, who know who asked, see when


def test_consultation_staff_see_only_the_residents_who_asked_for_a_consultation(client, cast, case):
    other = ResidentFactory(name="Tran Thi Mai")
    client.force_login(cast["staff"])
    listing = client.get("/en/admin/jii/resident/").content.decode()
    assert case.resident.name in listing and other.name not in listing
    assert client.get(f"/en/admin/jii/resident/{other.pk}/change/").status_code == 302  # "does not exist"
    assert client.get(f"/en/admin/jii/resident/{case.resident.pk}/change/").status_code == 200

    client.force_login(cast["coordinator"])  # coordinators work with every program's residents
    listing = client.get("/en/admin/jii/resident/").content.decode()
    assert case.resident.name in listing and other.name in listing


def test_consultation_staff_give_a_new_expert_their_login_by_email_without_the_user_list(client, cast):
    client.force_login(cast["staff"])
    page = client.get("/en/admin/consultations/expert/add/").content.decode()
    assert 'name="user"' in page and "related-lookup" not in page and "/admin/jii/user/" not in page
    hidden = dict(re.findall(r'<input type="hidden" name="([\w-]+(?:FORMS))" value="(\d+)"', page))
    form = {**hidden, "name": "山本 弁護士", "kind": "lawyer", "email": "yamamoto@example.jp", "is_active": "on",
            "language": "ja", "languages": [Language.objects.get(code="ja").pk]}  # fmt: skip
    wrong = client.post("/en/admin/consultations/expert/add/", {**form, "user": "nobody@example.jp"})
    assert "No JII account has this email address." in wrong.content.decode()
    login = UserFactory(email="yamamoto-login@example.jp")
    added = client.post("/en/admin/consultations/expert/add/", {**form, "user": "yamamoto-login@example.jp"})
    assert added.status_code == 302 and Expert.objects.get(name="山本 弁護士").user == login
