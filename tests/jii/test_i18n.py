"""Japanese at /, English at /en/, a switcher on every page, and a complete Japanese catalog."""

import re
from pathlib import Path

import polib
import pytest

pytestmark = pytest.mark.django_db

CATALOG = Path(__file__).resolve().parents[2] / "locale/ja/LC_MESSAGES/django.po"


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


def test_the_japanese_catalog_is_complete():
    catalog = polib.pofile(str(CATALOG))
    assert catalog.untranslated_entries() == []
    assert catalog.fuzzy_entries() == []
    assert len(catalog.translated_entries()) > 100


def test_the_japanese_catalog_keeps_every_placeholder():
    placeholder = re.compile(r"%\(\w+\)[sd]")
    for entry in polib.pofile(str(CATALOG)).translated_entries():
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for translation in translations:
            expected = set(placeholder.findall(entry.msgid_plural or entry.msgid))
            assert set(placeholder.findall(translation)) == expected, entry.msgid


def test_dates_are_shown_in_tokyo_time(settings):
    from django.utils import timezone

    assert settings.TIME_ZONE == "Asia/Tokyo"
    assert timezone.get_current_timezone_name() == "Asia/Tokyo"
