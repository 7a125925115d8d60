"""Every language of the site × every public form, tried as a resident would: the form answers in the language's
script and direction, an empty submission explains the mistakes in that script, a correct one sends the
confirmation in that language with a status link, and the status page opens in that language."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils.translation import get_language_info

from jii.languages import language_tag, reads_japanese
from jii.models import Resident
from tests.consultations.test_intake_and_desk import intake
from tests.hanamaru.conftest import klass  # noqa: F401 — the class the enrolment form enrols in
from tests.hanamaru.test_pages import enrol_form
from tests.matching.test_pages import application_form
from tests.page_checks import open_campaign, public_paths, resident_with_everything
from tests.spot.test_pages import request_form

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]
# Letters only this language's script has (Vietnamese: its tone marks; Japanese: kana).
SCRIPTS = {
    "ja": "[\u3040-\u30ff]",
    "ja-easy": "[\u3040-\u30ff]",
    "en": "[A-Za-z]",
    "zh-hans": "[\u4e00-\u9fff]",
    "vi": "[ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđơư]",
    "ne": "[\u0900-\u097f]",
    "uk": "[\u0400-\u04ff]",
    "fa-af": "[\u0600-\u06ff]",
}
FORMS = {
    "ofp": ("ofp/apply/", lambda the_class: application_form()),
    "spot": ("spot/request/", lambda the_class: request_form()),
    "hanamaru": ("hanamaru/enroll/", lambda the_class: enrol_form(the_class)),
    "consultations": ("consultations/request/", lambda the_class: intake()),
}


def prefix(language):
    return "/" if language == settings.LANGUAGE_CODE else f"/{language}/"


def text_of(html):
    """The words a reader sees, without the languages' own names (every page offers them all)."""
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    for name in sorted((get_language_info(code)["name_local"] for code in LANGUAGES), key=len, reverse=True):
        text = text.replace(name, "")
    return text


def in_script(language, text):
    """Written in the language's script, and, for a reader who does not read Japanese, with no Japanese sentence
    left untranslated (Japanese kept beside an address for asking the way has no run of kana)."""
    untranslated = not reads_japanese(language) and re.search("[ぁ-ゖ]{3,}", text)
    return re.search(SCRIPTS[language], text) is not None and not untranslated


def test_every_language_of_the_site_has_a_script_to_check():
    assert set(SCRIPTS) == set(LANGUAGES)


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_resident_applies_in_their_language_and_hears_back_in_it(client, klass, language, form):  # noqa: F811
    path, data = FORMS[form]
    url = prefix(language) + path
    direction = "rtl" if language == "fa-af" else "ltr"

    page = client.get(url)
    assert page.status_code == 200
    assert f'<html lang="{language_tag(language)}" dir="{direction}">' in page.content.decode()

    empty = client.post(url, {}).content.decode()
    errors = re.findall(r'<ul class="errorlist"[^>]*>(.*?)</ul>', empty, re.S)
    assert errors and all(in_script(language, text_of(error)) for error in errors), errors
    assert 'id="form-errors"' in empty

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url, data(klass))
    assert response.status_code == 302, text_of(response.content.decode())[:2000]
    assert Resident.objects.get().language == language
    [confirmation] = mail.outbox
    assert in_script(language, confirmation.subject) and in_script(language, confirmation.body)
    html_body = confirmation.alternatives[0][0]
    assert f'<html lang="{language_tag(language)}" dir="{direction}">' in html_body
    if language in settings.FURIGANA_LANGUAGES:  # readings in brackets: 受（う）け付（つ）け
        assert re.search("[\u4e00-\u9fff]（[ぁ-ゖ]+）", confirmation.subject + confirmation.body)
    [status_url] = re.findall(r"https?://\S+/status/\S+/", confirmation.body)
    status_path = status_url.split("://", 1)[1].split("/", 1)[1]
    assert status_path.startswith(prefix(language).lstrip("/") + "status/")

    status = client.get("/" + status_path)
    assert status.status_code == 200
    status_html = status.content.decode()
    assert f'<html lang="{language_tag(language)}" dir="{direction}">' in status_html
    main = status_html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    assert in_script(language, text_of(main))


def test_every_public_page_runs_the_same_queries_in_every_language(client, klass):  # noqa: F811
    status = resident_with_everything(klass)
    campaign = open_campaign().slug
    counts = {}
    for language in LANGUAGES:
        for number, path in enumerate(public_paths(language, status=status, campaign=campaign)):
            client.get(path)  # the campaign page's shared cache filled, as for every later visitor
            with CaptureQueriesContext(connection) as queries:
                assert client.get(path).status_code == 200
            counts.setdefault(number, {})[language] = len(queries)
    for number, by_language in counts.items():
        page = public_paths("ja", status=status, campaign=campaign)[number]
        assert len(set(by_language.values())) == 1, (page, by_language)
