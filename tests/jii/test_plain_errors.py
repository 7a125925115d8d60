"""Residents' forms answer mistakes in plain words tied to each field, list them at the top with links (which
takes the focus), and forgive what phones do to email addresses."""

import re

import pytest

from jii.forms import PhoneFriendlyEmailField
from tests.spot.test_pages import request_form

pytestmark = pytest.mark.django_db


def test_the_summary_at_the_top_links_each_field_to_fix_and_takes_the_focus(client):
    html = client.post("/en/spot/request/", request_form(name="", category="", consent=None)).content.decode()
    summary = re.search(r'<div class="form-errors" role="alert" id="form-errors" tabindex="-1" autofocus>(.*?)</div>',
                        html, re.S)[1]  # fmt: skip
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)
    assert links == [
        ("id_name", "Your name — Please fill this in."),
        ("id_category_0", "What is it about? — Please choose one."),
        ("id_consent", "I agree to how JII uses this information (above). — Please tick the box to agree."),
    ]
    assert html.index('id="form-errors"') < html.index('name="name"')  # before the fields
    assert 'id="id_name_error"' in html  # and each error also beside its field


@pytest.mark.parametrize(
    ("typed", "cleaned"),
    [
        ("ｎｇｕｙｅｎ＠ｇｍａｉｌ．ｃｏｍ", "nguyen@gmail.com"),
        ("  lan@example.jp ", "lan@example.jp"),
        ("lan@example。jp", "lan@example.jp"),
    ],
)
def test_full_width_letters_in_an_email_are_converted(typed, cleaned):
    assert PhoneFriendlyEmailField().clean(typed) == cleaned


@pytest.mark.parametrize(
    ("typed", "hint"),
    [
        ("nguyen@gmail,com", "An email address has no commas. Did you mean nguyen@gmail.com?"),
        ("nguyen@gmail.con", "Please check the end of the address. Did you mean nguyen@gmail.com?"),
        ("lan@docomo.ne.jo", "Please check the end of the address. Did you mean lan@docomo.ne.jp?"),
    ],
)
def test_a_typo_common_on_phones_gets_a_hint(client, typed, hint):
    html = client.post("/en/spot/request/", request_form(email=typed)).content.decode()
    assert hint in html and re.search(r'id="id_email_error"', html)
