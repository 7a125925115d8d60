"""Requests no browser of ours sends, answered plainly: never a 500, never a page that links off the site."""

import logging

import pytest

pytestmark = pytest.mark.django_db

PUBLIC_FORMS = ["/ofp/apply/", "/spot/request/", "/hanamaru/enroll/", "/consultations/request/", "/status/"]


@pytest.mark.parametrize("path", PUBLIC_FORMS)
def test_a_form_posted_in_utf_16_is_refused_with_400_and_one_short_log_line(client, path, caplog):
    body = "name=Ana&email=ana%40example.com"  # the test client encodes it in the charset named
    with caplog.at_level(logging.WARNING):
        response = client.post(path, body, content_type="application/x-www-form-urlencoded; charset=utf-16")
    assert response.status_code == 400 and len(response.content) < 100
    assert "Refused a form posted in charset utf-16" in caplog.messages
    assert not any(record.exc_info for record in caplog.records) and len("".join(caplog.messages)) < 200


def test_a_form_posted_in_utf_8_with_its_charset_named_is_read_as_usual(client):
    response = client.post(
        "/en/status/", "contact=ana%40example.com", content_type="application/x-www-form-urlencoded; charset=UTF-8"
    )
    assert response.status_code == 302


@pytest.mark.parametrize("path", ["/", "/en/spot/request/", "/en/admin/login/", "/healthz"])
def test_every_answer_denies_the_camera_microphone_and_location(client, path):
    policy = client.get(path).headers["Permissions-Policy"]
    assert "camera=()" in policy and "microphone=()" in policy and "geolocation=()" in policy
