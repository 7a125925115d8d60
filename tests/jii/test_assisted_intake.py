"""Assisted intake: a coordinator fills in a resident's form for someone who phoned or came in — with no email if
they have none — and who took it, how the resident agreed and the consent words read to them are kept."""

import pytest

from consultations.models import Consultation
from hanamaru.models import Enrolment
from jii.models import AssistedIntake, Message, Resident
from matching.models import Application
from spot.models import SpotRequest
from tests.consultations.test_intake_and_desk import intake
from tests.factories import CoordinatorFactory, VolunteerFactory
from tests.hanamaru.conftest import klass  # noqa: F401 — the class the enrolment form enrols in
from tests.hanamaru.test_pages import enrol_form
from tests.matching.test_pages import application_form
from tests.spot.test_pages import request_form

pytestmark = pytest.mark.django_db

FORMS = {
    "ofp": ("/ofp/apply/", lambda the_class: application_form(), Application),
    "spot": ("/spot/request/", lambda the_class: request_form(), SpotRequest),
    "hanamaru": ("/hanamaru/enroll/", enrol_form, Enrolment),
    "consultations": ("/consultations/request/", lambda the_class: intake(), Consultation),
}
WITHOUT_EMAIL = {"email": "", "phone": "090-8765-4321", "assisted-agreed": "phone", "assisted-language": "fa-af"}


@pytest.mark.parametrize("program", FORMS)
def test_a_coordinator_enters_a_resident_without_email_who_phoned(
    client,
    klass,  # noqa: F811
    program,
    django_capture_on_commit_callbacks,
):
    path, form_data, model = FORMS[program]
    coordinator = CoordinatorFactory(groups=["coordinators", "consultation staff"])
    client.force_login(coordinator)
    page = client.get(f"{path}?assisted=1").content.decode()
    assert "assisted-agreed" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{path}?assisted=1", {**form_data(klass), **WITHOUT_EMAIL})
    resident = Resident.objects.get(phone="090-8765-4321")
    assert (response.status_code, response["Location"]) == (302, f"/admin/jii/resident/{resident.pk}/change/")
    assert (resident.email, resident.language) == ("", "fa-af")  # their messages and page in Dari
    assert model.objects.count() == 1
    record = AssistedIntake.objects.get()
    assert (record.resident, record.program, record.taken_by, record.agreed) == (
        resident,
        program,
        coordinator,
        "phone",
    )
    assert record.consent_language == "ja" and len(record.consent_text) > 40  # the words read out, as shown
    message = Message.objects.get(resident=resident)
    assert message.state == "failed" and "no email address, and no LINE" in message.last_error


def test_the_same_phone_later_finds_the_same_resident(client, django_capture_on_commit_callbacks):
    client.force_login(CoordinatorFactory())
    for _ in range(2):
        client.post("/spot/request/?assisted=1", {**request_form(), **WITHOUT_EMAIL, "phone": "+81 90 8765 4321"})
    assert Resident.objects.count() == 1 and SpotRequest.objects.count() == 2


def test_a_coordinator_must_give_an_email_or_a_phone_and_say_how_the_resident_agreed(client):
    client.force_login(CoordinatorFactory())
    page = client.post(
        "/en/spot/request/?assisted=1", {**request_form(), "email": "", "phone": "", "assisted-language": "vi"}
    ).content.decode()
    assert "Give an email address or a phone number." in page
    assert 'id="id_assisted-agreed_error"' in page
    assert not Resident.objects.exists()


def test_nobody_else_can_leave_out_the_email(client):
    client.force_login(VolunteerFactory(profile__status="approved"))
    page = client.get("/en/spot/request/?assisted=1").content.decode()
    assert "assisted-agreed" not in page
    client.post("/en/spot/request/?assisted=1", {**request_form(), **WITHOUT_EMAIL})
    assert not Resident.objects.exists() and not AssistedIntake.objects.exists()


def test_the_desk_lists_intakes_and_links_to_the_four_forms(client):
    client.force_login(CoordinatorFactory())
    page = client.get("/en/admin/jii/assistedintake/").content.decode()
    for path in ("/en/ofp/apply/", "/en/spot/request/", "/en/hanamaru/enroll/", "/en/consultations/request/"):
        assert f'href="{path}?assisted=1"' in page
