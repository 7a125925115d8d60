"""A person's own data: a resident downloads everything JII holds about them and asks for erasure from their
status page; a volunteer does the same from /volunteer/; a privacy officer carries a request out in one step."""

import json

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from jii.models import DataRequest, Message, Resident
from jii.status_links import make_token
from spot.models import SpotRequest
from spot.services import accept_request
from tests.factories import CoordinatorFactory, ResidentFactory, SpotRequestFactory, approved_volunteer
from tests.hanamaru.conftest import klass  # noqa: F401
from tests.jii.privacy_scenario import PERSONAL, build, personal_data_left

pytestmark = pytest.mark.django_db

THEIRS = ["OFP-WORDS", "NEAR-STATION", "SURVEY-COMMENT", "SPOT-WORDS", "SPOT-THANKS", "Zahra", "PEANUT-ALLERGY",
          "SCHOOL-NAME", "CASE-WORDS", "CASE-OUTCOME", "GIFT-MESSAGE", "Amina Rahimi", "080-5555-0101"]  # fmt: skip


@pytest.fixture
def someone_else(klass):  # noqa: F811
    """Another family with records in the same programs, whose words must never show in Amina's copy."""
    other = ResidentFactory(name="Other Person", email="other@example.com")
    SpotRequestFactory(resident=other, description="OTHER-WORDS")
    return other


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def officer():
    return CoordinatorFactory(groups=["coordinators", "privacy officers"])


def test_a_residents_copy_holds_every_record_of_theirs_and_nothing_of_anyone_elses(client, klass, someone_else):  # noqa: F811
    records = build(klass)
    token = make_token(records["resident"])
    page = client.post("/en/status/data/", {"token": token, "format": "page"})
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    html = page.content.decode()
    for program in ["Otonari-san Family Friend Program (OFP)", "Spot Otonari-san", "Hanamaru class",
                    "Kurashi consultations", "Donations"]:  # fmt: skip
        assert f">{program}</h2>" in html
    assert all(words in html for words in THEIRS), [words for words in THEIRS if words not in html]
    assert "OTHER-WORDS" not in html and "Other Person" not in html
    assert "Kenji Volunteer" not in html and "Kenji" in html  # their volunteer by given name only
    assert "CHECK-IN-CONCERN" not in html and "CASE-NOTE" not in html  # the volunteer's and staff's own notes

    download = client.post("/en/status/data/", {"token": token, "format": "json"})
    assert download["Content-Disposition"] == 'attachment; filename="jii-my-information.json"'
    data = json.loads(download.content)
    assert (
        data["person"]["email"] == "amina@example.com"
        and data["person"]["household_type"] == "Refugee or displaced person"
    )
    text = json.dumps(data, ensure_ascii=False)
    assert all(words in text for words in THEIRS) and "OTHER-WORDS" not in text
    kinds = {program["program"]: [record["record"] for record in program["records"]] for program in data["programs"]}
    assert kinds["Hanamaru class"].count("Child") == 1 and kinds["Kurashi consultations"] == ["Consultation"]
    assert client.post("/en/status/data/", {"token": "forged", "format": "json"}).status_code == 404


def test_a_resident_asks_for_erasure_after_a_second_step_and_hears_when(client, resident, committed):
    token = make_token(resident)
    status = client.get(f"/en/status/{token}/").content.decode()
    assert 'action="/en/status/erase/"' in status and 'action="/en/status/data/"' in status

    question = client.post("/en/status/erase/", {"token": token})
    assert "Erase everything JII holds about you?" in question.content.decode()
    assert not DataRequest.objects.exists()
    with committed():
        client.post("/en/status/erase/", {"token": token, "confirmed": "yes"})
        client.post("/en/status/erase/", {"token": token, "confirmed": "yes"})  # twice: still one request
    request = DataRequest.objects.get()
    assert request.resident == resident and request.deadline.date() == (
        request.requested_at.date() + timezone.timedelta(days=14)
    )
    to_resident, to_coordinators = sorted(mail.outbox, key=lambda email: email.to[0] != resident.email)
    assert to_resident.subject == "We have received your request to erase your information"
    assert "We will do it by" in to_resident.body
    assert to_coordinators.subject == "個人データ消去の依頼が届いています"
    assert resident.name not in to_coordinators.body and resident.email not in to_coordinators.body
    assert "/admin/jii/datarequest/" in to_coordinators.body
    status = client.get(f"/en/status/{token}/").content.decode()
    assert "You asked us on" in status and 'action="/en/status/erase/"' not in status


def test_a_privacy_officer_erases_a_resident_across_every_program_in_one_step(client, klass, someone_else, committed):  # noqa: F811
    records = build(klass)
    amina = records["resident"]
    volunteer = approved_volunteer()
    open_request = accept_request(request=SpotRequestFactory(resident=amina, description="SPOT-WORDS"),
                                  volunteer=volunteer)  # fmt: skip
    request = DataRequest.objects.create(resident=amina)

    coordinator = CoordinatorFactory(groups=["coordinators"])
    client.force_login(coordinator)
    queue = client.get(reverse("admin:jii_datarequest_changelist")).content.decode()
    assert "Amina Rahimi" in queue and "erase_selected" not in queue  # sees the queue, cannot erase
    action = {"action": "erase_selected", "_selected_action": [request.pk]}
    client.post(reverse("admin:jii_datarequest_changelist"), action)
    assert DataRequest.objects.get().done_at is None

    client.force_login(officer())
    with committed():
        client.post(reverse("admin:jii_datarequest_changelist"), action)

    request.refresh_from_db()
    assert request.done_at and request.done_by.groups.filter(name="privacy officers").exists()
    volunteers_own = ("Kenji Volunteer", "kenji@example.jp", "VOLUNTEER-ABOUT")  # not part of this request
    left = {place for place in personal_data_left() if not place.endswith(volunteers_own)}
    # What the accounts must keep for seven years: the donor's name and address on the gift and its receipt; and
    # the address the message telling her goes to. A bank statement's line not matched to any gift is nobody's
    # record yet (a sender's name as the bank printed it): it goes a year after the import.
    assert {place.split(":")[0] for place in left} == {"Donation.name", "Donation.email", "Donation.address",
                                                       "Donor.name", "Donor.email", "Donor.address",
                                                       "Receipt.donor_name", "Receipt.donor_email",
                                                       "Receipt.donor_address", "Message.address",
                                                       "StatementLine.kana", "StatementLine.reference"}  # fmt: skip
    assert {place for place in left if place.startswith("Message")} == {"Message.address: amina@example.com"}
    assert Resident.objects.get(name="Other Person").email == "other@example.com"
    assert SpotRequest.objects.get(resident=someone_else).description == "OTHER-WORDS"
    # what was under way ended, and the volunteer heard
    open_request.refresh_from_db()
    assert open_request.status == "cancelled"
    assert Message.objects.filter(template="spot_cancelled_volunteer", user=volunteer.user).exists()
    # the status link is dead; Amina heard at the address she had, in her language
    assert client.get(f"/en/status/{make_token(records['resident'])}/").status_code == 404
    [erased] = [email for email in mail.outbox if email.to == ["amina@example.com"]]
    assert erased.subject == "We have erased your information"
    # doing it again changes nothing
    assert client.post(reverse("admin:jii_datarequest_changelist"), action).status_code == 302
    assert len([email for email in mail.outbox if email.to == ["amina@example.com"]]) == 1


def test_personal_data_left_finds_the_scenarios_words(klass):  # noqa: F811
    build(klass)
    found = " ".join(personal_data_left())
    assert all(word in found for word in PERSONAL)


def test_a_volunteer_sees_their_data_and_closes_their_account(client, committed):
    volunteer = approved_volunteer(about="I like cooking")
    resident = ResidentFactory()
    accepted = accept_request(request=SpotRequestFactory(resident=resident), volunteer=volunteer)
    client.force_login(volunteer.user)

    dashboard = client.get("/en/volunteer/").content.decode()
    assert 'action="/en/volunteer/data/"' in dashboard and 'action="/en/volunteer/close/"' in dashboard
    copy = client.post("/en/volunteer/data/", {"format": "page"}).content.decode()
    assert "I like cooking" in copy and volunteer.user.email in copy and ">Spot request</h3>" in copy
    assert resident.name not in copy and "fever" not in copy  # nothing about the residents they helped

    assert "Close your account" in client.post("/en/volunteer/close/").content.decode()
    with committed():
        client.post("/en/volunteer/close/", {"confirmed": "yes"})
    request = DataRequest.objects.get(user=volunteer.user)

    client.force_login(officer())
    with committed():
        client.post(reverse("admin:jii_datarequest_changelist"),
                    {"action": "erase_selected", "_selected_action": [request.pk]})  # fmt: skip
    volunteer.user.refresh_from_db()
    assert not volunteer.user.is_active and not volunteer.user.has_usable_password()
    assert volunteer.user.name == "—" and volunteer.user.email.endswith("@invalid")
    accepted.refresh_from_db()
    assert accepted.status == "open" and accepted.volunteer is None  # back on the board, the resident told
    assert Message.objects.filter(template="spot_released_resident", resident=resident).exists()
    client.logout()
    assert not client.login(email=volunteer.user.email, password="x")


def test_the_copy_the_question_and_the_volunteers_panels_are_valid_html(client, klass):  # noqa: F811
    from jii.models import ConfidentialityPledge
    from jii.services import publish_text
    from tests.page_checks import nu_errors

    records = build(klass)
    token = make_token(records["resident"])
    pages = {
        "copy (fa-af)": client.post("/fa-af/status/data/", {"token": token, "format": "page"}).content.decode(),
        "question": client.post("/en/status/erase/", {"token": token}).content.decode(),
    }
    client.force_login(records["volunteer"])
    publish_text(ConfidentialityPledge, text={"ja": "第2版", "en": "Version two."})
    pages["dashboard"] = client.get("/en/volunteer/").content.decode()
    pages["profile"] = client.get("/en/volunteer/profile/").content.decode()
    pages["volunteer's copy"] = client.post("/en/volunteer/data/", {"format": "page"}).content.decode()
    assert 'id="pledge-text"' in pages["dashboard"] and 'id="pledge-text"' in pages["profile"]
    assert nu_errors(pages) == {}
