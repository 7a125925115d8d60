"""A flood of public forms: 30 posts naming one victim's address send that person five emails at most, and
create five records at most; one network is limited across every form; a bot that fills the hidden field saves
nothing. Coordinators entering forms at the desk are not limited."""

import re

import pytest
from django.core import mail

from hanamaru.models import Enrolment
from jii.models import Message, Resident
from spot.models import SpotRequest
from tests.factories import CoordinatorFactory, ResidentFactory
from tests.hanamaru.conftest import klass  # noqa: F401
from tests.jii.test_every_language import FORMS
from tests.spot.test_pages import request_form

pytestmark = pytest.mark.django_db

TOO_MANY = "We have received many forms from this network or for this email address in the last hour"


def test_thirty_spot_requests_for_one_address_send_five_emails_and_save_five_requests(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answers = [client.post("/en/spot/request/", request_form(email="victim@example.com")) for _ in range(30)]
    assert [answer.status_code for answer in answers] == [302] * 5 + [200] * 25
    assert all(TOO_MANY in answer.content.decode() for answer in answers[5:])
    assert 'value="victim@example.com"' in answers[-1].content.decode()  # nothing typed is lost
    assert SpotRequest.objects.count() == 5
    assert Message.objects.filter(resident__email="victim@example.com").count() == 5
    assert len(mail.outbox) == 5 and {message.to[0] for message in mail.outbox} == {"victim@example.com"}


@pytest.mark.parametrize("form", FORMS)
def test_every_program_form_counts_towards_one_limit_per_network(client, klass, form):  # noqa: F811
    path, data = FORMS[form]
    for number in range(30):  # thirty different addresses, from one network, through the Spot form
        client.post("/en/spot/request/", request_form(email=f"person{number}@example.com"))
    messages_before = Message.objects.count()
    answer = client.post(f"/en/{path}", {**data(klass), "email": "someone-new@example.com"})
    assert answer.status_code == 200 and TOO_MANY in answer.content.decode()
    assert Message.objects.count() == messages_before


def test_a_bot_filling_the_hidden_field_saves_nothing(client, klass):  # noqa: F811
    page = client.get("/en/spot/request/").content.decode()
    assert 'name="leave_empty"' in page and 'tabindex="-1"' in page
    for path, data in FORMS.values():
        answer = client.post(f"/en/{path}", {**data(klass), "leave_empty": "https://spam.example"})
        assert answer.status_code == 200 and "We could not accept this form" in answer.content.decode()
    assert not SpotRequest.objects.exists() and not Enrolment.objects.exists() and not Message.objects.exists()


def test_coordinators_entering_forms_at_the_desk_are_not_limited(client):
    client.force_login(CoordinatorFactory(groups=["coordinators"]))
    for number in range(8):
        data = request_form(email="", phone=f"080-0000-00{number:02d}", **{"assisted-agreed": "phone",
                            "assisted-language": "vi"})  # fmt: skip
        assert client.post("/en/spot/request/?assisted=1", data).status_code == 302
    assert SpotRequest.objects.count() == 8


def text_fields(html: str) -> list[str]:
    inputs = re.findall(r'<input type="(?:text|email|tel)" name="([\w-]+)"', html)
    return [*inputs, *re.findall(r'<textarea name="([\w-]+)"', html)]


@pytest.mark.parametrize("form", FORMS)
def test_every_text_field_of_every_public_form_has_a_length_limit(client, klass, form):  # noqa: F811
    path, data = FORMS[form]
    fields = [name for name in text_fields(client.get(f"/en/{path}").content.decode()) if name != "leave_empty"]
    assert len(fields) >= 4
    for name in fields:
        answer = client.post(f"/en/{path}", {**data(klass), name: "x" * 1_000_000})
        html = answer.content.decode()
        assert answer.status_code == 200 and "Please shorten this to" in html and f'id="id_{name}_error"' in html
    assert not Resident.objects.exists() and not Message.objects.exists()


def test_characters_that_reorder_a_name_are_dropped(client):
    client.post("/en/spot/request/", request_form(name="Ali\u202egnp.exe"))
    assert Resident.objects.get().name == "Alignp.exe"


def test_a_name_saved_with_reordering_characters_shows_as_written_in_the_admin(client):
    ResidentFactory(name="Ali\u202egnp.exe")  # from before the forms dropped them
    client.force_login(CoordinatorFactory(groups=["coordinators"]))
    listing = client.get("/en/admin/jii/resident/").content.decode()
    assert "Alignp.exe" in listing and "\u202e" not in listing
