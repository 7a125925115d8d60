"""Japanese at /, every other language at its prefix, a switcher on every page, and catalogs complete for the
readers of each language."""

import csv
import re
from datetime import UTC, datetime
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils.translation import to_locale

from jii.catalogs import resident_entries

pytestmark = pytest.mark.django_db

LOCALE = Path(__file__).resolve().parents[2] / "locale"
SOURCE_LANGUAGE = "en"  # the strings in the code are English
CATALOGS = sorted(LOCALE.glob("*/LC_MESSAGES/django.po"))


SITE_LANGUAGES = [code for code, _name in settings.LANGUAGES]


def home(code):
    return "/" if code == settings.LANGUAGE_CODE else f"/{code}/"


def test_the_unprefixed_path_is_japanese_and_en_is_english(client):
    japanese = client.get("/").content.decode()
    english = client.get("/en/").content.decode()
    assert '<html lang="ja" dir="ltr">' in japanese
    assert "おとなりさん・ファミリーフレンド・プログラム" in japanese
    assert '<html lang="en" dir="ltr">' in english
    assert "Otonari-san Family Friend Program (OFP)" in english


@pytest.mark.parametrize(
    ("code", "tag", "direction", "heading"),
    [
        ("ja-easy", "ja-x-easy", "ltr", "おとなりさん"),
        ("zh-hans", "zh-Hans", "ltr", "邻居"),
        ("vi", "vi", "ltr", "Otonari-san"),
        ("ne", "ne", "ltr", "ओतोनारी"),
        ("uk", "uk", "ltr", "Отонарі"),
        ("fa-af", "fa-AF", "rtl", "اوتوناری"),
    ],
)
def test_each_residents_language_answers_at_its_prefix_in_its_script_and_direction(
    client, code, tag, direction, heading
):
    html = client.get(f"/{code}/").content.decode()
    assert f'<html lang="{tag}" dir="{direction}">' in html
    assert heading in html


def test_a_browser_asking_for_english_still_gets_japanese_at_the_unprefixed_path(client):
    response = client.get("/", headers={"accept-language": "en"})
    assert '<html lang="ja" dir="ltr">' in response.content.decode()


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"])
def test_every_page_links_to_itself_in_every_language_by_the_languages_own_name(client, path):
    html = client.get(path).content.decode()
    for code, name, tag in [
        ("en", "English", "en"),
        ("ja-easy", "やさしい日本語", "ja-x-easy"),
        ("fa-af", "دری", "fa-AF"),
    ]:  # noqa: E501
        assert f'href="/{code}{path}" lang="{tag}" hreflang="{tag}">{name}</a>' in html
    vietnamese = client.get(f"/vi{path}").content.decode()
    assert f'href="{path}" lang="ja" hreflang="ja">日本語</a>' in vietnamese
    assert f'href="/zh-hans{path}" lang="zh-Hans" hreflang="zh-Hans">简体中文</a>' in vietnamese


def test_the_switcher_keeps_the_query_string(client):
    html = client.get("/accounts/login/?next=/volunteer/").content.decode()
    assert 'href="/en/accounts/login/?next=/volunteer/"' in html
    assert 'href="/uk/accounts/login/?next=/volunteer/"' in html


@pytest.mark.parametrize("path", ["/%2F%2Fevil.example/", "/en/%2F%2Fevil.example/", "/no-such-page/"])
def test_on_a_page_that_does_not_exist_the_switcher_links_to_each_languages_home(client, path):
    response = client.get(path)
    html = response.content.decode()
    assert response.status_code == 404
    assert "evil.example" not in html and 'href="//' not in html
    assert 'href="/en/" lang="en"' in html and 'href="/" lang="ja"' in html


def test_plain_japanese_pages_have_readings_over_the_kanji_and_japanese_pages_do_not(client):
    easy = client.get("/ja-easy/hanamaru/enroll/").content.decode()
    assert "<ruby>子<rp>(</rp><rt>こ</rt><rp>)</rp></ruby>ども" in easy
    assert "<title>" in easy and "<ruby>" not in easy.split("<title>")[1].split("</title>")[0]
    assert "<ruby>" not in client.get("/hanamaru/enroll/").content.decode()


def test_every_language_of_the_site_but_the_source_has_a_catalog():
    expected = {to_locale(code) for code in SITE_LANGUAGES if code != SOURCE_LANGUAGE}
    assert {path.parts[-3] for path in CATALOGS} == expected


def test_the_japanese_catalog_is_complete():
    catalog = polib.pofile(str(LOCALE / "ja" / "LC_MESSAGES" / "django.po"))
    assert catalog.untranslated_entries() == []
    assert catalog.fuzzy_entries() == []


@pytest.mark.parametrize("path", CATALOGS, ids=lambda path: path.parts[-3])
def test_every_catalog_translates_every_string_residents_read(path):
    catalog = polib.pofile(str(path))
    missing = [entry.msgid for entry in resident_entries(catalog) if not entry.translated()]
    assert missing == []
    assert catalog.fuzzy_entries() == []
    assert len(resident_entries(catalog)) > 700


@pytest.mark.parametrize("path", CATALOGS, ids=lambda path: path.parts[-3])
def test_every_catalog_keeps_every_placeholder(path):
    placeholder = re.compile(r"%\(\w+\)[sd]")
    for entry in polib.pofile(str(path)).translated_entries():
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for translation in translations:
            expected = set(placeholder.findall(entry.msgid_plural or entry.msgid))
            assert set(placeholder.findall(translation)) == expected, entry.msgid


GLOSSARY = list(csv.DictReader((LOCALE / "glossary.csv").open(encoding="utf-8")))


def test_the_glossary_renders_every_term_in_every_language_but_the_source():
    terms = {row["term"] for row in GLOSSARY}
    for term in terms:
        languages = sorted(row["language"] for row in GLOSSARY if row["term"] == term)
        assert languages == sorted(code for code in SITE_LANGUAGES if code != SOURCE_LANGUAGE), term
    assert {"Otonari-san", "Hanamaru class", "residence card", "My Number", "ward office / city office"} <= terms


@pytest.mark.parametrize("path", CATALOGS, ids=lambda path: path.parts[-3])
def test_every_catalog_names_the_programs_the_way_its_glossary_does(path):
    language = next(code for code in SITE_LANGUAGES if to_locale(code) == path.parts[-3])
    names = {row["term"].split()[0]: row["in_every_string"] for row in GLOSSARY if row["language"] == language}
    names = {english: rendering for english, rendering in names.items() if rendering}
    assert set(names) == {"Otonari-san", "Hanamaru", "Kurashi"}
    for entry in resident_entries(polib.pofile(str(path))):
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for english, rendering in names.items():
            if english in entry.msgid:
                assert all(rendering in translation for translation in translations), (entry.msgid, translations)


def test_a_date_shown_just_after_midnight_in_tokyo_is_the_tokyo_date(client):
    """Asked at 0:30 on 1 April in Tokyo, when it is still 31 March in UTC: the status page says 1 April."""
    from consultations.models import Consultation
    from jii.status_links import make_token
    from tests.consultations.conftest import submit

    case = submit()
    Consultation.objects.filter(pk=case.pk).update(created_at=datetime(2026, 3, 31, 15, 30, tzinfo=UTC))
    page = client.get(f"/en/status/{make_token(case.resident)}/").content.decode()
    assert "Asked on April 1, 2026" in page
