"""Anonymous visitors get the shared campaign page early (donations.middleware): the same answer as the whole
stack gives, a form that posts, and everyone else the page as before."""

import re

import pytest
from django.contrib.sessions.middleware import SessionMiddleware
from django.middleware.csrf import CSRF_ALLOWED_CHARS, _unmask_cipher_token
from django.test import Client

from tests.donations.test_campaign_page import give_form

pytestmark = pytest.mark.django_db
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def full_stack(monkeypatch):
    """The addresses of the requests that reached the session middleware, i.e. were not answered early."""
    reached = []
    original = SessionMiddleware.process_request

    def process_request(self, request):
        reached.append(request.get_full_path())
        return original(self, request)

    monkeypatch.setattr(SessionMiddleware, "process_request", process_request)
    return reached


def headers(response) -> dict:
    found = dict(response.headers.items())
    # The policy's directives come in no fixed order; the cookie carries a new secret each time.
    found["Content-Security-Policy"] = sorted(found["Content-Security-Policy"].split("; "))
    found.pop("Set-Cookie", None)
    return found


@pytest.mark.parametrize("prefix", ["", "/en", "/ja-easy"])
def test_the_early_answer_is_the_whole_stacks_answer_but_the_token(prefix, campaign, during_campaign, full_stack):
    url = f"{prefix}/donate/{campaign.slug}/"
    rendered = Client().get(url)  # the first visitor's page is rendered by the view, and shared
    early = Client().get(url)
    assert full_stack == [url]  # the second was answered before the session middleware
    assert early.status_code == rendered.status_code == 200
    assert headers(early) == headers(rendered)
    assert TOKEN.sub("", early.content.decode()) == TOKEN.sub("", rendered.content.decode())
    assert TOKEN.search(early.content.decode())[1] != TOKEN.search(rendered.content.decode())[1]
    for response in (early, rendered):
        cookie = response.cookies["csrftoken"]
        assert cookie["path"] == "/" and cookie["samesite"] == "Lax" and cookie["max-age"] == 31449600


def test_the_early_pages_form_posts_with_its_token(campaign, during_campaign, full_stack):
    url = f"/en/donate/{campaign.slug}/"
    Client().get(url)
    visitor = Client(enforce_csrf_checks=True)
    html = visitor.get(url).content.decode()
    response = visitor.post(url, give_form(csrfmiddlewaretoken=TOKEN.search(html)[1]))
    assert full_stack == [url, url]  # rendered once, then early; the gift itself through the whole stack
    assert response.status_code == 303


def test_the_early_token_is_the_visitors_cookie_secret_masked_and_a_returning_visitor_keeps_their_secret(
    campaign, during_campaign
):
    url = f"/en/donate/{campaign.slug}/"
    Client().get(url)
    visitor = Client()
    tokens = [TOKEN.search(visitor.get(url).content.decode())[1] for _ in range(2)]
    secret = visitor.cookies["csrftoken"].value
    assert len(set(tokens)) == 2 and all(len(token) == 64 for token in tokens)
    assert {_unmask_cipher_token(token) for token in tokens} == {secret}
    assert set(secret) <= set(CSRF_ALLOWED_CHARS) and len(secret) == 32


def test_a_visitor_with_a_session_a_message_or_a_query_gets_the_whole_stack(campaign, during_campaign, full_stack):
    url = f"/en/donate/{campaign.slug}/"
    Client().get(url)
    for cookie, query in [({"sessionid": "x"}, ""), ({"messages": "x"}, ""), ({}, "?utm_source=line")]:
        visitor = Client()
        visitor.cookies.load(cookie)
        assert visitor.get(url + query).status_code == 200
    assert full_stack == [url, url, url, url + "?utm_source=line"]


def test_an_unknown_host_is_refused_early_too(campaign, during_campaign, full_stack):
    Client().get(f"/en/donate/{campaign.slug}/")
    assert Client().get(f"/en/donate/{campaign.slug}/", headers={"host": "evil.example"}).status_code == 400
    assert len(full_stack) == 1


def test_an_address_that_is_no_campaign_page_is_never_answered_early(campaign, during_campaign):
    Client().get(f"/en/donate/{campaign.slug}/")
    assert Client().get(f"/ja/donate/{campaign.slug}/").status_code == 404  # Japanese has no prefix
    assert Client().get(f"/xx/donate/{campaign.slug}/").status_code == 404
