"""A resident's private status link: signed, unguessable, expiring; anything else is a plain 404."""

import re
import time
from datetime import timedelta

import pytest
from django.core import mail, signing

from jii.models import Message
from jii.services import send_status_link
from jii.status_links import make_token, status_url
from tests.factories import ResidentFactory
from tests.hanamaru.conftest import klass  # noqa: F401 (a fixture)
from tests.page_checks import resident_with_everything

pytestmark = pytest.mark.django_db


def test_the_resident_sees_their_page(client, resident):
    response = client.get(f"/en/status/{make_token(resident)}/")
    assert response.status_code == 200
    assert resident.name in response.content.decode()
    assert response["Referrer-Policy"] == "same-origin"  # never sent to another site
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_a_tampered_token_is_a_404_that_tells_nothing(client, resident):
    token = make_token(resident)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    response = client.get(f"/en/status/{tampered}/")
    assert response.status_code == 404
    assert resident.name not in response.content.decode()


def test_a_token_for_someone_elses_key_does_not_work(client, resident):
    forged = signing.TimestampSigner(salt="another-salt").sign(resident.status_key)
    assert client.get(f"/status/{forged}/").status_code == 404


def test_an_expired_link_is_a_404(client, resident, settings, monkeypatch):
    settings.STATUS_LINK_MAX_AGE_DAYS = 365
    issued_long_ago = time.time() - timedelta(days=366).total_seconds()
    monkeypatch.setattr(signing.time, "time", lambda: issued_long_ago)
    old_token = make_token(resident)
    monkeypatch.undo()
    assert client.get(f"/status/{old_token}/").status_code == 404
    assert client.get(f"/status/{make_token(resident)}/").status_code == 200


def test_rotating_the_key_revokes_links_already_sent(client, resident):
    token = make_token(resident)
    resident.status_key = "a-new-secret-key"
    resident.save()
    assert client.get(f"/status/{token}/").status_code == 404


def test_the_token_does_not_contain_the_residents_id_or_email(resident):
    token = make_token(resident)
    payload, _timestamp, _signature = token.split(":")
    assert payload == resident.status_key  # random, and all the token carries (checking for "MQ", the id 1 in
    assert resident.email not in token  # base64, would fail now and then by chance)
    assert len(payload) >= 20 and str(resident.pk) != payload


def test_the_status_link_email_is_in_the_residents_language(resident, django_capture_on_commit_callbacks):
    resident.language = "en"
    resident.save()
    with django_capture_on_commit_callbacks(execute=True):
        send_status_link(resident)
    message = mail.outbox[0]
    assert message.to == [resident.email]
    assert f"/en/status/{make_token(resident)}/" in message.body
    assert status_url(resident) in message.alternatives[0][0]
    assert "private status page" in message.body


def test_a_japanese_speaking_resident_gets_the_japanese_link(resident, django_capture_on_commit_callbacks):
    resident.language = "ja"
    resident.save()
    with django_capture_on_commit_callbacks(execute=True):
        send_status_link(resident)
    assert f"http://127.0.0.1:8000/status/{make_token(resident)}/" in mail.outbox[0].body
    assert "状況確認ページ" in mail.outbox[0].subject


def test_a_bad_link_gets_the_sites_own_404_page_in_the_users_language(client):
    response = client.get("/en/status/not-a-real-token/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert 'hreflang="ja"' in html  # the language switcher: it is the site's layout, not a bare error


def test_a_resident_chooses_the_language_of_their_page_and_emails(client, resident, django_capture_on_commit_callbacks):
    resident.language = "en"
    resident.save()
    token = make_token(resident)
    page = client.get(f"/en/status/{token}/").content.decode()
    assert 'name="language"' in page and '<option value="en" selected>English</option>' in page
    response = client.post("/en/status/language/", {"language": "ja", "token": token})
    assert (response.status_code, response["Location"]) == (302, f"/status/{token}/")
    resident.refresh_from_db()
    assert resident.language == "ja"
    with django_capture_on_commit_callbacks(execute=True):
        send_status_link(resident)
    assert "状況確認ページ" in mail.outbox[0].subject  # later emails follow the choice
    wrong = client.post("/status/language/", {"language": "xx", "token": token})
    assert wrong.status_code == 200 and "一覧の中から言語を選んでください。" in wrong.content.decode()
    resident.refresh_from_db()
    assert resident.language == "ja"


def ask_again(client, contact, language="en"):
    prefix = "/" if language == "ja" else f"/{language}/"
    return client.post(f"{prefix}status/", {"contact": contact})


def test_a_resident_who_lost_the_link_gets_a_new_one_in_their_language(
    client, resident, django_capture_on_commit_callbacks
):
    resident.language = "vi"
    resident.save()
    page = client.get("/vi/status/").content.decode()
    assert "Email hoặc số điện thoại của bạn" in page  # the form speaks the reader's language
    with django_capture_on_commit_callbacks(execute=True):
        response = ask_again(client, resident.email.upper(), language="vi")
    assert (response.status_code, response["Location"]) == (302, "/vi/status/sent/")
    [message] = mail.outbox
    assert message.to == [resident.email]
    assert f"/vi/status/{make_token(resident)}/" in message.body
    assert message.subject == "Trang tình trạng JII riêng của bạn"
    assert "Vui lòng giữ riêng đường liên kết này" in message.body


def test_the_answer_is_the_same_whether_or_not_the_address_is_known(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        unknown = ask_again(client, "nobody@example.org")
    assert (unknown.status_code, unknown["Location"]) == (302, "/en/status/sent/")
    assert mail.outbox == []
    assert not Message.objects.exists()
    sent_page = client.get("/en/status/sent/").content.decode()
    assert "If we know this email address or phone number" in sent_page


def test_a_phone_number_written_another_way_finds_the_resident(client, django_capture_on_commit_callbacks):
    resident = ResidentFactory(phone="080-1234-5678")
    ResidentFactory(phone="090-9999-5678")  # the same last digits, another person
    with django_capture_on_commit_callbacks(execute=True):
        ask_again(client, "+81 80 1234 5678")
    assert [message.to for message in mail.outbox] == [[resident.email]]


def test_mistakes_are_explained_on_the_field(client):
    empty = client.post("/en/status/", {"contact": ""}).content.decode()
    assert 'id="id_contact_error"' in empty and "Please fill this in." in empty
    short = client.post("/vi/status/", {"contact": "12-34"}).content.decode()
    assert "số điện thoại đầy đủ các chữ số" in short
    broken = client.post("/en/status/", {"contact": "ana@"}).content.decode()
    assert "This email address is not complete." in broken


def test_one_address_gets_at_most_three_links_an_hour(client, resident, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answers = {ask_again(client, resident.email)["Location"] for _ in range(5)}
    assert answers == {"/en/status/sent/"}  # the fourth and fifth look the same…
    assert len(mail.outbox) == 3  # …but send nothing


def test_one_network_can_ask_for_at_most_ten_addresses_an_hour(client, django_capture_on_commit_callbacks):
    residents = ResidentFactory.create_batch(12)
    with django_capture_on_commit_callbacks(execute=True):
        for resident in residents:
            ask_again(client, resident.email)
    assert len(mail.outbox) == 10


def test_the_home_page_and_a_dead_link_lead_to_the_form(client):
    assert 'href="/en/status/"' in client.get("/en/").content.decode()
    assert 'href="/en/status/"' in client.get("/en/status/not-a-token/").content.decode()


def test_the_status_pages_forms_send_the_token_in_the_form_not_in_their_paths(client, klass):  # noqa: F811
    status = resident_with_everything(klass)
    token = status.split("/")[1]
    html = client.get(f"/en/{status}").content.decode()
    actions = re.findall(r'<form method="post" action="([^"]*)"', html)
    assert len(actions) >= 3 and not [action for action in actions if token in action]
    assert html.count(f'<input type="hidden" name="token" value="{token}">') == len(actions)
