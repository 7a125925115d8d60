"""The coordinator's desk: least privilege per group, search and filters, fixed query counts."""

import re

import pytest

from tests.factories import CoordinatorFactory, ResidentFactory, VolunteerFactory

pytestmark = pytest.mark.django_db


def test_the_admin_says_jii(client):
    client.force_login(CoordinatorFactory())
    assert "JII" in client.get("/en/admin/").content.decode()


def test_coordinators_work_with_residents_and_volunteers_but_not_money(client):
    client.force_login(CoordinatorFactory(groups=["coordinators"]))
    assert client.get("/admin/jii/resident/").status_code == 200
    assert client.get("/admin/jii/volunteerprofile/").status_code == 200
    assert client.get("/admin/jii/user/").status_code == 403
    assert client.get("/admin/donations/campaign/add/").status_code == 403


def test_donations_staff_see_no_residents(client):
    client.force_login(CoordinatorFactory(groups=["donations staff"]))
    assert client.get("/admin/jii/resident/").status_code == 403
    assert client.get("/admin/donations/campaign/add/").status_code == 200


def test_coordinators_cannot_delete_residents(client):
    resident = ResidentFactory()
    client.force_login(CoordinatorFactory())
    assert client.get(f"/admin/jii/resident/{resident.pk}/delete/").status_code == 403


def test_residents_are_found_by_email_and_filtered_by_household(client):
    ResidentFactory(name="Olena Kovalenko", email="olena@example.com", household_type="refugee")
    ResidentFactory(name="Ryan Miller", household_type="single_worker")
    client.force_login(CoordinatorFactory())
    found = client.get("/en/admin/jii/resident/", {"q": "olena@example"}).content.decode()
    assert "Olena Kovalenko" in found and "Ryan Miller" not in found
    filtered = client.get("/en/admin/jii/resident/", {"household_type__exact": "single_worker"}).content.decode()
    assert "Ryan Miller" in filtered and "Olena Kovalenko" not in filtered


def test_waiting_volunteers_can_be_listed_by_status(client):
    waiting = VolunteerFactory(name="待機 花子", profile__status="pending")
    VolunteerFactory(name="承認 太郎", profile__status="approved")
    client.force_login(CoordinatorFactory())
    html = client.get("/en/admin/jii/volunteerprofile/", {"status__exact": "pending"}).content.decode()
    assert waiting.name in html and "承認 太郎" not in html


@pytest.mark.parametrize("path", ["/en/admin/jii/resident/", "/en/admin/jii/volunteerprofile/"])
def test_admin_lists_run_a_fixed_number_of_queries(client, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(CoordinatorFactory())

    def queries_for_list():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    ResidentFactory.create_batch(3)
    VolunteerFactory.create_batch(3)
    few = queries_for_list()
    ResidentFactory.create_batch(30)
    VolunteerFactory.create_batch(30)
    assert queries_for_list() == few


def test_admin_pages_have_no_inline_script(client):
    client.force_login(CoordinatorFactory())
    profile = VolunteerFactory().volunteer_profile
    for path in ["/admin/", "/admin/jii/volunteerprofile/", f"/admin/jii/volunteerprofile/{profile.pk}/change/"]:
        html = client.get(path).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html), path


def test_a_program_app_can_show_its_records_on_the_resident_page(client, monkeypatch):
    from django.contrib import admin

    from jii.admin import ResidentAdmin, add_resident_inline
    from jii.models import Resident

    class LanguagesInline(admin.TabularInline):  # stands in for e.g. an OFP application inline
        model = Resident.languages.through
        verbose_name_plural = "records from another program"

    monkeypatch.setattr(ResidentAdmin, "inlines", list(ResidentAdmin.inlines))
    add_resident_inline(LanguagesInline)
    resident = ResidentFactory()
    client.force_login(CoordinatorFactory())
    html = client.get(f"/en/admin/jii/resident/{resident.pk}/change/").content.decode()
    assert "records from another program" in html.lower()


def test_staff_find_a_language_by_its_name_in_any_language_of_the_site(client):
    from jii.models import Language

    nepali = Language.objects.get(code="ne")
    nepali.name = {**nepali.name, "ne": "नेपाली"}
    nepali.save()
    client.force_login(CoordinatorFactory(is_superuser=True))
    found = client.get("/en/admin/jii/language/", {"q": "नेपाली"}).content.decode()
    assert "1 result" in found and '<td class="field-__str__">' in found
