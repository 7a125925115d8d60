"""The Nu HTML checker finds no error on any public page in any language: the forms empty and sent with
mistakes, their thanks pages, the class list, the campaign, the volunteer login and sign-up, the status page."""

import pytest
from django.conf import settings

from tests.hanamaru.conftest import klass  # noqa: F401 — a class to list and enrol in
from tests.page_checks import FORMS, language_prefix, nu_errors, open_campaign, public_paths, resident_with_everything

pytestmark = pytest.mark.django_db


def test_every_public_page_in_every_language_is_valid_html(client, klass):  # noqa: F811
    status = resident_with_everything(klass)
    campaign = open_campaign()
    pages = {}
    for language, _name in settings.LANGUAGES:
        for path in public_paths(language, status=status, campaign=campaign.slug):
            response = client.get(path)
            assert response.status_code == 200, path
            pages[path] = response.content.decode()
        for form in FORMS:
            path = language_prefix(language) + form
            pages[f"{path} (sent empty)"] = client.post(path, {}).content.decode()
    assert len(pages) == len(settings.LANGUAGES) * 23
    assert nu_errors(pages) == {}
