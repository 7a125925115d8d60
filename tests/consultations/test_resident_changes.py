"""A resident cancels a consultation appointment or asks for another time from their status page: after a
confirmation, until CONSULTATION_CHANGE_HOURS before it and CONSULTATION_CHANGES_ALLOWED times per case; the
expert and consultation staff are told, the time is free again and each change is kept."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from consultations import services
from consultations.models import Appointment, AppointmentChange, Consultation
from jii.models import Message
from jii.status_links import make_token
from tests.consultations.conftest import book, committed, make_expert, submit

pytestmark = pytest.mark.django_db

RESIDENT, EXPERT, STAFF = "chen@example.com", "takahashi@example.jp", "kurashi-staff@example.org"
REFUSED = "Please call or write to JII to change it."


@pytest.fixture(autouse=True)
def limits(settings):
    settings.CONSULTATION_STAFF_EMAIL = STAFF
    settings.CONSULTATION_CHANGE_HOURS = 24
    settings.CONSULTATION_CHANGES_ALLOWED = 2


def status_page(client, resident):
    return client.get(f"/en/status/{make_token(resident)}/").content.decode()


def post(client, appointment, step, confirmed=True, **data):
    path = f"/en/consultations/r/appointments/{appointment.pk}/{step}/"
    data = {"token": make_token(appointment.consultation.resident), **data}
    if confirmed:
        data["confirmed"] = "yes"
    with committed():
        return client.post(path, data, follow=True)


def test_the_status_page_offers_both_changes_for_an_appointment_further_than_the_limit(client, expert):
    appointment = book(submit(), expert, days=3)
    html = status_page(client, appointment.consultation.resident)
    assert "Ask for another time" in html and "Cancel this appointment" in html
    assert f"/consultations/r/appointments/{appointment.pk}/cancel/" in html
    assert f'action="/en/consultations/r/appointments/{appointment.pk}/cancel/"' in html  # no token in the path


def test_each_change_asks_for_a_confirmation_first(client, expert):
    appointment = book(submit(), expert, days=3)
    for step, question in [("cancel", "Cancel your appointment on"), ("another-time", "Ask for another time instead")]:
        response = post(client, appointment, step, confirmed=False)
        html = response.content.decode()
        assert question in html and 'name="confirmed" value="yes"' in html
        assert 'name="token"' in html  # carried in the form, not in the path
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED and not AppointmentChange.objects.exists()


def test_a_resident_cancels_outside_the_limit_and_the_expert_and_staff_are_told(client, expert):
    appointment = book(submit(), expert, days=3)
    mail.outbox.clear()
    html = post(client, appointment, "cancel").content.decode()
    assert "Your appointment is cancelled." in html
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    [change] = AppointmentChange.objects.all()
    assert (change.appointment, change.kind, change.by_resident) == (appointment, "cancelled", True)
    rows = Message.objects.filter(template__in=["consultation_appointment", "consultation_resident_change"])
    assert sorted(rows.exclude(once_key__contains=":booked:").values_list("template", "address", "language")) == [
        ("consultation_appointment", "", "en"),  # the resident
        ("consultation_appointment", EXPERT, "ja"),
        ("consultation_resident_change", STAFF, "ja"),
    ]
    [to_expert] = [m for m in mail.outbox if m.to == [EXPERT]]
    assert to_expert.subject == "面談の取り消し"  # the expert's cancellation, in Japanese
    [to_staff] = [m for m in mail.outbox if m.to == [STAFF]]
    consultation = appointment.consultation
    assert f"/admin/consultations/consultation/{consultation.pk}/change/" in to_staff.body
    assert "visa" not in to_staff.body and "Chen" not in to_staff.body  # the case's words and name stay off email


def test_asking_for_another_time_flags_the_case_and_keeps_the_note_off_email(client, expert):
    appointment = book(submit(), expert, days=3)
    mail.outbox.clear()
    html = post(client, appointment, "another-time", note="Friday afternoons are better").content.decode()
    assert "JII will contact you with a new time." in html
    assert "You asked for another time." in html
    case = Consultation.objects.get()
    assert case.new_time_asked_at is not None and case.status == Consultation.Status.ACCEPTED
    [change] = AppointmentChange.objects.all()
    assert (change.kind, change.note) == ("another_time", "Friday afternoons are better")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([RESIDENT, EXPERT, STAFF])
    assert all("Friday" not in m.body for m in mail.outbox)
    # staff book a new time: the flag goes
    book(case, expert, days=5)
    case.refresh_from_db()
    assert case.new_time_asked_at is None


def test_inside_the_limit_the_buttons_are_gone_and_a_post_is_refused(client, expert):
    appointment = book(submit(), expert, days=3)
    starts_at = timezone.now() + timedelta(hours=23)  # moved by staff to 23 hours from now
    Appointment.objects.filter(pk=appointment.pk).update(starts_at=starts_at, ends_at=starts_at + timedelta(hours=1))
    html = status_page(client, appointment.consultation.resident)
    assert "Cancel this appointment" not in html and "To change this appointment, please call or write to JII" in html
    for step in ("cancel", "another-time"):
        assert REFUSED in post(client, appointment, step).content.decode()
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED and not AppointmentChange.objects.exists()


def test_the_number_of_changes_is_limited_per_case(client, expert):
    case = submit()
    first = book(case, expert, days=3)
    post(client, first, "another-time")
    second = book(case, expert, days=4)
    post(client, second, "another-time")
    third = book(case, expert, days=5)
    assert AppointmentChange.objects.filter(appointment__consultation=case).count() == 2
    html = status_page(client, case.resident)
    assert "Ask for another time" not in html
    assert REFUSED in post(client, third, "cancel").content.decode()
    third.refresh_from_db()
    assert third.status == Appointment.Status.BOOKED


def test_the_time_is_free_again_after_a_cancellation(client, expert):
    appointment = book(submit(), expert, days=3, hour=10)
    post(client, appointment, "cancel")
    other = submit("other@example.com")
    again = book(other, expert, days=3, hour=10)  # the same expert at the same time
    assert again.status == Appointment.Status.BOOKED


def test_a_resident_cannot_change_someone_elses_appointment(client, expert):
    appointment = book(submit(), expert, days=3)
    other = submit("other@example.com")
    response = client.post(
        f"/en/consultations/r/appointments/{appointment.pk}/cancel/",
        {"token": make_token(other.resident), "confirmed": "yes"},
    )
    assert response.status_code == 404


def test_the_services_refuse_in_the_residents_words(expert):
    appointment = book(submit(), expert, days=3)
    with committed():
        services.cancel_by_resident(appointment=appointment)
    with pytest.raises(services.ConsultationError, match=REFUSED):
        services.ask_for_another_time(appointment=appointment, note="")


@pytest.mark.parametrize("cases", [1, 6])
def test_the_status_page_runs_a_fixed_number_of_queries(client, cases, django_assert_num_queries):
    expert = make_expert()
    resident = None
    for n in range(cases):
        case = submit(f"p{n}@example.com") if resident is None else services.submit_request(
            email=resident.email, language="en", resident_details={}, languages=[], topic="work",
            description="x", interpreter_needed=False, urgency=1, preferred_times="", modes=["phone"],
        )  # fmt: skip
        resident = case.resident
        post(client, book(case, expert, days=3, hour=9 + n), "another-time")
        book(case, expert, days=4, hour=9 + n)
    client.cookies.clear()
    # resident; OFP applications; Spot; Hanamaru; consultations (with their changes counted) and their
    # appointments (with experts, rooms); an open erasure request
    with django_assert_num_queries(7):
        assert "Ask for another time" in status_page(client, resident)
