"""Volunteers sign up with django-allauth: email as login, mandatory email confirmation."""

import re
from unittest import mock

import pytest
from django.contrib.auth.hashers import get_hasher
from django.core import mail

from jii.models import User
from tests.factories import PASSWORD as PASSWORD_OF_FACTORIES
from tests.factories import VolunteerFactory, totp_code

pytestmark = pytest.mark.django_db

PASSWORD = "kotatsu-mikan-2026"


def sign_up(client, email="haruka@example.jp", prefix=""):
    return client.post(f"{prefix}/accounts/signup/", {"email": email, "password1": PASSWORD, "password2": PASSWORD})


def confirmation_path(message):
    return re.search(r"https?://[^/\s]+(/\S*/accounts/confirm-email/\S+/|/accounts/confirm-email/\S+/)", message.body)[
        1
    ]


def test_it_signs_up_and_must_confirm_the_email_before_logging_in(client):
    response = sign_up(client)
    assert response.status_code == 302
    user = User.objects.get(email="haruka@example.jp")
    assert not user.emailaddress_set.get().verified
    assert len(mail.outbox) == 1

    client.logout()
    login = client.post("/accounts/login/", {"login": "haruka@example.jp", "password": PASSWORD})
    assert login.status_code == 302
    assert "/accounts/confirm-email/" in login["Location"]
    assert client.get("/volunteer/").status_code == 302  # still not logged in

    path = confirmation_path(mail.outbox[-1])
    confirmed = client.post(path)
    assert confirmed.status_code == 302
    assert user.emailaddress_set.get().verified
    # Logged in on confirmation; a new volunteer is sent to fill in their profile first.
    dashboard = client.get("/volunteer/")
    assert dashboard.status_code == 302
    assert dashboard["Location"] == "/volunteer/profile/"


def test_the_confirmation_email_and_later_emails_use_the_sign_up_language(client):
    sign_up(client, email="ryan@example.com", prefix="/en")
    assert User.objects.get(email="ryan@example.com").language == "en"
    assert "Confirm" in mail.outbox[0].subject

    sign_up(client, email="yui@example.jp")
    assert User.objects.get(email="yui@example.jp").language == "ja"
    assert "確認" in mail.outbox[1].subject


def test_the_same_email_cannot_sign_up_twice_in_any_letter_case(client):
    sign_up(client, email="haruka@example.jp")
    client.logout()
    sign_up(client, email="Haruka@Example.jp")
    assert User.objects.filter(email__iexact="haruka@example.jp").count() == 1


def test_a_weak_password_gets_an_error_tied_to_the_field(client):
    response = client.post(
        "/en/accounts/signup/", {"email": "x@example.jp", "password1": "12345678", "password2": "12345678"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert 'id="id_password1_error"' in html
    assert "too common" in html
    assert not User.objects.exists()


def test_repeated_failed_logins_are_rate_limited(client, approved_volunteer):
    for _ in range(5):
        client.post("/en/accounts/login/", {"login": approved_volunteer.email, "password": "wrong"})
    response = client.post("/en/accounts/login/", {"login": approved_volunteer.email, "password": "wrong"})
    assert response.status_code == 429 or "Too many failed sign-ins" in response.content.decode()


def test_password_reset_sends_a_link(client, approved_volunteer):
    response = client.post("/en/accounts/password/reset/", {"email": approved_volunteer.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_coordinators_land_in_the_admin_and_volunteers_on_their_page(client, coordinator, approved_volunteer):
    response = client.post("/accounts/login/", {"login": coordinator.email, "password": PASSWORD_OF_FACTORIES})
    assert response["Location"] == "/accounts/2fa/authenticate/"  # staff's second factor (tests/jii/test_staff_mfa.py)
    response = client.post(response["Location"], {"code": totp_code()})
    assert response["Location"] == "/admin/"
    client.logout()
    response = client.post("/accounts/login/", {"login": approved_volunteer.email, "password": PASSWORD_OF_FACTORIES})
    assert response["Location"] == "/volunteer/"


def test_the_admin_login_goes_through_allauth_and_its_rate_limits(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_signing_up_with_a_registered_address_does_the_same_work_as_a_new_one(client):
    """Equal work, so equal time: hashing the password is what a sign-up spends its time on."""
    VolunteerFactory(email="taken@example.jp")
    hashes = []
    hasher = get_hasher()
    with mock.patch.object(type(hasher), "encode", autospec=True, side_effect=hasher.encode.__func__) as encode:
        for email in ("new@example.jp", "taken@example.jp"):
            client.logout()
            encode.reset_mock()
            response = sign_up(client, email=email)
            hashes.append(encode.call_count)
            assert response.status_code == 302 and response["Location"] == "/accounts/confirm-email/"
    assert hashes == [1, 1]
    assert [message.to for message in mail.outbox] == [["new@example.jp"], ["taken@example.jp"]]


@pytest.mark.parametrize("prefix", ["", "/en", "/vi"])
def test_the_password_rules_are_the_password_fields_description(client, prefix):
    html = client.get(f"{prefix}/accounts/signup/").content.decode()
    described_by = re.search(r'<input type="password" name="password1"[^>]* aria-describedby="([^"]+)"', html)[1]
    rules = re.search(rf'<div class="helptext" id="{described_by}">(.*?)</div>', html, re.S)[1]
    assert rules.count("<li>") == 4
