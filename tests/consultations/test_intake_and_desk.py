"""The intake form (errors on their fields, nothing saved on bad input), triage on the desk (accept, pass to
Spot in one step, book), the figures, and fixed query counts."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from consultations import services
from consultations.models import Consultation
from jii.models import Area, Language
from spot.models import SpotRequest
from tests.consultations.conftest import book, committed, make_expert, make_interpreter, submit
from tests.factories import CoordinatorFactory

pytestmark = pytest.mark.django_db


def intake(**changes):
    data = {
        "name": "Chen Li", "email": "chen@example.com", "phone": "", "area": Area.objects.get(code="tokyo-meguro").pk,
        "topic": "residence", "description": "My visa expires in six weeks.", "languages":
        [Language.objects.get(code="zh").pk], "interpreter_needed": "on", "urgency": "2", "preferred_times": "",
        "modes": ["phone"], "consent": "on",
    }  # fmt: skip
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_a_resident_asks_and_gets_a_confirmation_with_the_status_link(client):
    with committed():
        response = client.post("/en/consultations/request/", intake())
    assert response.status_code == 302
    case = Consultation.objects.get()
    assert (case.topic, case.interpreter_needed, case.modes, case.status) == ("residence", True, ["phone"], "new")
    [message] = mail.outbox
    assert message.subject == "Kurashi consultation: we received your request" and "/en/status/" in message.body


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"topic": None}, "id_topic", "Please choose one."),
        ({"description": ""}, "id_description", "Please fill this in."),
        ({"modes": None}, "id_modes", "Please choose at least one."),
        ({"consent": None}, "id_consent", "Please tick the box to agree."),
        ({"languages": ["99999999999999999999999"]}, "id_languages", "is not a valid value"),
    ],
)
def test_bad_input_is_explained_on_its_field_and_nothing_is_saved(client, changes, field, message):
    response = client.post("/en/consultations/request/", intake(**changes))
    html = response.content.decode()
    assert response.status_code == 200 and message in html
    assert f'id="{field}_error"' in html and html.count(f"{field}_error") >= 2
    assert not Consultation.objects.exists()


def test_the_intake_form_speaks_japanese_and_names_who_reads_the_case(client):
    html = client.get("/consultations/request/").content.decode()
    assert "くらしの相談を申し込む" in html and "相談担当スタッフと、あなたの相談を担当する専門家" in html
    assert re.search(r"value=\"in_person\"[^>]*>\s*対面</label>", html) and "直接会った" not in html  # in person


def test_a_spot_type_problem_goes_to_spot_in_one_step_with_a_summary_not_the_residents_words(client):
    case = submit(topic="housing", description="My husband left and I cannot read the gas company's letter.")
    client.force_login(CoordinatorFactory(groups=["consultation staff"]))
    form = {"topic": "utilities", "area": Area.objects.get(code="tokyo-meguro").pk, "urgency": "2",
            "summary": "Help reading a letter from the gas company (Japanese).", "resident_agreed": "on"}  # fmt: skip
    without_agreement = client.post(
        f"/en/admin/consultations/consultation/{case.pk}/spot/", {**form, "resident_agreed": ""}
    )
    assert without_agreement.status_code == 200 and not SpotRequest.objects.exists()
    with committed():
        response = client.post(f"/en/admin/consultations/consultation/{case.pk}/spot/", form)
    assert response.status_code == 302
    case.refresh_from_db()
    spot_request = SpotRequest.objects.get()
    assert case.status == "redirected" and case.spot_request_id == spot_request.pk
    assert (spot_request.resident, spot_request.category, spot_request.status) == (
        case.resident,
        "infrastructure",
        "open",
    )
    assert spot_request.description == form["summary"] and "husband" not in spot_request.description
    client.post(f"/en/admin/consultations/consultation/{case.pk}/spot/", form)
    assert SpotRequest.objects.count() == 1  # passing it on twice makes one request


def test_staff_book_from_the_desk_with_experts_of_the_topic_speaking_the_language_first(client):
    case = submit()
    chinese = make_expert(name="高橋 健", email="t@example.jp", languages=("ja", "zh"))
    make_expert(name="佐藤 由美", email="s@example.jp", languages=("ja", "en"))
    make_expert(name="Maria Lopez", email="m@example.jp", topics=("medical",), languages=("zh",))
    client.force_login(CoordinatorFactory(groups=["consultation staff"]))
    page = client.get(f"/en/admin/consultations/consultation/{case.pk}/book/").content.decode()
    assert page.index("高橋 健") < page.index("佐藤 由美") and "Maria Lopez" not in page
    day = (timezone.localdate() + timedelta(days=3)).isoformat()
    form = {"expert": chinese.pk, "day": day, "starts": "08:00", "minutes": "60", "mode": "phone"}
    response = client.post(f"/en/admin/consultations/consultation/{case.pk}/book/", form)
    assert response.status_code == 200 and "outside the expert&#x27;s hours" in response.content.decode()
    with committed():
        response = client.post(f"/en/admin/consultations/consultation/{case.pk}/book/", {**form, "starts": "10:00"})
    assert response.status_code == 302 and case.appointments.get().expert == chinese


def test_the_figures(client):
    fast, slow = submit("a@example.com"), submit("b@example.com", interpreter_needed=True)
    Consultation.objects.filter(pk=slow.pk).update(created_at=timezone.now() - timedelta(days=10))
    expert = make_expert()
    book(fast, expert, days=2)
    book(slow, expert, days=2, hour=14, interpreter=make_interpreter())
    client.force_login(CoordinatorFactory(groups=["coordinators"]))
    html = client.get("/en/admin/consultations/consultation/figures/").content.decode()
    assert 'id="consultations-total">2<' in html and 'id="consultations-interpreter">50.0%<' in html
    median = html.split('id="consultations-median-days">')[1].split("<")[0]
    assert 6 < float(median) < 8  # the middle of about 2.x and 12.x days


@pytest.mark.parametrize("cases", [1, 45])
def test_the_expert_page_and_the_status_page_run_a_fixed_number_of_queries(client, cases, django_assert_num_queries):
    from jii.status_links import make_token
    from tests.factories import UserFactory

    expert = make_expert()
    expert.user = UserFactory()
    expert.save()
    for n in range(cases):
        case = submit(f"p{n}@example.com")
        book(case, expert, days=3 + n // 6, hour=9 + n % 6)
        services.add_note(consultation=case, author=expert.user, text="note")
    client.force_login(expert.user)
    # session, user, expert; cases, their languages, notes with authors, appointments; the reads logged; the
    # appointments they interpret
    with django_assert_num_queries(9):
        assert client.get("/en/consultations/expert/").status_code == 200
    resident = Consultation.objects.first().resident
    client.logout()
    # resident; OFP applications; Spot; Hanamaru; consultations and their appointments (with experts, rooms);
    # an open erasure request
    with django_assert_num_queries(7):
        assert client.get(f"/en/status/{make_token(resident)}/").status_code == 200
