"""A language is configuration: settings.LANGUAGES is the one list, and everything that needs a language asks
jii/languages.py, walking the fallback chain (the language, its own fallbacks, then English, then Japanese)."""

import pytest
from django.core.management import call_command
from django.utils import translation

from jii.languages import current_language, fallback_chain, nearest_language
from jii.models import Resident, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def korean(settings):
    """Korean added the way the README says: one line in settings (no catalog yet)."""
    settings.LANGUAGES = [*settings.LANGUAGES, ("ko", "Korean")]


def test_the_fallback_chain_goes_through_the_languages_own_fallbacks_then_english_then_japanese(settings):
    settings.LANGUAGE_FALLBACKS = {"ja-easy": ["ja"]}
    assert fallback_chain("ja-easy") == ["ja-easy", "ja", "en"]
    assert fallback_chain("vi") == ["vi", "en", "ja"]
    assert fallback_chain("ja") == ["ja", "en"]


def test_the_current_language_is_one_the_site_offers(korean):
    assert current_language() == "ja"  # outside a request: the site's default
    with translation.override("ko"):
        assert current_language() == "ko"
    with translation.override("fr"):  # not offered
        assert current_language() == "ja"


def test_the_nearest_language_something_offers(settings):
    settings.LANGUAGE_FALLBACKS = {"ja-easy": ["ja"]}
    assert nearest_language({"ja", "en"}, "ja-easy") == "ja"
    assert nearest_language({"ja", "en"}, "ne") == "en"
    assert nearest_language({"vi"}, "ne") is None
    with translation.override("en"):
        assert nearest_language({"ja", "en"}) == "en"


def test_the_language_for_emails_offers_every_site_language_by_its_own_name(korean, settings):
    for model in (User, Resident):
        choices = list(model._meta.get_field("language").choices)
        assert choices[:3] == [("ja", "日本語"), ("en", "English"), ("ja-easy", "やさしい日本語")]
        assert choices[-2:] == [("fa-af", "دری"), ("ko", "한국어")]
        assert len(choices) == len(settings.LANGUAGES)


def test_adding_a_language_needs_no_migration(korean):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)  # exits non-zero on any change


def test_a_resident_is_written_to_in_the_language_of_the_page_they_applied_on(client, korean):
    from tests.spot.test_pages import request_form

    response = client.post("/ko/spot/request/", request_form())
    assert response.status_code == 302
    assert Resident.objects.get().language == "ko"


def test_a_language_added_in_settings_answers_with_the_fallbacks(client, korean):
    home = client.get("/ko/").content.decode()
    assert '<html lang="ko"' in home
    assert 'href="/ko/" lang="ko" hreflang="ko">한국어' in client.get("/").content.decode()
    form = client.get("/ko/spot/request/").content.decode()
    assert ">Meguro</option>" in form  # no Korean name written yet: the English one
