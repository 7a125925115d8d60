"""The privacy page (APPI): in every language, linked from every form, every email and the footer; each consent
keeps the version of the notice it was given under."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone, translation

from consultations.models import Consultation
from donations.services import create_pending_donation
from hanamaru.models import Enrolment
from jii import privacy
from jii.models import PrivacyNotice
from jii.privacy_notice_v1 import TEXT
from matching.models import Application
from spot.models import SpotRequest
from tests.hanamaru.conftest import klass  # noqa: F401
from tests.jii.test_every_language import FORMS, in_script, prefix, text_of
from tests.page_checks import open_campaign

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]
RECORDS = {"ofp": Application, "spot": SpotRequest, "hanamaru": Enrolment, "consultations": Consultation}


def main_of(html: str) -> str:
    """The page's main text, without the readings added over kanji for plain Japanese."""
    main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    return re.sub(r"<rp>.*?</rp>|<rt>.*?</rt>|</?ruby>", "", main)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_privacy_page_says_who_sees_what_and_for_how_long_in_every_language(client, language):
    page = client.get(prefix(language) + "privacy/")
    assert page.status_code == 200
    main = main_of(page.content.decode())
    assert in_script(language, text_of(main))
    first_paragraph = TEXT[language].split("\n\n")[0]
    assert first_paragraph.replace("'", "&#x27;") in main  # the notice staff wrote, in the reader's language
    assert "info@j-ii.org" in main
    # every program's purposes and every kind of record with how long it is kept
    assert {purpose.program for purpose in privacy.PURPOSES} == {
        "ofp",
        "spot",
        "hanamaru",
        "consultations",
        "donations",
    }
    for purpose in privacy.PURPOSES:
        assert str(purpose).replace("'", "&#x27;") in main
    rows = re.findall(r'<tr><th scope="row">(.*?)</th><td>(.*?)</td></tr>', main)
    assert len(rows) == len(privacy.KINDS) >= 8
    with translation.override(language):
        for (what, kept), kind in zip(rows, privacy.table(), strict=True):
            assert what == str(kind.description).replace("'", "&#x27;")
            assert str(kind.years) in kept if kind.kept is None else kept.startswith(str(kind.kept))


def test_the_page_shows_the_newest_published_version_and_keeps_the_old_ones(client):
    later = PrivacyNotice.objects.create(
        version=3, text={"en": "Not yet."}, published_at=timezone.now().replace(year=2099)
    )
    PrivacyNotice.objects.create(version=2, text={"ja": "第2版", "en": "Second version."})
    main = main_of(client.get("/en/privacy/").content.decode())
    assert "Second version." in main and "Version 2" in main and "Not yet." not in main
    assert PrivacyNotice.objects.count() == 3 and later.pk


@pytest.mark.parametrize("form", FORMS)
def test_every_form_links_the_privacy_page_beside_its_consent_box(client, klass, form):  # noqa: F811
    path, _data = FORMS[form]
    html = client.get(f"/vi/{path}").content.decode()
    consent = html.split('id="consent-text"', 1)[1].split("</fieldset>", 1)[0]
    assert 'href="/vi/privacy/"' in consent


def test_the_campaign_form_and_the_footer_link_the_privacy_page(client):
    html = client.get(f"/uk/donate/{open_campaign().slug}/").content.decode()
    assert 'href="/uk/privacy/"' in html.split('id="consent-text"', 1)[1].split("</fieldset>", 1)[0]
    assert 'href="/uk/privacy/"' in html.split('class="site-footer"', 1)[1]


@pytest.mark.parametrize("form", FORMS)
def test_each_consent_records_the_version_of_the_notice_in_force(client, klass, form):  # noqa: F811
    path, data = FORMS[form]
    client.post(f"/en/{path}", data(klass))
    PrivacyNotice.objects.create(version=2, text={"ja": "第2版", "en": "Second version."})
    client.post(f"/en/{path}", {**data(klass), "email": "someone-else@example.com", "name": "Someone Else"})
    agreed = list(RECORDS[form].objects.order_by("pk").values_list("privacy_notice__version", flat=True))
    assert agreed[0] == 1 and agreed[-1] == 2


def test_a_gift_records_the_version_of_the_notice_in_force():
    donation = create_pending_donation(
        campaign=open_campaign(), frequency="once", amount_yen=3000, name="山田 花子", email="hanako@example.com"
    )
    assert donation.privacy_notice.version == 1


@pytest.mark.parametrize("language", ["ja", "ne", "fa-af"])
def test_every_email_ends_with_the_privacy_page_in_the_readers_language(
    client, language, django_capture_on_commit_callbacks
):
    path, data = FORMS["spot"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(prefix(language) + path, data(None))
    [email] = mail.outbox
    privacy_url = f"{settings.SITE_URL.rstrip('/')}{prefix(language)}privacy/"
    assert email.body.rstrip().endswith(privacy_url)
    html = email.alternatives[0][0]
    assert f'<a href="{privacy_url}">' in html.split("<hr>", 1)[1]
    assert in_script(language, email.body.rsplit("--", 1)[1])


def test_a_privacy_officer_publishes_a_new_version_and_the_old_one_stays_as_it_was(client):
    from django.urls import reverse

    from tests.factories import CoordinatorFactory

    client.force_login(CoordinatorFactory(groups=["coordinators", "privacy officers"]))
    add = reverse("admin:jii_privacynotice_add")
    text = {f"text_{code}": "" for code, _name in settings.LANGUAGES} | {"text_ja": "第2版です。", "text_en": "Second."}
    now = timezone.localtime()
    answer = client.post(
        add, {**text, "published_at_0": now.strftime("%Y-%m-%d"), "published_at_1": now.strftime("%H:%M:%S")}
    )
    assert answer.status_code == 302, answer.content.decode()[:3000]
    assert list(PrivacyNotice.objects.values_list("version", flat=True)) == [2, 1]
    assert PrivacyNotice.objects.get(version=1).text == TEXT
    first = reverse("admin:jii_privacynotice_change", args=[PrivacyNotice.objects.get(version=1).pk])
    assert client.post(first, {"text_ja": "changed"}).status_code == 403
    assert client.post(reverse("admin:jii_privacynotice_delete", args=[1])).status_code == 403
    assert "Second." in client.get("/en/privacy/").content.decode()


@pytest.mark.parametrize(("language", "words"), [("vi", "JII chỉ dùng tên, tuổi"), ("fa-af", "صنف‌های هانامارو")])
def test_the_hanamaru_consent_reads_in_the_guardians_language(client, klass, language, words):  # noqa: F811
    assert words in client.get(f"/{language}/privacy/").content.decode()
    assert words in client.get(f"/{language}/hanamaru/enroll/?class={klass.pk}").content.decode()
