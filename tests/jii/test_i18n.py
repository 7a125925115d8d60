"""Japanese at /, English at /en/, a switcher on every page, and a complete catalog for every language."""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils.translation import to_locale

pytestmark = pytest.mark.django_db

LOCALE = Path(__file__).resolve().parents[2] / "locale"
SOURCE_LANGUAGE = "en"  # the strings in the code are English
CATALOGS = sorted(LOCALE.glob("*/LC_MESSAGES/django.po"))


def test_the_unprefixed_path_is_japanese_and_en_is_english(client):
    japanese = client.get("/").content.decode()
    english = client.get("/en/").content.decode()
    assert '<html lang="ja">' in japanese
    assert "おとなりさん・ファミリーフレンド・プログラム" in japanese
    assert '<html lang="en">' in english
    assert "Otonari-san Family Friend Program (OFP)" in english


def test_a_browser_asking_for_english_still_gets_japanese_at_the_unprefixed_path(client):
    response = client.get("/", headers={"accept-language": "en"})
    assert '<html lang="ja">' in response.content.decode()


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"])
def test_every_page_links_to_itself_in_the_other_language(client, path):
    html = client.get(path).content.decode()
    assert f'href="/en{path}" lang="en" hreflang="en"' in html
    english = client.get(f"/en{path}").content.decode()
    assert f'href="{path}" lang="ja" hreflang="ja"' in english


def test_the_switcher_keeps_the_query_string(client):
    html = client.get("/accounts/login/?next=/volunteer/").content.decode()
    assert 'href="/en/accounts/login/?next=/volunteer/"' in html


def test_every_language_of_the_site_but_the_source_has_a_catalog():
    expected = {to_locale(code) for code, _name in settings.LANGUAGES if code != SOURCE_LANGUAGE}
    assert {path.parts[-3] for path in CATALOGS} == expected


@pytest.mark.parametrize("path", CATALOGS, ids=lambda path: path.parts[-3])
def test_every_catalog_is_complete(path):
    catalog = polib.pofile(str(path))
    assert catalog.untranslated_entries() == []
    assert catalog.fuzzy_entries() == []
    assert len(catalog.translated_entries()) > 100


@pytest.mark.parametrize("path", CATALOGS, ids=lambda path: path.parts[-3])
def test_every_catalog_keeps_every_placeholder(path):
    placeholder = re.compile(r"%\(\w+\)[sd]")
    for entry in polib.pofile(str(path)).translated_entries():
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for translation in translations:
            expected = set(placeholder.findall(entry.msgid_plural or entry.msgid))
            assert set(placeholder.findall(translation)) == expected, entry.msgid


def test_dates_are_shown_in_tokyo_time(settings):
    from django.utils import timezone

    assert settings.TIME_ZONE == "Asia/Tokyo"
    assert timezone.get_current_timezone_name() == "Asia/Tokyo"
