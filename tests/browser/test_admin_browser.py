"""axe-core over every admin page we own, with the demo data in it: each list, each record's page and each
add form of our apps, and the desk's own pages (figures, exports' forms). No serious or critical violation."""

import contextlib

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP
from tests.browser.test_ofp_browser import log_in
from tests.factories import PASSWORD, CoordinatorFactory, UserFactory, totp_code, with_second_factor
from tests.page_checks import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# auditlog: the change audit's pages are jii's own admin (jii.admin.ChangeAuditAdmin).
OUR_APPS = {"jii", "matching", "spot", "hanamaru", "consultations", "donations", "auditlog"}
OWN_PAGES = [
    *("index", "matching_figures", "spot_figures", "hanamaru_figures", "consultations_figures"),
    *("donations_export", "donations_register", "donations_receipts_annual", "donations_receipts_generate"),
    *("donations_bank_statement", "donations_statement_lines", "jii_groupmessage_send"),
]


@pytest.fixture
def admin_pages():
    call_command("load_demo_data", verbosity=0)
    with_second_factor(UserFactory(email="root@j-ii.org", is_staff=True, is_superuser=True))
    paths = []
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        if meta.app_label not in OUR_APPS:
            continue
        paths.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        first = model_admin.get_queryset(_Request()).first()
        if first is not None:
            paths.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk]))
        if model_admin.has_add_permission(_Request()):
            paths.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_add"))
    for name in OWN_PAGES:
        with contextlib.suppress(NoReverseMatch):  # a page about one record is reached from its record
            paths.append(reverse(f"admin:{name}"))
    return paths


class _Request:
    """Enough of a superuser's request for the admins' get_queryset and has_add_permission."""

    class user:  # noqa: N801
        is_active = is_staff = is_superuser = True

        @staticmethod
        def has_perm(*args, **kwargs):
            return True

    GET: dict = {}


def test_no_admin_page_of_ours_has_a_serious_accessibility_problem(admin_pages, new_page):
    page = new_page(viewport=DESKTOP, bypass_csp=True, locale="en-US")
    log_in(page, "root@j-ii.org", "/en/admin/")
    violations = []
    for path in admin_pages:
        page.goto(f"/en{path}")
        violations += axe_violations(page)
    assert len(admin_pages) > 40
    assert violations == []


@pytest.fixture
def new_staff():
    return CoordinatorFactory(second_factor=False).email


def test_a_new_staff_member_sets_up_the_authenticator_app_and_reaches_the_admin(new_staff, new_page):
    page = new_page(viewport=DESKTOP, bypass_csp=True, locale="en-US")
    log_in(page, new_staff, "/en/admin/")
    page.get_by_label("Password").fill(PASSWORD)  # allauth asks once more before a second factor is added
    page.locator("main").get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    violations = axe_violations(page)
    secret = page.locator(".totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    violations += axe_violations(page)
    page.get_by_role("link", name="On to the coordinators' desk").click()
    expect(page.locator("#site-name")).to_contain_text("JII Otonari")
    assert violations == []
