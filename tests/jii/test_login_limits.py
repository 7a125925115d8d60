"""Sign-in under attack: failed logins count each visitor's own address behind the proxy, an attacker guessing a
coordinator's password cannot keep the coordinator out (a code by email always lets them in), and the person
whose account it is hears about the failed attempts when they next sign in."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import override_settings

from jii.models import FailedSignIn
from tests.factories import PASSWORD, CoordinatorFactory, VolunteerFactory, totp_code

pytestmark = pytest.mark.django_db


def log_in(client, email, password, forwarded_for=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for else {}
    return client.post("/en/accounts/login/", {"login": email, "password": password}, **headers)


def test_behind_the_proxy_one_visitors_failures_do_not_lock_out_everyone_else(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1  # what the compose file and the README set behind a proxy
    volunteer = VolunteerFactory()
    for attempt in range(12):  # one attacker, many accounts: the per-address limit stops them
        log_in(client, f"nobody{attempt}@example.com", "wrong", forwarded_for="203.0.113.7")
    blocked = log_in(client, volunteer.email, PASSWORD, forwarded_for="203.0.113.7")
    assert "Too many failed sign-ins" in blocked.content.decode()

    # Everyone else reaches the site through the same proxy (REMOTE_ADDR) and signs in as usual.
    response = log_in(client, volunteer.email, PASSWORD, forwarded_for="198.51.100.20")
    assert response.status_code == 302


def test_an_attacker_guessing_a_coordinators_password_cannot_keep_them_out(client):
    coordinator = CoordinatorFactory(email="sato@j-ii.org")
    for attempt in range(6):
        log_in(client, coordinator.email, f"guess-{attempt}", forwarded_for=f"203.0.113.{attempt}")
    refused = log_in(client, coordinator.email, PASSWORD)
    html = refused.content.decode()
    assert refused.status_code == 200 and "Too many failed sign-ins to this account" in html
    assert "sign in with a code" in html

    # The way in that the attacker cannot block: a one-time code sent to the coordinator's own address.
    response = client.post("/en/accounts/login/code/", {"email": coordinator.email})
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == [coordinator.email]
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", message.body, re.M)[1]
    confirmed = client.post(response["Location"], {"code": code})
    # Then, as after a password, the code from the coordinator's authenticator app.
    assert confirmed.status_code == 302 and confirmed["Location"] == "/en/accounts/2fa/authenticate/"
    second = client.post(confirmed["Location"], {"code": totp_code()})
    assert second.status_code == 302 and second["Location"] == "/en/admin/"


def test_the_account_holder_sees_the_failed_attempts_when_they_next_sign_in(client):
    coordinator = CoordinatorFactory(email="sato@j-ii.org")
    for attempt in range(3):
        log_in(client, coordinator.email, f"guess-{attempt}")
    log_in(client, "nobody@example.com", "guess")  # no account: nothing to record
    assert FailedSignIn.objects.filter(user=coordinator).count() == 3 and FailedSignIn.objects.count() == 3

    log_in(client, coordinator.email, PASSWORD)
    response = client.post("/en/accounts/2fa/authenticate/", {"code": totp_code()})
    page = client.get(response["Location"]).content.decode()
    assert "3 failed attempts to sign in to your account since you last signed in" in page

    client.logout()
    cache.clear()  # the app's code may be used once only; the next sign-in is within the same 30 seconds
    log_in(client, coordinator.email, PASSWORD)
    client.post("/en/accounts/2fa/authenticate/", {"code": totp_code()})
    assert "failed attempts" not in client.get("/en/admin/").content.decode()  # told once


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=2)
def test_a_forwarded_for_header_shorter_than_the_proxy_chain_is_not_an_error(client):
    volunteer = VolunteerFactory()
    assert log_in(client, volunteer.email, PASSWORD, forwarded_for="203.0.113.7").status_code == 302
